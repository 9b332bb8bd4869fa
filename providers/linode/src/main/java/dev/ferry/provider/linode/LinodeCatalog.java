package dev.ferry.provider.linode;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;

/**
 * What the Linode account offers, read once per command and shared by every resource: the types (for
 * {@code type: match}), the regions (to catch a misspelt region at plan time) and the price of Block Storage.
 */
final class LinodeCatalog {

    private final LinodeClient client;
    private List<LinodeType> types;
    private Set<String> regions;
    private List<JsonNode> volumeTypes;

    LinodeCatalog(LinodeClient client) {
        this.client = requireNonNull(client, "client is null");
    }

    synchronized List<LinodeType> types() {
        if (types == null) {
            types = client.catalog("/linode/types").stream().map(LinodeType::fromJson).toList();
        }
        return types;
    }

    synchronized Set<String> regions() {
        if (regions == null) {
            Set<String> ids = new LinkedHashSet<>();
            for (JsonNode region : client.catalog("/regions")) {
                ids.add(region.path("id").asText());
            }
            regions = Set.copyOf(ids);
        }
        return regions;
    }

    /** The monthly price of a GB of Block Storage in {@code region} ({@code GET /volumes/types}), when Linode lists one. */
    synchronized OptionalDouble volumeMonthlyPerGb(String region) {
        if (volumeTypes == null) {
            volumeTypes = client.catalog("/volumes/types");
        }
        for (JsonNode type : volumeTypes) {
            if (!type.path("id").asText().equals("volume")) {
                continue;
            }
            for (JsonNode regional : type.path("region_prices")) {
                if (regional.path("id").asText().equals(region) && regional.path("monthly").isNumber()) {
                    return OptionalDouble.of(regional.path("monthly").asDouble());
                }
            }
            JsonNode monthly = type.path("price").path("monthly");
            return monthly.isNumber() ? OptionalDouble.of(monthly.asDouble()) : OptionalDouble.empty();
        }
        return OptionalDouble.empty();
    }

    /** Why {@code region} cannot be used, or empty when it can. */
    Optional<String> regionProblem(String region) {
        Set<String> known = regions();
        if (known.contains(region)) {
            return Optional.empty();
        }
        String closest = known.stream().min((a, b) -> Integer.compare(distance(a, region), distance(b, region))).orElse("");
        return Optional.of("region '" + region + "' is not a Linode region" + (closest.isEmpty() ? "" : "; did you mean "
                + closest + "?") + " (regions: " + String.join(", ", known.stream().sorted().toList()) + ")");
    }

    private static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                current[j] = Math.min(Math.min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
