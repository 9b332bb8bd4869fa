package dev.ferry.engine.spec;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;

/**
 * A parsed YAML document as a Jackson tree, with the line and column of every key and value so
 * that any later check (schema, semantics, a provider's) can point at the exact place.
 * Locations are keyed by JSON Pointer ({@code /migrations/0/target/linode/region}).
 */
public final class LocatedDocument {

    private final String file;
    private final JsonNode root;
    private final Map<String, SourceLocation> values;
    private final Map<String, SourceLocation> keys;

    LocatedDocument(String file, JsonNode root, Map<String, SourceLocation> values, Map<String, SourceLocation> keys) {
        this.file = requireNonNull(file, "file is null");
        this.root = requireNonNull(root, "root is null");
        this.values = Map.copyOf(values);
        this.keys = Map.copyOf(keys);
    }

    public String file() {
        return file;
    }

    public JsonNode root() {
        return root;
    }

    /** Where the value at {@code pointer} starts; the nearest enclosing value when it has none. */
    public SourceLocation locate(String pointer) {
        String current = pointer;
        while (true) {
            SourceLocation found = values.get(current);
            if (found != null) {
                return found;
            }
            if (current.isEmpty()) {
                return SourceLocation.startOf(file);
            }
            current = JsonPointers.parent(current);
        }
    }

    /** Where the key naming {@code pointer} is written; its value's location when it has no key. */
    public SourceLocation locateKey(String pointer) {
        SourceLocation key = keys.get(pointer);
        return key != null ? key : locate(pointer);
    }
}
