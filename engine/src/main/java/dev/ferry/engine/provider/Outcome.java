package dev.ferry.engine.provider;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.OptionalDouble;

/** Where a create, update, delete or poll left the resource. */
public sealed interface Outcome {

    /** Created or updated: its id and outputs. */
    record Done(String id, ObjectNode outputs) implements Outcome {
        public Done {
            requireNonNull(id, "id is null");
            requireNonNull(outputs, "outputs is null");
        }
    }

    /** Deleted (or already gone). */
    record Deleted() implements Outcome {
    }

    /**
     * Still going: the engine records {@code operation}, shows {@code status} and {@code percent},
     * and polls again after {@code pollAfter}. {@code queued}: the cloud refused to start it for now, because
     * a limit it counts for the whole account is reached; the engine waits {@code pollAfter} as asked (not
     * shortened to its poll interval) and adds the time left to the status.
     */
    record InProgress(Operation operation, String status, OptionalDouble percent, Duration pollAfter, boolean queued)
            implements Outcome {
        public InProgress {
            requireNonNull(operation, "operation is null");
            requireNonNull(status, "status is null");
            requireNonNull(percent, "percent is null");
            requireNonNull(pollAfter, "pollAfter is null");
        }

        public InProgress(Operation operation, String status, OptionalDouble percent, Duration pollAfter) {
            this(operation, status, percent, pollAfter, false);
        }

        /** A start the cloud queued ({@code status} says by whom and why), to be tried again after {@code wait}. */
        public static InProgress queued(Operation operation, String status, Duration wait) {
            return new InProgress(operation, status, OptionalDouble.empty(), wait, true);
        }
    }
}
