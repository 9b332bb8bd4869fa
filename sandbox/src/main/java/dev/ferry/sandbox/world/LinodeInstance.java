package dev.ferry.sandbox.world;

import java.time.Instant;
import java.util.List;

import static java.util.Objects.requireNonNull;

/**
 * A Linode. The root password is not kept.
 *
 * @param status    {@code provisioning}, {@code booting}, {@code running}, {@code shutting_down},
 *                  {@code rebooting} or {@code offline}
 * @param bootingAt when provisioning ends
 * @param readyAt   when the current transition ends (booting, rebooting, shutting down; for a new Linode,
 *                  {@code running}, or {@code offline} when created with {@code booted: false})
 * @param configId  the configuration profile last booted, or null
 */
public record LinodeInstance(long id, String label, String region, String type, String image, String status,
                             boolean booted, Instant created, Instant updated, Instant bootingAt, Instant readyAt,
                             List<String> ipv4, String ipv6, List<String> tags, String group, boolean watchdogEnabled,
                             List<String> authorizedKeys, Long configId) {
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
                ipv4, ipv6, tags, group, watchdogEnabled, authorizedKeys, configId);
    }

    public LinodeInstance withSettings(String newLabel, List<String> newTags, String newGroup, boolean watchdog,
                                       Instant at) {
        return new LinodeInstance(id, newLabel, region, type, image, status, booted, created, at, bootingAt, readyAt,
                ipv4, ipv6, newTags, newGroup, watchdog, authorizedKeys, configId);
    }

    /** Starts (or ends) a power transition: booting or rebooting into a config, shutting down. */
    public LinodeInstance withPower(String newStatus, Long newConfigId, Instant until, Instant at) {
        return new LinodeInstance(id, label, region, type, image, newStatus, booted, created, at, bootingAt, until,
                ipv4, ipv6, tags, group, watchdogEnabled, authorizedKeys, newConfigId);
    }
}
