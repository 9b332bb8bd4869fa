package dev.ferry.engine.verify;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.engine.resource.ResourceAddress;
import dev.ferry.engine.state.ResourceState;
import dev.ferry.engine.state.ResourceStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A verification that passed, as the apply summary and {@code apply --json} report it: which machine answered, and
 * one sentence per check ("tcp/443 answered on the source and answers on the Linode").
 */
public record Verified(ResourceAddress address, String targetAddress, String target, List<String> sentences, JsonNode results) {

    public Verified {
        requireNonNull(address, "address is null");
        requireNonNull(targetAddress, "targetAddress is null");
        requireNonNull(target, "target is null");
        sentences = List.copyOf(sentences);
        requireNonNull(results, "results is null");
    }

    /** The verification recorded in {@code entry}, when it is one that passed. */
    public static Optional<Verified> of(ResourceState entry) {
        if (!entry.address().type().equals(VerificationType.NAME) || entry.status() != ResourceStatus.CREATED
                || !entry.outputs().has("results")) {
            return Optional.empty();
        }
        String target = Results.targetNoun(entry.arguments().path("target_kind").asText());
        List<String> sentences = new ArrayList<>();
        entry.outputs().get("results").forEach(line -> sentences.add(Results.sentence(line, target)));
        return Optional.of(new Verified(entry.address(), entry.outputs().path("target_address").asText(), target, sentences,
                entry.outputs().get("results").deepCopy()));
    }

    /** For {@code apply --json}. */
    public ObjectNode toJson(ObjectNode into) {
        into.put("address", address.toString()).put("target_address", targetAddress);
        into.set("results", results);
        return into;
    }
}
