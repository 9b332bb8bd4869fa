package dev.ferry.cli.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.cli.Main;
import dev.ferry.engine.diff.Shard;
import dev.ferry.sandbox.Sandbox;
import dev.ferry.sandbox.world.IamRole;
import dev.ferry.sandbox.world.SandboxWorld;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Four {@code ferry apply --shard I/4} processes at once on one state in S3: each holds only its shard's lock, so none
 * refuses another; together they migrate all twelve machines once, make the shared role and bucket policy once, and
 * meet AWS's five conversion tasks per region as back-pressure. One of them SIGKILLed mid-apply leaves its shard lock,
 * which its re-run on this machine takes over, and converges; an unsharded plan afterwards sees every shard's work.
 */
class ShardsOnOneStateTest {

    private static final int MIGRATIONS = 12;
    private static final int SHARDS = 4;
    private static final String STATE_BUCKET = "team-ferry-state";
    private static final String KEY = "fleet/state.json";

    @TempDir
    Path dir;

    @Test
    void fourShardProcessesOnOneRemoteStateMigrateEverythingOnceAndAKilledOneConvergesWhenRunAgain() throws Exception {
        Map<String, String> instances = new LinkedHashMap<>();
        SandboxWorld world = ManyMigrationsTest.worldWith(MIGRATIONS, instances);
        try (Sandbox sandbox = Sandbox.start(Journeys.sandbox().world(world).diskImageBytes(4L * 1024 * 1024)
                .timeScale(0.25).build())) {
            sandbox.world().s3().createBucket(STATE_BUCKET, "BucketOwnerEnforced");
            // staging copies kept: with delete-after-import the shared bucket goes only with an apply of the whole file,
            // which the plan at the end would rightly still show
            Files.writeString(dir.resolve("migration.yaml"), ManyMigrationsTest.file(instances)
                    .replace("cleanup: delete-after-import", "cleanup: keep")
                    + "state:\n  s3: {bucket: " + STATE_BUCKET + ", key: " + KEY + "}\n");
            Ferry ferry = Ferry.in(dir, sandbox, Journeys.distinctiveSecret("Root-"));

            // the shard with the most migrations is the one killed, once it has written the state of one of them
            int victim = IntStream.range(0, SHARDS).boxed().max((a, b) -> Long.compare(count(instances, a), count(instances, b)))
                    .orElseThrow();
            assertThat(count(instances, victim)).as("the killed shard has work left after its first step").isGreaterThanOrEqualTo(2);

            List<Process> shards = new ArrayList<>();
            for (int i = 0; i < SHARDS; i++) {
                shards.add(fork(dir, ferry, "shard-" + i, "apply", "--auto-approve", "--shard", i + "/" + SHARDS));
            }
            Process killed = shards.get(victim);
            while (instances.keySet().stream().filter(name -> Shard.of(name, SHARDS) == victim).noneMatch(name ->
                    sandbox.world().s3().object(STATE_BUCKET, "fleet/state.d/migrations/" + name + ".json").isPresent())) {
                assertThat(killed.isAlive()).as("shard " + victim + " is still applying\n" + log(dir, "shard-" + victim)).isTrue();
                LockSupport.parkNanos(20_000_000);
            }
            assertThat(sandbox.world().s3().object(STATE_BUCKET, KEY + ".lock.d/shard-" + victim + "-of-4")).isPresent();
            killed.destroyForcibly();
            assertThat(killed.waitFor(30, TimeUnit.SECONDS)).isTrue();

            for (int i = 0; i < SHARDS; i++) {
                if (i == victim) {
                    continue;
                }
                assertThat(shards.get(i).waitFor(10, TimeUnit.MINUTES)).as(log(dir, "shard-" + i)).isTrue();
                assertThat(shards.get(i).exitValue()).as("shard " + i + " was not refused by the others\n" + log(dir, "shard-" + i))
                        .isZero();
                assertThat(Files.readString(dir.resolve("shard-" + i + ".out"))).contains("Apply complete! Resources:");
            }
            assertThat(sandbox.world().s3().object(STATE_BUCKET, KEY + ".lock.d/shard-" + victim + "-of-4"))
                    .as("the killed shard's lock is left behind").isPresent();

            // run again on this machine: the lock of the killed process is taken over, and the shard carried through
            Process again = fork(dir, ferry, "again", "apply", "--auto-approve", "--shard", victim + "/" + SHARDS);
            assertThat(again.waitFor(10, TimeUnit.MINUTES)).as(log(dir, "again")).isTrue();
            assertThat(again.exitValue()).as(log(dir, "again")).isZero();
            assertThat(Files.readString(dir.resolve("again.err"))).contains("Warning: removed a stale lock left by pid " + killed.pid());

            assertThat(sandbox.world().linode().instances()).as("every machine migrated once").hasSize(MIGRATIONS);
            List<IamRole> roles = sandbox.world().roles();
            assertThat(roles).as("one vmimport role for all shards").hasSize(1);
            assertThat(roles.get(0).inlinePolicies()).hasSize(1);
            String policy = sandbox.world().s3().bucket("ferry-many").orElseThrow().policy();
            assertThat(policy).as("the staging bucket has its policy").isNotBlank();
            Set<String> ids = new HashSet<>();
            for (JsonNode statement : new ObjectMapper().readTree(policy).path("Statement")) {
                assertThat(ids.add(statement.path("Sid").asText())).as("each statement once: " + policy).isTrue();
            }
            assertThat(sandbox.world().conversions().maxConcurrent()).isLessThanOrEqualTo(5);
            assertThat(sandbox.world().s3().objects(STATE_BUCKET)).as("no lock left behind")
                    .noneMatch(object -> object.key().contains(".lock"));
            assertThat(sandbox.world().s3().objects(STATE_BUCKET)).as("one state, every migration's object in it")
                    .filteredOn(object -> object.key().startsWith("fleet/state.d/migrations/")).hasSize(MIGRATIONS);

            Ferry.Result plan = ferry.run("plan", "--detailed-exitcode");
            assertThat(plan.exitCode()).as(plan.toString()).isZero();
            assertThat(plan.out()).contains("No changes");
        }
    }

    private static long count(Map<String, String> instances, int shard) {
        return instances.keySet().stream().filter(name -> Shard.of(name, SHARDS) == shard).count();
    }

    private static String log(Path dir, String name) {
        try {
            return "--- stdout\n" + Files.readString(dir.resolve(name + ".out"), StandardCharsets.UTF_8) + "--- stderr\n"
                    + Files.readString(dir.resolve(name + ".err"), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /** {@code ferry ARGS} in its own JVM, as a user's shell runs it, printing to {@code NAME.out} and {@code NAME.err}. */
    private static Process fork(Path dir, Ferry ferry, String name, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
                Main.class.getName()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile());
        builder.environment().remove("AWS_PROFILE");
        builder.environment().putAll(ferry.variables());
        builder.redirectOutput(dir.resolve(name + ".out").toFile()).redirectError(dir.resolve(name + ".err").toFile());
        return builder.start();
    }
}
