package dev.ferry.provider.linode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.engine.FerryException;
import dev.ferry.engine.machine.FirewallIntent;
import dev.ferry.engine.machine.FirewallIntent.Direction;
import dev.ferry.engine.machine.FirewallIntent.PortRange;
import dev.ferry.engine.machine.FirewallIntent.Protocol;
import dev.ferry.engine.machine.Neutral;
import dev.ferry.engine.provider.ManagedResourceType;
import dev.ferry.engine.provider.Note;
import dev.ferry.engine.provider.Observation;
import dev.ferry.engine.provider.Outcome;
import dev.ferry.engine.provider.PlanRequest;
import dev.ferry.engine.provider.PlanResult;
import dev.ferry.engine.provider.PriorState;
import dev.ferry.engine.provider.RefreshRequest;
import dev.ferry.engine.resource.Attributes;
import dev.ferry.engine.resource.ResourceAddress;
import dev.ferry.engine.spec.FirewallSpec;
import dev.ferry.sandbox.Sandbox;
import dev.ferry.sandbox.world.Firewall;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code linode_firewall} against the sandbox: translated at plan time, created, refreshed without drift, changed in place. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FirewallResourceTest {

    private final Sandbox sandbox = LinodeSandbox.start();

    @RegisterExtension
    final OpenApiCheck openApi = OpenApiCheck.attachTo(sandbox);

    private final LinodeSession session = new LinodeSession(LinodeSandbox.client(sandbox), reference -> {
        throw new FerryException("no secrets");
    }, LinodeSandbox.TIMING);
    private final ManagedResourceType firewalls = (ManagedResourceType) session.resourceTypes().get(2);

    @AfterAll
    void stop() {
        sandbox.close();
    }

    private static FirewallIntent.Rule rule(Direction direction, Protocol protocol, int port, String address, String description) {
        return new FirewallIntent.Rule(direction, protocol, Optional.empty(), port == 0 ? Optional.empty()
                : Optional.of(new PortRange(port, port)), Optional.empty(), List.of(address), Optional.ofNullable(description),
                "sg-0web inbound rule " + port);
    }

    static FirewallIntent webServer() {
        return new FirewallIntent(List.of(
                rule(Direction.INBOUND, Protocol.TCP, 80, "0.0.0.0/0", "HTTP"),
                rule(Direction.INBOUND, Protocol.TCP, 443, "0.0.0.0/0", "HTTPS"),
                rule(Direction.INBOUND, Protocol.TCP, 22, "203.0.113.0/24", "SSH from the office"),
                rule(Direction.INBOUND, Protocol.ICMP, 0, "0.0.0.0/0", null)),
                List.of(new FirewallIntent.Untranslatable(FirewallIntent.Direction.INBOUND, "sg-0web inbound rule 9: TCP 9100 from sg-0mon",
                        "its source is the security group sg-0mon", "sg-0mon", Optional.empty())),
                true);
    }

    private static Attributes desired(String label, FirewallIntent intent, List<FirewallSpec.Rule> own) {
        return Attributes.builder()
                .known("label", JsonNodeFactory.instance.textNode(label))
                .known("tags", JsonNodeFactory.instance.arrayNode().add("migrated"))
                .known("from", JsonNodeFactory.instance.textNode("security-groups"))
                .known("intent", intent.toJson())
                .known("inbound_policy", JsonNodeFactory.instance.textNode("DROP"))
                .known("rules", Neutral.toJson(own))
                .build();
    }

    private static final List<FirewallSpec.Rule> APP = List.of(new FirewallSpec.Rule(FirewallSpec.Direction.INBOUND,
            FirewallSpec.Action.ACCEPT, FirewallSpec.Protocol.TCP, Optional.of("8080"), List.of("203.0.113.0/24"),
            Optional.of("app-from-office"), Optional.empty()));

    private PlanResult plan(Attributes desired) {
        return firewalls.plan(new PlanRequest(ResourceAddress.parse("linode_firewall.plan"), desired, Optional.empty()));
    }

    private Firewall inSandbox(String id) {
        return sandbox.world().linode().firewalls().stream().filter(f -> f.id() == Long.parseLong(id)).findFirst().orElseThrow();
    }

    @Test
    void thePlanShowsTheTranslatedRulesAndWarnsAboutWhatCannotBeTranslated() {
        PlanResult result = plan(desired("ferry-web-plan", webServer(), APP));

        assertThat(result.errors()).isEmpty();
        Attributes planned = result.planned();
        assertThat(planned.has("intent")).isFalse();
        assertThat(planned.has("rules")).isFalse();
        assertThat(planned.get("inbound_policy").asText()).isEqualTo("DROP");
        assertThat(planned.get("outbound_policy").asText()).isEqualTo("ACCEPT");
        assertThat(planned.get("inbound")).extracting(rule -> rule.get("label").asText())
                .containsExactly("in-tcp-80_443", "SSH-from-the-office", "in-icmp", "app-from-office");
        assertThat(planned.get("outbound")).isEmpty();
        assertThat(result.notes()).filteredOn(note -> note.level() == Note.Level.WARNING).singleElement()
                .satisfies(note -> assertThat(note.text()).contains("sg-0web inbound rule 9: TCP 9100 from sg-0mon is not translated"));
        assertThat(result.notes()).extracting(Note::text).contains("4 inbound and 0 outbound rules (Linode allows 25 in all);"
                + " inbound DROP by default, outbound ACCEPT");
    }

    @Test
    void untilTheSecurityGroupsAreReadTheRulesAreUnknown() {
        Attributes desired = desired("ferry-web-later", webServer(), List.of()).toBuilder().unknown("intent").build();

        PlanResult result = plan(desired);

        assertThat(result.planned().isUnknown("inbound")).isTrue();
        assertThat(result.planned().isUnknown("outbound_policy")).isTrue();
        assertThat(result.planned().get("inbound_policy").asText()).isEqualTo("DROP");
    }

    @Test
    void tooManyRulesStopThePlan() {
        List<FirewallIntent.Rule> many = IntStream.range(0, 26)
                .mapToObj(i -> rule(Direction.INBOUND, Protocol.TCP, 10000 + i, "192.0.2." + i + "/32", null)).toList();

        PlanResult result = plan(desired("ferry-too-many", new FirewallIntent(many, List.of(), true), List.of()));

        assertThat(result.errors()).singleElement().asString().contains("needs 26 rules").contains("at most 25");
    }

    @Test
    void aCreateTheApiRateLimitsLongerThanTheRetriesLastIsQueuedOnItsProgressLineAndNeverFails() {
        PlanResult planned = plan(desired("ferry-web-queued", webServer(), APP));
        FakeApplyContext context = new FakeApplyContext(FakeApplyContext.identity("linode_firewall.web-queued"), planned.planned(),
                Optional.empty(), Map.of());
        // more 429s in a row than the client's six attempts: other shards of the account use up its rate limit
        sandbox.faults().set("services=linode,actions=POST /networking/firewalls,rate=1,statuses=429,retry-after=2s,count=8");
        Outcome.Done done;
        try {
            done = (Outcome.Done) firewalls.create(context);
        } finally {
            sandbox.faults().clear();
        }

        assertThat(inSandbox(done.id()).label()).isEqualTo("ferry-web-queued");
        assertThat(context.progress).filteredOn(line -> line.startsWith("queued by Linode"))
                .hasSize(8).allMatch(line -> line.equals("queued by Linode: the API's rate limit is reached (HTTP 429); retrying"
                        + " POST /networking/firewalls in 2s"));
    }

    @Test
    void createsTheFirewallAndARefreshShowsNoDrift() {
        PlanResult planned = plan(desired("ferry-web-made", webServer(), APP));
        FakeApplyContext context = new FakeApplyContext(FakeApplyContext.identity("linode_firewall.web-made"), planned.planned(),
                Optional.empty(), Map.of());

        Outcome.Done done = (Outcome.Done) firewalls.create(context);

        Firewall firewall = inSandbox(done.id());
        assertThat(firewall.label()).isEqualTo("ferry-web-made");
        assertThat(firewall.rules().inbound()).hasSize(4);
        assertThat(firewall.rules().inboundPolicy()).isEqualTo("DROP");
        assertThat(firewall.tags()).contains("migrated", "ferry-id:" + context.identity().token());
        assertThat(done.outputs().get("status").asText()).isEqualTo("enabled");

        ObjectNode recorded = planned.planned().knownValues();
        ResourceAddress address = context.identity().address();
        Observation observed = firewalls.refresh(List.of(new RefreshRequest(address, done.id(), recorded, done.outputs()))).get(address);
        assertThat(observed).isInstanceOfSatisfying(Observation.Exists.class, exists -> {
            assertThat(exists.arguments().fieldNames()).toIterable()
                    .contains("label", "tags", "inbound_policy", "outbound_policy", "inbound", "outbound");
            exists.arguments().properties().forEach(field -> assertThat(field.getValue())
                    .as("no drift in " + field.getKey()).isEqualTo(recorded.get(field.getKey())));
        });
        assertThat(firewalls.findExisting(context.identity(), context.arguments())).map(found -> found.id()).contains(done.id());
    }

    @Test
    void aChangedSecurityGroupChangesTheRulesInPlaceAndTheLabelToo() throws InterruptedException {
        PlanResult before = plan(desired("ferry-web-change", webServer(), List.of()));
        FakeApplyContext made = new FakeApplyContext(FakeApplyContext.identity("linode_firewall.web-change"), before.planned(),
                Optional.empty(), Map.of());
        Outcome.Done done = (Outcome.Done) firewalls.create(made);
        int version = inSandbox(done.id()).rules().version();
        FirewallIntent narrower = new FirewallIntent(List.of(rule(Direction.INBOUND, Protocol.TCP, 443, "0.0.0.0/0", "HTTPS")),
                List.of(), false);
        PlanResult after = plan(desired("ferry-web-changed", narrower, List.of()));
        PriorState prior = new PriorState(done.id(), before.planned().knownValues(), done.outputs());

        Outcome.Done updated = (Outcome.Done) firewalls.update(new FakeApplyContext(made.identity(), after.planned(), Optional.of(prior),
                Map.of()));

        Firewall firewall = inSandbox(done.id());
        assertThat(updated.id()).isEqualTo(done.id());
        assertThat(firewall.label()).isEqualTo("ferry-web-changed");
        assertThat(firewall.rules().inbound()).extracting(r -> r.ports()).containsExactly("443");
        assertThat(firewall.rules().outboundPolicy()).isEqualTo("DROP");
        assertThat(firewall.rules().version()).isEqualTo(version + 1);

        long puts = sandbox.requests().count("linode:PUT /networking/firewalls/{firewallId}/rules");
        firewalls.update(new FakeApplyContext(made.identity(), after.planned(), Optional.of(prior), Map.of()));
        Thread.sleep(200); // the request log is written as each exchange ends
        assertThat(sandbox.requests().count("linode:PUT /networking/firewalls/{firewallId}/rules")).as("nothing to change").isEqualTo(puts);
    }

    @Test
    void aCreateThatMayHaveHappenedIsLookedForBeforeItIsSentAgain() {
        PlanResult planned = plan(desired("ferry-web-cut", webServer(), List.of()));
        sandbox.faults().set("services=linode,actions=POST /networking/firewalls,cut=1,cut-direction=response,count=1");
        Outcome.Done cut = (Outcome.Done) firewalls.create(new FakeApplyContext(FakeApplyContext.identity("linode_firewall.web-cut"),
                planned.planned(), Optional.empty(), Map.of()));
        PlanResult other = plan(desired("ferry-web-500", webServer(), List.of()));
        sandbox.faults().set("services=linode,actions=POST /networking/firewalls,rate=1,statuses=500,count=1");
        Outcome.Done failed = (Outcome.Done) firewalls.create(new FakeApplyContext(FakeApplyContext.identity("linode_firewall.web-500"),
                other.planned(), Optional.empty(), Map.of()));
        sandbox.faults().clear();

        assertThat(sandbox.world().linode().firewalls()).filteredOn(f -> f.label().equals("ferry-web-cut")).singleElement()
                .satisfies(f -> assertThat(f.id()).isEqualTo(Long.parseLong(cut.id())));
        assertThat(sandbox.world().linode().firewalls()).filteredOn(f -> f.label().equals("ferry-web-500")).singleElement()
                .satisfies(f -> assertThat(f.id()).isEqualTo(Long.parseLong(failed.id())));
    }

    @Test
    void deletesOnlyItsOwnFirewall() {
        PlanResult planned = plan(desired("ferry-web-gone", webServer(), List.of()));
        FakeApplyContext made = new FakeApplyContext(FakeApplyContext.identity("linode_firewall.web-gone"), planned.planned(),
                Optional.empty(), Map.of());
        Outcome.Done done = (Outcome.Done) firewalls.create(made);
        PriorState prior = new PriorState(done.id(), planned.planned().knownValues(), done.outputs());

        assertThatThrownBy(() -> firewalls.delete(new FakeApplyContext(FakeApplyContext.identity("linode_firewall.other"),
                planned.planned(), Optional.of(prior), Map.of()))).hasMessageContaining("so ferry will not delete it");
        assertThat(firewalls.delete(new FakeApplyContext(made.identity(), planned.planned(), Optional.of(prior), Map.of())))
                .isInstanceOf(Outcome.Deleted.class);
        assertThat(sandbox.world().linode().firewalls()).noneMatch(f -> f.id() == Long.parseLong(done.id()));
    }

    @Test
    void aLabelAnotherFirewallHasIsExplained() {
        PlanResult planned = plan(desired("ferry-web-twin", webServer(), List.of()));
        firewalls.create(new FakeApplyContext(FakeApplyContext.identity("linode_firewall.twin-1"), planned.planned(), Optional.empty(),
                Map.of()));

        assertThatThrownBy(() -> firewalls.create(new FakeApplyContext(FakeApplyContext.identity("linode_firewall.twin-2"),
                planned.planned(), Optional.empty(), Map.of())))
                .hasMessageStartingWith("another Cloud Firewall in the account is already labelled 'ferry-web-twin'");
    }

    @Test
    void observedRulesKeepDescriptionsTheAnswerLeavesOut() {
        JsonNode applied = FirewallTranslation.translate(Optional.of(webServer()), FirewallSpec.defaults(true)).rulesJson();
        ObjectNode answer = applied.deepCopy();
        answer.withArray("inbound").forEach(rule -> ((ObjectNode) rule).remove("description"));

        assertThat(FirewallResource.observedRules(answer, applied).get("inbound")).isEqualTo(applied.get("inbound"));
    }
}
