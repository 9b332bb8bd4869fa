package dev.ferry.sandbox.world;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static java.util.Objects.requireNonNull;

/**
 * One version of a launch template: the launch parameters the sandbox understands (image, type, the first network
 * interface's subnet and groups, or groups without an interface) and the tags it gives what it launches, by
 * resource type ({@code instance}, {@code volume}).
 */
public record LaunchTemplateVersion(
        long number,
        String description,
        Instant createTime,
        String clientToken,
        String imageId,
        String instanceType,
        String subnetId,
        List<String> securityGroupIds,
        Map<String, Map<String, String>> tagSpecifications) {

    public LaunchTemplateVersion {
        requireNonNull(createTime, "createTime is null");
        securityGroupIds = securityGroupIds == null ? List.of() : List.copyOf(securityGroupIds);
        java.util.TreeMap<String, Map<String, String>> specifications = new java.util.TreeMap<>();
        if (tagSpecifications != null) {
            tagSpecifications.forEach((type, tags) -> specifications.put(type, Tags.copy(tags)));
        }
        tagSpecifications = java.util.Collections.unmodifiableMap(specifications);
    }
}
