package dev.ferry.provider.aws.client;

import java.util.Set;
import java.util.stream.Collectors;
import software.amazon.awssdk.regions.Region;

/**
 * The region names AWS has, from the SDK's own partition metadata (so a region AWS opens arrives with the SDK
 * that knows it). The pseudo-regions of the global endpoints ({@code aws-global}) are not places a machine lives.
 */
public final class AwsRegionNames {

    private static final Set<String> NAMES = Region.regions().stream()
            .filter(region -> !region.isGlobalRegion())
            .map(Region::id)
            .collect(Collectors.toUnmodifiableSet());

    private AwsRegionNames() {
    }

    public static Set<String> all() {
        return NAMES;
    }

    public static boolean known(String name) {
        return NAMES.contains(name);
    }
}
