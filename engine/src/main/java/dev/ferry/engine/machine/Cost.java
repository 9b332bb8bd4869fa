package dev.ferry.engine.machine;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * What a planned target machine will cost, in no cloud's words: its type, the monthly on-demand price in
 * USD and what that price is ({@code basis}, e.g. the region), or why the price is not known. A target's
 * plan reports it as the known output {@value #OUTPUT}; the Markdown plan's cost table reads it beside the
 * source's {@link MachineFacts#price()}.
 */
public record Cost(Optional<String> type, OptionalDouble monthlyUsd, String basis, Optional<String> unknownBecause) {

    /** The known output a target instance's plan puts its cost in. */
    public static final String OUTPUT = "cost";

    public Cost {
        type = type == null ? Optional.empty() : type;
        monthlyUsd = monthlyUsd == null ? OptionalDouble.empty() : monthlyUsd;
        basis = basis == null ? "" : basis;
        unknownBecause = unknownBecause == null ? Optional.empty() : unknownBecause;
    }

    public static Cost known(String type, double monthlyUsd, String basis) {
        return new Cost(Optional.of(requireNonNull(type, "type is null")), OptionalDouble.of(monthlyUsd), basis, Optional.empty());
    }

    /** A cost whose price is not known yet (or at all): {@code because} says why, for the plan's footnote. */
    public static Cost unknown(Optional<String> type, String because) {
        return new Cost(type, OptionalDouble.empty(), "", Optional.of(requireNonNull(because, "because is null")));
    }

    public ObjectNode toJson() {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        type.ifPresent(t -> node.put("type", t));
        monthlyUsd.ifPresent(price -> node.put("monthly_usd", price));
        if (!basis.isEmpty()) {
            node.put("basis", basis);
        }
        unknownBecause.ifPresent(because -> node.put("unknown_because", because));
        return node;
    }

    /** Reads {@link #toJson()}'s form; an absent or malformed node is empty. */
    public static Optional<Cost> fromJson(JsonNode node) {
        if (node == null || !node.isObject()) {
            return Optional.empty();
        }
        JsonNode price = node.get("monthly_usd");
        return Optional.of(new Cost(text(node, "type"), price != null && price.isNumber() ? OptionalDouble.of(price.asDouble())
                : OptionalDouble.empty(), text(node, "basis").orElse(""), text(node, "unknown_because")));
    }

    private static Optional<String> text(JsonNode node, String name) {
        return Optional.ofNullable(node.get(name)).filter(JsonNode::isTextual).map(JsonNode::asText);
    }
}
