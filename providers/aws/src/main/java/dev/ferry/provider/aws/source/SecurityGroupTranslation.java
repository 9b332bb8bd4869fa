package dev.ferry.provider.aws.source;

import static java.util.Objects.requireNonNull;

import dev.ferry.engine.machine.Cidr;
import dev.ferry.engine.machine.FirewallIntent;
import dev.ferry.engine.machine.FirewallIntent.Direction;
import dev.ferry.engine.machine.FirewallIntent.Icmp;
import dev.ferry.engine.machine.FirewallIntent.PortRange;
import dev.ferry.engine.machine.FirewallIntent.Protocol;
import dev.ferry.engine.machine.FirewallIntent.Rule;
import dev.ferry.engine.machine.FirewallIntent.Untranslatable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Security-group rules in the engine's neutral firewall terms. Each rule AWS reports (one per source, as
 * DescribeSecurityGroupRules gives them) becomes a neutral rule; rules of one group that differ only in
 * their address are merged into one rule with several addresses. A rule whose source is another
 * security group or a prefix list has no faithful translation (a target firewall matches addresses, not
 * membership): it is kept as {@link Untranslatable} with a suggestion, never dropped.
 */
final class SecurityGroupTranslation {

    /** One rule as EC2 reports it. Ports are -1 (or null) for "all"; for ICMP they are the type and the code. */
    record SgRule(String groupId, String ruleId, boolean egress, String protocol, Integer fromPort, Integer toPort,
                  Optional<String> cidrIpv4, Optional<String> cidrIpv6, Optional<String> referencedGroupId,
                  Optional<String> prefixListId, Optional<String> description) {
        SgRule {
            requireNonNull(groupId, "groupId is null");
            requireNonNull(ruleId, "ruleId is null");
            requireNonNull(protocol, "protocol is null");
            cidrIpv4 = cidrIpv4 == null ? Optional.empty() : cidrIpv4;
            cidrIpv6 = cidrIpv6 == null ? Optional.empty() : cidrIpv6;
            referencedGroupId = referencedGroupId == null ? Optional.empty() : referencedGroupId;
            prefixListId = prefixListId == null ? Optional.empty() : prefixListId;
            description = description == null ? Optional.empty() : description.filter(d -> !d.isBlank());
        }
    }

    /** What the translation knows of the groups: their names, and the address range of each group's VPC. */
    record Groups(Map<String, String> names, Map<String, String> vpcCidrs) {
        Groups {
            names = Map.copyOf(names);
            vpcCidrs = Map.copyOf(vpcCidrs);
        }

        String label(String groupId) {
            String name = names.get(groupId);
            return name == null ? groupId : groupId + " (" + name + ")";
        }
    }

    private SecurityGroupTranslation() {
    }

    static FirewallIntent translate(List<SgRule> rules, Groups groups) {
        boolean egressOpen = rules.stream().anyMatch(rule -> rule.egress() && protocol(rule.protocol()) == Protocol.ALL
                && rule.cidrIpv4().map(c -> Cidr.parse(c).map(Cidr::isEverything).orElse(false)).orElse(false));
        Map<MergeKey, Merged> merged = new LinkedHashMap<>();
        List<Untranslatable> untranslatable = new ArrayList<>();
        for (SgRule rule : rules) {
            Direction direction = rule.egress() ? Direction.OUTBOUND : Direction.INBOUND;
            if (rule.egress() && egressOpen) {
                // Outbound is open to everything: the target's outbound policy says so; rules would repeat it.
                continue;
            }
            Protocol protocol = protocol(rule.protocol());
            Optional<Integer> number = protocol == Protocol.OTHER ? protocolNumber(rule.protocol()) : Optional.empty();
            Optional<PortRange> ports = ports(protocol, rule);
            Optional<Icmp> icmp = icmp(protocol, rule);
            if (rule.referencedGroupId().isPresent() || rule.prefixListId().isPresent()) {
                untranslatable.add(untranslatable(rule, direction, protocol, ports, icmp, groups));
                continue;
            }
            Optional<String> address = rule.cidrIpv4().or(rule::cidrIpv6).map(SecurityGroupTranslation::canonical);
            if (address.isEmpty()) {
                untranslatable.add(new Untranslatable(direction, describe(rule, direction, protocol, ports, icmp, groups, "(no source)"),
                        "the rule names no address range, security group or prefix list", rule.ruleId(),
                        Optional.of("write the rule you need under the migration's firewall rules"), Optional.of(protocol), ports,
                        List.of(), List.of(rule.ruleId())));
                continue;
            }
            MergeKey key = new MergeKey(rule.groupId(), direction, protocol, number, ports, icmp, rule.description());
            merged.computeIfAbsent(key, k -> new Merged()).add(address.get(), rule.ruleId());
        }
        List<Rule> translated = new ArrayList<>();
        for (Map.Entry<MergeKey, Merged> entry : merged.entrySet()) {
            MergeKey key = entry.getKey();
            Merged value = entry.getValue();
            String origin = groups.label(key.groupId()) + " " + key.direction().name().toLowerCase(Locale.ROOT) + " "
                    + String.join(", ", value.ruleIds);
            translated.add(new Rule(key.direction(), key.protocol(), key.number(), key.ports(), key.icmp(),
                    List.copyOf(value.addresses), key.description(), origin, value.ruleIds));
        }
        return new FirewallIntent(translated, untranslatable, egressOpen);
    }

    private record MergeKey(String groupId, Direction direction, Protocol protocol, Optional<Integer> number,
                            Optional<PortRange> ports, Optional<Icmp> icmp, Optional<String> description) {
    }

    private static final class Merged {
        private final Set<String> addresses = new LinkedHashSet<>();
        private final List<String> ruleIds = new ArrayList<>();

        void add(String address, String ruleId) {
            addresses.add(address);
            ruleIds.add(ruleId);
        }
    }

    static Protocol protocol(String ec2Protocol) {
        String text = ec2Protocol.strip().toLowerCase(Locale.ROOT);
        return switch (text) {
            case "-1", "all" -> Protocol.ALL;
            case "tcp", "6" -> Protocol.TCP;
            case "udp", "17" -> Protocol.UDP;
            case "icmp", "1" -> Protocol.ICMP;
            case "icmpv6", "58" -> Protocol.ICMPV6;
            default -> Protocol.OTHER;
        };
    }

    private static Optional<Integer> protocolNumber(String ec2Protocol) {
        try {
            return Optional.of(Integer.parseInt(ec2Protocol.strip()));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static Optional<PortRange> ports(Protocol protocol, SgRule rule) {
        if (protocol != Protocol.TCP && protocol != Protocol.UDP) {
            return Optional.empty();
        }
        int from = rule.fromPort() == null ? -1 : rule.fromPort();
        int to = rule.toPort() == null ? -1 : rule.toPort();
        if (from < 0 || to < 0) {
            return Optional.empty();
        }
        return Optional.of(new PortRange(Math.min(from, to), Math.max(from, to)));
    }

    private static Optional<Icmp> icmp(Protocol protocol, SgRule rule) {
        if (protocol != Protocol.ICMP && protocol != Protocol.ICMPV6) {
            return Optional.empty();
        }
        int type = rule.fromPort() == null ? -1 : rule.fromPort();
        int code = rule.toPort() == null ? -1 : rule.toPort();
        if (type < 0 && code < 0) {
            return Optional.empty();
        }
        return Optional.of(new Icmp(type, code));
    }

    private static String canonical(String cidr) {
        return Cidr.parse(cidr).map(Cidr::toString).orElse(cidr);
    }

    private static Untranslatable untranslatable(SgRule rule, Direction direction, Protocol protocol, Optional<PortRange> ports,
                                                 Optional<Icmp> icmp, Groups groups) {
        boolean inbound = direction == Direction.INBOUND;
        if (rule.referencedGroupId().isPresent()) {
            String other = rule.referencedGroupId().get();
            String text = describe(rule, direction, protocol, ports, icmp, groups, groups.label(other));
            String reason = "its " + (inbound ? "source" : "destination") + " is the security group " + groups.label(other)
                    + ": a firewall outside AWS matches addresses, not security-group membership";
            Optional<String> vpcCidr = Optional.ofNullable(groups.vpcCidrs().get(other))
                    .or(() -> Optional.ofNullable(groups.vpcCidrs().get(rule.groupId())));
            String suggestion = vpcCidr
                    .map(cidr -> "allow the VPC's range " + cidr + " instead with " + rulesYaml(direction, protocol, ports, cidr)
                            + " (or list the addresses of the machines in " + other + ")")
                    .orElse("write an explicit rule in the file with the addresses of the machines in " + other);
            return new Untranslatable(direction, text, reason, other, Optional.of(suggestion), Optional.of(protocol), ports,
                    vpcCidr.map(List::of).orElse(List.of()), List.of(rule.ruleId()));
        }
        String list = rule.prefixListId().orElseThrow();
        String text = describe(rule, direction, protocol, ports, icmp, groups, list);
        return new Untranslatable(direction, text, "its " + (inbound ? "source" : "destination") + " is the prefix list " + list
                + ", whose entries only AWS resolves", list,
                Optional.of("list the prefix list's ranges (aws ec2 get-managed-prefix-list-entries --prefix-list-id " + list
                        + ") in " + rulesYaml(direction, protocol, ports, "RANGE")), Optional.of(protocol), ports, List.of(),
                List.of(rule.ruleId()));
    }

    /**
     * The rules to append under the migration's {@code firewall.rules} that allow what the rule allowed, from {@code address}
     * (all traffic takes a TCP, a UDP and an ICMP rule); a protocol a firewall rule cannot name gets none.
     */
    private static String rulesYaml(Direction direction, Protocol protocol, Optional<PortRange> ports, String address) {
        List<Protocol> protocols = switch (protocol) {
            case ALL -> List.of(Protocol.TCP, Protocol.UDP, Protocol.ICMP);
            case TCP, UDP, ICMP, ICMPV6 -> List.of(protocol == Protocol.ICMPV6 ? Protocol.ICMP : protocol);
            case OTHER -> List.of();
        };
        if (protocols.isEmpty()) {
            return "a rule of its own on the target, if its firewall can name protocol " + protocol.name().toLowerCase(Locale.ROOT);
        }
        List<String> rules = new ArrayList<>();
        for (Protocol each : protocols) {
            StringBuilder yaml = new StringBuilder("{direction: ").append(direction == Direction.INBOUND ? "inbound" : "outbound")
                    .append(", action: ACCEPT, protocol: ").append(each.name());
            if (each != Protocol.ICMP) {
                ports.filter(range -> !range.isAll()).ifPresent(range -> yaml.append(", ports: \"")
                        .append(range.from() == range.to() ? String.valueOf(range.from()) : range.from() + "-" + range.to()).append('"'));
            }
            rules.add(yaml.append(", addresses: [\"").append(address).append("\"]}").toString());
        }
        return (rules.size() == 1 ? "this rule" : "these rules") + " appended under the migration's firewall.rules: "
                + String.join(", ", rules);
    }

    /** {@code sg-0a1b2c3d (web) inbound TCP 8080 from sg-0fed (lb)}: the rule as a person reads it. */
    static String describe(SgRule rule, Direction direction, Protocol protocol, Optional<PortRange> ports, Optional<Icmp> icmp,
                           Groups groups, String peer) {
        StringBuilder text = new StringBuilder(groups.label(rule.groupId())).append(' ')
                .append(direction == Direction.INBOUND ? "inbound " : "outbound ")
                .append(protocol == Protocol.ALL ? "all traffic" : protocol == Protocol.OTHER ? "protocol " + rule.protocol() : protocol.name());
        ports.ifPresent(range -> text.append(' ').append(range.from() == range.to() ? String.valueOf(range.from())
                : range.from() + "-" + range.to()));
        icmp.ifPresent(value -> text.append(" type ").append(value.type() < 0 ? "any" : value.type())
                .append(" code ").append(value.code() < 0 ? "any" : value.code()));
        text.append(direction == Direction.INBOUND ? " from " : " to ").append(peer);
        rule.description().ifPresent(d -> text.append(" (\"").append(d).append("\")"));
        return text.append(" [").append(rule.ruleId()).append(']').toString();
    }
}
