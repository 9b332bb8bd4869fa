package dev.ferry.engine.spec;

import java.util.ArrayList;
import java.util.List;

/** RFC 6901 pointers, and the dotted paths users read ({@code migrations[0].target.linode}). */
public final class JsonPointers {

    private JsonPointers() {
    }

    public static String child(String pointer, String key) {
        return pointer + "/" + key.replace("~", "~0").replace("/", "~1");
    }

    public static String child(String pointer, int index) {
        return pointer + "/" + index;
    }

    public static String parent(String pointer) {
        int slash = pointer.lastIndexOf('/');
        return slash <= 0 ? "" : pointer.substring(0, slash);
    }

    public static List<String> segments(String pointer) {
        List<String> segments = new ArrayList<>();
        if (pointer.isEmpty()) {
            return segments;
        }
        for (String raw : pointer.substring(1).split("/", -1)) {
            segments.add(raw.replace("~1", "/").replace("~0", "~"));
        }
        return segments;
    }

    /** {@code /migrations/0/target/linode} → {@code migrations[0].target.linode}. */
    public static String display(String pointer) {
        StringBuilder path = new StringBuilder();
        for (String segment : segments(pointer)) {
            if (!segment.isEmpty() && segment.chars().allMatch(Character::isDigit)) {
                path.append('[').append(segment).append(']');
            } else {
                if (path.length() > 0) {
                    path.append('.');
                }
                path.append(segment);
            }
        }
        return path.length() == 0 ? "the file" : path.toString();
    }
}
