package dev.ferry.sandbox.linode;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.sandbox.http.HttpCall;
import dev.ferry.sandbox.http.Json;

import java.util.List;
import java.util.Set;

/**
 * Linode's paged lists: the {@code page} and {@code page_size} parameters, {@code X-Filter}, and the
 * {@code {data,page,pages,results}} answer.
 */
final class LinodePages {

    private LinodePages() {
    }

    static JsonNode page(HttpCall call, List<JsonNode> all, Set<String> filterable) {
        int page = intParameter(call, "page", 1);
        int pageSize = intParameter(call, "page_size", 100);
        if (page < 1) {
            throw LinodeException.field("page", "Must be greater than or equal to 1");
        }
        if (pageSize < 25 || pageSize > 500) {
            throw LinodeException.field("page_size", "Must be 25-500");
        }
        List<JsonNode> filtered = XFilter.parse(call.header("X-Filter"), filterable).apply(all);
        int results = filtered.size();
        int pages = Math.max(1, (results + pageSize - 1) / pageSize);
        int from = Math.min(results, (page - 1) * pageSize);
        int to = Math.min(results, from + pageSize);
        ObjectNode node = Json.object();
        ArrayNode data = node.putArray("data");
        filtered.subList(from, to).forEach(data::add);
        node.put("page", page);
        node.put("pages", pages);
        node.put("results", results);
        return node;
    }

    private static int intParameter(HttpCall call, String name, int fallback) {
        String value = call.queryParameter(name);
        if (value == null) {
            return fallback;
        }
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw LinodeException.field(name, "Must be an integer");
        }
    }
}
