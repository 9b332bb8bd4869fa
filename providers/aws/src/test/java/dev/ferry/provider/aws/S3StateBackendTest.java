package dev.ferry.provider.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.engine.FerryException;
import dev.ferry.engine.provider.Provider;
import dev.ferry.engine.provider.ProviderContext;
import dev.ferry.engine.resource.EnvironmentSecretResolver;
import dev.ferry.engine.spec.MigrationFile;
import dev.ferry.engine.state.RemoteStateLocation;
import dev.ferry.engine.state.State;
import dev.ferry.engine.state.StateBackend;
import dev.ferry.engine.state.StateCodec;
import dev.ferry.sandbox.Sandbox;
import dev.ferry.sandbox.SandboxOptions;
import java.nio.file.Path;
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
        sandbox.world().createBucket("team-state", "BucketOwnerEnforced");
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
        return new String(sandbox.world().object("team-state", "web-tier/state.json").map(o -> {
            try (var in = sandbox.world().openObject("team-state", "web-tier/state.json")) {
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
            assertThat(sandbox.world().object("team-state", "web-tier/state.json.lock")).isPresent();
            held.close();
            assertThat(sandbox.world().object("team-state", "web-tier/state.json.lock")).isEmpty();
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
            assertThat(StateCodec.decode(stored().getBytes(java.nio.charset.StandardCharsets.UTF_8), "s3").serial())
                    .isEqualTo(their.serial() + 7);
            // Its own writes follow one another: each carries the ETag of the one before.
            theirs.store().write(new State(their.lineage(), their.serial() + 8, their.migration(), Map.of()));
            theirLock.close();
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
