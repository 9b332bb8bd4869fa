package dev.ferry.sandbox.world;

import java.time.Instant;
import java.util.List;

import static java.util.Objects.requireNonNull;

/** A Linode Cloud Firewall. */
public record Firewall(long id, String label, String status, FirewallRules rules, List<String> tags,
                       List<FirewallDevice> devices, Instant created, Instant updated) {
    public Firewall {
        requireNonNull(label, "label is null");
        requireNonNull(status, "status is null");
        requireNonNull(rules, "rules is null");
        tags = List.copyOf(tags);
        devices = List.copyOf(devices);
        requireNonNull(created, "created is null");
        requireNonNull(updated, "updated is null");
    }

    public Firewall withRules(FirewallRules newRules, Instant at) {
        return new Firewall(id, label, status, newRules, tags, devices, created, at);
    }

    public Firewall withDevices(List<FirewallDevice> newDevices, Instant at) {
        return new Firewall(id, label, status, rules, tags, newDevices, created, at);
    }

    public Firewall withSettings(String newLabel, String newStatus, List<String> newTags, Instant at) {
        return new Firewall(id, newLabel, newStatus, rules, newTags, devices, created, at);
    }
}
