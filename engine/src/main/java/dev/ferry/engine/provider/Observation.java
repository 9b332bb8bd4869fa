package dev.ferry.engine.provider;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** What refreshing a recorded resource found. */
public sealed interface Observation {

    /**
     * It exists. {@code arguments} holds the arguments the provider can observe (a subset is fine:
     * only those are compared, to detect changes made outside ferry); {@code outputs} its outputs now.
     */
    record Exists(ObjectNode arguments, ObjectNode outputs) implements Observation {
        public Exists {
            requireNonNull(arguments, "arguments is null");
            requireNonNull(outputs, "outputs is null");
        }
    }

    /** It is gone (deleted outside ferry, or expired). */
    record Gone() implements Observation {
    }

    /** It exists but is broken (a failed image): it must be replaced. */
    record Broken(String reason) implements Observation {
        public Broken {
            requireNonNull(reason, "reason is null");
        }
    }
}
