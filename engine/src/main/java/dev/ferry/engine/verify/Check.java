package dev.ferry.engine.verify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.engine.spec.VerifySpec;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;

/** One check of {@code verify:}, as it travels in the resource's arguments. */
sealed interface Check {

    /** How plans, messages and results name it: {@code tcp/443}, {@code GET http://{address}/health}. */
    String name();

    /** The TCP port it reaches. */
    int port();

    ObjectNode toJson();

    /** A TCP port that must accept a connection. */
    record Tcp(int port) implements Check {
        @Override
        public String name() {
            return "tcp/" + port;
        }

        @Override
        public ObjectNode toJson() {
            return JsonNodeFactory.instance.objectNode().put("tcp", port);
        }
    }

    /** An HTTP GET of {@code url} ({@code {address}} the machine's) that must answer {@code status}. */
    record Http(String url, int status) implements Check {
        static final String ADDRESS = "{address}";

        @Override
        public String name() {
            return "GET " + url + (status == 200 ? "" : " → " + status);
        }

        @Override
        public int port() {
            int port = uri("127.0.0.1").getPort();
            return port == -1 ? 80 : port;
        }

        URI uri(String address) {
            return URI.create(url.replace(ADDRESS, address.contains(":") ? "[" + address + "]" : address));
        }

        @Override
        public ObjectNode toJson() {
            return JsonNodeFactory.instance.objectNode().put("url", url).put("status", status);
        }
    }

    static List<Check> of(VerifySpec spec) {
        List<Check> checks = new ArrayList<>();
        spec.tcp().forEach(port -> checks.add(new Tcp(port)));
        spec.http().forEach(http -> checks.add(new Http(http.url(), http.status())));
        return List.copyOf(checks);
    }

    static ArrayNode toJson(List<Check> checks) {
        ArrayNode array = JsonNodeFactory.instance.arrayNode();
        checks.forEach(check -> array.add(check.toJson()));
        return array;
    }

    static List<Check> fromJson(JsonNode array) {
        List<Check> checks = new ArrayList<>();
        for (JsonNode node : array) {
            checks.add(node.has("tcp") ? new Tcp(node.get("tcp").asInt()) : new Http(node.get("url").asText(), node.path("status").asInt(200)));
        }
        return List.copyOf(checks);
    }
}
