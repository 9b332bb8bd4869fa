package dev.ferry.engine.apply;

import static dev.ferry.engine.testing.EngineHarness.data;
import static dev.ferry.engine.testing.EngineHarness.slow;
import static dev.ferry.engine.testing.EngineHarness.thing;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.TextNode;
import dev.ferry.engine.diff.Planner;
import dev.ferry.engine.event.Event;
import dev.ferry.engine.plan.Action;
import dev.ferry.engine.plan.Change;
import dev.ferry.engine.plan.Plan;
import dev.ferry.engine.resource.ResourceAddress;
import dev.ferry.engine.resource.ResourceDeclaration;
import dev.ferry.engine.state.ResourceState;
import dev.ferry.engine.state.ResourceStatus;
import dev.ferry.engine.state.StateCodec;
import dev.ferry.engine.testing.EngineHarness;
import dev.ferry.engine.testing.MemoryCloud;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class ApplyTest {

    private final EngineHarness engine = new EngineHarness();

    private static Map<String, Action> actions(Plan plan) {
        return plan.changes().stream().filter(c -> c.action() != Action.NOOP)
                .collect(Collectors.toMap(c -> c.address().toString(), Change::action));
    }

    private static List<ResourceDeclaration> chain() {
        return List.of(
                thing("base").arg("value", "one").arg("size", 1).build(),
                slow("middle").ref("input", "test_thing.base", "id").build(),
                thing("top").ref("input", "test_slow.middle", "id").arg("value", "x").build());
    }

    @Test
    void createsEverythingInDependencyOrderThenHasNoChanges() {
        ApplyResult result = engine.planAndApply(chain());

        assertThat(result.succeeded()).as(result.failures().toString()).isTrue();
        assertThat(result.added()).isEqualTo(3);
        List<String> creates = engine.cloud().calls().stream().filter(c -> c.startsWith("create")).toList();
        assertThat(creates).containsExactly("create test_thing.base", "create test_slow.middle", "create test_thing.top");
        assertThat(engine.cloud().things()).hasSize(3);
        assertThat(engine.plan(chain()).hasChanges()).isFalse();
    }

    @Test
    void aStartTheCloudQueuesIsTriedAgainAfterTheWaitItAsksForNotThePollInterval_andSaysSo() {
        engine.options(ApplyOptions.defaults().withMaxPollInterval(Duration.ofMillis(1)).withMaxQueuedWait(Duration.ofMillis(300)));

        ApplyResult result = engine.planAndApply(List.of(slow("queued").arg("queued", 2).build()));

        assertThat(result.succeeded()).as(result.failures().toString()).isTrue();
        List<String> statuses = engine.events().stream().filter(e -> e instanceof Event.StepProgress).map(e -> ((Event.StepProgress) e).status())
                .toList();
        assertThat(statuses).filteredOn(status -> status.startsWith("queued")).containsExactly(
                "queued by the memory cloud: every slot of the account is taken; retrying in 200ms",
                "queued by the memory cloud: every slot of the account is taken; retrying in 200ms");
        assertThat(engine.cloud().calls()).filteredOn(call -> call.startsWith("create")).hasSize(3);
    }

    @Test
    void theWaitOfAQueuedStartIsCappedLikeEveryPollWhenAShorterOneIsAskedFor() {
        assertThat(ApplyOptions.defaults().maxQueuedWait()).isEqualTo(Duration.ofMinutes(10));
        assertThat(ApplyOptions.defaults().maxPollInterval()).isEqualTo(Duration.ofSeconds(15));
        engine.options(ApplyOptions.defaults().withMaxPollInterval(Duration.ofMillis(5)));

        assertThat(engine.planAndApply(List.of(slow("queued").arg("queued", 1).build())).succeeded()).isTrue();

        assertThat(engine.events()).filteredOn(e -> e instanceof Event.StepProgress).extracting(e -> ((Event.StepProgress) e).status())
                .contains("queued by the memory cloud: every slot of the account is taken; retrying in 5ms");
    }

    @Test
    void changesAnUpdatableArgumentInPlace() {
        engine.planAndApply(chain());
        List<ResourceDeclaration> changed = List.of(
                thing("base").arg("value", "two").arg("size", 1).build(), chain().get(1), chain().get(2));

        Plan plan = engine.plan(changed);

        assertThat(actions(plan)).containsExactly(Map.entry("test_thing.base", Action.UPDATE));
        Change update = plan.change(ResourceAddress.parse("test_thing.base")).orElseThrow();
        assertThat(update.before().get("value").asText()).isEqualTo("one");
        assertThat(update.after().text("value")).isEqualTo("two");
        assertThat(engine.apply(plan).changed()).isEqualTo(1);
        assertThat(engine.cloud().things()).hasSize(3);
    }

    @Test
    void replacesWhenAnArgumentThatCannotChangeInPlaceChanges_andNamesIt() {
        engine.planAndApply(chain());
        List<ResourceDeclaration> changed = List.of(
                thing("base").arg("value", "one").arg("size", 2).build(), chain().get(1), chain().get(2));

        Plan plan = engine.plan(changed);

        Change replace = plan.change(ResourceAddress.parse("test_thing.base")).orElseThrow();
        assertThat(replace.action()).isEqualTo(Action.REPLACE);
        assertThat(replace.replaceBecause()).containsExactly("size");
        // what refers to its id sees "known after apply", and is replaced too
        assertThat(actions(plan)).containsEntry("test_slow.middle", Action.REPLACE).containsEntry("test_thing.top", Action.REPLACE);

        ApplyResult result = engine.apply(plan);
        assertThat(result.succeeded()).as(result.failures().toString()).isTrue();
        assertThat(engine.cloud().things()).hasSize(3);
        assertThat(engine.plan(changed).hasChanges()).isFalse();
    }

    @Test
    void deletesWhatTheFileNoLongerDeclares_dependentsFirst() {
        engine.planAndApply(chain());

        Plan plan = engine.plan(List.of(chain().get(0)));

        assertThat(actions(plan)).containsOnly(Map.entry("test_slow.middle", Action.DELETE), Map.entry("test_thing.top", Action.DELETE));
        engine.apply(plan);
        List<String> deletes = engine.cloud().calls().stream().filter(c -> c.startsWith("delete")).toList();
        assertThat(deletes).containsExactly("delete test_thing.top", "delete test_slow.middle");
        assertThat(engine.cloud().things()).hasSize(1);
    }

    @Test
    void reportsDriftAndPlansToCorrectIt() {
        engine.planAndApply(chain());
        String id = engine.state().get(ResourceAddress.parse("test_thing.base")).orElseThrow().id().orElseThrow();
        engine.cloud().tamper(id, "value", TextNode.valueOf("changed-by-hand"));

        Plan plan = engine.plan(chain());

        assertThat(plan.drift()).singleElement().satisfies(drift -> {
            assertThat(drift.address().toString()).isEqualTo("test_thing.base");
            assertThat(drift.arguments().get("value").observed().asText()).isEqualTo("changed-by-hand");
        });
        assertThat(actions(plan)).containsExactly(Map.entry("test_thing.base", Action.UPDATE));
    }

    @Test
    void recreatesWhatWasDeletedOutsideFerry() {
        engine.planAndApply(chain());
        String id = engine.state().get(ResourceAddress.parse("test_thing.top")).orElseThrow().id().orElseThrow();
        engine.cloud().delete(id);

        Plan plan = engine.plan(chain());

        assertThat(actions(plan)).containsExactly(Map.entry("test_thing.top", Action.CREATE));
        assertThat(plan.change(ResourceAddress.parse("test_thing.top")).orElseThrow().reason()).hasValue("it was deleted outside ferry");
    }

    @Test
    void readsDataAtPlanTimeInOneBatchAndFeedsItsOutputs() {
        List<ResourceDeclaration> declarations = List.of(
                data("a").arg("key", "alpha").build(),
                data("b").arg("key", "beta").build(),
                thing("user").ref("value", "data.test_data.a", "value").build());

        Plan plan = engine.plan(declarations);

        assertThat(engine.cloud().count("read 2 test_data")).isEqualTo(1);
        assertThat(plan.change(ResourceAddress.parse("test_thing.user")).orElseThrow().after().text("value")).isEqualTo("alpha-fact");
        assertThat(engine.apply(plan).succeeded()).isTrue();
        assertThat(engine.state().get(ResourceAddress.parse("data.test_data.a")).orElseThrow().status()).isEqualTo(ResourceStatus.READ);
    }

    @Test
    void defersADataReadWhoseArgumentsAreKnownOnlyDuringApply() {
        List<ResourceDeclaration> declarations = List.of(
                thing("made").arg("value", "v").build(),
                data("later").ref("key", "test_thing.made", "id").build(),
                thing("user").ref("value", "data.test_data.later", "value").build());

        Plan plan = engine.plan(declarations);

        assertThat(actions(plan)).containsEntry("data.test_data.later", Action.READ);
        assertThat(plan.change(ResourceAddress.parse("test_thing.user")).orElseThrow().after().isUnknown("value")).isTrue();
        ApplyResult result = engine.apply(plan);
        assertThat(result.succeeded()).as(result.failures().toString()).isTrue();
        String madeId = engine.state().get(ResourceAddress.parse("test_thing.made")).orElseThrow().id().orElseThrow();
        assertThat(engine.state().get(ResourceAddress.parse("test_thing.user")).orElseThrow().arguments().get("value").asText())
                .isEqualTo(madeId + "-fact");
    }

    @Test
    void completesArgumentsUnknownAtPlanTimeWithTheProviderDuringApply() {
        List<ResourceDeclaration> declarations = List.of(
                thing("source").arg("value", "v").build(),
                thing("derived").ref("derive_from", "test_thing.source", "id").build());

        Plan plan = engine.plan(declarations);
        assertThat(plan.change(ResourceAddress.parse("test_thing.derived")).orElseThrow().after().isUnknown("derived")).isTrue();
        engine.apply(plan);

        ResourceState derived = engine.state().get(ResourceAddress.parse("test_thing.derived")).orElseThrow();
        String sourceId = engine.state().get(ResourceAddress.parse("test_thing.source")).orElseThrow().id().orElseThrow();
        assertThat(derived.arguments().get("derived").asText()).isEqualTo(sourceId + "!");
    }

    @Test
    void aFailureSkipsOnlyItsDependents_independentBranchesFinish() {
        engine.cloud().failNext("create test_thing.broken", 1);
        List<ResourceDeclaration> declarations = List.of(
                thing("broken").arg("value", "x").build(),
                thing("after-broken").ref("input", "test_thing.broken", "id").build(),
                thing("after-after").ref("input", "test_thing.after-broken", "id").build(),
                thing("independent").arg("value", "y").build());

        ApplyResult result = engine.planAndApply(declarations);

        assertThat(result.failures()).singleElement().satisfies(f -> assertThat(f.message())
                .isEqualTo("test_thing.broken: injected failure of create test_thing.broken"));
        assertThat(result.skipped()).isEqualTo(2);
        assertThat(engine.cloud().thingsAt("test_thing.independent")).hasSize(1);
        assertThat(engine.events()).filteredOn(e -> e instanceof Event.StepSkipped).hasSize(2)
                .allSatisfy(e -> assertThat(((Event.StepSkipped) e).cause().toString()).isEqualTo("test_thing.broken"));
        // the next run finishes the job
        assertThat(engine.planAndApply(declarations).succeeded()).isTrue();
        assertThat(engine.cloud().things()).hasSize(4);
    }

    @Test
    void namedLimitsQueueResourcesInsteadOfFailingThem() {
        List<ResourceDeclaration> declarations = java.util.stream.IntStream.range(0, 6)
                .mapToObj(i -> slow("limited-" + i).arg("limited", true).arg("polls", 5).build())
                .toList();

        ApplyResult result = engine.planAndApply(declarations);

        assertThat(result.succeeded()).isTrue();
        assertThat(engine.cloud().things()).hasSize(6);
        assertThat(engine.events()).filteredOn(e -> e instanceof Event.StepQueued).isNotEmpty()
                .allSatisfy(e -> assertThat(((Event.StepQueued) e).limit()).isEqualTo("memory:slots"));
    }

    @Test
    void secretValuesReachTheProviderButNeverTheState() {
        ApplyResult result = engine.planAndApply(List.of(thing("with-secret").secret("password", "TEST_SECRET").build()));

        assertThat(result.succeeded()).isTrue();
        assertThat(engine.cloud().things().get(0).attributes().get("password_length").asInt()).isEqualTo("hunter2-secret-value".length());
        String stateJson = new String(StateCodec.encode(engine.state()), StandardCharsets.UTF_8);
        assertThat(stateJson).doesNotContain("hunter2").contains("${env:TEST_SECRET}");
        assertThat(engine.plan(List.of(thing("with-secret").secret("password", "TEST_SECRET").build())).hasChanges()).isFalse();
    }

    @Test
    void stagingCopiesAreCleanedUpOnceTheirConsumerExists_andNotMadeAgain() {
        List<ResourceDeclaration> declarations = List.of(
                slow("copy").arg("value", "image").cleanupAfter("test_thing.consumer").build(),
                thing("consumer").ref("input", "test_slow.copy", "id").build());

        ApplyResult result = engine.planAndApply(declarations);

        assertThat(result.succeeded()).isTrue();
        assertThat(result.cleanedUp()).isEqualTo(1);
        assertThat(engine.cloud().thingsAt("test_slow.copy")).isEmpty();
        assertThat(engine.state().get(ResourceAddress.parse("test_slow.copy")).orElseThrow().status()).isEqualTo(ResourceStatus.CONSUMED);
        assertThat(engine.plan(declarations).hasChanges()).isFalse();

        // the consumer is lost: the copy must be made again, then cleaned up again
        String consumerId = engine.state().get(ResourceAddress.parse("test_thing.consumer")).orElseThrow().id().orElseThrow();
        engine.cloud().delete(consumerId);
        Plan plan = engine.plan(declarations);
        assertThat(actions(plan)).containsEntry("test_slow.copy", Action.CREATE).containsEntry("test_thing.consumer", Action.CREATE);
        assertThat(engine.apply(plan).succeeded()).isTrue();
        assertThat(engine.cloud().thingsAt("test_slow.copy")).isEmpty();
        assertThat(engine.cloud().thingsAt("test_thing.consumer")).hasSize(1);
    }

    @Test
    void destroyRemovesEverythingInReverseOrder_butKeepsWhatTheFileSaysToKeep() {
        List<ResourceDeclaration> declarations = List.of(
                thing("kept").arg("value", "k").keepOnDestroy().build(),
                thing("base").arg("value", "b").build(),
                slow("top").ref("input", "test_thing.base", "id").build());
        engine.planAndApply(declarations);

        Plan destroy = engine.planDestroy();

        assertThat(actions(destroy)).containsOnly(Map.entry("test_thing.kept", Action.FORGET),
                Map.entry("test_thing.base", Action.DELETE), Map.entry("test_slow.top", Action.DELETE));
        ApplyResult result = engine.apply(destroy);
        assertThat(result.succeeded()).isTrue();
        assertThat(result.destroyed()).isEqualTo(2);
        assertThat(result.kept()).isEqualTo(1);
        assertThat(engine.cloud().things()).extracting(MemoryCloud.Thing::address).containsExactly("test_thing.kept");
        assertThat(engine.state().isEmpty()).isTrue();
        List<String> deletes = engine.cloud().calls().stream().filter(c -> c.startsWith("delete")).toList();
        assertThat(deletes).containsExactly("delete test_slow.top", "delete test_thing.base");
    }

    @Test
    void whatIsMadeAgainAfterADestroyGetsNewIdentityTokens_asAwsRefusesAClientTokenReusedForOtherParameters() {
        engine.planAndApply(chain());
        List<String> first = engine.cloud().things().stream().map(MemoryCloud.Thing::token).toList();
        assertThat(engine.apply(engine.planDestroy()).succeeded()).isTrue();

        assertThat(engine.planAndApply(chain()).succeeded()).isTrue();

        List<String> second = engine.cloud().things().stream().map(MemoryCloud.Thing::token).toList();
        assertThat(second).hasSize(3).doesNotContainAnyElementsOf(first);
        assertThat(engine.plan(chain()).hasChanges()).isFalse();
    }

    @Test
    void planProblemsNameTheResourceAndWhereTheFileDeclaresIt() {
        assertThatThrownBy(() -> engine.plan(List.of(
                thing("bad").arg("plan_error", "the size is too big").build(),
                data("gone").arg("missing", true).build())))
                .isInstanceOf(Planner.PlanFailedException.class)
                .hasMessageContaining("test.yaml:1:1: test_thing.bad: the size is too big")
                .hasMessageContaining("test.yaml:1:1: data.test_data.gone: it does not exist");
    }

    @Test
    void resumesPollingAfterAnInterruptionInsteadOfCreatingAgain() {
        List<ResourceDeclaration> declarations = List.of(slow("long").arg("polls", 50).build());
        Cancellation cancellation = new Cancellation();
        engine.cloud().afterEachCall(call -> {
            if (call.startsWith("poll") && engine.cloud().count("poll") == 3) {
                cancellation.request();
            }
        });

        ApplyResult interrupted = engine.apply(engine.plan(declarations), cancellation);

        assertThat(interrupted.cancelled()).isTrue();
        assertThat(interrupted.failures()).isEmpty();
        ResourceState recorded = engine.state().get(ResourceAddress.parse("test_slow.long")).orElseThrow();
        assertThat(recorded.status()).isEqualTo(ResourceStatus.CREATING);
        assertThat(recorded.operation()).isPresent();

        engine.cloud().afterEachCall(call -> { });
        Plan resumed = engine.plan(declarations);
        assertThat(resumed.change(ResourceAddress.parse("test_slow.long")).orElseThrow().reason().orElseThrow())
                .startsWith("resuming the interrupted create (operation m-0001)");
        assertThat(engine.apply(resumed).succeeded()).isTrue();
        assertThat(engine.cloud().count("create")).isEqualTo(1);
        assertThat(engine.cloud().things()).hasSize(1);
    }
    @Test
    void anInterruptIsNotAFailure_theInterruptedStepAndWhatWaitsForItAreEachToldOnce() {
        List<ResourceDeclaration> declarations = List.of(
                slow("copy").arg("polls", 50).cleanupAfter("test_thing.consumer").build(),
                thing("consumer").ref("input", "test_slow.copy", "id").build(),
                thing("after-consumer").ref("input", "test_thing.consumer", "id").build());
        Cancellation cancellation = new Cancellation();
        engine.cloud().afterEachCall(call -> {
            if (call.startsWith("poll") && engine.cloud().count("poll") == 3) {
                cancellation.request();
            }
        });

        ApplyResult interrupted = engine.apply(engine.plan(declarations), cancellation);

        assertThat(interrupted.cancelled()).isTrue();
        assertThat(interrupted.failures()).isEmpty();
        assertThat(interrupted.skipped()).as("nothing was skipped because of a failure").isZero();
        assertThat(engine.events()).noneMatch(e -> e instanceof Event.StepSkipped || e instanceof Event.StepFailed);
        assertThat(engine.events()).filteredOn(e -> e instanceof Event.StepInterrupted)
                .containsExactly(new Event.StepInterrupted(ResourceAddress.parse("test_slow.copy"), Event.Verb.CREATE));
        assertThat(engine.events()).filteredOn(e -> e instanceof Event.StepNotStarted)
                .extracting(e -> ((Event.StepNotStarted) e).address().toString())
                .containsExactlyInAnyOrder("test_thing.consumer", "test_thing.after-consumer");
    }
}
