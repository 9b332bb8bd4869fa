package dev.ferry.engine.spec;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Optional;

/**
 * The target firewall a migration asks for, in the engine's neutral vocabulary: where the rules
 * come from, the default policies, the rules the file adds, and the source rules ({@code accept_losses},
 * by the source's rule ids) whose loss in translation the file accepts, so the plan no longer warns of it.
 */
public record FirewallSpec(From from, Action inboundPolicy, Optional<Action> outboundPolicy, List<Rule> rules,
                           List<String> acceptLosses) {

    public enum From {
        @JsonProperty("security-groups") SECURITY_GROUPS,
        @JsonProperty("none") NONE
    }

    public enum Action { ACCEPT, DROP }

    public enum Direction {
        @JsonProperty("inbound") INBOUND,
        @JsonProperty("outbound") OUTBOUND
    }

    public enum Protocol { TCP, UDP, ICMP, IPENCAP }

    public record Rule(Direction direction, Action action, Protocol protocol, Optional<String> ports,
                       List<String> addresses, Optional<String> label, Optional<String> description) {
        public Rule {
            ports = ports == null ? Optional.empty() : ports;
            addresses = addresses == null ? List.of() : List.copyOf(addresses);
            label = label == null ? Optional.empty() : label;
            description = description == null ? Optional.empty() : description;
        }
    }

    public FirewallSpec {
        from = from == null ? From.SECURITY_GROUPS : from;
        inboundPolicy = inboundPolicy == null ? Action.DROP : inboundPolicy;
        outboundPolicy = outboundPolicy == null ? Optional.empty() : outboundPolicy;
        rules = rules == null ? List.of() : List.copyOf(rules);
        acceptLosses = acceptLosses == null ? List.of() : List.copyOf(acceptLosses);
    }

    public FirewallSpec(From from, Action inboundPolicy, Optional<Action> outboundPolicy, List<Rule> rules) {
        this(from, inboundPolicy, outboundPolicy, rules, null);
    }

    /** What a migration gets when its file says nothing about the firewall. */
    public static FirewallSpec defaults(boolean sourceHasSecurityGroups) {
        return new FirewallSpec(sourceHasSecurityGroups ? From.SECURITY_GROUPS : From.NONE, null, null, null, null);
    }
}
