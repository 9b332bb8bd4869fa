package dev.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.inject.Module;
import dev.ferry.cli.testing.MemoryJourney;
import dev.ferry.engine.testing.MemoryCloud;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** --migration, --target and --shard on plan, apply and destroy, over the in-memory journey of two migrations. */
class SelectionCommandsTest {

    @TempDir
    Path dir;

    MemoryCloud cloud;
    List<Module> providers;
    final Map<String, String> environment = Map.of("ROOT_PASSWORD", EngineCommandsTest.PASSWORD, "FERRY_POLL_INTERVAL", "1ms");

    @BeforeEach
    void writeFile() throws IOException {
        Files.writeString(dir.resolve("migration.yaml"), EngineCommandsTest.FILE);
        cloud = new MemoryCloud();
        providers = MemoryJourney.modules(cloud);
    }

    CliRunner.Result ferry(String... args) {
        return CliRunner.runWith(providers, dir, environment, "", args);
    }

    @Test
    void planOfOneMigrationShowsItAndTheSharedStagingAndSaysThePlanIsPartial() {
        CliRunner.Result plan = ferry("plan", "--migration", "web-01");

        assertThat(plan.exitCode()).as(plan.all()).isZero();
        assertThat(plan.out()).contains("# test_slow.web-01-instance will be created", "# test_thing.staging will be created",
                "Plan: 5 to add, 0 to change, 0 to destroy.",
                "Partial plan: it covers only the migration web-01 (1 of the 2 migrations), with what they depend on, so other"
                        + " changes the file asks for may be pending. Run 'ferry plan' without --migration, --target and --shard to see"
                        + " them all.")
                .doesNotContain("# test_slow.web-02", "# test_thing.web-02");
    }

    @Test
    void aShardFindingAnOlderFerrysSingleDocumentStateMovesItToPartsFirstAndKeepsWhatItHeld() throws IOException {
        CliRunner.Result first = ferry("apply", "--auto-approve", "--migration", "web-02");
        assertThat(first.exitCode()).as(first.all()).isZero();
        // the same state as an older ferry kept it: everything in state.json, no parts
        Path state = dir.resolve(".ferry/memory/state.json");
        dev.ferry.engine.state.State held = new dev.ferry.engine.state.FileStateStore(state).read().orElseThrow();
        Files.write(state, dev.ferry.engine.state.StateCodec.encode(held));
        try (java.util.stream.Stream<Path> parts = Files.walk(dir.resolve(".ferry/memory/state.d"))) {
            parts.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }

        CliRunner.Result shard = ferry("apply", "--auto-approve", "--shard", "1/2");
        assertThat(shard.exitCode()).as(shard.all()).isZero();
        assertThat(shard.out()).contains("Apply complete! Resources: 4 added").doesNotContain("test_thing.staging will be created");
        assertThat(Files.readString(state)).as("the manifest").contains("\"format_version\" : 2");
        assertThat(new dev.ferry.engine.state.FileStateStore(state).read().orElseThrow().byAddress().keySet())
                .as("what the older state held is kept in the parts").containsAll(held.byAddress().keySet());
        assertThat(dir.resolve(".ferry/memory/state.d/migrations/web-01.json")).exists();
        assertThat(dir.resolve(".ferry/memory/state.lock")).doesNotExist();
        assertThat(dir.resolve(".ferry/memory/state.lock.d")).doesNotExist();

        CliRunner.Result plan = ferry("plan", "--detailed-exitcode");
        assertThat(plan.exitCode()).as(plan.all()).isZero();
        assertThat(plan.out()).contains("No changes.");
        assertThat(cloud.things()).hasSize(5);
    }

    @Test
    void theShardsAppliedOneAfterTheOtherMakeEverythingOnce_andAnUnshardedPlanThenHasNoChanges() {
        // web-02's name hashes to shard 0 of 2, web-01's to shard 1
        CliRunner.Result first = ferry("apply", "--auto-approve", "--shard", "0/2");
        assertThat(first.exitCode()).as(first.all()).isZero();
        assertThat(first.out()).contains("it covers only shard 0/2: 1 of the 2 migrations (web-02)", "Apply complete! Resources: 5 added")
                .doesNotContain("# test_slow.web-01", "# test_thing.web-01");
        assertThat(first.err()).contains("Warning: applied a partial plan (--migration, --target or --shard), so what the file asks of"
                + " the rest may still be pending; run 'ferry plan' to see whether anything is.");

        CliRunner.Result second = ferry("apply", "--auto-approve", "--shard", "1/2");
        assertThat(second.exitCode()).as(second.all()).isZero();
        assertThat(second.out()).contains("Apply complete! Resources: 4 added").doesNotContain("test_thing.staging will be created");

        CliRunner.Result plan = ferry("plan", "--detailed-exitcode");
        assertThat(plan.exitCode()).as(plan.all()).isZero();
        assertThat(plan.out()).contains("No changes.").doesNotContain("Partial plan");
        assertThat(cloud.things()).hasSize(5);
    }

    @Test
    void aShardWithNoMigrationHasNothingToDoAndSucceeds() {
        CliRunner.Result apply = ferry("apply", "--auto-approve", "--shard", "0/8");

        assertThat(apply.exitCode()).as(apply.all()).isZero();
        assertThat(apply.out()).contains("No changes. The part of the migration file this plan covers matches the clouds.",
                "Warning: Partial plan: it covers only shard 0/8, which holds none of the 2 migrations");
        assertThat(cloud.things()).isEmpty();
    }

    @Test
    void unknownNamesAreRefusedWithTheKnownOnes() {
        CliRunner.Result migration = ferry("plan", "--migration", "web-1");
        assertThat(migration.exitCode()).isEqualTo(1);
        assertThat(migration.err()).contains("Error: --migration web-1: migration.yaml has no migration of that name; did you mean"
                + " web-01? Its migrations: web-01, web-02.");

        CliRunner.Result target = ferry("plan", "--target", "test_slow.web-01-instanse");
        assertThat(target.exitCode()).isEqualTo(1);
        assertThat(target.err()).contains("Error: --target test_slow.web-01-instanse: neither migration.yaml nor its state has a"
                + " resource of that address; did you mean test_slow.web-01-instance? Its resources: ");
    }

    @Test
    void combinationsThatMakeNoSenseAreRefusedBeforeAnythingIsRead() {
        CliRunner.Result both = ferry("plan", "--shard", "0/2", "--migration", "web-01");
        assertThat(both.exitCode()).isEqualTo(1);
        assertThat(both.err()).contains("Error: --shard picks its migrations by the hash of their names, so it cannot be combined with"
                + " --migration; use --shard alone, or --migration and --target without it");

        assertThat(ferry("plan", "-out", "whole.plan").exitCode()).isZero();
        CliRunner.Result saved = ferry("apply", "whole.plan", "--shard", "1/2");
        assertThat(saved.exitCode()).isEqualTo(1);
        assertThat(saved.err()).contains("Error: a saved plan holds exactly the changes to make, so --shard 1/2 cannot narrow it; give"
                + " them when planning instead: ferry plan --shard 1/2 -out whole.plan, then ferry apply whole.plan");

        CliRunner.Result outOfRange = ferry("apply", "--auto-approve", "--shard", "2/2");
        assertThat(outOfRange.exitCode()).isEqualTo(1);
        assertThat(outOfRange.err()).contains("Error: --shard 2/2: the shard index counts from 0, so it must be 0 to 1");
        assertThat(cloud.things()).isEmpty();
    }

    @Test
    void aSavedPartialPlanIsAppliedExactlyAndStillSaysItWasPartial() {
        assertThat(ferry("plan", "--target", "test_thing.web-01-image", "-out", "image.plan").exitCode()).isZero();

        CliRunner.Result apply = ferry("apply", "image.plan");

        assertThat(apply.exitCode()).as(apply.all()).isZero();
        assertThat(apply.err()).contains("Warning: applied a partial plan");
        assertThat(ferry("plan", "--detailed-exitcode").exitCode()).isEqualTo(2);
    }

    @Test
    void aPartialApplyWithJsonSaysSoInAWarningLineBeforeTheSummary() {
        CliRunner.Result apply = ferry("apply", "--json", "--auto-approve", "--migration", "web-02");

        assertThat(apply.exitCode()).as(apply.all()).isZero();
        List<String> lines = apply.out().lines().toList();
        assertThat(lines.get(0)).contains("\"type\":\"planned\"", "Partial plan: it covers only the migration web-02");
        assertThat(lines.get(lines.size() - 2)).contains("\"type\":\"warning\"", "applied a partial plan");
        assertThat(lines.get(lines.size() - 1)).contains("\"type\":\"summary\"");
    }

    @Test
    void destroyingOneMigrationKeepsTheStagingTheOtherStillUses() {
        assertThat(ferry("apply", "--auto-approve").exitCode()).isZero();
        int made = cloud.things().size();

        CliRunner.Result destroy = ferry("destroy", "--auto-approve", "--migration", "web-01");

        assertThat(destroy.exitCode()).as(destroy.all()).isZero();
        assertThat(destroy.out()).contains("test_slow.web-01-instance: Destroying...",
                "Partial plan: it destroys only the migration web-01 (1 of the 2 migrations), with what depends on them; 1 resource that"
                        + " other migrations also use stays (test_thing.staging)")
                .doesNotContain("test_slow.web-02-instance: Destroying...", "test_thing.staging: Destroying...");
        assertThat(destroy.err()).contains("Warning: destroyed a partial plan");
        assertThat(cloud.things()).hasSizeLessThan(made).isNotEmpty();
    }
}
