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
     * ({@code sg-0a1b2c3d4e5f60789 (web) inbound rule 2}).
     */
    public record Rule(Direction direction, Protocol protocol, Optional<Integer> protocolNumber, Optional<PortRange> ports,
                       Optional<Icmp> icmp, List<String> addresses, Optional<String> description, String origin) {
        public Rule {
            requireNonNull(direction, "direction is null");
            requireNonNull(protocol, "protocol is null");
            protocolNumber = protocolNumber == null ? Optional.empty() : protocolNumber;
            ports = ports == null ? Optional.empty() : ports;
            icmp = icmp == null ? Optional.empty() : icmp;
            addresses = addresses == null ? List.of() : List.copyOf(addresses);
            description = description == null ? Optional.empty() : description;
            requireNonNull(origin, "origin is null");
        }
    }

    /** A rule that has no faithful translation, with why and what to write instead. */
    public record Untranslatable(Direction direction, String rule, String reason, String reference, Optional<String> suggestion) {
        public Untranslatable {
            requireNonNull(rule, "rule is null");
            requireNonNull(reason, "reason is null");
            suggestion = suggestion == null ? Optional.empty() : suggestion;
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
