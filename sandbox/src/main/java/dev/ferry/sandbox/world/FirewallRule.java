package dev.ferry.sandbox.world;

import java.util.List;

import static java.util.Objects.requireNonNull;

/** One Cloud Firewall rule; {@code ports} is null for ICMP and IPENCAP or for all ports. */
public record FirewallRule(String action, String protocol, String ports, List<String> ipv4, List<String> ipv6,
                           String label, String description) {
    public FirewallRule {
        requireNonNull(action, "action is null");
        requireNonNull(protocol, "protocol is null");
        ipv4 = ipv4 == null ? null : List.copyOf(ipv4);
        ipv6 = ipv6 == null ? null : List.copyOf(ipv6);
    }
}
