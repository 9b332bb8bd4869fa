package dev.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.inject.Module;
import dev.ferry.cli.testing.MemoryJourney;
import dev.ferry.engine.state.StateLock;
import dev.ferry.engine.testing.MemoryCloud;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The engine's commands as a user runs them, over an in-memory journey (no cloud needed). */
class EngineCommandsTest {

    static final String PASSWORD = "Corr3ct-Horse-Battery";
    static final String FILE = """
            apiVersion: ferry/v1
            kind: Migration
            metadata: { name: memory }
            providers: { aws: { region: us-west-1 }, linode: {} }
            staging: { bucket: staging-bucket, create: true, cleanup: delete-after-import }
            migrations:
              - name: web-01
                source: { ec2: { instance: i-0e1dc0292b0ae7293 } }
                target: { linode: { region: us-lax, root_pass: "${env:ROOT_PASSWORD}" } }
              - name: web-02
                source: { ec2: { instance: i-0a1b2c3d4e5f67890 } }
                target: { linode: { region: us-lax, root_pass: "${env:ROOT_PASSWORD}" } }
            """;

    @TempDir
    Path dir;

    MemoryCloud cloud;
    List<Module> providers;
    final Map<String, String> environment = Map.of("ROOT_PASSWORD", PASSWORD, "FERRY_POLL_INTERVAL", "1ms");

    @BeforeEach
    void writeFile() throws IOException {
        Files.writeString(dir.resolve("migration.yaml"), FILE);
        cloud = new MemoryCloud();
        providers = MemoryJourney.modules(cloud);
    }

    CliRunner.Result ferry(String... args) {
        return CliRunner.runWith(providers, dir, environment, "", args);
    }

    CliRunner.Result ferryAnswering(String answer, String... args) {
        return CliRunner.runWith(providers, dir, environment, answer, args);
    }

    @Test
    void planNamesEveryResourceOfEveryMigrationAndChangesNothing() {
        CliRunner.Result plan = ferry("plan");

        assertThat(plan.exitCode()).as(plan.all()).isZero();
        assertThat(plan.out()).contains(
                "# test_slow.web-01-snapshot will be created",
                "# test_thing.staging will be created", "# test_slow.web-02-export will be created",
                "# test_slow.web-02-instance will be created", "root_pass = (sensitive)",
                "staging copy: deleted once test_thing.web-01-image exists",
                "Plan: 9 to add, 0 to change, 0 to destroy.",
                "Also: 4 staging copies to delete once imported");
        assertThat(cloud.things()).isEmpty();
        assertThat(Files.exists(dir.resolve(".ferry/memory/state.json"))).isFalse();
        assertThat(dir.resolve(".ferry")).as("plan leaves no empty .ferry/ behind").doesNotExist();
    }

    @Test
    void applyWithAutoApproveCarriesItOutAndASecondPlanSaysNoChanges() throws IOException {
        CliRunner.Result apply = ferry("apply", "--auto-approve");

        assertThat(apply.exitCode()).as(apply.all()).isZero();
        assertThat(apply.out()).contains("test_slow.web-01-instance: Creating...", "test_slow.web-01-instance: Creation complete after",
                "test_slow.web-01-snapshot: Clean-up complete after",
                "Apply complete! Resources: 9 added, 0 changed, 0 destroyed. Staging copies cleaned up: 4.");
        assertThat(cloud.things()).hasSize(5);
        Path state = dir.resolve(".ferry/memory/state.json");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(state))).isEqualTo("rw-------");
        try (java.util.stream.Stream<Path> parts = Files.walk(dir.resolve(".ferry/memory/state.d"))) {
            assertThat(parts.toList()).hasSizeGreaterThan(1).allSatisfy(part -> assertThat(PosixFilePermissions.toString(
                    Files.getPosixFilePermissions(part))).as(part.toString()).isIn("rw-------", "rwx------"));
        }

        CliRunner.Result again = ferry("plan", "--detailed-exitcode");
        assertThat(again.exitCode()).as(again.all()).isZero();
        assertThat(again.out()).contains("No changes.");
    }

    @Test
    void detailedExitCodeIsTwoWhenThereAreChanges() {
        assertThat(ferry("plan", "--detailed-exitcode").exitCode()).isEqualTo(2);
    }

    @Test
    void theRootPasswordAppearsNowhere() throws IOException {
        CliRunner.Result saved = ferry("plan", "-out", "plan.json");
        CliRunner.Result apply = ferry("apply", "plan.json");
        CliRunner.Result json = ferry("plan", "--json");
        CliRunner.Result show = ferry("show");

        assertThat(apply.exitCode()).as(apply.all()).isZero();
        assertThat(cloud.things()).anySatisfy(thing -> assertThat(thing.attributes().path("root_pass_length").asInt()).isEqualTo(PASSWORD.length()));
        for (CliRunner.Result result : List.of(saved, apply, json, show)) {
            assertThat(result.all()).doesNotContain(PASSWORD);
        }
        assertThat(Files.readString(dir.resolve("plan.json"))).doesNotContain(PASSWORD);
        assertThat(StoredState.text(dir.resolve(".ferry/memory/state.json"))).doesNotContain(PASSWORD);
    }

    @Test
    void jsonAndMarkdownPlans() throws IOException {
        CliRunner.Result json = ferry("plan", "--json");
        CliRunner.Result markdown = ferry("plan", "--markdown");

        JsonNode parsed = new ObjectMapper().readTree(json.out());
        assertThat(parsed.path("summary").path("add").asInt()).isEqualTo(9);
        assertThat(parsed.path("kind").asText()).isEqualTo("plan");
        assertThat(markdown.out()).startsWith("### ferry plan for `migration.yaml`")
                .contains("| + | `test_slow.web-01-instance` | create |", "```diff");
    }

    @Test
    void aSavedPlanIsAppliedExactly_andRefusedOnceTheStateMovedOn() {
        assertThat(ferry("plan", "-out", "first.plan").exitCode()).isZero();
        assertThat(ferry("plan", "-out", "second.plan").exitCode()).isZero();

        CliRunner.Result first = ferry("apply", "first.plan");
        assertThat(first.exitCode()).as(first.all()).isZero();

        CliRunner.Result stale = ferry("apply", "second.plan");
        assertThat(stale.exitCode()).isEqualTo(1);
        assertThat(stale.err()).contains("Error: the saved plan is stale: it was made when there was no state yet");
        assertThat(ferry("plan", "-out", "third.plan").exitCode()).isZero();
        assertThat(ferry("apply", "--auto-approve").exitCode()).isZero();
        cloud.delete(cloud.thingsAt("test_slow.web-01-instance").get(0).id());
        assertThat(ferry("apply", "--auto-approve").exitCode()).isZero();
        CliRunner.Result movedOn = ferry("apply", "third.plan");
        assertThat(movedOn.err()).contains("Error: the saved plan is stale: the state has changed since it was made (serial ");
        assertThat(cloud.things()).hasSize(5);
    }

    @Test
    void aSavedPlanIsRefusedWhenTheFileChangedOrItBelongsToAnotherState() throws IOException {
        ferry("apply", "--auto-approve");
        ferry("plan", "-out", "current.plan");
        Files.writeString(dir.resolve("migration.yaml"), FILE.replace("us-lax", "us-east"));

        CliRunner.Result changedFile = ferry("apply", "current.plan", "-f", "migration.yaml");
        assertThat(changedFile.err()).contains("the saved plan was made from a different version of migration.yaml");

        Files.writeString(dir.resolve("migration.yaml"), FILE);
        Path other = dir.resolve("other");
        Files.createDirectories(other);
        Files.writeString(other.resolve("migration.yaml"), FILE);
        MemoryCloud otherCloud = new MemoryCloud();
        assertThat(CliRunner.runWith(MemoryJourney.modules(otherCloud), other, environment, "", "apply", "--auto-approve").exitCode()).isZero();
        CliRunner.Result otherPlan = CliRunner.runWith(MemoryJourney.modules(otherCloud), other, environment, "", "plan", "-out", "other.plan");
        assertThat(otherPlan.exitCode()).isZero();
        Files.copy(other.resolve("other.plan"), dir.resolve("other.plan"));
        CliRunner.Result foreign = ferry("apply", "other.plan");
        assertThat(foreign.exitCode()).isEqualTo(1);
        assertThat(foreign.err()).contains("the saved plan belongs to another state");
    }

    @Test
    void anEditedSavedPlanIsRefusedBeforeAnythingIsMade() throws IOException {
        assertThat(ferry("plan", "-out", "saved.plan").exitCode()).isZero();
        Path saved = dir.resolve("saved.plan");
        String plan = Files.readString(saved);
        assertThat(plan).contains("\"plan_digest\" : \"sha256:");
        Files.writeString(saved, plan.replace("us-lax", "us-east"));

        CliRunner.Result edited = ferry("apply", "saved.plan");

        assertThat(edited.exitCode()).isEqualTo(1);
        assertThat(edited.err()).contains("Error: saved.plan was changed after ferry saved it (its content no longer matches its digest);"
                + " nothing was done. Make a new plan: ferry plan -out saved.plan");
        assertThat(cloud.things()).isEmpty();
    }

    @Test
    void aDestroyPlanWithAnEditedIdIsRefusedAndDestroysNothing() throws IOException {
        assertThat(ferry("apply", "--auto-approve").exitCode()).isZero();
        assertThat(ferry("plan", "--destroy", "-out", "destroy.plan").exitCode()).isZero();
        Path saved = dir.resolve("destroy.plan");
        String id = cloud.thingsAt("test_slow.web-01-instance").get(0).id();
        String other = cloud.thingsAt("test_slow.web-02-instance").get(0).id();
        Files.writeString(saved, Files.readString(saved).replace(id, other));

        CliRunner.Result edited = ferry("apply", "destroy.plan");

        assertThat(edited.exitCode()).isEqualTo(1);
        assertThat(edited.err()).contains("destroy.plan was changed after ferry saved it");
        assertThat(cloud.things()).hasSize(5);
    }

    @Test
    void aSavedPlanWithoutADigestIsRefused() throws IOException {
        assertThat(ferry("plan", "-out", "saved.plan").exitCode()).isZero();
        Path saved = dir.resolve("saved.plan");
        ObjectMapper json = new ObjectMapper();
        com.fasterxml.jackson.databind.node.ObjectNode plan = (com.fasterxml.jackson.databind.node.ObjectNode) json.readTree(saved.toFile());
        plan.remove("plan_digest");
        json.writeValue(saved.toFile(), plan);

        CliRunner.Result old = ferry("apply", "saved.plan");

        assertThat(old.exitCode()).isEqualTo(1);
        assertThat(old.err()).contains("saved.plan has no digest of its content");
        assertThat(cloud.things()).isEmpty();
    }

    @Test
    void anApplyWithNothingToChangeStillEndsWithItsSummary() {
        assertThat(ferry("apply", "--auto-approve").exitCode()).isZero();

        CliRunner.Result again = ferry("apply", "--auto-approve");

        assertThat(again.exitCode()).as(again.all()).isZero();
        assertThat(again.out()).contains("No changes.").endsWith("Apply complete! Resources: 0 added, 0 changed, 0 destroyed.\n");
    }

    @Test
    void applyAndDestroyWithJsonPrintOneEventPerLineFollowingTheirSchema() throws IOException {
        CliRunner.Result apply = ferry("apply", "--json", "--auto-approve");

        assertThat(apply.exitCode()).as(apply.all()).isZero();
        List<JsonNode> events = JsonEvents.parse(apply.out());
        assertThat(events.get(0).path("type").asText()).isEqualTo("planned");
        assertThat(events.get(0).path("plan").path("summary").path("add").asInt()).isEqualTo(9);
        assertThat(events).filteredOn(e -> e.path("type").asText().equals("step_finished"))
                .extracting(e -> e.path("address").asText()).contains("test_slow.web-01-instance", "test_thing.staging");
        JsonNode summary = events.get(events.size() - 1);
        assertThat(summary.path("type").asText()).isEqualTo("summary");
        assertThat(summary.path("operation").asText()).isEqualTo("apply");
        assertThat(summary.path("succeeded").asBoolean()).isTrue();
        assertThat(summary.path("added").asInt()).isEqualTo(9);
        assertThat(summary.path("cleaned_up").asInt()).isEqualTo(4);
        assertThat(apply.all()).doesNotContain(PASSWORD);

        CliRunner.Result destroy = ferry("destroy", "--json", "--auto-approve");
        assertThat(destroy.exitCode()).as(destroy.all()).isZero();
        List<JsonNode> destroyed = JsonEvents.parse(destroy.out());
        assertThat(destroyed.get(destroyed.size() - 1).path("destroyed").asInt()).isEqualTo(5);
        assertThat(destroyed.get(destroyed.size() - 1).path("operation").asText()).isEqualTo("destroy");
        assertThat(cloud.things()).isEmpty();
    }

    @Test
    void applyWithJsonNeedsAnApprovalItCanGiveAndSaysWhyItStopped() {
        CliRunner.Result unapproved = ferry("apply", "--json");
        assertThat(unapproved.exitCode()).isEqualTo(1);
        assertThat(unapproved.err()).contains("--json needs --auto-approve (or a saved plan)");
        assertThat(cloud.things()).isEmpty();

        CliRunner.Result missing = ferry("apply", "--json", "no-such.plan");
        assertThat(missing.exitCode()).isEqualTo(1);
        List<JsonNode> events = JsonEvents.parse(missing.out());
        assertThat(events).hasSize(1);
        assertThat(events.get(0).path("type").asText()).isEqualTo("error");
        assertThat(events.get(0).path("message").asText()).isEqualTo("no-such.plan: no such saved plan");
    }

    @Test
    void aFailedStepIsAnEventAndTheSummarySaysSo() {
        cloud.failNext("create test_thing.web-01-image", 1);

        CliRunner.Result apply = ferry("apply", "--json", "--auto-approve");

        assertThat(apply.exitCode()).isEqualTo(1);
        List<JsonNode> events = JsonEvents.parse(apply.out());
        assertThat(events).anyMatch(e -> e.path("type").asText().equals("step_failed"));
        JsonNode summary = events.get(events.size() - 1);
        assertThat(summary.path("succeeded").asBoolean()).isFalse();
        assertThat(summary.path("failures").size()).isEqualTo(1);
    }

    @Test
    void aSecondApplyFailsAtOnceNamingTheHolder_andForceUnlockClearsIt() {
        Path lock = dir.resolve(".ferry/memory/state.lock");
        String id;
        try (StateLock held = StateLock.acquire(lock, "apply")) {
            id = held.info().id();
            CliRunner.Result second = ferry("apply", "--auto-approve");
            assertThat(second.exitCode()).isEqualTo(1);
            assertThat(second.err()).contains("the state is locked by", "(pid " + ProcessHandle.current().pid(),
                    "running 'ferry apply'", "ferry force-unlock " + id);
            assertThat(cloud.things()).isEmpty();

            CliRunner.Result unlock = ferry("force-unlock", id);
            assertThat(unlock.exitCode()).as(unlock.all()).isZero();
            assertThat(unlock.out()).contains("Removed the lock held by");
        }
        assertThat(ferry("apply", "--auto-approve").exitCode()).isZero();
    }

    @Test
    void applyWithoutATerminalAndWithoutAnAnswerRefusesClearly() {
        CliRunner.Result apply = ferry("apply");

        assertThat(apply.exitCode()).isEqualTo(1);
        assertThat(apply.err()).contains("ferry needs your approval, and standard input gave no answer", "--auto-approve",
                "ferry plan -out FILE, then ferry apply FILE");
        assertThat(cloud.things()).isEmpty();
    }

    @Test
    void destroyWithoutAnAnswerAdvisesAPlanThatDestroys() {
        ferry("apply", "--auto-approve");

        CliRunner.Result destroy = ferry("destroy");

        assertThat(destroy.exitCode()).isEqualTo(1);
        assertThat(destroy.err()).contains("ferry plan --destroy -out FILE, then ferry apply FILE", "echo yes | ferry destroy");
        assertThat(cloud.things()).hasSize(5);
    }

    @Test
    void anApprovalPipedIntoStandardInputIsAccepted_stillOnlyYes() {
        CliRunner.Result no = CliRunner.runWith(providers, dir, environment, "y\n", false, "apply");
        assertThat(no.exitCode()).isEqualTo(1);
        assertThat(no.err()).contains("apply cancelled: nothing was changed");
        assertThat(cloud.things()).isEmpty();

        CliRunner.Result yes = CliRunner.runWith(providers, dir, environment, "yes\n", false, "apply");
        assertThat(yes.exitCode()).as(yes.all()).isZero();
        assertThat(cloud.things()).hasSize(5);
    }

    @Test
    void applyAsksAndOnlyYesApproves() {
        CliRunner.Result no = ferryAnswering("no\n", "apply");
        assertThat(no.exitCode()).isEqualTo(1);
        assertThat(no.out()).contains("Do you want to perform these actions?", "Only 'yes' will be accepted to approve.");
        assertThat(no.err()).contains("apply cancelled: nothing was changed");
        assertThat(cloud.things()).isEmpty();

        CliRunner.Result yes = ferryAnswering("yes\n", "apply");
        assertThat(yes.exitCode()).as(yes.all()).isZero();
        assertThat(cloud.things()).hasSize(5);
    }

    @Test
    void destroyRemovesEverythingFerryMade() {
        ferry("apply", "--auto-approve");

        CliRunner.Result destroy = ferry("destroy", "--auto-approve");

        assertThat(destroy.exitCode()).as(destroy.all()).isZero();
        assertThat(destroy.out()).contains("Destroy complete! Resources: 0 added, 0 changed, 5 destroyed.");
        assertThat(cloud.things()).isEmpty();
        assertThat(ferry("state", "list").out()).isEmpty();
    }

    @Test
    void destroyReportsAndCountsWhatTheFileKeepsAsKept_notAsDestroyed() throws IOException {
        Files.writeString(dir.resolve("migration.yaml"), FILE.replace("cleanup: delete-after-import", "cleanup: keep"));
        ferry("apply", "--auto-approve");
        CliRunner.Result plan = ferry("plan", "--destroy");
        assertThat(plan.out()).contains("Plan: 0 to add, 0 to change, 5 to destroy.",
                "Also: 4 to keep in the cloud and remove from state (staging.cleanup: keep).");

        CliRunner.Result destroy = ferry("destroy", "--auto-approve");

        assertThat(destroy.exitCode()).as(destroy.all()).isZero();
        assertThat(destroy.out()).contains("test_slow.web-01-snapshot: Keeping... (in the cloud; only removed from state)",
                        "test_slow.web-01-snapshot: Kept in the cloud and removed from state [id=")
                .doesNotContain("test_slow.web-01-snapshot: Destruction complete")
                .endsWith("Destroy complete! Resources: 0 added, 0 changed, 5 destroyed. Kept in the cloud and removed from state: 4.\n");
        assertThat(cloud.things()).hasSize(4);
    }

    @Test
    void stateListShowAndGraph() {
        ferry("apply", "--auto-approve");

        CliRunner.Result list = ferry("state", "list");
        CliRunner.Result show = ferry("state", "show", "test_slow.web-01-instance");
        CliRunner.Result typo = ferry("state", "show", "test_slow.web-01-instanse");
        CliRunner.Result dot = ferry("graph");
        CliRunner.Result mermaid = ferry("graph", "--format", "mermaid");

        assertThat(list.out()).contains("test_slow.web-01-instance\n", "test_slow.web-01-snapshot  (consumed)\n");
        assertThat(show.out()).contains("resource \"test_slow\" \"web-01-instance\" {", "root_pass = (sensitive)", "status    = \"created\"");
        assertThat(typo.exitCode()).isEqualTo(1);
        assertThat(typo.err()).contains("did you mean test_slow.web-01-instance?");
        assertThat(dot.out()).startsWith("digraph ferry {").contains("\"test_thing.web-01-image\" -> \"test_slow.web-01-instance\";");
        assertThat(mermaid.out()).startsWith("flowchart LR");
    }

    @Test
    void aFailureIsReportedOnceAtItsRootCause_andTheNextApplyFinishes() {
        cloud.failNext("create test_thing.web-01-image", 1);

        CliRunner.Result failed = ferry("apply", "--auto-approve");

        assertThat(failed.exitCode()).isEqualTo(1);
        assertThat(failed.err()).contains("Error: test_thing.web-01-image: injected failure of create test_thing.web-01-image",
                "apply did not finish: 1 step failed");
        assertThat(failed.out()).contains("test_slow.web-02-instance: Creation complete");
        CliRunner.Result again = ferry("apply", "--auto-approve");
        assertThat(again.exitCode()).as(again.all()).isZero();
        assertThat(cloud.things()).hasSize(5);
    }

    @Test
    void aFailedStepShowsWhereItFailedOnlyUnderFerryLogDebug() {
        cloud.failNext("create test_thing.web-01-image", 2);

        CliRunner.Result quiet = ferry("apply", "--auto-approve");
        CliRunner.Result debug = CliRunner.runWith(providers, dir, Map.of("ROOT_PASSWORD", PASSWORD, "FERRY_POLL_INTERVAL", "1ms",
                "FERRY_LOG", "debug"), "", "apply", "--auto-approve");

        assertThat(quiet.exitCode()).isEqualTo(1);
        assertThat(quiet.all()).contains("injected failure").doesNotContain("\tat ");
        assertThat(debug.exitCode()).isEqualTo(1);
        assertThat(debug.out()).contains("test_thing.web-01-image: Creation failed: injected failure", "\tat dev.ferry.");
        assertThat(debug.all()).doesNotContain(PASSWORD);
    }
}
