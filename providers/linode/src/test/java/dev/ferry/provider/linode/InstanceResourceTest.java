package dev.ferry.provider.linode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.engine.FerryException;
import dev.ferry.engine.machine.Cost;
import dev.ferry.engine.machine.MachineFacts;
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
import dev.ferry.engine.resource.Secret;
import dev.ferry.engine.resource.SecretResolver;
import dev.ferry.engine.spec.SecretReference;
import dev.ferry.sandbox.Sandbox;
import dev.ferry.sandbox.world.Firewall;
import dev.ferry.sandbox.world.LinodeInstance;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code linode_instance} against the sandbox: type matching, the password checks, creation, and the rest of its life. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class InstanceResourceTest {

    static final String PASSWORD = "Correct-Horse-Battery-42!";
    static final String KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDfA2JpVvzrxj7zU7hxaKSsRu8Ud1Ri3d0r4LEvTeDS2 ops@example.com";
    private static final long GIB = 1024L * 1024 * 1024;

    private final Sandbox sandbox = LinodeSandbox.start();

    @RegisterExtension
    final OpenApiCheck openApi = OpenApiCheck.attachTo(sandbox);

    private final Map<String, String> secrets = new java.util.concurrent.ConcurrentHashMap<>(Map.of(
            "${env:ROOT_PASSWORD}", PASSWORD, "${env:WEAK_PASSWORD}", "password1"));
    private final SecretResolver resolver = reference -> {
        String value = secrets.get(reference.toString());
        if (value == null) {
            throw new FerryException("the environment variable " + reference.name() + " is not set");
        }
        return new Secret(value);
    };
    private final LinodeClient client = LinodeSandbox.client(sandbox);
    private final LinodeSession session = new LinodeSession(client, resolver, LinodeSandbox.TIMING);
    private final ManagedResourceType instances = (ManagedResourceType) session.resourceTypes().get(1);
    private final ManagedResourceType firewalls = (ManagedResourceType) session.resourceTypes().get(2);

    @AfterAll
    void stop() {
        sandbox.close();
    }

    static MachineFacts machine(int vcpus, long memoryMib, long rootBytes) {
        return new MachineFacts("ec2", "i-0123456789abcdef0", vcpus, memoryMib, null, null, Optional.empty(),
                List.of(new MachineFacts.Disk("/dev/xvda", rootBytes, true, Optional.of("gp3"), false)), List.of(), List.of(),
                Map.of(), Optional.of("t3.medium"), Optional.of(new MachineFacts.Price(30.37, "On-Demand Linux, us-west-1")),
                Optional.empty());
    }

    static Attributes desired(String label, String type) {
        return Attributes.builder()
                .known("region", JsonNodeFactory.instance.textNode("us-lax"))
                .known("type", JsonNodeFactory.instance.textNode(type))
                .known("class", JsonNodeFactory.instance.textNode("standard"))
                .known("machine", machine(2, 4096, 4 * GIB).toJson())
                .known("label", JsonNodeFactory.instance.textNode(label))
                .known("image", JsonNodeFactory.instance.textNode("linode/debian12"))
                .secret("root_pass", SecretReference.of("${env:ROOT_PASSWORD}"))
                .known("authorized_keys", JsonNodeFactory.instance.arrayNode().add(KEY))
                .known("tags", JsonNodeFactory.instance.arrayNode().add("migrated"))
                .known("booted", JsonNodeFactory.instance.booleanNode(true))
                .build();
    }

    private PlanResult plan(Attributes desired, Optional<PriorState> prior) {
        return instances.plan(new PlanRequest(ResourceAddress.parse("linode_instance.plan"), desired, prior));
    }

    /** Plans, then creates and follows the Linode until it is done. */
    private Outcome.Done create(String name, Attributes desired) {
        PlanResult planned = plan(desired, Optional.empty());
        assertThat(planned.errors()).isEmpty();
        FakeApplyContext context = new FakeApplyContext(FakeApplyContext.identity("linode_instance." + name), planned.planned(),
                Optional.empty(), secrets);
        return (Outcome.Done) ImageResourceTest.drive(instances, context, instances.create(context));
    }

    private LinodeInstance inSandbox(String id) {
        return sandbox.world().linode().instances().stream().filter(l -> l.id() == Long.parseLong(id)).findFirst().orElseThrow();
    }

    @Test
    void matchesTheTypeAtPlanTimeWithBothPricesAndConsumesTheMachine() {
        PlanResult result = plan(desired("web-plan", "match"), Optional.empty());

        assertThat(result.errors()).isEmpty();
        assertThat(result.planned().get("type").asText()).isEqualTo("g6-standard-2");
        assertThat(result.planned().has("machine")).isFalse();
        assertThat(result.planned().has("class")).isFalse();
        assertThat(result.knownOutputs().get("type").asText()).isEqualTo("g6-standard-2");
        assertThat(result.knownOutputs().get("label").asText()).isEqualTo("web-plan");
        assertThat(result.knownOutputs().get(Cost.OUTPUT)).as("the plan's cost table reads this")
                .isEqualTo(Cost.known("g6-standard-2", 24, "us-lax").toJson());
        assertThat(result.notes()).extracting(Note::text).singleElement().asString()
                .contains("type: match chose g6-standard-2 (Linode 4GB, standard)")
                .contains("$24.00/month in us-lax, against $30.37/month for t3.medium");
    }

    @Test
    void keepsTheTypeChosenEarlierWhileItStillFits() {
        ObjectNode recorded = desired("web-sticky", "g6-standard-4").knownValues();
        PriorState prior = new PriorState("41000999", recorded, JsonNodeFactory.instance.objectNode());

        PlanResult result = plan(desired("web-sticky", "match"), Optional.of(prior));

        assertThat(result.planned().get("type").asText()).isEqualTo("g6-standard-4");
        assertThat(result.notes()).extracting(Note::text).singleElement().asString().contains("keeps g6-standard-4");
    }

    @Test
    void aTypeIsUnknownUntilTheMachineIsRead() {
        Attributes desired = desired("web-later", "match").toBuilder().unknown("machine").build();

        PlanResult result = plan(desired, Optional.empty());

        assertThat(result.planned().isUnknown("type")).isTrue();
        assertThat(result.errors()).isEmpty();
    }

    @Test
    void aWeakPasswordStopsThePlanWithoutShowingIt() {
        Attributes desired = desired("web-weak", "match").toBuilder().secret("root_pass", SecretReference.of("${env:WEAK_PASSWORD}")).build();

        PlanResult result = plan(desired, Optional.empty());

        assertThat(result.errors()).singleElement().asString()
                .contains("would fail Linode's strength check")
                .contains("root_pass is ${env:WEAK_PASSWORD}")
                .doesNotContain("password1");
    }

    @Test
    void withoutARootPasswordTheImageRoadStopsThePlanSayingWhatToAddOrWhichRoadNeedsNone() {
        Attributes desired = desired("web-nopass", "match").without(java.util.Set.of("root_pass")).toBuilder()
                .known(InstanceResource.ROAD_REASON, JsonNodeFactory.instance.textNode(
                        "the 4 GiB root volume of i-1 (/dev/xvda) fits Linode's 6 GiB image limit")).build();

        PlanResult result = plan(desired, Optional.empty());

        assertThat(result.errors()).singleElement().asString()
                .contains("root_pass is required on the image road (the 4 GiB root volume of i-1 (/dev/xvda) fits")
                .contains("'root_pass: ${env:ROOT_PASSWORD}' under target.linode")
                .contains("'via: disk'");
    }

    @Test
    void aPasswordThatCannotBeReadYetIsAWarningAtPlanTime() {
        Attributes desired = desired("web-unset", "match").toBuilder().secret("root_pass", SecretReference.of("${env:NOT_SET}")).build();

        PlanResult result = plan(desired, Optional.empty());

        assertThat(result.errors()).isEmpty();
        assertThat(result.notes()).filteredOn(note -> note.level() == Note.Level.WARNING).singleElement()
                .satisfies(note -> assertThat(note.text()).contains("the root password cannot be checked yet").contains("NOT_SET"));
    }

    @Test
    void aLabelLinodeWouldRefuseStopsThePlan() {
        assertThat(plan(desired("1web", "match"), Optional.empty()).errors()).singleElement().asString()
                .contains("the label '1web' is not a valid Linode label: it must start with a letter");
        assertThat(plan(desired("web--01", "match"), Optional.empty()).errors()).singleElement().asString()
                .contains("never two of '-', '_', '.' in a row");
    }

    @Test
    void anUnknownTypeIdStopsThePlan() {
        assertThat(plan(desired("web-typo", "g6-standard-3"), Optional.empty()).errors()).singleElement().asString()
                .contains("type 'g6-standard-3' is not a Linode type; for this machine g6-standard-2 fits");
    }

    @Test
    void createsTheLinodeAndWaitsUntilItRuns() {
        Outcome.Done done = create("web-created", desired("web-created", "match"));

        LinodeInstance linode = inSandbox(done.id());
        assertThat(linode.status()).isEqualTo("running");
        assertThat(linode.type()).isEqualTo("g6-standard-2");
        assertThat(linode.label()).isEqualTo("web-created");
        assertThat(linode.authorizedKeys()).containsExactly(KEY);
        assertThat(linode.tags()).contains("migrated", "ferry-id:" + FakeApplyContext.identity("linode_instance.web-created").token(),
                "ferry:linode_instance.web-created");
        assertThat(done.outputs().get("status").asText()).isEqualTo("running");
        assertThat(done.outputs().get("ipv4").get(0).asText()).isEqualTo(linode.ipv4().get(0));
        assertThat(done.outputs().get("ipv6").asText()).isEqualTo(linode.ipv6());
        assertThat(done.outputs().get("type").asText()).isEqualTo("g6-standard-2");
    }

    @Test
    void aCreateWhoseAnswerWasLostAdoptsTheLinodeInsteadOfMakingATwin() {
        sandbox.faults().set("services=linode,actions=POST /linode/instances,cut=1,cut-direction=response,count=1");
        try {
            Outcome.Done done = create("web-cut", desired("web-cut", "g6-nanode-1"));

            assertThat(sandbox.world().linode().instances()).filteredOn(l -> l.label().equals("web-cut")).singleElement()
                    .satisfies(l -> assertThat(l.id()).isEqualTo(Long.parseLong(done.id())));
        } finally {
            sandbox.faults().clear();
        }
    }

    @Test
    void aLinodeNotToBeBootedIsDoneWhenOffline() {
        Attributes desired = desired("web-off", "g6-nanode-1").with("booted", JsonNodeFactory.instance.booleanNode(false));

        Outcome.Done done = create("web-off", desired);

        assertThat(inSandbox(done.id()).status()).isEqualTo("offline");
    }

    @Test
    void aWeakPasswordIsRefusedBeforeAnyCallAtApplyTime() {
        Attributes planned = plan(desired("web-late", "match"), Optional.empty()).planned()
                .toBuilder().secret("root_pass", SecretReference.of("${env:WEAK_PASSWORD}")).build();
        FakeApplyContext context = new FakeApplyContext(FakeApplyContext.identity("linode_instance.web-late"), planned, Optional.empty(),
                secrets);
        long posts = sandbox.requests().count("linode:POST /linode/instances");

        assertThatThrownBy(() -> instances.create(context))
                .isInstanceOf(FerryException.class)
                .hasMessageContaining("strength check")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("password1"));
        assertThat(sandbox.requests().count("linode:POST /linode/instances")).isEqualTo(posts);
    }

    @Test
    void aLabelAnotherLinodeHasIsExplained() {
        create("web-dup-1", desired("web-dup", "g6-nanode-1"));
        PlanResult planned = plan(desired("web-dup", "g6-nanode-1"), Optional.empty());
        FakeApplyContext second = new FakeApplyContext(FakeApplyContext.identity("linode_instance.web-dup-2"), planned.planned(),
                Optional.empty(), secrets);

        assertThatThrownBy(() -> instances.create(second))
                .isInstanceOf(FerryException.class)
                .hasMessageStartingWith("another Linode in the account is already labelled 'web-dup'; set target.linode.label");
    }

    @Test
    void findsRefreshesUpdatesAndDeletesOnlyItsOwnLinode() {
        Outcome.Done done = create("web-life", desired("web-life", "match"));
        FakeApplyContext made = new FakeApplyContext(FakeApplyContext.identity("linode_instance.web-life"),
                plan(desired("web-life", "match"), Optional.empty()).planned(), Optional.empty(), secrets);
        ResourceAddress address = made.identity().address();
        ObjectNode recorded = made.arguments().knownValues();

        assertThat(instances.findExisting(made.identity(), made.arguments())).map(found -> found.id()).contains(done.id());
        Observation observed = instances.refresh(List.of(new RefreshRequest(address, done.id(), recorded, done.outputs()))).get(address);
        assertThat(observed).isInstanceOfSatisfying(Observation.Exists.class, exists -> exists.arguments().properties().forEach(
                field -> assertThat(field.getValue()).as("no drift in " + field.getKey()).isEqualTo(recorded.get(field.getKey()))));

        Attributes changed = made.arguments().with("label", JsonNodeFactory.instance.textNode("web-life-2"))
                .with("tags", JsonNodeFactory.instance.arrayNode().add("migrated").add("prod"));
        PriorState prior = new PriorState(done.id(), recorded, done.outputs());
        Outcome.Done updated = (Outcome.Done) instances.update(new FakeApplyContext(made.identity(), changed, Optional.of(prior), secrets));
        assertThat(updated.outputs().get("label").asText()).isEqualTo("web-life-2");
        assertThat(inSandbox(done.id()).tags()).contains("prod", "ferry-id:" + made.identity().token());

        FakeApplyContext stranger = new FakeApplyContext(FakeApplyContext.identity("linode_instance.not-mine"), changed,
                Optional.of(prior), secrets);
        assertThatThrownBy(() -> instances.delete(stranger)).hasMessageContaining("so ferry will not delete it");
        assertThat(instances.delete(new FakeApplyContext(made.identity(), changed, Optional.of(prior), secrets)))
                .isInstanceOf(Outcome.Deleted.class);
        assertThat(sandbox.world().linode().instances()).noneMatch(l -> l.id() == Long.parseLong(done.id()));
        assertThat(instances.refresh(List.of(new RefreshRequest(address, done.id(), recorded, done.outputs()))).get(address))
                .isInstanceOf(Observation.Gone.class);
    }

    @Test
    void refreshesManyLinodesWithOneListing() {
        Outcome.Done a = create("web-many-a", desired("web-many-a", "g6-nanode-1"));
        Outcome.Done b = create("web-many-b", desired("web-many-b", "g6-nanode-1"));
        ObjectNode none = JsonNodeFactory.instance.objectNode();
        long before = sandbox.requests().count("linode:GET /linode/instances");

        Map<ResourceAddress, Observation> observed = instances.refresh(List.of(
                new RefreshRequest(ResourceAddress.parse("linode_instance.a"), a.id(), none, none),
                new RefreshRequest(ResourceAddress.parse("linode_instance.b"), b.id(), none, none),
                new RefreshRequest(ResourceAddress.parse("linode_instance.c"), "41999999", none, none)));

        assertThat(observed.get(ResourceAddress.parse("linode_instance.a"))).isInstanceOf(Observation.Exists.class);
        assertThat(observed.get(ResourceAddress.parse("linode_instance.b"))).isInstanceOf(Observation.Exists.class);
        assertThat(observed.get(ResourceAddress.parse("linode_instance.c"))).isInstanceOf(Observation.Gone.class);
        dev.ferry.sandbox.TestSandboxes.waitUntil("the listing logged", java.time.Duration.ofSeconds(5),
                () -> sandbox.requests().count("linode:GET /linode/instances") == before + 1);
    }

    @Test
    void joinsTheFirewallAtCreationAndMovesBetweenFirewallsInPlace() {
        String first = firewall("fw-first");
        String second = firewall("fw-second");
        Attributes desired = desired("web-fw", "g6-nanode-1").with("firewall_id", JsonNodeFactory.instance.textNode(first));

        Outcome.Done done = create("web-fw", desired);

        assertThat(devicesOf(first)).containsExactly(Long.parseLong(done.id()));
        FakeApplyContext made = new FakeApplyContext(FakeApplyContext.identity("linode_instance.web-fw"),
                plan(desired, Optional.empty()).planned(), Optional.empty(), secrets);
        Attributes moved = made.arguments().with("firewall_id", JsonNodeFactory.instance.textNode(second));
        PriorState prior = new PriorState(done.id(), made.arguments().knownValues(), done.outputs());

        instances.update(new FakeApplyContext(made.identity(), moved, Optional.of(prior), secrets));

        assertThat(devicesOf(first)).isEmpty();
        assertThat(devicesOf(second)).containsExactly(Long.parseLong(done.id()));
    }

    private String firewall(String label) {
        ObjectNode body = JsonNodeFactory.instance.objectNode().put("label", label);
        body.putObject("rules").put("inbound_policy", "DROP").put("outbound_policy", "ACCEPT");
        return client.post("/networking/firewalls", body, LinodeClient.Replay.ONCE).path("id").asText();
    }

    private List<Long> devicesOf(String firewallId) {
        Firewall firewall = sandbox.world().linode().firewalls().stream().filter(f -> f.id() == Long.parseLong(firewallId)).findFirst().orElseThrow();
        return firewall.devices().stream().map(d -> d.entityId()).toList();
    }
}
