package dev.ferry.engine.spec;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * One provider-owned part of the file, kept as written: {@code source.ec2}, {@code target.linode},
 * {@code providers.aws}. The engine does not know its fields; the provider that owns the kind
 * binds it to its own record with {@link #bind} and reports problems at {@link #locate}.
 */
public record Section(String kind, JsonNode body, String pointer, LocatedDocument document) {

    public Section {
        requireNonNull(kind, "kind is null");
        requireNonNull(body, "body is null");
        requireNonNull(pointer, "pointer is null");
        requireNonNull(document, "document is null");
    }

    /** Maps the section onto {@code type} (snake_case keys, absent keys as null or empty). */
    public <T> T bind(Class<T> type) {
        try {
            return SpecMapper.MAPPER.treeToValue(body, type);
        } catch (JsonProcessingException e) {
            // The schema has already accepted the section, so this is a disagreement between the
            // schema and the record: a bug in ferry, not in the user's file.
            throw new IllegalStateException("cannot map " + JsonPointers.display(pointer) + " onto " + type.getSimpleName()
                    + ": " + e.getOriginalMessage(), e);
        }
    }

    /** Where the section starts (its first key). */
    public SourceLocation location() {
        return document.locate(pointer);
    }

    /** Where the section's key is written ({@code linode:} in {@code target:}). */
    public SourceLocation keyLocation() {
        return document.locateKey(pointer);
    }

    /** Where the value of {@code field} (a path relative to the section, {@code rules/0/ports}) is written. */
    public SourceLocation locate(String field) {
        return document.locate(pointer + "/" + field);
    }

    /** Dotted path for messages: {@code migrations[0].target.linode}. */
    public String path() {
        return JsonPointers.display(pointer);
    }
}
