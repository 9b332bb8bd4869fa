package dev.ferry.engine.spec;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/** Every well-formed secret reference a migration file makes, each with its place in the file. */
public final class SecretReferences {

    /** One reference: the JSON pointer of the value, where it is written, and what it refers to. */
    public record Located(String pointer, SourceLocation location, SecretReference reference) {
        public Located {
            requireNonNull(pointer, "pointer is null");
            requireNonNull(location, "location is null");
            requireNonNull(reference, "reference is null");
        }

        /** The value's path as users read it: {@code migrations[0].target.linode.root_pass}. */
        public String path() {
            return JsonPointers.display(pointer);
        }
    }

    private SecretReferences() {
    }

    /** The references in {@code document}, in the order they are written. */
    public static List<Located> of(LocatedDocument document) {
        List<Located> found = new ArrayList<>();
        walk(document.root(), "", (pointer, value) -> SecretReference.parse(value.asText())
                .ifPresent(reference -> found.add(new Located(pointer, document.locate(pointer), reference))));
        return List.copyOf(found);
    }

    interface TextVisitor {
        void visit(String pointer, JsonNode value);
    }

    /** Visits every text value under {@code node}, with its JSON pointer. */
    static void walk(JsonNode node, String pointer, TextVisitor visitor) {
        if (node.isTextual()) {
            visitor.visit(pointer, node);
        } else if (node.isObject()) {
            Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> field = fields.next();
                walk(field.getValue(), JsonPointers.child(pointer, field.getKey()), visitor);
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                walk(node.get(i), JsonPointers.child(pointer, i), visitor);
            }
        }
    }
}
