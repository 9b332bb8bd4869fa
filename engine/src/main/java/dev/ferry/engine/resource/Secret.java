package dev.ferry.engine.resource;

import static java.util.Objects.requireNonNull;

/**
 * A resolved secret value. It prints as {@code (sensitive)} everywhere; only {@link #reveal()}
 * gives the value, and only a provider sending it to its cloud should call it.
 */
public final class Secret {

    private final String value;

    public Secret(String value) {
        this.value = requireNonNull(value, "value is null");
    }

    public String reveal() {
        return value;
    }

    public int length() {
        return value.length();
    }

    @Override
    public String toString() {
        return "(sensitive)";
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Secret that && value.equals(that.value);
    }

    @Override
    public int hashCode() {
        return value.hashCode();
    }
}
