package dev.ferry.sandbox.world;

import java.util.List;

import static java.util.Objects.requireNonNull;

/** A public AMI (owned by another account) that seeded instances were launched from. */
public record PublicImage(String id, String name, String ownerId, String architecture, List<String> productCodes) {
    public PublicImage {
        requireNonNull(id, "id is null");
        requireNonNull(name, "name is null");
        requireNonNull(ownerId, "ownerId is null");
        requireNonNull(architecture, "architecture is null");
        productCodes = List.copyOf(productCodes);
    }
}
