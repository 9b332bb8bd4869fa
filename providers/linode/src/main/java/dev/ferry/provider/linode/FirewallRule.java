package dev.ferry.provider.linode;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One rule of a Linode Cloud Firewall, as the API writes it, and what Linode accepts in one: at most
 * {@value #MAX_ADDRESSES} addresses and a description of 1–{@value #MAX_DESCRIPTION} characters.
 */
record FirewallRule(String label, Optional<String> description, String action, String protocol, Optional<String> ports,
                    List<String> ipv4, List<String> ipv6) {

    static final int MAX_ADDRESSES = 255;
    static final int MAX_DESCRIPTION = 100;

    FirewallRule {
        requireNonNull(label, "label is null");
        description = description == null ? Optional.empty() : description;
        requireNonNull(action, "action is null");
        requireNonNull(protocol, "protocol is null");
        ports = ports == null ? Optional.empty() : ports;
        ipv4 = List.copyOf(ipv4);
        ipv6 = List.copyOf(ipv6);
    }

    int addressCount() {
        return ipv4.size() + ipv6.size();
    }

    /** The API's form; empty address lists are left out, as the API refuses them. */
    ObjectNode toJson() {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.put("label", label);
        description.ifPresent(d -> node.put("description", d));
        node.put("action", action);
        node.put("protocol", protocol);
        ports.ifPresent(p -> node.put("ports", p));
        ObjectNode addresses = node.putObject("addresses");
        if (!ipv4.isEmpty()) {
            ArrayNode list = addresses.putArray("ipv4");
            ipv4.forEach(list::add);
        }
        if (!ipv6.isEmpty()) {
            ArrayNode list = addresses.putArray("ipv6");
            ipv6.forEach(list::add);
        }
        return node;
    }

    static FirewallRule fromJson(JsonNode node) {
        List<String> v4 = new ArrayList<>();
        List<String> v6 = new ArrayList<>();
        node.path("addresses").path("ipv4").forEach(a -> v4.add(a.asText()));
        node.path("addresses").path("ipv6").forEach(a -> v6.add(a.asText()));
        return new FirewallRule(node.path("label").asText(""), text(node, "description"), node.path("action").asText(),
                node.path("protocol").asText(), text(node, "ports"), v4, v6);
    }

    private static Optional<String> text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? Optional.empty() : Optional.of(value.asText());
    }

    /** A description Linode accepts: 1–100 characters. */
    static String shorten(String text) {
        String single = text.strip().replaceAll("\\s+", " ");
        if (single.length() <= MAX_DESCRIPTION) {
            return single;
        }
        String cut = single.substring(0, MAX_DESCRIPTION - 3);
        int space = cut.lastIndexOf(' ');
        return (space > MAX_DESCRIPTION / 2 ? cut.substring(0, space) : cut).strip() + "...";
    }
}
