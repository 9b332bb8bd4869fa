package dev.ferry.engine.apply;

import static dev.ferry.engine.testing.EngineHarness.data;
import static dev.ferry.engine.testing.EngineHarness.slow;
import static dev.ferry.engine.testing.EngineHarness.thing;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.engine.resource.ResourceDeclaration;
import dev.ferry.engine.state.ResourceState;
import dev.ferry.engine.state.ResourceStatus;
import dev.ferry.engine.testing.EngineHarness;
import dev.ferry.engine.testing.FreezableStateStore;
import dev.ferry.engine.testing.MemoryCloud;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Kills the apply at every call it makes to the cloud, in turn — just before the call is sent, and
 * just after the cloud acted but before the answer arrived — and checks that the next run converges
 * to the same end state without creating anything twice. A "kill" freezes the state store (later
 * writes are lost, as in a dead process) and refuses every later cloud call.
 */
class CrashResumeTest {

    /** A journey in miniature: a data read, long operations, a fan-in, a staging copy cleaned up after its consumer. */
    static List<ResourceDeclaration> journey() {
        return List.of(
                data("source").arg("key", "vm").build(),
                slow("snapshot").ref("of", "data.test_data.source", "value").arg("polls", 2)
                        .cleanupAfter("test_slow.image").build(),
                thing("bucket").arg("value", "staging").build(),
                slow("image").ref("from", "test_slow.snapshot", "id").ref("via", "test_thing.bucket", "id").arg("polls", 3).build(),
                thing("firewall").arg("value", "rules").build(),
                slow("instance").ref("image", "test_slow.image", "id").ref("firewall", "test_thing.firewall", "id")
                        .arg("polls", 2).build());
    }

    enum When { BEFORE_THE_CALL, AFTER_THE_CALL }

    static int callsInACleanRun() {
        EngineHarness clean = new EngineHarness();
        clean.planAndApply(journey());
        return clean.cloud().calls().size();
    }

    static Stream<Arguments> killPoints() {
        int calls = callsInACleanRun();
        return IntStream.rangeClosed(1, calls).boxed()
                .flatMap(k -> Stream.of(Arguments.of(k, When.BEFORE_THE_CALL), Arguments.of(k, When.AFTER_THE_CALL)));
    }

    @ParameterizedTest(name = "killed {1} number {0}")
    @MethodSource("killPoints")
    void convergesAfterBeingKilled(int killAt, When when) {
        MemoryCloud cloud = new MemoryCloud();
        FreezableStateStore store = new FreezableStateStore();
        EngineHarness first = new EngineHarness(cloud, store, 2);
        AtomicInteger calls = new AtomicInteger();
        AtomicBoolean dead = new AtomicBoolean();
        cloud.beforeEachCall(call -> {
            if (dead.get()) {
                return false;
            }
            if (when == When.BEFORE_THE_CALL && calls.incrementAndGet() == killAt) {
                dead.set(true);
                store.freeze();
                return false;
            }
            return true;
        });
        cloud.afterEachCall(call -> {
            if (when == When.AFTER_THE_CALL && !dead.get() && calls.incrementAndGet() == killAt) {
                dead.set(true);
                store.freeze();
                throw new MemoryCloud.CrashBeforeCall("the answer to " + call);
            }
        });

        try {
            first.planAndApply(journey());
        } catch (RuntimeException killedWhilePlanning) {
            // the process died during plan; nothing was applied
        }

        // A new process: the same cloud and whatever state reached the disk.
        cloud.beforeEachCall(call -> true);
        cloud.afterEachCall(call -> { });
        store.thaw();
        EngineHarness second = new EngineHarness(cloud, store, 2);
        ApplyResult result = second.planAndApply(journey());

        assertThat(result.failures()).as("failures of the re-run").isEmpty();
        assertThat(result.succeeded()).isTrue();
        for (String address : List.of("test_thing.bucket", "test_slow.image", "test_thing.firewall", "test_slow.instance")) {
            assertThat(cloud.thingsAt(address)).as(address + " in the cloud").hasSize(1);
            ResourceState recorded = second.state().get(dev.ferry.engine.resource.ResourceAddress.parse(address)).orElseThrow();
            assertThat(recorded.status()).isEqualTo(ResourceStatus.CREATED);
            assertThat(recorded.id()).contains(cloud.thingsAt(address).get(0).id());
            assertThat(recorded.operation()).isEmpty();
        }
        assertThat(cloud.calls()).as("what was made is never deleted to be made again (a clean-up cut short is finished, not redone)")
                .doesNotContain("delete test_slow.image", "delete test_thing.bucket", "delete test_thing.firewall", "delete test_slow.instance");
        assertThat(cloud.thingsAt("test_slow.snapshot")).as("the staging copy is cleaned up").isEmpty();
        assertThat(cloud.things()).hasSize(4);
        assertThat(second.plan(journey()).hasChanges()).as("a third run has nothing to do").isFalse();
    }
}
