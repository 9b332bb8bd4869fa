package dev.ferry.engine.permission;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * What one provider needs, written the way its cloud takes it: a title ("AWS IAM policy"), the document itself as JSON
 * (an IAM policy document; the token's scopes), how to use it, and one line per permission saying what it is for.
 */
public record PermissionDocument(String provider, String title, JsonNode document, String usage, List<String> explanations) {

    public PermissionDocument {
        requireNonNull(provider, "provider is null");
        requireNonNull(title, "title is null");
        requireNonNull(document, "document is null");
        requireNonNull(usage, "usage is null");
        explanations = List.copyOf(explanations);
    }
}
