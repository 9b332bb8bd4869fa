package dev.ferry.provider.linode;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.engine.FerryException;
import dev.ferry.engine.machine.FirewallIntent;
import dev.ferry.engine.machine.Neutral;
import dev.ferry.engine.permission.Permission;
import dev.ferry.engine.provider.ApplyContext;
import dev.ferry.engine.provider.ManagedResourceType;
import dev.ferry.engine.provider.Note;
import dev.ferry.engine.provider.Observation;
import dev.ferry.engine.provider.Operation;
import dev.ferry.engine.provider.Outcome;
import dev.ferry.engine.provider.PlanRequest;
import dev.ferry.engine.provider.PlanResult;
import dev.ferry.engine.provider.RefreshRequest;
import dev.ferry.engine.provider.ResourceSchema;
import dev.ferry.engine.resource.Attributes;
import dev.ferry.engine.resource.Identity;
import dev.ferry.engine.resource.JsonValues;
import dev.ferry.engine.resource.ResourceAddress;
import dev.ferry.engine.spec.FirewallSpec;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code linode_firewall}: a Cloud Firewall with the source's rules translated by {@link FirewallTranslation}
 * and the file's own appended. The plan does the translation, so the plan shows the exact rules and the
 * warnings; a later change of the security groups changes the rules in place
 * ({@code PUT /networking/firewalls/{id}/rules}), never the firewall. The Linode joins it at creation through
 * its {@code firewall_id}.
 *
 * <p>Arguments: {@code label}, {@code tags}, {@code from}, {@code intent} (the source's {@code FirewallIntent}
 * JSON; absent for {@code from: none}), {@code inbound_policy}, {@code outbound_policy} (absent: from the
 * source's egress), {@code rules} (the file's {@code firewall.rules}), {@code accept_losses} (the source rules
 * whose loss the file accepts; it changes only the plan's notes). The plan replaces {@code from},
 * {@code intent}, {@code rules} and {@code accept_losses} with the firewall's {@code outbound_policy},
 * {@code inbound} and {@code outbound}. Outputs: {@code id}, {@code label}, {@code status}, {@code version}, {@code fingerprint}.
 */
final class FirewallResource implements ManagedResourceType {

    static final String TYPE = "linode_firewall";
    private static final Set<String> RULE_ARGUMENTS = Set.of("inbound_policy", "outbound_policy", "inbound", "outbound");

    private final LinodeClient client;

    FirewallResource(LinodeClient client) {
        this.client = requireNonNull(client, "client is null");
    }

    @Override
    public String name() {
        return TYPE;
    }

    @Override
    public ResourceSchema schema() {
        return new ResourceSchema(Set.of("label", "tags", "inbound_policy", "outbound_policy", "inbound", "outbound"));
    }

    @Override
    public PlanResult plan(PlanRequest request) {
        Attributes desired = request.desired();
        List<String> errors = new ArrayList<>();
        List<Note> notes = new ArrayList<>();
        Args.value(desired, "label").map(JsonNode::asText).ifPresent(label -> LinodeLabels.problem(label, LinodeLabels.FIREWALL_MAX)
                .ifPresent(problem -> errors.add("the firewall label '" + label + "' is not valid: " + problem)));
        Attributes planned = desired.without(Set.of("from", "intent", "rules", "accept_losses"));
        if (desired.isKnown("tags")) {
            planned = planned.with("tags", IdentityTags.userTagsJson(desired.get("tags")));
        }
        FirewallSpec spec = spec(desired);
        if (spec.from() == FirewallSpec.From.SECURITY_GROUPS && desired.isUnknown("intent")) {
            planned = planned.with("inbound_policy", JsonNodeFactory.instance.textNode(spec.inboundPolicy().name()));
            planned = spec.outboundPolicy().isPresent()
                    ? planned.with("outbound_policy", JsonNodeFactory.instance.textNode(spec.outboundPolicy().get().name()))
                    : planned.withUnknown("outbound_policy");
            planned = planned.withUnknown("inbound").withUnknown("outbound");
            notes.add(Note.info("the rules are translated once the source's security groups are read"));
            return new PlanResult(planned, Args.object(), notes, errors);
        }
        Optional<FirewallIntent> intent = Args.value(desired, "intent").map(FirewallIntent::fromJson);
        FirewallTranslation.Result result = FirewallTranslation.translate(intent, spec);
        notes.addAll(result.notes());
        errors.addAll(result.errors());
        planned = planned.with("inbound_policy", JsonNodeFactory.instance.textNode(result.inboundPolicy()))
                .with("outbound_policy", JsonNodeFactory.instance.textNode(result.outboundPolicy()))
                .with("inbound", result.inboundJson())
                .with("outbound", result.outboundJson());
        notes.add(Note.info(result.inbound().size() + " inbound and " + result.outbound().size() + " outbound rule"
                + (result.outbound().size() == 1 ? "" : "s") + " (Linode allows " + FirewallTranslation.MAX_RULES
                + " in all); inbound " + result.inboundPolicy() + " by default, outbound " + result.outboundPolicy()));
        return new PlanResult(planned, Args.object(), notes, errors);
    }

    /** The file's {@code firewall:} section, as the expander passed it on. */
    private static FirewallSpec spec(Attributes desired) {
        ObjectNode node = Args.object();
        Args.value(desired, "from").ifPresent(v -> node.set("from", v));
        Args.value(desired, "inbound_policy").ifPresent(v -> node.set("inbound_policy", v));
        Args.value(desired, "outbound_policy").ifPresent(v -> node.set("outbound_policy", v));
        Args.value(desired, "rules").ifPresent(v -> node.set("rules", v));
        Args.value(desired, "accept_losses").ifPresent(v -> node.set("accept_losses", v));
        return Neutral.fromJson(node, FirewallSpec.class);
    }

    @Override
    public Outcome create(ApplyContext context) {
        Attributes arguments = context.arguments();
        ObjectNode body = Args.object();
        body.put("label", arguments.text("label"));
        body.set("rules", rules(arguments));
        body.set("tags", IdentityTags.withIdentity(arguments.find("tags").orElse(null), context.identity()));
        JsonNode firewall;
        try {
            firewall = client.postCreating("/networking/firewalls", body, () -> findExisting(context.identity(), arguments)
                    .map(made -> client.get("/networking/firewalls/" + made.id())));
        } catch (LinodeApiException e) {
            throw explain(e, arguments);
        }
        return new Outcome.Done(firewall.path("id").asText(), outputs(firewall));
    }

    private static ObjectNode rules(Attributes arguments) {
        return FirewallTranslation.rulesJson(arguments.text("inbound_policy"), arguments.text("outbound_policy"),
                arguments.get("inbound"), arguments.get("outbound"));
    }

    private static FerryException explain(LinodeApiException e, Attributes arguments) {
        if (e.status() == 400 && e.concerns("label") && e.errors().stream().anyMatch(error -> error.reason().toLowerCase(
                java.util.Locale.ROOT).contains("unique"))) {
            return new FerryException("another Cloud Firewall in the account is already labelled '" + arguments.text("label")
                    + "', and ferry did not make it; rename or delete that firewall (" + e.getMessage() + ")");
        }
        return e;
    }

    static ObjectNode outputs(JsonNode firewall) {
        ObjectNode outputs = Args.object();
        outputs.put("id", firewall.path("id").asText());
        outputs.put("label", firewall.path("label").asText());
        outputs.put("status", firewall.path("status").asText());
        outputs.put("version", firewall.path("rules").path("version").asInt());
        outputs.put("fingerprint", firewall.path("rules").path("fingerprint").asText(""));
        return outputs;
    }

    @Override
    public Outcome update(ApplyContext context) {
        String id = context.prior().orElseThrow().id();
        Attributes arguments = context.arguments();
        JsonNode firewall = client.find("/networking/firewalls/" + id)
                .orElseThrow(() -> new FerryException("the Cloud Firewall " + id + " no longer exists; run plan again"));
        IdentityTags.requireOurs(firewall, "the Cloud Firewall " + id, context.identity(), "change");
        boolean settingsChanged = !firewall.path("label").asText().equals(arguments.text("label"))
                || !IdentityTags.userTags(firewall.get("tags")).equals(IdentityTags.userTags(arguments.find("tags").orElse(null)))
                || !IdentityTags.carries(firewall, context.identity());
        if (settingsChanged) {
            ObjectNode body = Args.object();
            body.put("label", arguments.text("label"));
            body.set("tags", IdentityTags.withIdentity(arguments.find("tags").orElse(null), context.identity()));
            try {
                client.put("/networking/firewalls/" + id, body);
            } catch (LinodeApiException e) {
                throw explain(e, arguments);
            }
        }
        ObjectNode current = observedRules(firewall.path("rules"), rules(arguments));
        ObjectNode wanted = rules(arguments);
        boolean rulesChanged = RULE_ARGUMENTS.stream().anyMatch(name -> !JsonValues.equal(current.get(name), wanted.get(name)));
        if (rulesChanged) {
            client.put("/networking/firewalls/" + id + "/rules", wanted);
        }
        return new Outcome.Done(id, outputs(client.get("/networking/firewalls/" + id)));
    }

    /**
     * The rules as the API shows them, in the form ferry writes them. A description the answer leaves out is
     * taken from what was applied, so that its absence is not mistaken for a change.
     */
    static ObjectNode observedRules(JsonNode rules, JsonNode applied) {
        ObjectNode node = Args.object();
        node.put("inbound_policy", rules.path("inbound_policy").asText());
        node.put("outbound_policy", rules.path("outbound_policy").asText());
        node.set("inbound", canonical(rules.path("inbound"), applied == null ? null : applied.get("inbound")));
        node.set("outbound", canonical(rules.path("outbound"), applied == null ? null : applied.get("outbound")));
        return node;
    }

    private static ArrayNode canonical(JsonNode observed, JsonNode applied) {
        ArrayNode rules = JsonNodeFactory.instance.arrayNode();
        int index = 0;
        for (JsonNode rule : observed) {
            FirewallRule parsed = FirewallRule.fromJson(rule);
            if (parsed.description().isEmpty() && applied != null && applied.has(index)) {
                Optional<String> description = FirewallRule.fromJson(applied.get(index)).description();
                parsed = new FirewallRule(parsed.label(), description, parsed.action(), parsed.protocol(),
                        parsed.ports(), parsed.ipv4(), parsed.ipv6());
            }
            rules.add(parsed.toJson());
            index++;
        }
        return rules;
    }

    @Override
    public Map<ResourceAddress, Observation> refresh(List<RefreshRequest> requests) {
        Map<String, JsonNode> found = new HashMap<>();
        if (requests.size() == 1) {
            client.find("/networking/firewalls/" + requests.get(0).id()).ifPresent(f -> found.put(f.path("id").asText(), f));
        } else {
            for (JsonNode firewall : client.list("/networking/firewalls", InstanceResource.byIds(requests))) {
                found.put(firewall.path("id").asText(), firewall);
            }
        }
        Map<ResourceAddress, Observation> observed = new HashMap<>();
        for (RefreshRequest request : requests) {
            JsonNode firewall = found.get(request.id());
            if (firewall == null || firewall.path("status").asText().equals("deleted")) {
                observed.put(request.address(), new Observation.Gone());
                continue;
            }
            ObjectNode arguments = observedRules(firewall.path("rules"), request.arguments());
            arguments.put("label", firewall.path("label").asText());
            arguments.set("tags", IdentityTags.userTagsJson(firewall.get("tags")));
            observed.put(request.address(), new Observation.Exists(arguments, outputs(firewall)));
        }
        return observed;
    }

    @Override
    public Optional<Found> findExisting(Identity identity, Attributes arguments) {
        for (JsonNode firewall : client.list("/networking/firewalls", IdentityTags.filter(identity))) {
            if (IdentityTags.carries(firewall, identity) && !firewall.path("status").asText().equals("deleted")) {
                return Optional.of(new Found(firewall.path("id").asText(), Optional.empty()));
            }
        }
        return Optional.empty();
    }

    @Override
    public Outcome delete(ApplyContext context) {
        String id = context.prior().orElseThrow().id();
        Optional<JsonNode> firewall = client.find("/networking/firewalls/" + id);
        if (firewall.isEmpty()) {
            return new Outcome.Deleted();
        }
        IdentityTags.requireOurs(firewall.get(), "the Cloud Firewall " + id + " (" + firewall.get().path("label").asText() + ")",
                context.identity(), "delete");
        client.delete("/networking/firewalls/" + id);
        return new Outcome.Deleted();
    }

    @Override
    public Outcome poll(ApplyContext context, Operation operation) {
        // Firewalls are made and changed at once; an operation can only be a create recorded by a crash.
        String id = operation.resourceId().orElse(operation.id());
        return new Outcome.Done(id, outputs(client.find("/networking/firewalls/" + id).orElseThrow(
                () -> new FerryException("the Cloud Firewall " + id + " no longer exists"))));
    }

    @Override
    public Set<String> limits(Attributes arguments) {
        return Set.of();
    }

    /** The Cloud Firewall, its rules and the Linodes it is attached to: firewall:read_write. */
    static List<Permission> permissions(String address) {
        return List.of(LinodeScopes.readWrite("firewall", address + " creates the Cloud Firewall, attaches it and deletes it when it goes"));
    }
}
