package dev.ferry.sandbox.linode;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.sandbox.http.Json;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The {@code X-Filter} header of Linode list requests: field equality ({@code {"label": "web"}}; on a list
 * field such as {@code tags}, membership), operators {@code +contains +neq +gt +gte +lt +lte}, combinators
 * {@code +and +or}, nested or dotted fields ({@code entity.id}), and {@code +order_by} / {@code +order}.
 */
final class XFilter {

    private final Predicate<JsonNode> predicate;
    private final String orderBy;
    private final boolean descending;

    private XFilter(Predicate<JsonNode> predicate, String orderBy, boolean descending) {
        this.predicate = predicate;
        this.orderBy = orderBy;
        this.descending = descending;
    }

    static XFilter none() {
        return new XFilter(n -> true, null, false);
    }

    /** Parses the header; fields outside {@code filterable} are refused as the API refuses them. */
    static XFilter parse(String header, Set<String> filterable) {
        if (header == null || header.isBlank()) {
            return none();
        }
        JsonNode root;
        try {
            root = Json.parse(header);
        } catch (JsonProcessingException e) {
            throw LinodeException.badRequest("Invalid X-Filter: not valid JSON");
        }
        if (!root.isObject()) {
            throw LinodeException.badRequest("Invalid X-Filter: expected a JSON object");
        }
        String orderBy = root.has("+order_by") ? root.get("+order_by").asText() : null;
        boolean descending = root.has("+order") && root.get("+order").asText().equalsIgnoreCase("desc");
        if (orderBy != null && !filterable.contains(orderBy)) {
            throw LinodeException.badRequest("Cannot order by " + orderBy);
        }
        return new XFilter(object(root, "", filterable), orderBy, descending);
    }

    private static Predicate<JsonNode> object(JsonNode node, String prefix, Set<String> filterable) {
        List<Predicate<JsonNode>> parts = new ArrayList<>();
        for (Map.Entry<String, JsonNode> entry : node.properties()) {
            String key = entry.getKey();
            JsonNode value = entry.getValue();
            switch (key) {
                case "+order_by", "+order" -> { }
                case "+and", "+or" -> {
                    if (!value.isArray()) {
                        throw LinodeException.badRequest("Invalid X-Filter: " + key + " must be a list");
                    }
                    List<Predicate<JsonNode>> members = new ArrayList<>();
                    value.forEach(v -> members.add(object(v, prefix, filterable)));
                    parts.add(key.equals("+and") ? n -> members.stream().allMatch(p -> p.test(n))
                            : n -> members.stream().anyMatch(p -> p.test(n)));
                }
                default -> {
                    if (key.startsWith("+")) {
                        throw LinodeException.badRequest("Invalid X-Filter operator " + key);
                    }
                    String field = prefix.isEmpty() ? key : prefix + "." + key;
                    if (value.isObject() && hasOperator(value)) {
                        requireFilterable(field, filterable);
                        parts.add(operators(field, value));
                    } else if (value.isObject()) {
                        parts.add(object(value, field, filterable));
                    } else {
                        requireFilterable(field, filterable);
                        parts.add(n -> values(n, field).stream().anyMatch(v -> equal(v, value)));
                    }
                }
            }
        }
        return n -> parts.stream().allMatch(p -> p.test(n));
    }

    private static boolean hasOperator(JsonNode value) {
        Iterator<String> names = value.fieldNames();
        while (names.hasNext()) {
            if (names.next().startsWith("+")) {
                return true;
            }
        }
        return false;
    }

    private static void requireFilterable(String field, Set<String> filterable) {
        if (!filterable.contains(field)) {
            throw LinodeException.badRequest("Cannot filter on " + field);
        }
    }

    private static Predicate<JsonNode> operators(String field, JsonNode spec) {
        List<Predicate<JsonNode>> parts = new ArrayList<>();
        for (Map.Entry<String, JsonNode> op : spec.properties()) {
            JsonNode operand = op.getValue();
            Predicate<JsonNode> single = switch (op.getKey()) {
                case "+contains" -> v -> v.isValueNode() && v.asText().toLowerCase(Locale.ROOT)
                        .contains(operand.asText().toLowerCase(Locale.ROOT));
                case "+neq" -> v -> !equal(v, operand);
                case "+gt" -> v -> compare(v, operand) > 0;
                case "+gte" -> v -> compare(v, operand) >= 0;
                case "+lt" -> v -> compare(v, operand) < 0;
                case "+lte" -> v -> compare(v, operand) <= 0;
                default -> throw LinodeException.badRequest("Invalid X-Filter operator " + op.getKey());
            };
            if (op.getKey().equals("+neq")) {
                parts.add(n -> values(n, field).stream().allMatch(single));
            } else {
                parts.add(n -> values(n, field).stream().anyMatch(single));
            }
        }
        return n -> parts.stream().allMatch(p -> p.test(n));
    }

    /** The values at a dotted path; a list contributes each element. */
    private static List<JsonNode> values(JsonNode item, String field) {
        JsonNode node = item;
        for (String part : field.split("\\.")) {
            node = node == null ? null : node.get(part);
        }
        List<JsonNode> result = new ArrayList<>();
        if (node == null || node.isNull()) {
            return result;
        }
        if (node.isArray()) {
            node.forEach(result::add);
        } else {
            result.add(node);
        }
        return result;
    }

    private static boolean equal(JsonNode a, JsonNode b) {
        if (a.isNumber() && b.isNumber()) {
            return a.decimalValue().compareTo(b.decimalValue()) == 0;
        }
        if (a.isNumber() && b.isTextual() || a.isTextual() && b.isNumber()) {
            return a.asText().equals(b.asText());
        }
        if (a.isBoolean() || b.isBoolean()) {
            return a.asText().equalsIgnoreCase(b.asText());
        }
        return a.asText().equals(b.asText());
    }

    private static int compare(JsonNode a, JsonNode b) {
        if (a.isNumber() && b.isNumber()) {
            return a.decimalValue().compareTo(b.decimalValue());
        }
        return a.asText().compareTo(b.asText());
    }

    List<JsonNode> apply(List<JsonNode> items) {
        List<JsonNode> result = new ArrayList<>(items.stream().filter(predicate).toList());
        if (orderBy != null) {
            Comparator<JsonNode> order = (x, y) -> {
                List<JsonNode> a = values(x, orderBy);
                List<JsonNode> b = values(y, orderBy);
                if (a.isEmpty() || b.isEmpty()) {
                    return Boolean.compare(a.isEmpty(), b.isEmpty());
                }
                return compare(a.get(0), b.get(0));
            };
            result.sort(descending ? order.reversed() : order);
        }
        return result;
    }
}
