package dev.ferry.sandbox.world;

import java.time.Instant;

import static java.util.Objects.requireNonNull;

/** A Linode (or NodeBalancer) a firewall protects. */
public record FirewallDevice(long id, long entityId, String type, Instant created) {
    public FirewallDevice {
        requireNonNull(type, "type is null");
        requireNonNull(created, "created is null");
    }
}
