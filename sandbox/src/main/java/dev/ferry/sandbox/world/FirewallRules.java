package dev.ferry.sandbox.world;

import java.util.List;

import static java.util.Objects.requireNonNull;

/** A firewall's rule set; {@code version} counts updates, {@code fingerprint} identifies the content. */
public record FirewallRules(String inboundPolicy, String outboundPolicy, List<FirewallRule> inbound,
                           List<FirewallRule> outbound, int version, String fingerprint) {
    public FirewallRules {
        requireNonNull(inboundPolicy, "inboundPolicy is null");
        requireNonNull(outboundPolicy, "outboundPolicy is null");
        inbound = List.copyOf(inbound);
        outbound = List.copyOf(outbound);
        requireNonNull(fingerprint, "fingerprint is null");
    }
}
