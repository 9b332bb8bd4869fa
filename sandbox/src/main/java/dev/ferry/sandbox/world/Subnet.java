package dev.ferry.sandbox.world;

import java.util.Map;

import static java.util.Objects.requireNonNull;

/** An EC2 subnet. */
public record Subnet(String id, String vpcId, String cidrBlock, String availabilityZone, Map<String, String> tags) {
    public Subnet {
        requireNonNull(id, "id is null");
        requireNonNull(vpcId, "vpcId is null");
        requireNonNull(cidrBlock, "cidrBlock is null");
        requireNonNull(availabilityZone, "availabilityZone is null");
        tags = Tags.copy(tags);
    }

    public Subnet withTags(Map<String, String> newTags) {
        return new Subnet(id, vpcId, cidrBlock, availabilityZone, newTags);
    }
}
