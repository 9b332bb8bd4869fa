package dev.ferry.sandbox.world;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * An EC2 launch template: a name unique in the region, its numbered versions (immutable once made, numbered from
 * 1 in the order they were made), which of them is the default, and its own tags.
 *
 * @param clientToken the ClientToken CreateLaunchTemplate was called with (a retry with it returns this template)
 */
public record LaunchTemplate(
        String id,
        String name,
        Instant createTime,
        String createdBy,
        long defaultVersion,
        List<LaunchTemplateVersion> versions,
        String clientToken,
        Map<String, String> tags) {

    public LaunchTemplate {
        requireNonNull(id, "id is null");
        requireNonNull(name, "name is null");
        requireNonNull(createTime, "createTime is null");
        requireNonNull(createdBy, "createdBy is null");
        versions = List.copyOf(versions);
        tags = Tags.copy(tags);
    }

    public long latestVersion() {
        return versions.stream().mapToLong(LaunchTemplateVersion::number).max().orElse(0);
    }

    public Optional<LaunchTemplateVersion> version(long number) {
        return versions.stream().filter(v -> v.number() == number).findFirst();
    }

    /** The version RunInstances uses when asked for {@code $Latest}. */
    public LaunchTemplateVersion latest() {
        return version(latestVersion()).orElseThrow();
    }

    /** The version RunInstances uses when no version is named ({@code $Default}). */
    public LaunchTemplateVersion defaults() {
        return version(defaultVersion).orElseThrow();
    }

    public LaunchTemplate withVersion(LaunchTemplateVersion version) {
        List<LaunchTemplateVersion> all = new java.util.ArrayList<>(versions);
        all.add(version);
        return new LaunchTemplate(id, name, createTime, createdBy, defaultVersion, all, clientToken, tags);
    }

    public LaunchTemplate withDefaultVersion(long number) {
        return new LaunchTemplate(id, name, createTime, createdBy, number, versions, clientToken, tags);
    }

    public LaunchTemplate withTags(Map<String, String> newTags) {
        return new LaunchTemplate(id, name, createTime, createdBy, defaultVersion, versions, clientToken, newTags);
    }
}
