package dev.ferry.engine.verify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Optional;

/**
 * A machine's addresses in the neutral form verification reads, {@code {"public": [...], "private": [...]}}: the
 * {@code addresses} output of a target's instance, or made from a source's machine facts.
 */
final class Addresses {

    private Addresses() {
    }

    static ObjectNode ofMachine(JsonNode machineFacts) {
        ObjectNode addresses = JsonNodeFactory.instance.objectNode();
        addresses.set("public", machineFacts.path("public_addresses").deepCopy());
        addresses.set("private", machineFacts.path("private_addresses").deepCopy());
        return addresses;
    }

    /** The first address of the kind asked for; {@code public} falls back to a private one when there is none. */
    static Optional<String> pick(JsonNode addresses, String preference) {
        Optional<String> wanted = first(addresses.path(preference));
        return preference.equals("public") ? wanted.or(() -> first(addresses.path("private"))) : wanted;
    }

    private static Optional<String> first(JsonNode list) {
        for (JsonNode address : list) {
            if (!address.asText().isBlank()) {
                return Optional.of(address.asText());
            }
        }
        return Optional.empty();
    }
}
