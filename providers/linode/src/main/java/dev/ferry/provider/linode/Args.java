package dev.ferry.provider.linode;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.engine.resource.Attributes;
import java.util.Optional;
import java.util.Set;

/** Small helpers over a resource's arguments. */
final class Args {

    private Args() {
    }

    /** {@code attributes} without {@code names}: inputs a plan consumed and replaced by what it computed. */
    static Attributes without(Attributes attributes, Set<String> names) {
        Attributes.Builder builder = Attributes.builder();
        for (String name : attributes.names()) {
            if (names.contains(name)) {
                continue;
            }
            if (attributes.isSecret(name)) {
                builder.secret(name, attributes.secret(name).orElseThrow());
            } else if (attributes.isUnknown(name)) {
                builder.unknown(name);
            } else {
                builder.known(name, attributes.get(name));
            }
        }
        return builder.build();
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
