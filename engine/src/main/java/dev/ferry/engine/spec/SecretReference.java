package dev.ferry.engine.spec;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where a secret comes from: {@code ${env:NAME}} (an environment variable) or {@code ${file:PATH}}
 * (a file, relative to the migration file). The reference is not the secret: it is kept in saved
 * plans so apply can resolve it, while the value it points at is resolved only when plan checks
 * it and apply uses it, and is never stored.
 */
public record SecretReference(Kind kind, String name) {

    public enum Kind { ENV, FILE }

    private static final Pattern FORM = Pattern.compile("\\$\\{(env|file):([^}]*)\\}");
    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    public SecretReference {
        requireNonNull(kind, "kind is null");
        requireNonNull(name, "name is null");
    }

    /** Whether {@code text} looks like it meant to be a reference (contains {@code ${}). */
    public static boolean looksLikeReference(String text) {
        return text.contains("${");
    }

    /** The reference {@code text} spells, or empty when it is not exactly one well-formed reference. */
    public static Optional<SecretReference> parse(String text) {
        Matcher matcher = FORM.matcher(text);
        if (!matcher.matches()) {
            return Optional.empty();
        }
        String name = matcher.group(2);
        Kind kind = matcher.group(1).equals("env") ? Kind.ENV : Kind.FILE;
        if (kind == Kind.ENV && !ENV_NAME.matcher(name).matches()) {
            return Optional.empty();
        }
        if (kind == Kind.FILE && name.isBlank()) {
            return Optional.empty();
        }
        return Optional.of(new SecretReference(kind, name));
    }

    @JsonCreator
    public static SecretReference of(String text) {
        return parse(text).orElseThrow(() -> new IllegalArgumentException(
                "not a secret reference; write ${env:NAME} or ${file:PATH}"));
    }

    /** Why {@code text} is not a well-formed reference, for the diagnostic. */
    public static String problem(String text) {
        if (text.startsWith("${env:") && text.endsWith("}")) {
            return "an environment variable name is letters, digits and '_', not starting with a digit";
        }
        if (text.startsWith("${file:") && text.endsWith("}")) {
            return "a file reference needs a path: ${file:secrets/name}";
        }
        if (!text.startsWith("${") || !text.endsWith("}")) {
            return "a secret reference is the whole value, such as ${env:ROOT_PASSWORD}; it cannot be part of a longer text";
        }
        return "the known forms are ${env:NAME} and ${file:PATH}";
    }

    /** The reference as written ({@code ${env:NAME}}); it names where the secret is, never its value. */
    @JsonValue
    @Override
    public String toString() {
        return "${" + (kind == Kind.ENV ? "env" : "file") + ":" + name + "}";
    }
}
