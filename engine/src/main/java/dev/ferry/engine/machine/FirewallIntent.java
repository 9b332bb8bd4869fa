package dev.ferry.engine.machine;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Optional;

/**
 * A source's firewall in neutral terms: rules a target can rebuild, and the ones it cannot (a rule
 * whose source is another security group, a prefix list), each kept with its reason so the plan
 * can warn about it instead of dropping it silently.
 */
public record FirewallIntent(List<Rule> rules, List<Untranslatable> untranslatable, boolean egressOpen) {

    public enum Direction { INBOUND, OUTBOUND }

    /** {@code ALL} is every protocol; {@code OTHER} names an IP protocol number in {@code protocolNumber}. */
    public enum Protocol { TCP, UDP, ICMP, ICMPV6, ALL, OTHER }

    /** A port range, both ends included. */
    public record PortRange(int from, int to) {
        public PortRange {
            if (from < 0 || to > 65535 || from > to) {
                throw new IllegalArgumentException("bad port range " + from + "-" + to);
            }
        }

        public boolean isAll() {
            return from <= 1 && to == 65535;
        }
    }

    /** ICMP type and code; -1 means any. */
    public record Icmp(int type, int code) {
    }

    /**
     * One rule: traffic of {@code protocol} on {@code ports} from (inbound) or to (outbound) the
     * {@code addresses}. {@code origin} names where it came from, for messages
     * ({@code sg-0a1b2c3d4e5f60789 (web) inbound rule 2}); {@code ids} are the source's ids of the rules it was
     * made of ({@code sgr-...}), by which a file accepts what the target cannot carry over of it.
     */
    public record Rule(Direction direction, Protocol protocol, Optional<Integer> protocolNumber, Optional<PortRange> ports,
                       Optional<Icmp> icmp, List<String> addresses, Optional<String> description, String origin, List<String> ids) {
        public Rule {
            requireNonNull(direction, "direction is null");
            requireNonNull(protocol, "protocol is null");
            protocolNumber = protocolNumber == null ? Optional.empty() : protocolNumber;
            ports = ports == null ? Optional.empty() : ports;
            icmp = icmp == null ? Optional.empty() : icmp;
            addresses = addresses == null ? List.of() : List.copyOf(addresses);
            description = description == null ? Optional.empty() : description;
            requireNonNull(origin, "origin is null");
            ids = ids == null ? List.of() : List.copyOf(ids);
        }

        /** A rule whose source gives its rules no ids. */
        public Rule(Direction direction, Protocol protocol, Optional<Integer> protocolNumber, Optional<PortRange> ports,
                    Optional<Icmp> icmp, List<String> addresses, Optional<String> description, String origin) {
            this(direction, protocol, protocolNumber, ports, icmp, addresses, description, origin, List.of());
        }
    }

    /**
     * A rule that has no faithful translation, with why and what to write instead; the traffic it allowed
     * ({@code protocol}, {@code ports}) and the address ranges known to hold its peer ({@code peerRanges}: the
     * VPC's range for another security group; empty when none is known), so a target can tell when the file's
     * own rules allow that traffic again; and the source's id of the rule ({@code ids}, by which a file accepts
     * the loss).
     */
    public record Untranslatable(Direction direction, String rule, String reason, String reference, Optional<String> suggestion,
                                 Optional<Protocol> protocol, Optional<PortRange> ports, List<String> peerRanges, List<String> ids) {
        public Untranslatable {
            requireNonNull(rule, "rule is null");
            requireNonNull(reason, "reason is null");
            suggestion = suggestion == null ? Optional.empty() : suggestion;
            protocol = protocol == null ? Optional.empty() : protocol;
            ports = ports == null ? Optional.empty() : ports;
            peerRanges = peerRanges == null ? List.of() : List.copyOf(peerRanges);
            ids = ids == null ? List.of() : List.copyOf(ids);
        }

        /** A rule known only by its description. */
        public Untranslatable(Direction direction, String rule, String reason, String reference, Optional<String> suggestion) {
            this(direction, rule, reason, reference, suggestion, Optional.empty(), Optional.empty(), List.of(), List.of());
        }
    }

    public FirewallIntent {
        rules = rules == null ? List.of() : List.copyOf(rules);
        untranslatable = untranslatable == null ? List.of() : List.copyOf(untranslatable);
    }

    public static FirewallIntent none() {
        return new FirewallIntent(List.of(), List.of(), true);
    }

    public JsonNode toJson() {
        return Neutral.toJson(this);
    }

    public static FirewallIntent fromJson(JsonNode node) {
        return Neutral.fromJson(node, FirewallIntent.class);
    }
}
