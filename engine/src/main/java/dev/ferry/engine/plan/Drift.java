package dev.ferry.engine.plan;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.engine.resource.ResourceAddress;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** A change made outside ferry, found by refresh: an argument that changed, or an object that is gone. */
public record Drift(ResourceAddress address, Kind kind, Map<String, Values> arguments, Optional<String> reason) {

    public enum Kind { CHANGED, DELETED, BROKEN }

    /** What state recorded, and what the cloud has now. */
    public record Values(JsonNode recorded, JsonNode observed) {
    }

    public Drift {
        requireNonNull(address, "address is null");
        requireNonNull(kind, "kind is null");
        arguments = arguments == null ? Map.of() : new LinkedHashMap<>(arguments);
        reason = reason == null ? Optional.empty() : reason;
    }
}
