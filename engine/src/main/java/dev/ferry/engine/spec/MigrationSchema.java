package dev.ferry.engine.spec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.PathType;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Checks a document against {@code schemas/migration.schema.json} (JSON Schema 2020-12) and turns
 * the validator's findings into diagnostics a person can act on: the line and column of the
 * offending key or value, the path in the file, and a hint such as "did you mean 'region'?".
 */
public final class MigrationSchema {

    /** Where the schema sits on the classpath (copied there from {@code schemas/} by the build). */
    public static final String RESOURCE = "/dev/ferry/schemas/migration.schema.json";

    private static final class Holder {
        static final MigrationSchema INSTANCE = new MigrationSchema(load(RESOURCE));
    }

    private final JsonNode schemaNode;
    private final JsonSchema schema;

    private MigrationSchema(JsonNode schemaNode) {
        this.schemaNode = schemaNode;
        SchemaValidatorsConfig config = SchemaValidatorsConfig.builder()
                .formatAssertionsEnabled(true)
                .pathType(PathType.JSON_POINTER)
                .build();
        this.schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(schemaNode, config);
    }

    public static MigrationSchema get() {
        return Holder.INSTANCE;
    }

    static JsonNode load(String resource) {
        try (InputStream in = MigrationSchema.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("schema missing from the classpath: " + resource);
            }
            return new ObjectMapper().readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The schema's own JSON, for the defaults and enums other code needs to agree with. */
    public JsonNode node() {
        return schemaNode;
    }

    public void validate(LocatedDocument document, Diagnostics out) {
        List<ValidationMessage> messages = new ArrayList<>(schema.validate(document.root()));
        messages.sort(Comparator.comparing((ValidationMessage m) -> m.getInstanceLocation().toString()));
        for (ValidationMessage message : messages) {
            Diagnostic diagnostic = toDiagnostic(document, message);
            if (diagnostic != null) {
                out.add(diagnostic);
            }
        }
    }

    private Diagnostic toDiagnostic(LocatedDocument document, ValidationMessage message) {
        String pointer = message.getInstanceLocation().toString();
        String path = JsonPointers.display(pointer);
        String keyword = message.getType();
        JsonNode owner = schemaOwner(message);
        Optional<String> custom = customMessage(owner, keyword);
        JsonNode instance = message.getInstanceNode();
        switch (keyword) {
            case "additionalProperties", "unevaluatedProperties" -> {
                String unknown = message.getProperty();
                List<String> known = new ArrayList<>();
                owner.path("properties").fieldNames().forEachRemaining(known::add);
                String hint = Spelling.closest(unknown, known)
                        .map(best -> "did you mean '" + best + "'?")
                        .orElse(known.isEmpty() ? null : "known keys here: " + String.join(", ", known));
                return Diagnostic.error(document.locateKey(JsonPointers.child(pointer, unknown)),
                        "unknown key '" + unknown + "' in " + path, hint);
            }
            case "required" -> {
                String missing = message.getProperty();
                String description = owner.path("properties").path(missing).path("description").asText("");
                return Diagnostic.error(document.locate(pointer), path + ": missing required key '" + missing + "'",
                        description.isEmpty() ? null : missing + ": " + firstSentence(description));
            }
            case "type" -> {
                String expected = String.valueOf(message.getArguments()[1]);
                String found = String.valueOf(message.getArguments()[0]);
                String hint = null;
                if (instance != null && instance.isNull()) {
                    hint = "the value is empty; give one or remove the key";
                } else if (expected.equals("string") && instance != null && instance.isValueNode()) {
                    hint = "write it in quotes: \"" + instance.asText() + "\"";
                } else if (expected.equals("boolean") && instance != null && instance.isTextual()) {
                    hint = "write true or false";
                }
                return Diagnostic.error(document.locate(pointer),
                        path + ": must be " + article(expected) + ", not " + article(found), hint);
            }
            case "enum" -> {
                List<String> allowed = new ArrayList<>();
                owner.path("enum").forEach(v -> allowed.add(v.asText()));
                String given = instance == null ? "" : instance.asText();
                String hint = Spelling.closest(given, allowed).map(best -> "did you mean '" + best + "'?").orElse(null);
                return Diagnostic.error(document.locate(pointer),
                        path + ": '" + given + "' is not one of: " + String.join(", ", allowed), hint);
            }
            case "const" -> {
                return Diagnostic.error(document.locate(pointer),
                        path + ": " + custom.orElse("must be '" + owner.path("const").asText() + "'"));
            }
            case "pattern" -> {
                if (isSecret(owner) && instance != null && SecretReference.looksLikeReference(instance.asText())) {
                    return null; // the secret-reference check explains what is wrong with it
                }
                if (isSecret(owner)) {
                    // Never echo what may be a password written in clear.
                    return Diagnostic.error(document.locate(pointer), path + ": " + custom.orElse("must be a secret reference"),
                            "a secret written in a file ends up in git; set it in the environment or a file instead");
                }
                String given = instance == null ? "" : instance.asText();
                return Diagnostic.error(document.locate(pointer),
                        path + ": '" + abbreviate(given) + "' "
                                + custom.orElse("does not match the pattern " + owner.path("pattern").asText()));
            }
            case "format" -> {
                String given = instance == null ? "" : instance.asText();
                return Diagnostic.error(document.locate(pointer),
                        path + ": '" + abbreviate(given) + "' is not " + article(formatName(owner.path("format").asText())));
            }
            default -> {
                String text = custom.orElseGet(() -> stripPointer(message.getMessage(), pointer));
                return Diagnostic.error(document.locate(pointer), path + ": " + text);
            }
        }
    }

    /** The schema object holding the keyword that failed ({@code #/$defs/linodeTarget}). */
    private JsonNode schemaOwner(ValidationMessage message) {
        String fragment = message.getSchemaLocation().getFragment().toString();
        return schemaNode.at(JsonPointers.parent(fragment));
    }

    private boolean isSecret(JsonNode owner) {
        return owner == schemaNode.path("$defs").path("secretReference");
    }

    private static Optional<String> customMessage(JsonNode owner, String keyword) {
        JsonNode custom = owner.path("errorMessage").path(keyword);
        return custom.isTextual() ? Optional.of(custom.asText()) : Optional.empty();
    }

    private static String stripPointer(String text, String pointer) {
        String prefix = pointer + ": ";
        return text.startsWith(prefix) ? text.substring(prefix.length()) : text;
    }

    private static String article(String type) {
        return switch (type) {
            case "integer" -> "an integer";
            case "object" -> "a mapping";
            case "array" -> "a list";
            case "null" -> "empty";
            case "boolean" -> "a boolean (true or false)";
            case "ipv4" -> "an IPv4 address";
            default -> "a " + type;
        };
    }

    private static String formatName(String format) {
        return switch (format) {
            case "ipv4" -> "ipv4";
            case "ipv6" -> "IPv6 address";
            case "uri" -> "URL";
            default -> format;
        };
    }

    private static String firstSentence(String text) {
        int end = text.indexOf(". ");
        return end < 0 ? text : text.substring(0, end + 1);
    }

    static String abbreviate(String text) {
        return text.length() <= 60 ? text : text.substring(0, 57) + "...";
    }
}
