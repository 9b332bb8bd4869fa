package dev.ferry.sandbox.world;

import java.util.List;

import static java.util.Objects.requireNonNull;

/** A Linode region as {@code GET /regions} lists it. */
public record LinodeRegion(String id, String label, String country, List<String> capabilities, String resolverIpv4,
                           String resolverIpv6) {
    public LinodeRegion {
        requireNonNull(id, "id is null");
        requireNonNull(label, "label is null");
        requireNonNull(country, "country is null");
        capabilities = List.copyOf(capabilities);
    }
}
