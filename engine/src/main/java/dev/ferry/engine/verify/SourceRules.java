package dev.ferry.engine.verify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.engine.machine.FirewallIntent;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The source's inbound rules that let each checked port in ({@code source_rules}: port → rule origins), read from
 * its neutral firewall intent, so that a target that does not answer on a port is told which rule did it on the source.
 */
final class SourceRules {

    private SourceRules() {
    }

    static ObjectNode of(List<Check> checks, JsonNode firewallIntent) {
        FirewallIntent intent = FirewallIntent.fromJson(firewallIntent);
        ObjectNode byPort = JsonNodeFactory.instance.objectNode();
        for (Check check : checks) {
            String port = String.valueOf(check.port());
            if (byPort.has(port)) {
                continue;
            }
            var rules = byPort.putArray(port);
            for (FirewallIntent.Rule rule : intent.rules()) {
                if (admits(rule, check.port())) {
                    rules.add(rule.origin() + (rule.addresses().isEmpty() ? "" : " from " + String.join(", ", rule.addresses())));
                }
            }
        }
        return byPort;
    }

    private static boolean admits(FirewallIntent.Rule rule, int port) {
        boolean protocol = rule.protocol() == FirewallIntent.Protocol.TCP || rule.protocol() == FirewallIntent.Protocol.ALL;
        return rule.direction() == FirewallIntent.Direction.INBOUND && protocol
                && rule.ports().map(range -> range.from() <= port && port <= range.to()).orElse(true);
    }

    /** {@code source_rules} as a map, empty when the source has no firewall. */
    static Map<Integer, List<String>> byPort(Optional<JsonNode> sourceRules) {
        Map<Integer, List<String>> byPort = new LinkedHashMap<>();
        sourceRules.filter(JsonNode::isObject).ifPresent(node -> node.fields().forEachRemaining(field -> {
            List<String> origins = new ArrayList<>();
            field.getValue().forEach(origin -> origins.add(origin.asText()));
            byPort.put(Integer.parseInt(field.getKey()), origins);
        }));
        return byPort;
    }
}
