package dev.ferry.provider.linode;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The linode-cli configuration file ({@code ~/.config/linode-cli}), an INI file as Python's configparser
 * reads it: {@code [DEFAULT]} names the user in {@code default-user}, and each user's section holds its
 * {@code token}. Keys are case-insensitive, {@code =} or {@code :} separate key and value, lines starting
 * with {@code #} or {@code ;} are comments, and the DEFAULT section's values are inherited by every section.
 */
final class LinodeCliConfig {

    private static final String DEFAULT = "DEFAULT";

    private final Map<String, Map<String, String>> sections;

    private LinodeCliConfig(Map<String, Map<String, String>> sections) {
        this.sections = sections;
    }

    static LinodeCliConfig parse(String text) {
        Map<String, Map<String, String>> sections = new LinkedHashMap<>();
        sections.put(DEFAULT, new LinkedHashMap<>());
        Map<String, String> current = null;
        String lastKey = null;
        for (String raw : text.split("\r?\n", -1)) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#") || line.startsWith(";")) {
                continue;
            }
            if (line.startsWith("[") && line.endsWith("]")) {
                String name = line.substring(1, line.length() - 1).strip();
                current = sections.computeIfAbsent(name, n -> new LinkedHashMap<>());
                lastKey = null;
                continue;
            }
            if (current == null) {
                // configparser refuses keys before the first section; there is nothing sensible to read.
                continue;
            }
            boolean continuation = Character.isWhitespace(raw.charAt(0)) && lastKey != null;
            if (continuation) {
                current.merge(lastKey, line, (a, b) -> a + "\n" + b);
                continue;
            }
            int separator = firstSeparator(line);
            if (separator < 0) {
                continue;
            }
            lastKey = line.substring(0, separator).strip().toLowerCase(Locale.ROOT);
            current.put(lastKey, line.substring(separator + 1).strip());
        }
        return new LinodeCliConfig(sections);
    }

    private static int firstSeparator(String line) {
        int equals = line.indexOf('=');
        int colon = line.indexOf(':');
        if (equals < 0) {
            return colon;
        }
        return colon < 0 ? equals : Math.min(equals, colon);
    }

    /** The user linode-cli uses by default: {@code default-user}, or the only user when there is one. */
    Optional<String> defaultUser() {
        Optional<String> named = value(DEFAULT, "default-user").filter(u -> !u.isBlank());
        if (named.isPresent()) {
            return named;
        }
        var users = sections.keySet().stream().filter(name -> !name.equals(DEFAULT)).toList();
        return users.size() == 1 ? Optional.of(users.get(0)) : Optional.empty();
    }

    /** The default user's token. */
    Optional<String> token() {
        return defaultUser().flatMap(user -> value(user, "token")).filter(t -> !t.isBlank());
    }

    /** {@code key} in {@code section}, falling back to DEFAULT as configparser does. */
    Optional<String> value(String section, String key) {
        String lower = key.toLowerCase(Locale.ROOT);
        Map<String, String> values = sections.get(section);
        if (values != null && values.containsKey(lower)) {
            return Optional.of(values.get(lower));
        }
        if (values == null && !section.equals(DEFAULT)) {
            return Optional.empty();
        }
        return Optional.ofNullable(sections.get(DEFAULT).get(lower));
    }

    @Override
    public String toString() {
        return "LinodeCliConfig" + sections.keySet();
    }
}
