package dev.ferry.sandbox.aws;

import dev.ferry.sandbox.http.HttpCall;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static java.util.Objects.requireNonNull;

/**
 * The parameters of a Query-protocol request ({@code Action=...&Filter.1.Name=...}), with helpers
 * for the flattened lists and structures the protocol uses.
 */
final class QueryParams {

    private final Map<String, String> values;

    QueryParams(Map<String, String> values) {
        this.values = requireNonNull(values, "values is null");
    }

    static QueryParams parse(String body, Map<String, List<String>> urlQuery) {
        Map<String, String> values = new LinkedHashMap<>();
        urlQuery.forEach((k, v) -> values.put(k, v.isEmpty() ? "" : v.get(0)));
        if (body != null && !body.isBlank()) {
            for (String pair : body.split("&")) {
                if (pair.isEmpty()) {
                    continue;
                }
                int eq = pair.indexOf('=');
                String name = HttpCall.decode(eq < 0 ? pair : pair.substring(0, eq));
                String value = eq < 0 ? "" : HttpCall.decode(pair.substring(eq + 1));
                values.put(name, value);
            }
        }
        return new QueryParams(values);
    }

    String get(String name) {
        return values.get(name);
    }

    String require(String name) {
        String value = values.get(name);
        if (value == null || value.isEmpty()) {
            throw AwsException.missingParameter(name);
        }
        return value;
    }

    boolean has(String name) {
        return values.containsKey(name);
    }

    boolean bool(String name, boolean fallback) {
        String value = values.get(name);
        return value == null ? fallback : Boolean.parseBoolean(value);
    }

    Integer integer(String name) {
        String value = values.get(name);
        if (value == null) {
            return null;
        }
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw AwsException.invalidValue(name, value, "It must be a number.");
        }
    }

    /** The parameters under {@code prefix.} with the prefix removed. */
    QueryParams sub(String prefix) {
        Map<String, String> result = new LinkedHashMap<>();
        String dotted = prefix + ".";
        values.forEach((k, v) -> {
            if (k.startsWith(dotted)) {
                result.put(k.substring(dotted.length()), v);
            }
        });
        return new QueryParams(result);
    }

    boolean isEmpty() {
        return values.isEmpty();
    }

    /** {@code prefix.1...}, {@code prefix.2...} as structures, in index order. */
    List<QueryParams> indexed(String prefix) {
        TreeMap<Integer, Map<String, String>> byIndex = new TreeMap<>();
        String dotted = prefix + ".";
        values.forEach((k, v) -> {
            if (!k.startsWith(dotted)) {
                return;
            }
            String rest = k.substring(dotted.length());
            int dot = rest.indexOf('.');
            String index = dot < 0 ? rest : rest.substring(0, dot);
            try {
                int i = Integer.parseInt(index);
                byIndex.computeIfAbsent(i, x -> new LinkedHashMap<>()).put(dot < 0 ? "" : rest.substring(dot + 1), v);
            } catch (NumberFormatException e) {
                // not a list member
            }
        });
        List<QueryParams> result = new ArrayList<>();
        byIndex.values().forEach(m -> result.add(new QueryParams(m)));
        return result;
    }

    /** {@code prefix.1=a&prefix.2=b} as a list of strings, in index order. */
    List<String> list(String prefix) {
        List<String> result = new ArrayList<>();
        for (QueryParams item : indexed(prefix)) {
            String value = item.get("");
            if (value != null) {
                result.add(value);
            }
        }
        return result;
    }

    /** A list the AWS query protocol names with {@code .member.N} (IAM, STS). */
    List<QueryParams> members(String prefix) {
        return indexed(prefix + ".member");
    }

    Map<String, String> asMap() {
        return values;
    }
}
