package dev.ferry.cli.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.sandbox.Sandbox;
import dev.ferry.sandbox.http.LoggedRequest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A secret that cannot be had (a variable not set, a secret file missing) is found by {@code plan} at its
 * place in the file, and by {@code apply} (of the file or of a saved plan) before anything is made: not
 * by the step that sends it, after the AMI, the export and the upload.
 */
class SecretsCheckedFirstTest {

    private static final String ROOT_PASS_LINE = "        root_pass: ${env:ROOT_PASSWORD}";

    @TempDir
    Path dir;

    Sandbox sandbox;
    Ferry ferry;
    Ferry unset;
    String password;

    @BeforeEach
    void start() throws IOException {
        sandbox = Sandbox.start(Journeys.sandbox().build());
        Journeys.copyExample(dir);
        password = Journeys.distinctiveSecret("Root-");
        ferry = Ferry.in(dir, sandbox, password);
        Map<String, String> without = new HashMap<>(ferry.variables());
        without.remove("ROOT_PASSWORD");
        unset = new Ferry(dir, without);
    }

    @AfterEach
    void stop() {
        sandbox.close();
    }

    /** {@code migration.yaml:LINE:COLUMN} of the value of the line that is exactly {@code line}. */
    private String locationOf(String line, String value) throws IOException {
        List<String> lines = Files.readAllLines(dir.resolve("migration.yaml"));
        int index = lines.indexOf(line);
        assertThat(index).as("the example has the line " + line).isNotNegative();
        return "migration.yaml:" + (index + 1) + ":" + (line.indexOf(value) + 1);
    }

    @Test
    void planWithTheRootPasswordUnsetFailsAtItsPlaceInTheFileBeforeAnyCloudRequest() throws IOException {
        Ferry.Result plan = unset.run("plan");

        assertThat(plan.exitCode()).as(plan.toString()).isEqualTo(1);
        assertThat(plan.err()).as(plan.toString())
                .contains(locationOf(ROOT_PASS_LINE, "${env:ROOT_PASSWORD}")
                        + ": migrations[0].target.linode.root_pass: the environment variable ROOT_PASSWORD is not set")
                .contains("hint: set it in the shell that runs ferry (export ROOT_PASSWORD=...)")
                .contains("Error: migration.yaml refers to a secret that cannot be read (see above); nothing was changed.")
                .doesNotContain("\tat ");
        assertThat(plan.out()).doesNotContain("will be created");
        assertThat(sandbox.requests().all()).as("nothing was asked of any cloud").isEmpty();

        Ferry.Result withIt = ferry.run("plan");
        assertThat(withIt.exitCode()).as(withIt.toString()).isZero();
        assertThat(withIt.all()).doesNotContain(password);
    }

    @Test
    void aSecretFileThatDoesNotExistFailsThePlanAndOneThatExistsPassesWithoutBeingShown() throws IOException {
        Path file = dir.resolve("migration.yaml");
        Files.writeString(file, Files.readString(file).replace(ROOT_PASS_LINE, "        root_pass: ${file:secrets/db-root-pass}"));

        Ferry.Result plan = ferry.run("plan");

        assertThat(plan.exitCode()).as(plan.toString()).isEqualTo(1);
        assertThat(plan.err()).as(plan.toString())
                .contains(locationOf("        root_pass: ${file:secrets/db-root-pass}", "${file:")
                        + ": migrations[0].target.linode.root_pass: cannot read the secret file")
                .contains("(${file:secrets/db-root-pass}): no such file")
                .contains("hint: create secrets/db-root-pass (relative to the migration file's folder");
        assertThat(sandbox.requests().all()).isEmpty();

        Files.createDirectories(dir.resolve("secrets"));
        Files.writeString(dir.resolve("secrets/db-root-pass"), password + "\n");
        Ferry.Result readable = ferry.run("plan");
        assertThat(readable.exitCode()).as(readable.toString()).isZero();
        assertThat(readable.all()).doesNotContain(password);
    }

    @Test
    void applyOfASavedPlanWithTheVariableUnsetFailsBeforeAnyCloudRequest() throws IOException {
        Ferry.Result saved = ferry.run("plan", "-out", "reviewed.plan");
        assertThat(saved.exitCode()).as(saved.toString()).isZero();
        sandbox.requests().clear();

        Ferry.Result apply = unset.run("apply", "reviewed.plan");

        assertThat(apply.exitCode()).as(apply.toString()).isEqualTo(1);
        assertThat(apply.err()).as(apply.toString())
                .contains(locationOf(ROOT_PASS_LINE, "${env:ROOT_PASSWORD}") + ": migrations[0].target.linode.root_pass:"
                        + " the environment variable ROOT_PASSWORD is not set")
                .contains("nothing was changed");
        assertThat(sandbox.requests().all()).as("no cloud was asked anything, let alone to create").isEmpty();
        assertThat(sandbox.world().ec2().amis()).isEmpty();
        assertThat(dir.resolve(".ferry/web-tier/state.json")).doesNotExist();

        Ferry.Result fromFile = unset.run("apply", "--auto-approve");
        assertThat(fromFile.exitCode()).as(fromFile.toString()).isEqualTo(1);
        assertThat(fromFile.err()).contains("ROOT_PASSWORD is not set");
        assertThat(sandbox.requests().all()).isEmpty();

        Ferry.Result withIt = ferry.run("apply", "reviewed.plan");
        assertThat(withIt.exitCode()).as(withIt.toString()).isZero();
        assertThat(sandbox.world().linode().instances()).hasSize(1);
        List<LoggedRequest> creates = sandbox.requests().matching(r -> r.key().equals("linode:POST /linode/instances"));
        assertThat(creates).hasSize(1);
    }

    @Test
    void aRootPasswordLinodeWouldRefuseFailsApplyBeforeAnythingIsMade() throws IOException {
        Ferry.Result saved = ferry.run("plan", "-out", "reviewed.plan");
        assertThat(saved.exitCode()).as(saved.toString()).isZero();
        sandbox.requests().clear();
        String weak = "Password1!";
        Ferry weakly = ferry.with("ROOT_PASSWORD", weak);

        Ferry.Result apply = weakly.run("apply", "reviewed.plan");

        assertThat(apply.exitCode()).as(apply.toString()).isEqualTo(1);
        assertThat(apply.err()).as(apply.toString())
                .contains(locationOf(ROOT_PASS_LINE, "${env:ROOT_PASSWORD}") + ": migrations[0].target.linode.root_pass"
                        + " (${env:ROOT_PASSWORD}): the root password would fail Linode's strength check")
                .contains("hint: choose one of at least 12 characters mixing upper and lower case, digits and symbols")
                .contains("and set ROOT_PASSWORD to it in the shell that runs ferry")
                .contains("Error: migration.yaml has a secret the cloud would refuse (see above); nothing was changed.")
                .doesNotContain(weak)
                .doesNotContain("\tat ");
        assertThat(apply.out()).doesNotContain(weak);
        assertThat(sandbox.requests().all()).as("no cloud was asked anything, let alone to create").isEmpty();
        assertThat(dir.resolve(".ferry/web-tier/state.json")).doesNotExist();

        Ferry.Result fromFile = weakly.run("apply", "--auto-approve");
        assertThat(fromFile.exitCode()).as(fromFile.toString()).isEqualTo(1);
        assertThat(fromFile.err()).contains("would fail Linode's strength check");
        Ferry.Result tooShort = ferry.with("ROOT_PASSWORD", "Ab1$xy").run("plan");
        assertThat(tooShort.exitCode()).as(tooShort.toString()).isEqualTo(1);
        assertThat(tooShort.err()).contains("the root password is 6 characters long; Linode requires 7–128");
        assertThat(sandbox.requests().matching(r -> r.key().equals("linode:POST /linode/instances"))).isEmpty();
        assertThat(sandbox.requests().all()).isEmpty();
        assertThat(sandbox.world().ec2().amis()).isEmpty();
    }
}
