package dev.ferry.provider.linode;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.engine.resource.Attributes;
import java.util.Optional;

/** Small helpers over a resource's arguments. */
final class Args {

    private Args() {
    }

    /** The known, non-null value of {@code name}. */
    static Optional<JsonNode> value(Attributes attributes, String name) {
        return attributes.find(name).filter(v -> !v.isNull());
    }

    static Optional<JsonNode> value(ObjectNode object, String name) {
        return Optional.ofNullable(object.get(name)).filter(v -> !v.isNull());
    }

    static ObjectNode object() {
        return JsonNodeFactory.instance.objectNode();
    }
}
