package dev.ferry.sandbox.aws;

import software.amazon.awssdk.regions.Region;

import java.util.Set;
import java.util.stream.Collectors;

/**
 * The region names AWS has, from the SDK's own partition metadata: what a credential scope may name. The
 * pseudo-regions of the global endpoints ({@code aws-global}) are no region a regional service answers for; IAM
 * accepts its own.
 */
final class AwsRegions {

    private static final Set<String> NAMES = Region.regions().stream()
            .filter(region -> !region.isGlobalRegion())
            .map(Region::id)
            .collect(Collectors.toUnmodifiableSet());

    private AwsRegions() {
    }

    static boolean exists(String name) {
        return NAMES.contains(name);
    }
}
