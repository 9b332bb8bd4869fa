package dev.ferry.sandbox.world;

import java.time.Instant;
import java.util.List;

import static java.util.Objects.requireNonNull;

/**
 * A Linode. The root password is not kept.
 *
 * @param status    {@code provisioning}, {@code booting}, {@code running} or {@code offline}
 * @param bootingAt when provisioning ends
 * @param readyAt   when booting ends ({@code running}, or {@code offline} when created with {@code booted: false})
 */
public record LinodeInstance(long id, String label, String region, String type, String image, String status,
                             boolean booted, Instant created, Instant updated, Instant bootingAt, Instant readyAt,
                             List<String> ipv4, String ipv6, List<String> tags, String group, boolean watchdogEnabled,
                             List<String> authorizedKeys) {
    public LinodeInstance {
        requireNonNull(label, "label is null");
        requireNonNull(region, "region is null");
        requireNonNull(type, "type is null");
        requireNonNull(status, "status is null");
        requireNonNull(created, "created is null");
        requireNonNull(updated, "updated is null");
        ipv4 = List.copyOf(ipv4);
        tags = List.copyOf(tags);
        authorizedKeys = List.copyOf(authorizedKeys);
    }

    public LinodeInstance withStatus(String newStatus, Instant at) {
        return new LinodeInstance(id, label, region, type, image, newStatus, booted, created, at, bootingAt, readyAt,
                ipv4, ipv6, tags, group, watchdogEnabled, authorizedKeys);
    }

    public LinodeInstance withSettings(String newLabel, List<String> newTags, String newGroup, boolean watchdog,
                                       Instant at) {
        return new LinodeInstance(id, newLabel, region, type, image, status, booted, created, at, bootingAt, readyAt,
                ipv4, ipv6, newTags, newGroup, watchdog, authorizedKeys);
    }
}
