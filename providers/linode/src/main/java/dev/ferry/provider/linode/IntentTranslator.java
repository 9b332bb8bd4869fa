package dev.ferry.provider.linode;

import static java.util.Objects.requireNonNull;

import dev.ferry.engine.machine.Cidr;
import dev.ferry.engine.machine.FirewallIntent;
import dev.ferry.engine.provider.Note;
import dev.ferry.engine.spec.FirewallSpec;
import dev.ferry.provider.linode.RulePacker.Group;
import dev.ferry.provider.linode.RulePacker.Ports;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Translates a source's firewall in neutral terms into groups of Linode rules, one group a protocol
 * Linode knows: TCP, UDP, ICMP, IPENCAP; all traffic becomes TCP, UDP and ICMP. Rules the policy
 * already covers are left out; whatever cannot be carried over faithfully (another IP protocol, ICMP
 * by type, ICMPv6, a rule without addresses, a rule the source could not translate) becomes a note
 * for the plan that names the rule and what to do.
 */
final class IntentTranslator {

    private static final Map<Integer, String> ICMP_TYPES = Map.of(0, "echo reply", 3, "destination unreachable",
            4, "source quench", 5, "redirect", 8, "echo request", 11, "time exceeded", 12, "parameter problem",
            13, "timestamp", 14, "timestamp reply");
    private static final Map<Integer, String> IP_PROTOCOLS = Map.ofEntries(Map.entry(2, "IGMP"), Map.entry(4, "IP-in-IP"),
            Map.entry(41, "IPv6-in-IPv4"), Map.entry(47, "GRE"), Map.entry(50, "ESP"), Map.entry(51, "AH"),
            Map.entry(89, "OSPF"), Map.entry(103, "PIM"), Map.entry(112, "VRRP"), Map.entry(132, "SCTP"));

    private final FirewallSpec spec;
    private final String inboundPolicy;
    private final String outboundPolicy;
    private final List<Note> notes;

    /** {@code notes} collects the plan's notes. */
    IntentTranslator(FirewallSpec spec, String inboundPolicy, String outboundPolicy, List<Note> notes) {
        this.spec = requireNonNull(spec, "spec is null");
        this.inboundPolicy = requireNonNull(inboundPolicy, "inboundPolicy is null");
        this.outboundPolicy = requireNonNull(outboundPolicy, "outboundPolicy is null");
        this.notes = requireNonNull(notes, "notes is null");
    }

    List<Group> translate(FirewallIntent source) {
        List<Group> groups = new ArrayList<>();
        boolean dropInbound = inboundPolicy.equals("ACCEPT");
        boolean dropOutbound = outboundPolicy.equals("ACCEPT");
        int skippedInbound = 0;
        int skippedOutbound = 0;
        List<String> allTraffic = new ArrayList<>();
        for (FirewallIntent.Rule rule : source.rules()) {
            FirewallDirection direction = FirewallDirection.of(rule.direction());
            if (direction == FirewallDirection.INBOUND && dropInbound) {
                skippedInbound++;
                continue;
            }
            if (direction == FirewallDirection.OUTBOUND && dropOutbound) {
                skippedOutbound++;
                continue;
            }
            List<Cidr> addresses = addresses(rule);
            if (addresses.isEmpty()) {
                continue;
            }
            for (Group group : protocols(rule, direction, allTraffic)) {
                addresses.forEach(address -> group.addresses.putIfAbsent(address.toString(), address));
                rule.description().filter(d -> !d.isBlank()).ifPresent(d -> group.descriptions.add(d.strip()));
                group.origins.add(rule.origin());
                groups.add(group);
            }
        }
        if (!allTraffic.isEmpty()) {
            notes.add(Note.info("all traffic (" + String.join(", ", allTraffic) + ") becomes TCP, UDP and ICMP rules:"
                    + " a Linode Cloud Firewall names no other protocol, so other IP protocols are left to the policy"));
        }
        if (skippedInbound > 0) {
            notes.add(Note.warning("inbound_policy is ACCEPT, so every inbound connection is allowed; the " + skippedInbound
                    + " inbound security-group rule" + plural(skippedInbound) + " add nothing and " + (skippedInbound == 1 ? "is" : "are")
                    + " left out. Write inbound_policy: DROP to keep the security groups' restrictions"));
        }
        if (skippedOutbound > 0) {
            if (spec.outboundPolicy().isEmpty()) {
                notes.add(Note.info("the security groups allow all outbound traffic, so outbound_policy is ACCEPT and their "
                        + skippedOutbound + (skippedOutbound == 1 ? " outbound rule needs" : " outbound rules need")
                        + " no translation"));
            } else if (!source.egressOpen()) {
                notes.add(Note.warning("outbound_policy is ACCEPT although the security groups limit outbound traffic;"
                        + " their " + skippedOutbound + (skippedOutbound == 1 ? " outbound rule is" : " outbound rules are")
                        + " left out"));
            }
        } else if (spec.outboundPolicy().isEmpty() && source.egressOpen()) {
            notes.add(Note.info("the security groups allow all outbound traffic, so outbound_policy is ACCEPT"));
        }
        for (FirewallIntent.Untranslatable rule : source.untranslatable()) {
            if (FirewallDirection.of(rule.direction()) == FirewallDirection.INBOUND ? dropInbound : dropOutbound) {
                continue;
            }
            notes.add(Note.warning(FirewallDirection.of(rule.direction()).word + " " + rule.rule() + " is not translated: "
                    + rule.reason() + ". " + rule.suggestion().orElse(defaultSuggestion(rule))));
        }
        return groups;
    }

    private static String defaultSuggestion(FirewallIntent.Untranslatable rule) {
        String reference = rule.reference() == null ? "" : rule.reference();
        if (reference.startsWith("sg-")) {
            return "Add a rule under firewall.rules with the addresses it should allow: the private CIDR of the VPC, or"
                    + " the addresses of the instances in " + reference;
        }
        if (reference.startsWith("pl-")) {
            return "Add a rule under firewall.rules with the CIDR ranges of prefix list " + reference;
        }
        return "Add an equivalent rule under firewall.rules if the Linode needs it";
    }

    /** The rule's addresses in canonical form; ones that do not parse are warned about and left out. */
    private List<Cidr> addresses(FirewallIntent.Rule rule) {
        List<Cidr> parsed = new ArrayList<>();
        for (String address : rule.addresses()) {
            Optional<Cidr> cidr = Cidr.parse(address);
            if (cidr.isPresent()) {
                parsed.add(cidr.get());
            } else {
                notes.add(Note.warning(rule.origin() + ": '" + address + "' is not an IPv4 or IPv6 range, so it is left out;"
                        + " add the addresses it stands for under firewall.rules"));
            }
        }
        if (parsed.isEmpty() && rule.addresses().isEmpty()) {
            notes.add(Note.warning(rule.origin() + " names no addresses, so it is not translated; add the rule under"
                    + " firewall.rules with the addresses it should allow"));
        }
        return parsed;
    }

    /** The Linode protocols (and ports) {@code rule} becomes; none when Linode cannot express it. */
    private List<Group> protocols(FirewallIntent.Rule rule, FirewallDirection direction, List<String> allTraffic) {
        FirewallIntent.Protocol protocol = rule.protocol();
        if (protocol == FirewallIntent.Protocol.OTHER) {
            int number = rule.protocolNumber().orElse(-1);
            switch (number) {
                case 6 -> protocol = FirewallIntent.Protocol.TCP;
                case 17 -> protocol = FirewallIntent.Protocol.UDP;
                case 1 -> protocol = FirewallIntent.Protocol.ICMP;
                case 58 -> protocol = FirewallIntent.Protocol.ICMPV6;
                case 4 -> {
                    return List.of(new Group(direction, "IPENCAP", Ports.ALL));
                }
                default -> {
                    String name = IP_PROTOCOLS.get(number);
                    notes.add(Note.warning(rule.origin() + " allows IP protocol " + number + (name == null ? "" : " (" + name + ")")
                            + ", which a Linode Cloud Firewall cannot express (it knows TCP, UDP, ICMP and IPENCAP), so that"
                            + " traffic is " + (direction == FirewallDirection.INBOUND ? "dropped by the inbound policy"
                            : "left to the outbound policy") + "; if the Linode needs it, a Cloud Firewall cannot allow it"
                            + " selectively: set " + direction.word + "_policy: ACCEPT and filter on the Linode itself"));
                    return List.of();
                }
            }
        }
        return switch (protocol) {
            case TCP, UDP -> List.of(new Group(direction, protocol.name(), ports(rule)));
            case ICMP -> {
                rule.icmp().filter(icmp -> icmp.type() >= 0).ifPresent(icmp -> notes.add(Note.warning(rule.origin()
                        + " allows only ICMP " + icmpName(icmp) + ", but a Linode Cloud Firewall cannot filter ICMP by type:"
                        + " the Linode rule allows all ICMP from " + String.join(", ", rule.addresses()))));
                yield List.of(new Group(direction, "ICMP", Ports.ALL));
            }
            case ICMPV6 -> {
                notes.add(Note.warning(rule.origin() + " allows ICMPv6" + rule.icmp().filter(i -> i.type() >= 0)
                        .map(i -> " type " + i.type()).orElse("") + " from " + String.join(", ", rule.addresses())
                        + ", which is not translated: Linode Cloud Firewall rules name no ICMPv6 protocol. If the Linode"
                        + " needs it, add an ICMP rule with those IPv6 ranges under firewall.rules"));
                yield List.of();
            }
            case ALL -> {
                allTraffic.add(rule.origin());
                yield List.of(new Group(direction, "TCP", Ports.ALL), new Group(direction, "UDP", Ports.ALL),
                        new Group(direction, "ICMP", Ports.ALL));
            }
            case OTHER -> throw new IllegalStateException("handled above");
        };
    }

    private static Ports ports(FirewallIntent.Rule rule) {
        if (rule.ports().isEmpty() || rule.ports().get().isAll()) {
            return Ports.ALL;
        }
        FirewallIntent.PortRange range = rule.ports().get();
        return Ports.of(List.of(new FirewallPorts.Range(Math.max(1, range.from()), Math.max(1, range.to()))));
    }

    private static String icmpName(FirewallIntent.Icmp icmp) {
        String name = ICMP_TYPES.get(icmp.type());
        return "type " + icmp.type() + (name == null ? "" : " (" + name + ")") + (icmp.code() >= 0 ? " code " + icmp.code() : "");
    }

    private static String plural(int count) {
        return count == 1 ? "" : "s";
    }
}
