package dev.ferry.provider.linode;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One plan of {@code GET /linode/types}: its class ({@code nanode}, {@code standard}, {@code dedicated},
 * {@code highmem}, ...), size (memory and disk in MB as the API gives them, which are MiB) and prices, with
 * the regions that charge differently.
 */
record LinodeType(String id, String label, String typeClass, int vcpus, long memoryMb, long diskMb, int gpus,
                  double monthly, Map<String, Double> regionMonthly) {

    LinodeType {
        requireNonNull(id, "id is null");
        requireNonNull(label, "label is null");
        requireNonNull(typeClass, "typeClass is null");
        regionMonthly = Map.copyOf(regionMonthly);
    }

    static LinodeType fromJson(JsonNode node) {
        Map<String, Double> regional = new LinkedHashMap<>();
        for (JsonNode price : node.path("region_prices")) {
            if (price.hasNonNull("id") && price.hasNonNull("monthly")) {
                regional.put(price.get("id").asText(), price.get("monthly").asDouble());
            }
        }
        return new LinodeType(node.path("id").asText(), node.path("label").asText(node.path("id").asText()),
                node.path("class").asText("standard"), node.path("vcpus").asInt(), node.path("memory").asLong(),
                node.path("disk").asLong(), node.path("gpus").asInt(0), node.path("price").path("monthly").asDouble(),
                regional);
    }

    /** The monthly price in {@code region}, which may differ from the list price. */
    double monthlyIn(String region) {
        return regionMonthly.getOrDefault(region, monthly);
    }

    long memoryBytes() {
        return memoryMb * Sizes.MIB;
    }

    long diskBytes() {
        return diskMb * Sizes.MIB;
    }

    /** {@code g6-standard-2 (Linode 4GB, standard)}. */
    String describe() {
        return id + " (" + label + ", " + typeClass + ")";
    }
}
