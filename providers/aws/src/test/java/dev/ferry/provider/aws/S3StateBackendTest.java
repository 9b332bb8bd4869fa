package dev.ferry.provider.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.engine.FerryException;
import dev.ferry.engine.provider.Provider;
import dev.ferry.engine.provider.ProviderContext;
import dev.ferry.engine.resource.EnvironmentSecretResolver;
import dev.ferry.engine.spec.MigrationFile;
import dev.ferry.engine.resource.ResourceAddress;
import dev.ferry.engine.state.LiveState;
import dev.ferry.engine.state.LockScope;
import dev.ferry.engine.state.RemoteStateLocation;
import dev.ferry.engine.state.ResourceState;
import dev.ferry.engine.state.ResourceStatus;
import dev.ferry.engine.state.State;
import dev.ferry.engine.state.StateBackend;
import dev.ferry.engine.state.StateCodec;
import dev.ferry.engine.state.StateLock;
import dev.ferry.sandbox.Sandbox;
import dev.ferry.sandbox.SandboxOptions;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * State in S3 through the real SDK against the sandbox: the lock is one object made with If-None-Match: *, and a
 * state write carries If-Match on the ETag its run last saw, so a state another run wrote is never overwritten.
 */
class S3StateBackendTest {

    @TempDir
    Path directory;

    Sandbox sandbox;
    MigrationFile file;
    RemoteStateLocation location = new RemoteStateLocation("s3", "team-state", "web-tier/state.json", Optional.empty());

    @BeforeEach
    void start() {
        sandbox = Sandbox.start(SandboxOptions.builder().build());
        sandbox.world().s3().createBucket("team-state", "BucketOwnerEnforced");
        file = Journey.load(Stream.concat(Stream.of((Provider) new AwsProvider()), new FakeNeighbours().providers().stream()).toList(),
                CredentialsAndEndpointTest.file("{region: us-west-1, endpoint: \"" + sandbox.endpoint() + "\"}"), directory);
    }

    @AfterEach
    void stop() {
        sandbox.close();
    }

    StateBackend backend() {
        Map<String, String> environment = sandbox.environment();
        return new AwsProvider(Journey.FAST_RETRIES, Journey.SMALL_PARTS).stateBackend(location, new ProviderContext(file.provider("aws"),
                file, environment, Journey.HOME, new EnvironmentSecretResolver(environment, directory))).orElseThrow();
    }

    String stored() {
        return new String(sandbox.world().s3().object("team-state", "web-tier/state.json").map(o -> {
            try (var in = sandbox.world().s3().openObject("team-state", "web-tier/state.json")) {
                return in.readAllBytes();
            } catch (java.io.IOException e) {
                throw new AssertionError(e);
            }
        }).orElseThrow(), java.nio.charset.StandardCharsets.UTF_8);
    }

    @Test
    void aSecondRunIsRefusedTheLockNamingTheFirstUntilItIsReleased() {
        try (StateBackend first = backend(); StateBackend second = backend()) {
            StateBackend.Lock held = first.lock("apply");
            assertThatThrownBy(() -> second.lock("apply"))
                    .isInstanceOf(FerryException.class)
                    .hasMessageContaining("the state is locked by " + held.info().holder())
                    .hasMessageContaining("pid " + held.info().pid())
                    .hasMessageContaining("'ferry apply'")
                    .hasMessageContaining("ferry force-unlock " + held.info().id());
            assertThat(sandbox.world().s3().object("team-state", "web-tier/state.json.lock")).isPresent();
            held.close();
            assertThat(sandbox.world().s3().object("team-state", "web-tier/state.json.lock")).isEmpty();
            second.lock("apply").close();
        }
    }

    @Test
    void forceUnlockRemovesTheRemoteLockOnlyByItsId() {
        try (StateBackend first = backend(); StateBackend other = backend()) {
            StateBackend.Lock held = first.lock("apply");
            assertThatThrownBy(() -> other.forceUnlock("not-the-id")).hasMessageContaining("the lock id is " + held.info().id());
            assertThat(other.forceUnlock(held.info().id()).holder()).isEqualTo(held.info().holder());
            other.lock("apply").close();
        }
    }

    @Test
    void shardsOfOneStateHoldTheirLockObjectsAtOnceWhileTheWholeStateAndAnotherCountAreRefused() {
        try (StateBackend zero = backend(); StateBackend one = backend(); StateBackend whole = backend(); StateBackend ofThree = backend()) {
            StateBackend.Lock first = zero.lock("apply", LockScope.shard(0, 4));
            StateBackend.Lock second = one.lock("apply", LockScope.shard(1, 4));
            assertThat(sandbox.world().s3().object("team-state", "web-tier/state.json.lock.d/shard-0-of-4")).isPresent();
            assertThat(sandbox.world().s3().object("team-state", "web-tier/state.json.lock.d/shard-1-of-4")).isPresent();
            assertThatThrownBy(() -> whole.lock("apply"))
                    .isInstanceOf(StateLock.Held.class)
                    .hasMessageContaining("2 shard runs")
                    .hasMessageContaining("lock id " + first.info().id())
                    .hasMessageContaining("lock id " + second.info().id());
            assertThat(sandbox.world().s3().object("team-state", "web-tier/state.json.lock")).as("the refused run removed its own").isEmpty();
            assertThatThrownBy(() -> ofThree.lock("apply", LockScope.shard(0, 3)))
                    .isInstanceOf(StateLock.Held.class)
                    .hasMessageContaining("shards of another count");
            assertThat(sandbox.world().s3().object("team-state", "web-tier/state.json.lock.d/shard-0-of-3")).isEmpty();
            assertThatThrownBy(() -> whole.lock("apply", LockScope.shard(1, 4)))
                    .isInstanceOf(StateLock.Held.class)
                    .hasMessageContaining("ferry force-unlock " + second.info().id());
            first.close();
            second.close();
            StateBackend.Lock all = whole.lock("apply");
            assertThatThrownBy(() -> zero.lock("apply", LockScope.shard(0, 4)))
                    .isInstanceOf(StateLock.Held.class)
                    .hasMessageContaining("ferry force-unlock " + all.info().id());
            assertThat(sandbox.world().s3().object("team-state", "web-tier/state.json.lock.d/shard-0-of-4")).isEmpty();
            all.close();
        }
    }

    @Test
    void aShardLockOfAProcessGoneFromThisMachineIsTakenOverAndAnyShardLockIsForceUnlockedByItsId() throws Exception {
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        StateLock.Info mine = StateLock.mine("apply");
        StateLock.Info dead = new StateLock.Info("0b4c-dead", mine.holder(), gone.pid(), mine.host(), "apply", mine.created(),
                Optional.empty());
        sandbox.world().s3().putObject("team-state", "web-tier/state.json.lock.d/shard-2-of-4", StateCodec.MAPPER.writeValueAsBytes(dead));
        try (StateBackend again = backend(); StateBackend other = backend()) {
            StateBackend.Lock taken = again.lock("apply", LockScope.shard(2, 4));
            assertThat(taken.takenOver()).contains(dead);
            assertThatThrownBy(() -> other.forceUnlock("not-an-id"))
                    .hasMessageContaining("no lock of the state")
                    .hasMessageContaining(taken.info().id() + " (shard 2/4");
            assertThat(other.forceUnlock(taken.info().id())).isEqualTo(taken.info());
            assertThat(sandbox.world().s3().object("team-state", "web-tier/state.json.lock.d/shard-2-of-4")).isEmpty();
            other.lock("apply").close();
            taken.close();
        }
    }

    @Test
    void aFirstStateWrittenByAnotherRunBetweenReadAndWriteIsNeverOverwritten() {
        try (StateBackend mine = backend(); StateBackend theirs = backend()) {
            assertThat(mine.store().read()).isEmpty();
            assertThat(theirs.store().read()).isEmpty();
            theirs.store().write(State.empty().withMigration("theirs"));
            assertThatThrownBy(() -> mine.store().write(State.empty().withMigration("mine")))
                    .isInstanceOf(FerryException.class)
                    .hasMessageContaining("the state s3://team-state/web-tier/state.json was changed by another run")
                    .hasMessageContaining("not overwritten");
            assertThat(stored()).contains("\"theirs\"").doesNotContain("\"mine\"");
        }
    }

    @Test
    void aStateChangedByAnotherRunBetweenReadAndWriteIsNeverOverwrittenAndTheErrorNamesThatRun() {
        try (StateBackend setup = backend()) {
            setup.store().read();
            setup.store().write(State.empty().withMigration("web-tier"));
        }
        try (StateBackend mine = backend(); StateBackend theirs = backend()) {
            State read = mine.store().read().orElseThrow();
            StateBackend.Lock theirLock = theirs.lock("apply");
            State their = theirs.store().read().orElseThrow();
            theirs.store().write(new State(their.lineage(), their.serial() + 7, their.migration(), Map.of()));
            assertThatThrownBy(() -> mine.store().write(new State(read.lineage(), read.serial() + 1, read.migration(), Map.of())))
                    .isInstanceOf(FerryException.class)
                    .hasMessageContaining("was changed by another run")
                    .hasMessageContaining(theirLock.info().holder())
                    .hasMessageContaining(theirLock.info().id());
            try (StateBackend reader = backend()) {
                assertThat(reader.store().read().orElseThrow().serial()).isEqualTo(their.serial() + 7);
            }
            // Its own writes follow one another: each carries the ETag of the one before.
            theirs.store().write(new State(their.lineage(), their.serial() + 8, their.migration(), Map.of()));
            theirLock.close();
        }
    }

    String object(String key) {
        try (var in = sandbox.world().s3().openObject("team-state", key)) {
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    static ResourceState made(String address, String id, Optional<String> migration) {
        java.time.Instant now = java.time.Instant.parse("2026-12-04T01:00:00Z");
        return ResourceState.creating(ResourceAddress.parse(address), 1, now).withId(Optional.of(id), now)
                .withStatus(ResourceStatus.CREATED, now).withMigration(migration);
    }

    @Test
    void aStepWritesOnlyTheObjectOfItsMigrationWithOneConditionalPut() {
        Map<ResourceAddress, ResourceState> resources = new java.util.TreeMap<>();
        for (ResourceState resource : List.of(made("aws_s3_bucket.staging", "bucket-1", Optional.empty()),
                made("aws_ami.web-01", "ami-web", Optional.of("web-01")), made("aws_ami.db-01", "ami-db", Optional.of("db-01")))) {
            resources.put(resource.address(), resource);
        }
        try (StateBackend setup = backend()) {
            setup.store().write(new State("lineage-s3", 4, Optional.of("web-tier"), resources));
        }
        assertThat(stored()).contains("\"format_version\" : 2").doesNotContain("ami-web");
        String shared = sandbox.world().s3().object("team-state", "web-tier/state.d/_shared.json").orElseThrow().etag();
        String db = sandbox.world().s3().object("team-state", "web-tier/state.d/migrations/db-01.json").orElseThrow().etag();
        String manifest = sandbox.world().s3().object("team-state", "web-tier/state.json").orElseThrow().etag();

        try (StateBackend step = backend()) {
            State read = step.store().read().orElseThrow();
            LiveState live = new LiveState(step.store(), read);
            live.update(ResourceAddress.parse("aws_ami.web-01"), r -> r.map(x -> x.withId(Optional.of("ami-web-2"), x.updatedAt())));
        }
        assertThat(object("web-tier/state.d/migrations/web-01.json")).contains("ami-web-2");
        assertThat(sandbox.world().s3().object("team-state", "web-tier/state.d/_shared.json").orElseThrow().etag()).isEqualTo(shared);
        assertThat(sandbox.world().s3().object("team-state", "web-tier/state.d/migrations/db-01.json").orElseThrow().etag()).isEqualTo(db);
        assertThat(sandbox.world().s3().object("team-state", "web-tier/state.json").orElseThrow().etag()).isEqualTo(manifest);
        try (StateBackend reader = backend()) {
            State read = reader.store().read().orElseThrow();
            assertThat(read.serial()).isEqualTo(5);
            assertThat(read.get(ResourceAddress.parse("aws_ami.web-01")).orElseThrow().id()).contains("ami-web-2");
            assertThat(read.byAddress()).hasSize(3);
        }
    }

    @Test
    void aMigrationsObjectChangedByAnotherRunIsNeverOverwritten() {
        Map<ResourceAddress, ResourceState> resources = new java.util.TreeMap<>();
        ResourceState web = made("aws_ami.web-01", "ami-web", Optional.of("web-01"));
        resources.put(web.address(), web);
        try (StateBackend setup = backend()) {
            setup.store().write(new State("lineage-s3", 1, Optional.of("web-tier"), resources));
        }
        try (StateBackend mine = backend(); StateBackend theirs = backend()) {
            LiveState myRun = new LiveState(mine.store(), mine.store().read().orElseThrow());
            LiveState theirRun = new LiveState(theirs.store(), theirs.store().read().orElseThrow());
            theirRun.update(web.address(), r -> r.map(x -> x.withId(Optional.of("ami-theirs"), x.updatedAt())));
            assertThatThrownBy(() -> myRun.update(web.address(), r -> r.map(x -> x.withId(Optional.of("ami-mine"), x.updatedAt()))))
                    .isInstanceOf(FerryException.class)
                    .hasMessageContaining("the state s3://team-state/web-tier/state.d/migrations/web-01.json was changed by another run")
                    .hasMessageContaining("not overwritten");
        }
        assertThat(object("web-tier/state.d/migrations/web-01.json")).contains("ami-theirs").doesNotContain("ami-mine");
    }

    @Test
    void twoRunsAddingToWhatMigrationsShareKeepEachOthersRecords() {
        Map<ResourceAddress, ResourceState> resources = new java.util.TreeMap<>();
        ResourceState bucket = made("aws_s3_bucket.staging", "bucket-1", Optional.empty());
        resources.put(bucket.address(), bucket);
        try (StateBackend setup = backend()) {
            setup.store().write(new State("lineage-s3", 1, Optional.of("web-tier"), resources));
        }
        try (StateBackend first = backend(); StateBackend second = backend()) {
            LiveState one = new LiveState(first.store(), first.store().read().orElseThrow());
            LiveState two = new LiveState(second.store(), second.store().read().orElseThrow());
            ResourceState role = made("aws_iam_role.vmimport", "vmimport", Optional.empty());
            ResourceState policy = made("aws_s3_bucket_policy.staging", "policy-1", Optional.empty());
            one.update(role.address(), r -> Optional.of(role));
            // the second run read the shared object before the first wrote it: its conditional PUT is refused, it merges
            two.update(policy.address(), r -> Optional.of(policy));
        }
        try (StateBackend reader = backend()) {
            State read = reader.store().read().orElseThrow();
            assertThat(read.byAddress().keySet()).extracting(ResourceAddress::toString)
                    .containsExactlyInAnyOrder("aws_s3_bucket.staging", "aws_iam_role.vmimport", "aws_s3_bucket_policy.staging");
            assertThat(read.serial()).isEqualTo(3);
        }
    }

    @Test
    void aBucketWithoutVersioningIsWarnedAbout() {
        try (StateBackend backend = backend()) {
            backend.store().read();
            backend.store().write(State.empty().withMigration("web-tier"));
            assertThat(backend.warnings()).singleElement().asString().contains("the state bucket team-state has no versioning")
                    .contains("put-bucket-versioning");
        }
    }
}
