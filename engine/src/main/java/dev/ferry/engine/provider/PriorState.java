package dev.ferry.engine.provider;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** A resource as state records it: id, the arguments last applied, its outputs. */
public record PriorState(String id, ObjectNode arguments, ObjectNode outputs) {
    public PriorState {
        requireNonNull(id, "id is null");
        requireNonNull(arguments, "arguments is null");
        requireNonNull(outputs, "outputs is null");
    }
}
