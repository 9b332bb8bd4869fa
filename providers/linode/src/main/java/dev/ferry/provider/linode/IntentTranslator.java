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
import java.util.stream.IntStream;

/**
 * Translates a source's firewall in neutral terms into groups of Linode rules, one group a protocol
 * Linode knows: TCP, UDP, ICMP, IPENCAP; all traffic becomes TCP, UDP and ICMP. Rules the policy
 * already covers are left out; whatever cannot be carried over faithfully (another IP protocol, ICMP
 * by type, ICMPv6, a rule without addresses, a rule the source could not translate) becomes a warning
 * for the plan that names the rule and what to do, unless the file's own rules allow the same traffic again
 * or {@code firewall.accept_losses} names the source's rules: then it is an info.
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
            FirewallDirection direction = FirewallDirection.of(rule.direction());
            if (direction == FirewallDirection.INBOUND ? dropInbound : dropOutbound) {
                continue;
            }
            String what = direction.word + " " + rule.rule();
            List<Integer> covering = rule.protocol().map(protocol -> coveringRules(direction, protocol, rule.ports(), rule.peerRanges()))
                    .orElse(List.of());
            if (!covering.isEmpty()) {
                notes.add(Note.info(what + " is not translated (" + rule.reason() + "), but " + allowedBy(covering) + " its traffic"));
                continue;
            }
            loss(rule.ids(), what, what + " is not translated: " + rule.reason() + ". "
                    + capitalized(rule.suggestion().orElse(defaultSuggestion(rule))));
        }
        checkAcceptedLosses(source);
        return groups;
    }

    /**
     * Something of the source's rules {@code ids} that the Linode firewall does not carry over: a warning with its
     * remedy and, when the rules have ids, the way to accept going without; an info when the file accepts it.
     */
    private void loss(List<String> ids, String what, String warning) {
        if (!ids.isEmpty() && spec.acceptLosses().containsAll(ids)) {
            notes.add(Note.info(what + " is not carried over as it was; firewall.accept_losses accepts that"));
            return;
        }
        notes.add(Note.warning(ids.isEmpty() ? warning : warning + ". If the Linode can do without it, accept the loss with"
                + " firewall.accept_losses: [" + String.join(", ", ids) + "]"));
    }

    /** An id in {@code firewall.accept_losses} that is no rule of the source is most likely mistyped. */
    private void checkAcceptedLosses(FirewallIntent source) {
        List<String> known = new ArrayList<>();
        source.rules().forEach(rule -> known.addAll(rule.ids()));
        source.untranslatable().forEach(rule -> known.addAll(rule.ids()));
        for (String id : spec.acceptLosses()) {
            if (!known.contains(id)) {
                notes.add(Note.warning("firewall.accept_losses lists " + id + ", which is no rule of the source's security groups;"
                        + " correct the id (the plan's warnings name each rule's id) or remove it"));
            }
        }
    }

    /**
     * The file's rules ({@code firewall.rules} indexes) that together allow {@code protocol} on {@code ports} in
     * {@code direction}, from addresses inside {@code peerRanges} (any, when none are known); empty when they do not
     * (or Linode cannot name the protocol). ICMPv6 is allowed by an ICMP rule with IPv6 addresses, as the ICMPv6
     * warning advises.
     */
    private List<Integer> coveringRules(FirewallDirection direction, FirewallIntent.Protocol protocol,
                                        Optional<FirewallIntent.PortRange> ports, List<String> peerRanges) {
        List<FirewallSpec.Protocol> needed = switch (protocol) {
            case TCP -> List.of(FirewallSpec.Protocol.TCP);
            case UDP -> List.of(FirewallSpec.Protocol.UDP);
            case ICMP, ICMPV6 -> List.of(FirewallSpec.Protocol.ICMP);
            case ALL -> List.of(FirewallSpec.Protocol.TCP, FirewallSpec.Protocol.UDP, FirewallSpec.Protocol.ICMP);
            case OTHER -> List.of();
        };
        List<Integer> found = new ArrayList<>();
        for (FirewallSpec.Protocol each : needed) {
            Optional<Integer> index = IntStream.range(0, spec.rules().size()).boxed()
                    .filter(i -> allows(spec.rules().get(i), direction, each, ports, protocol == FirewallIntent.Protocol.ICMPV6)
                            && reaches(spec.rules().get(i), peerRanges))
                    .findFirst();
            if (index.isEmpty()) {
                return List.of();
            }
            found.add(index.get());
        }
        return found;
    }

    private static boolean allows(FirewallSpec.Rule rule, FirewallDirection direction, FirewallSpec.Protocol protocol,
                                  Optional<FirewallIntent.PortRange> ports, boolean ipv6) {
        if (rule.action() != FirewallSpec.Action.ACCEPT || FirewallDirection.of(rule.direction()) != direction
                || rule.protocol() != protocol) {
            return false;
        }
        if (ipv6 && !rule.addresses().isEmpty() && rule.addresses().stream().noneMatch(a -> Cidr.parse(a).map(Cidr::isIpv6).orElse(false))) {
            return false;
        }
        if (rule.ports().isEmpty()) {
            return true;
        }
        int from = ports.map(range -> Math.max(1, range.from())).orElse(1);
        int to = ports.map(FirewallIntent.PortRange::to).orElse(65535);
        return FirewallPorts.parse(rule.ports().get()).ports().map(parsed -> parsed.ranges().stream()
                .anyMatch(range -> range.from() <= from && range.to() >= to)).orElse(false);
    }

    /** Whether {@code rule} allows some address inside {@code peerRanges} (a rule without addresses allows all). */
    private static boolean reaches(FirewallSpec.Rule rule, List<String> peerRanges) {
        if (peerRanges.isEmpty() || rule.addresses().isEmpty()) {
            return true;
        }
        List<Cidr> peers = peerRanges.stream().flatMap(range -> Cidr.parse(range).stream()).toList();
        return rule.addresses().stream().flatMap(address -> Cidr.parse(address).stream())
                .anyMatch(address -> peers.stream().anyMatch(peer -> peer.contains(address) || address.contains(peer)));
    }

    /** {@code the file's firewall.rules[0] allows}, or {@code the file's firewall.rules[0], [1] and [2] allow}. */
    private static String allowedBy(List<Integer> indexes) {
        List<String> rules = indexes.stream().distinct().map(i -> "[" + i + "]").toList();
        String last = rules.get(rules.size() - 1);
        return "the file's firewall.rules" + (rules.size() == 1 ? last + " allows"
                : String.join(", ", rules.subList(0, rules.size() - 1)) + " and " + last + " allow");
    }

    private static String capitalized(String text) {
        return text.isEmpty() ? text : Character.toUpperCase(text.charAt(0)) + text.substring(1);
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
                loss(rule.ids(), rule.origin() + " from '" + address + "'", rule.origin() + ": '" + address + "' is not an IPv4 or"
                        + " IPv6 range, so it is left out; add the addresses it stands for under firewall.rules");
            }
        }
        if (parsed.isEmpty() && rule.addresses().isEmpty()) {
            loss(rule.ids(), rule.origin(), rule.origin() + " names no addresses, so it is not translated; add the rule under"
                    + " firewall.rules with the addresses it should allow");
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
                    loss(rule.ids(), rule.origin() + " (IP protocol " + number + ")", rule.origin() + " allows IP protocol " + number
                            + (name == null ? "" : " (" + name + ")")
                            + ", which a Linode Cloud Firewall cannot express (it knows TCP, UDP, ICMP and IPENCAP), so that"
                            + " traffic is " + (direction == FirewallDirection.INBOUND ? "dropped by the inbound policy"
                            : "left to the outbound policy") + "; if the Linode needs it, a Cloud Firewall cannot allow it"
                            + " selectively: set firewall." + direction.word + "_policy: ACCEPT and filter on the Linode itself");
                    return List.of();
                }
            }
        }
        return switch (protocol) {
            case TCP, UDP -> List.of(new Group(direction, protocol.name(), ports(rule)));
            case ICMP -> {
                rule.icmp().filter(icmp -> icmp.type() >= 0).ifPresent(icmp -> loss(rule.ids(), rule.origin() + " (only ICMP "
                        + icmpName(icmp) + ")", rule.origin() + " allows only ICMP " + icmpName(icmp) + ", but a Linode Cloud Firewall"
                        + " cannot filter ICMP by type: the Linode rule allows all ICMP from " + String.join(", ", rule.addresses())
                        + ". To let only that type through, filter ICMP on the Linode itself (nftables or iptables)"));
                yield List.of(new Group(direction, "ICMP", Ports.ALL));
            }
            case ICMPV6 -> {
                String what = rule.origin() + " allows ICMPv6" + rule.icmp().filter(i -> i.type() >= 0)
                        .map(i -> " type " + i.type()).orElse("") + " from " + String.join(", ", rule.addresses());
                List<Integer> covering = coveringRules(direction, protocol, Optional.empty(), List.of());
                if (!covering.isEmpty()) {
                    notes.add(Note.info(what + ", which is not translated, but " + allowedBy(covering) + " it"));
                } else {
                    loss(rule.ids(), rule.origin() + " (ICMPv6)", what + ", which is not translated: Linode Cloud Firewall rules"
                            + " name no ICMPv6 protocol. If the Linode needs it, append {direction: " + direction.word
                            + ", action: ACCEPT, protocol: ICMP, addresses: [" + String.join(", ", rule.addresses().stream()
                                    .map(a -> "\"" + a + "\"").toList()) + "]} under firewall.rules");
                }
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
