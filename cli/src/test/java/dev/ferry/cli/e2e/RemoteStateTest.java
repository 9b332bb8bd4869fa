package dev.ferry.cli.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.sandbox.Sandbox;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The example file with its state in S3 ({@code state: {s3: ...}}), applied with the real CLI against the sandbox:
 * the state is the bucket's object, not a file beside the migration file; the lock is an object refused to a second
 * run while held; and a plan afterwards has nothing to do.
 */
class RemoteStateTest {

    static final String STATE_BUCKET = "team-ferry-state";
    static final String KEY = "web-tier/state.json";

    @TempDir
    Path dir;

    Sandbox sandbox;
    Ferry ferry;

    @BeforeEach
    void start() throws IOException {
        sandbox = Sandbox.start(Journeys.sandbox().build());
        sandbox.world().s3().createBucket(STATE_BUCKET, "BucketOwnerEnforced");
        String file = Journeys.exampleFile() + "\nstate:\n  s3: {bucket: " + STATE_BUCKET + ", key: " + KEY + "}\n";
        Files.writeString(dir.resolve("migration.yaml"), file);
        ferry = Ferry.in(dir, sandbox, Journeys.distinctiveSecret("Root-"));
    }

    @AfterEach
    void stop() {
        sandbox.close();
    }

    String remoteState() throws IOException {
        return remoteState(KEY);
    }

    String remoteState(String key) throws IOException {
        try (var in = sandbox.world().s3().openObject(STATE_BUCKET, key)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void anApplyKeepsItsStateInS3AndAPlanAfterwardsHasNoChanges() throws IOException {
        Ferry.Result applied = ferry.run("apply", "--auto-approve");
        assertThat(applied.exitCode()).as(applied.toString()).isZero();
        assertThat(sandbox.world().linode().instances()).hasSize(1);
        assertThat(remoteState()).as("the manifest").contains("\"migration\" : \"web-tier\"").contains("\"format_version\" : 2");
        assertThat(remoteState("web-tier/state.d/migrations/web-01.json")).as("the migration's own object")
                .contains("\"part\":\"web-01\"").contains("linode_instance.web-01");
        assertThat(dir.resolve(".ferry/web-tier/state.json")).doesNotExist();
        assertThat(sandbox.world().s3().object(STATE_BUCKET, KEY + ".lock")).as("the lock is released").isEmpty();

        Ferry.Result plan = ferry.run("plan");
        assertThat(plan.exitCode()).as(plan.toString()).isZero();
        assertThat(plan.out()).contains("No changes");
        assertThat(plan.err()).contains("Warning: the state bucket " + STATE_BUCKET + " has no versioning");

        Ferry.Result list = ferry.run("state", "list", "--state", "s3://" + STATE_BUCKET + "/" + KEY);
        assertThat(list.exitCode()).as(list.toString()).isZero();
        assertThat(list.out()).contains("linode_instance.web-01");
    }

    @Test
    void aSecondApplyIsRefusedAtOnceNamingTheFirstAndForceUnlockFreesIt() throws IOException {
        // The first run: ferry's own lock object, as a run on another machine leaves it while it applies.
        String lock = "{\"id\":\"6f1c2a9e-0000-4000-8000-000000000001\",\"holder\":\"ci@runner-7\",\"pid\":4242,"
                + "\"host\":\"runner-7\",\"operation\":\"apply\",\"created\":\"2026-01-02T03:04:05Z\"}";
        sandbox.world().s3().putObject(STATE_BUCKET, KEY + ".lock", lock.getBytes(StandardCharsets.UTF_8));

        Ferry.Result second = ferry.run("apply", "--auto-approve");
        assertThat(second.exitCode()).as(second.toString()).isEqualTo(1);
        assertThat(second.err()).contains("the state is locked by ci@runner-7 (pid 4242, running 'ferry apply'")
                .contains("ferry force-unlock 6f1c2a9e-0000-4000-8000-000000000001");
        assertThat(sandbox.world().linode().instances()).as("nothing was changed").isEmpty();
        assertThat(sandbox.world().s3().object(STATE_BUCKET, KEY)).isEmpty();

        Ferry.Result unlocked = ferry.run("force-unlock", "6f1c2a9e-0000-4000-8000-000000000001");
        assertThat(unlocked.exitCode()).as(unlocked.toString()).isZero();
        assertThat(unlocked.out()).contains("ci@runner-7");
        assertThat(sandbox.world().s3().object(STATE_BUCKET, KEY + ".lock")).isEmpty();
    }
}
