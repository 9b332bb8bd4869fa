package dev.ferry.provider.linode;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.engine.machine.Cidr;
import dev.ferry.engine.machine.FirewallIntent;
import dev.ferry.engine.provider.Note;
import dev.ferry.engine.spec.FirewallSpec;
import dev.ferry.provider.linode.RulePacker.Group;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Turns a source's firewall in neutral terms ({@link FirewallIntent}, from security groups) and the file's
 * {@code firewall:} section into the rules of a Linode Cloud Firewall, with the notes a plan shows. A pure
 * function: same input, same rules, same order.
 *
 * <p>Security groups only allow, so every translated rule is an ACCEPT. Protocols map as far as Linode can
 * express them (TCP, UDP, ICMP, IPENCAP; all traffic becomes TCP, UDP and ICMP); rules with the same protocol
 * and ports share one rule with their addresses merged (at most 255 a rule), and rules with the same protocol
 * and addresses share one rule with their ports merged (at most 15 pieces a rule); what does not fit is split.
 * Inbound traffic is dropped by default; outbound is accepted when the source allowed all egress, otherwise the
 * outbound rules are translated and the rest dropped. The file's own rules come after the translated ones,
 * untouched. Anything that cannot be translated faithfully becomes a warning naming the rule and what to do;
 * a firewall over Linode's 25 rules is an error.
 *
 * <p>The source's rules are translated by {@link IntentTranslator} and packed to Linode's limits by
 * {@link RulePacker}; the file's rules, the labels and the limit on the firewall are here.
 */
final class FirewallTranslation {

    static final int MAX_RULES = 25;

    private FirewallTranslation() {
    }

    /** The firewall to make: its policies and rules, the notes for the plan, and errors that stop it. */
    record Result(String inboundPolicy, String outboundPolicy, List<FirewallRule> inbound, List<FirewallRule> outbound,
                  List<Note> notes, List<String> errors) {
        Result {
            requireNonNull(inboundPolicy, "inboundPolicy is null");
            requireNonNull(outboundPolicy, "outboundPolicy is null");
            inbound = List.copyOf(inbound);
            outbound = List.copyOf(outbound);
            notes = List.copyOf(notes);
            errors = List.copyOf(errors);
        }

        ArrayNode inboundJson() {
            return json(inbound);
        }

        ArrayNode outboundJson() {
            return json(outbound);
        }

        /** The body of {@code PUT /networking/firewalls/{id}/rules}, and the {@code rules} of a create. */
        ObjectNode rulesJson() {
            return FirewallTranslation.rulesJson(inboundPolicy, outboundPolicy, inboundJson(), outboundJson());
        }

        private static ArrayNode json(List<FirewallRule> rules) {
            ArrayNode array = JsonNodeFactory.instance.arrayNode();
            rules.forEach(rule -> array.add(rule.toJson()));
            return array;
        }
    }

    static ObjectNode rulesJson(String inboundPolicy, String outboundPolicy, JsonNode inbound, JsonNode outbound) {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.put("inbound_policy", inboundPolicy);
        node.put("outbound_policy", outboundPolicy);
        node.set("inbound", inbound.deepCopy());
        node.set("outbound", outbound.deepCopy());
        return node;
    }

    /** Translates {@code intent} (ignored when the file says {@code from: none}) and appends the file's rules. */
    static Result translate(Optional<FirewallIntent> intent, FirewallSpec spec) {
        return new Translator(spec.from() == FirewallSpec.From.SECURITY_GROUPS ? intent : Optional.empty(), spec).run();
    }

    // ---- the work ----

    private static final class Translator {
        private final Optional<FirewallIntent> intent;
        private final FirewallSpec spec;
        private final List<Note> notes = new ArrayList<>();
        private final List<String> errors = new ArrayList<>();
        private final String inboundPolicy;
        private final String outboundPolicy;

        Translator(Optional<FirewallIntent> intent, FirewallSpec spec) {
            this.intent = intent;
            this.spec = spec;
            this.inboundPolicy = spec.inboundPolicy().name();
            this.outboundPolicy = spec.outboundPolicy().map(Enum::name)
                    .orElse(intent.map(i -> i.egressOpen() ? "ACCEPT" : "DROP").orElse("ACCEPT"));
        }

        Result run() {
            List<Group> groups = new ArrayList<>();
            intent.ifPresent(source -> groups.addAll(
                    new IntentTranslator(spec, inboundPolicy, outboundPolicy, notes).translate(source)));
            List<UnlabelledRule> translated = RulePacker.merge(groups);
            List<UnlabelledRule> own = fileRules();
            List<UnlabelledRule> all = new ArrayList<>(translated);
            all.addAll(own);
            List<FirewallRule> inbound = new ArrayList<>();
            List<FirewallRule> outbound = new ArrayList<>();
            for (LabelledRule labelled : label(all)) {
                (labelled.direction == FirewallDirection.INBOUND ? inbound : outbound).add(labelled.rule);
            }
            int total = inbound.size() + outbound.size();
            if (total > MAX_RULES) {
                errors.add("the firewall needs " + total + " rules (" + inbound.size() + " inbound, " + outbound.size()
                        + " outbound: " + translated.size() + " translated from the security groups, " + own.size()
                        + " from firewall.rules), but a Linode Cloud Firewall holds at most " + MAX_RULES + ". Reduce them:"
                        + " give security-group rules that allow the same ports the same sources (they then share one rule),"
                        + " replace lists of single addresses with wider CIDR ranges, remove rules from firewall.rules,"
                        + " or write firewall.from: none and list the rules you need under firewall.rules");
            }
            return new Result(inboundPolicy, outboundPolicy, inbound, outbound, notes, errors);
        }

        // -- the file's own rules --

        private List<UnlabelledRule> fileRules() {
            List<UnlabelledRule> rules = new ArrayList<>();
            for (int i = 0; i < spec.rules().size(); i++) {
                FirewallSpec.Rule rule = spec.rules().get(i);
                String where = "firewall.rules[" + i + "]";
                FirewallDirection direction = FirewallDirection.of(rule.direction());
                String protocol = rule.protocol().name();
                Optional<String> ports = Optional.empty();
                if (rule.ports().isPresent()) {
                    if (!(protocol.equals("TCP") || protocol.equals("UDP"))) {
                        errors.add(where + ": ports apply only to TCP and UDP rules, not " + protocol + "; remove 'ports'");
                        continue;
                    }
                    FirewallPorts.Parsed parsed = FirewallPorts.parse(rule.ports().get());
                    if (parsed.error().isPresent()) {
                        errors.add(where + ": ports '" + rule.ports().get() + "': " + parsed.error().get());
                        continue;
                    }
                    FirewallPorts canonical = parsed.ports().get();
                    ports = Optional.of(canonical.toString());
                }
                List<String> texts = rule.addresses().isEmpty() ? List.of("0.0.0.0/0", "::/0") : rule.addresses();
                List<String> ipv4 = new ArrayList<>();
                List<String> ipv6 = new ArrayList<>();
                boolean bad = false;
                for (String text : texts) {
                    Optional<Cidr> cidr = Cidr.parse(text);
                    if (cidr.isEmpty()) {
                        errors.add(where + ": '" + text + "' is not an IPv4 or IPv6 address or CIDR range");
                        bad = true;
                        continue;
                    }
                    List<String> list = cidr.get().isIpv6() ? ipv6 : ipv4;
                    if (!list.contains(cidr.get().toString())) {
                        list.add(cidr.get().toString());
                    }
                }
                if (bad) {
                    continue;
                }
                if (ipv4.size() + ipv6.size() > FirewallRule.MAX_ADDRESSES) {
                    errors.add(where + " has " + (ipv4.size() + ipv6.size()) + " addresses; a Linode rule holds at most "
                            + FirewallRule.MAX_ADDRESSES + ": split it or use wider CIDR ranges");
                    continue;
                }
                String fallback = direction.prefix + "-" + protocol.toLowerCase(Locale.ROOT)
                        + ports.map(p -> "-" + p.replace(", ", "_").replace("-", "to")).orElse("");
                String base = rule.label().or(() -> rule.description().filter(d -> !d.isBlank())).orElse(fallback);
                rules.add(new UnlabelledRule(direction, rule.label(), base,
                        rule.description().filter(d -> !d.isBlank()).map(FirewallRule::shorten), rule.action().name(),
                        protocol, ports, ipv4, ipv6));
            }
            return rules;
        }

        // -- labels --

        private record LabelledRule(FirewallDirection direction, FirewallRule rule) {
        }

        /** Labels of 3–32 valid characters, unique in the firewall; labels the file gives are kept as written. */
        private List<LabelledRule> label(List<UnlabelledRule> rules) {
            Set<String> used = new HashSet<>();
            Set<String> explicit = new LinkedHashSet<>();
            for (UnlabelledRule rule : rules) {
                rule.explicitLabel().ifPresent(label -> {
                    if (!explicit.add(label)) {
                        errors.add("two rules in firewall.rules are labelled '" + label + "'; rule labels must be unique");
                    }
                });
            }
            used.addAll(explicit);
            List<LabelledRule> labelled = new ArrayList<>();
            for (UnlabelledRule rule : rules) {
                String label;
                if (rule.explicitLabel().isPresent()) {
                    label = rule.explicitLabel().get();
                } else {
                    String base = LinodeLabels.derive(rule.labelBase(), rule.direction().prefix,
                            rule.protocol().toLowerCase(Locale.ROOT), LinodeLabels.RULE_MAX);
                    label = base;
                    for (int n = 2; used.contains(label); n++) {
                        label = LinodeLabels.cut(base, LinodeLabels.RULE_MAX - ("-" + n).length()) + "-" + n;
                    }
                    used.add(label);
                }
                labelled.add(new LabelledRule(rule.direction(), new FirewallRule(label, rule.description(), rule.action(),
                        rule.protocol(), rule.ports(), rule.ipv4(), rule.ipv6())));
            }
            return labelled;
        }
    }
}
