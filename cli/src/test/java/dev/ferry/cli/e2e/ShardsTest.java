package dev.ferry.cli.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.sandbox.Sandbox;
import dev.ferry.sandbox.world.SandboxWorld;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Eight migrations applied as two shards at once on one local state (each run holds only its shard's lock), on one
 * account: the shared role and bucket are made once and adopted, the exports of both processes together meet AWS's five
 * conversion tasks per region, and the ones AWS refuses are queued, never failed.
 */
class ShardsTest {

    private static final int MIGRATIONS = 8;

    @TempDir
    Path dir;

    @Test
    void twoShardsAtOnceMigrateEverythingOnce_queuingWhatTheRegionCannotRunYet() throws Exception {
        Map<String, String> instances = new LinkedHashMap<>();
        SandboxWorld world = ManyMigrationsTest.worldWith(MIGRATIONS, instances);
        try (Sandbox sandbox = Sandbox.start(Journeys.sandbox().world(world).diskImageBytes(4L * 1024 * 1024)
                .timeScale(0.25).build())) {
            Files.writeString(dir.resolve("migration.yaml"), ManyMigrationsTest.file(instances));
            Ferry ferry = Ferry.in(dir, sandbox, Journeys.distinctiveSecret("Root-"));

            // app-01, -02, -04, -05 hash to shard 0 of 2, app-03, -06, -07, -08 to shard 1: four exports each, eight at once
            List<CompletableFuture<Ferry.Result>> shards = IntStream.range(0, 2).mapToObj(i -> CompletableFuture.supplyAsync(() ->
                    ferry.run("apply", "--auto-approve", "--shard", i + "/2"))).toList();

            for (CompletableFuture<Ferry.Result> shard : shards) {
                Ferry.Result result = shard.join();
                assertThat(result.exitCode()).as(result.toString()).isZero();
                assertThat(result.out()).contains("it covers only shard ", "Apply complete! Resources:");
            }
            assertThat(sandbox.world().linode().instances()).hasSize(MIGRATIONS);
            assertThat(sandbox.world().roles()).hasSize(1);
            assertThat(sandbox.world().conversions().maxConcurrent()).isLessThanOrEqualTo(5);
            assertThat(sandbox.requests().successCount("ec2:ExportImage")).isEqualTo(MIGRATIONS);
            long refused = sandbox.requests().count("ec2:ExportImage") - MIGRATIONS;
            String printed = shards.get(0).join().out() + shards.get(1).join().out();
            if (refused > 0) {
                assertThat(printed).contains("queued by AWS: 5 conversion tasks already running in us-west-1; retrying in ");
            }
            assertThat(sandbox.world().ec2().amis()).as("each shard cleans up its own staging copies").isEmpty();
            assertThat(sandbox.world().s3().bucket("ferry-many")).as("the bucket every shard uses is kept by each").isPresent();

            assertThat(dir.resolve(".ferry/many/state.lock.d")).as("both shard locks released").doesNotExist();
            for (int i = 0; i < 2; i++) {
                Ferry.Result plan = ferry.run("plan", "--detailed-exitcode", "--shard", i + "/2");
                assertThat(plan.exitCode()).as(plan.toString()).isZero();
            }
            // the whole file's plan sees both shards' work: only the shared bucket is left, for an apply of the whole file
            Ferry.Result whole = ferry.run("plan");
            assertThat(whole.exitCode()).as(whole.toString()).isZero();
            assertThat(whole.out()).contains("aws_s3_bucket.staging is no longer needed").doesNotContain("will be created");
        }
    }
}
