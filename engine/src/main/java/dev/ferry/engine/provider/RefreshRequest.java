package dev.ferry.engine.provider;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.engine.resource.ResourceAddress;

/** A resource recorded in state, to observe: its id and what was last applied. */
public record RefreshRequest(ResourceAddress address, String id, ObjectNode arguments, ObjectNode outputs) {
    public RefreshRequest {
        requireNonNull(address, "address is null");
        requireNonNull(id, "id is null");
        requireNonNull(arguments, "arguments is null");
        requireNonNull(outputs, "outputs is null");
    }
}
