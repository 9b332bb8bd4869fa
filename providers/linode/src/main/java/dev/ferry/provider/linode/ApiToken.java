package dev.ferry.provider.linode;

import static java.util.Objects.requireNonNull;

/**
 * A Linode personal access token and where it was found. It prints as {@code (sensitive)}; only the
 * client building the {@code Authorization} header reads it, and {@link #redact} keeps it out of any
 * text that might echo it back.
 */
final class ApiToken {

    private final String value;
    private final String source;

    ApiToken(String value, String source) {
        requireNonNull(value, "value is null");
        this.value = value.strip();
        this.source = requireNonNull(source, "source is null");
        if (this.value.isEmpty()) {
            throw new IllegalArgumentException("empty token");
        }
    }

    /** Where the token came from, for messages: {@code LINODE_TOKEN}, {@code providers.linode.token (${env:X})}. */
    String source() {
        return source;
    }

    String authorization() {
        return "Bearer " + value;
    }

    /** {@code text} with every occurrence of the token replaced, for messages built from what a server sent. */
    String redact(String text) {
        return text == null ? null : text.replace(value, "(sensitive)");
    }

    @Override
    public String toString() {
        return "(sensitive)";
    }
}
