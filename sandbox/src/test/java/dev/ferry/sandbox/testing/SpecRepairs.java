package dev.ferry.sandbox.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One repair to the Linode description, which otherwise rejects every valid request it describes.
 *
 * <p>A schema such as the body of {@code POST /networking/firewalls} is {@code allOf: [Firewall]} plus sibling
 * {@code properties} that only narrow a property of {@code Firewall} ({@code rules} must have its policies;
 * its rules must have action, addresses, protocol). Those narrowing schemas carry no {@code type} but do carry
 * {@code additionalProperties: false}, so on their own they forbid the very fields they require. Here each such
 * overlay is merged into the property it narrows, which is what the description means. (The same shape
 * without {@code additionalProperties}, as in {@code PUT .../rules}, makes the validator take an array for an
 * object, so every constraint-only overlay is merged.)
 */
final class SpecRepairs {

    private SpecRepairs() {
    }

    static void mergeOverlays(JsonNode root, JsonNode node) {
        if (node instanceof ObjectNode object) {
            if (object.has("allOf") && object.get("properties") instanceof ObjectNode siblings) {
                List<String> names = new ArrayList<>();
                siblings.fieldNames().forEachRemaining(names::add);
                for (String name : names) {
                    JsonNode overlay = siblings.get(name);
                    if (isOverlay(overlay)) {
                        JsonNode base = baseProperty(root, object.get("allOf"), name);
                        if (base != null) {
                            siblings.set(name, merge(root, base, overlay));
                        }
                    }
                }
            }
            for (Map.Entry<String, JsonNode> field : object.properties()) {
                mergeOverlays(root, field.getValue());
            }
        } else if (node instanceof ArrayNode array) {
            array.forEach(n -> mergeOverlays(root, n));
        }
    }

    /** A schema that only adds constraints: no type, no reference, no combinator of its own. */
    private static boolean isOverlay(JsonNode schema) {
        return schema.isObject() && !schema.has("type") && !schema.has("$ref") && !schema.has("allOf")
                && !schema.has("oneOf") && !schema.has("anyOf");
    }

    private static JsonNode baseProperty(JsonNode root, JsonNode allOf, String name) {
        for (JsonNode member : allOf) {
            JsonNode resolved = resolve(root, member);
            JsonNode property = resolved.path("properties").get(name);
            if (property != null) {
                return resolve(root, property);
            }
        }
        return null;
    }

    private static JsonNode resolve(JsonNode root, JsonNode schema) {
        JsonNode current = schema;
        while (current.has("$ref")) {
            String ref = current.get("$ref").asText();
            if (!ref.startsWith("#/")) {
                return current;
            }
            current = root.at(ref.substring(1));
        }
        return current;
    }

    /** The base schema with the overlay's requirements added (into array items where the base is an array). */
    private static JsonNode merge(JsonNode root, JsonNode baseSchema, JsonNode overlay) {
        ObjectNode result = resolve(root, baseSchema).deepCopy();
        if (result.has("items") && !overlay.has("items")) {
            result.set("items", merge(root, result.get("items"), overlay));
            return result;
        }
        for (Map.Entry<String, JsonNode> field : overlay.properties()) {
            switch (field.getKey()) {
                case "additionalProperties" -> { }
                case "required" -> {
                    ArrayNode required = result.has("required") ? (ArrayNode) result.get("required")
                            : result.putArray("required");
                    field.getValue().forEach(r -> {
                        boolean present = false;
                        for (JsonNode existing : required) {
                            present |= existing.asText().equals(r.asText());
                        }
                        if (!present) {
                            required.add(r);
                        }
                    });
                }
                case "properties" -> {
                    ObjectNode properties = result.has("properties") ? (ObjectNode) result.get("properties")
                            : result.putObject("properties");
                    field.getValue().properties().forEach(p -> {
                        JsonNode existing = properties.get(p.getKey());
                        properties.set(p.getKey(), existing == null ? p.getValue()
                                : merge(root, existing, p.getValue()));
                    });
                }
                default -> result.set(field.getKey(), field.getValue());
            }
        }
        return result;
    }
}
