package dev.ferry.sandbox.world;

import java.util.Map;

import static java.util.Objects.requireNonNull;

/** An EC2 VPC. */
public record Vpc(String id, String cidrBlock, boolean isDefault, Map<String, String> tags) {
    public Vpc {
        requireNonNull(id, "id is null");
        requireNonNull(cidrBlock, "cidrBlock is null");
        tags = Tags.copy(tags);
    }

    public Vpc withTags(Map<String, String> newTags) {
        return new Vpc(id, cidrBlock, isDefault, newTags);
    }
}
