package dev.ferry.sandbox.world;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/** Tag maps are kept sorted by key and unmodifiable, so views and persisted state are stable. */
final class Tags {
    private Tags() {
    }

    static Map<String, String> copy(Map<String, String> tags) {
        if (tags == null || tags.isEmpty()) {
            return Map.of();
        }
        return Collections.unmodifiableMap(new TreeMap<>(tags));
    }

    static Map<String, String> with(Map<String, String> tags, Map<String, String> added) {
        TreeMap<String, String> result = new TreeMap<>(tags);
        result.putAll(added);
        return Collections.unmodifiableMap(result);
    }
}
