package dev.ferry.sandbox.aws;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * EC2's {@code Filter.N.Name} / {@code Filter.N.Value.M}: an item passes when, for every filter, one of
 * its values for that name matches one of the filter's values ({@code *} and {@code ?} wildcards).
 * {@code tag:KEY}, {@code tag-key} and {@code tag-value} work on every resource with tags.
 */
final class Ec2Filters<T> {

    private final Map<String, Function<T, Collection<String>>> fields = new LinkedHashMap<>();
    private final Function<T, Map<String, String>> tags;

    Ec2Filters(Function<T, Map<String, String>> tags) {
        this.tags = tags;
    }

    Ec2Filters<T> field(String name, Function<T, Collection<String>> values) {
        fields.put(name, values);
        return this;
    }

    Ec2Filters<T> single(String name, Function<T, Object> value) {
        fields.put(name, item -> {
            Object v = value.apply(item);
            return v == null ? List.of() : List.of(String.valueOf(v));
        });
        return this;
    }

    record Filter(String name, List<String> values) {
    }

    /** Reads {@code prefix.N.Name} and {@code prefix.N.Value.M} ({@code prefix} is {@code Filter} or {@code Filters}). */
    static List<Filter> parse(QueryParams params, String prefix) {
        List<Filter> filters = new ArrayList<>();
        for (QueryParams filter : params.indexed(prefix)) {
            String name = filter.get("Name");
            if (name == null) {
                throw AwsException.badRequest("InvalidParameterValue", "The filter name is missing");
            }
            List<String> values = filter.list("Value");
            filters.add(new Filter(name, values));
        }
        return filters;
    }

    List<T> apply(List<T> items, List<Filter> filters) {
        for (Filter filter : filters) {
            if (!known(filter.name())) {
                throw AwsException.badRequest("InvalidParameterValue", "The filter '" + filter.name()
                        + "' is invalid");
            }
        }
        List<T> result = new ArrayList<>();
        for (T item : items) {
            if (filters.stream().allMatch(f -> matches(item, f))) {
                result.add(item);
            }
        }
        return result;
    }

    private boolean known(String name) {
        return fields.containsKey(name) || (tags != null && (name.startsWith("tag:") || name.equals("tag-key")
                || name.equals("tag-value")));
    }

    private boolean matches(T item, Filter filter) {
        Collection<String> itemValues = values(item, filter.name());
        for (String wanted : filter.values()) {
            for (String value : itemValues) {
                if (PolicyDocument.glob(wanted, value)) {
                    return true;
                }
            }
        }
        return false;
    }

    private Collection<String> values(T item, String name) {
        if (name.startsWith("tag:")) {
            String value = tags.apply(item).get(name.substring(4));
            return value == null ? List.of() : List.of(value);
        }
        if (name.equals("tag-key")) {
            return tags.apply(item).keySet();
        }
        if (name.equals("tag-value")) {
            return tags.apply(item).values();
        }
        return fields.get(name).apply(item);
    }
}
