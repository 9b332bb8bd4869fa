package dev.ferry.engine.resource;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Comparator;

/**
 * Equality of JSON values as a user means it: {@code 1} written in a file, kept as a long, and
 * {@code 1} read back from state as an int are the same value.
 */
public final class JsonValues {

    private static final Comparator<JsonNode> NUMBERS_BY_VALUE = (a, b) -> {
        if (a.isNumber() && b.isNumber()) {
            return a.decimalValue().compareTo(b.decimalValue());
        }
        return a.equals(b) ? 0 : 1;
    };

    private JsonValues() {
    }

    public static boolean equal(JsonNode a, JsonNode b) {
        if (a == null || b == null) {
            return a == b;
        }
        return a.equals(NUMBERS_BY_VALUE, b);
    }
}
