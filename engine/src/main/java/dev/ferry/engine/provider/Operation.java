package dev.ferry.engine.provider;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Optional;

/**
 * Long work in a cloud with an id: an AMI being made, an export task, an upload. The engine writes
 * it to state the moment it exists, so a later run resumes following it instead of starting it
 * again. {@code resourceId} is the id of the resource being made, when already known;
 * {@code phase} and {@code data} are the provider's own notes for resuming (opaque to the engine).
 */
public record Operation(String kind, String id, Optional<String> resourceId, String phase, ObjectNode data) {

    public static final String CREATE = "create";
    public static final String UPDATE = "update";
    public static final String DELETE = "delete";

    public Operation {
        requireNonNull(kind, "kind is null");
        requireNonNull(id, "id is null");
        resourceId = resourceId == null ? Optional.empty() : resourceId;
        requireNonNull(phase, "phase is null");
        data = data == null ? JsonNodeFactory.instance.objectNode() : data.deepCopy();
    }

    public static Operation of(String kind, String id, String resourceId, String phase) {
        return new Operation(kind, id, Optional.ofNullable(resourceId), phase, null);
    }

    public Operation withPhase(String newPhase) {
        return new Operation(kind, id, resourceId, newPhase, data);
    }
}
