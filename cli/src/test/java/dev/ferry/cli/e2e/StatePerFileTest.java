package dev.ferry.cli.e2e;

import dev.ferry.cli.StoredState;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.engine.state.StateCodec;
import dev.ferry.sandbox.Sandbox;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two migration files in one folder (as plans/examples/ has four) each keep their own state, at
 * {@code .ferry/NAME/state.json}: planning one never proposes to destroy what the other made. A state
 * records the migration it belongs to and is refused to a file of another name; the folder-wide
 * {@code .ferry/state.json} of an older ferry is adopted by the first file that uses it, with a warning.
 */
class StatePerFileTest {

    @TempDir
    Path dir;

    Sandbox sandbox;
    Ferry ferry;

    @BeforeEach
    void start() throws IOException {
        sandbox = Sandbox.start(Journeys.sandbox().build());
        Files.writeString(dir.resolve("a.yaml"), Journeys.exampleFile());
        Files.writeString(dir.resolve("b.yaml"), otherFile());
        ferry = Ferry.in(dir, sandbox, Journeys.distinctiveSecret("Root-"));
    }

    @AfterEach
    void stop() {
        sandbox.close();
    }

    /** The example file moved to another instance of the sandbox, under another name. */
    static String otherFile() throws IOException {
        String other = Journeys.exampleFile()
                .replace("name: web-tier", "name: other-tier")
                .replace("- name: web-01", "- name: db-01")
                .replace("instance: i-0e1dc0292b0ae7293", "instance: i-0b2c3d4e5f6789012")
                .replace("label: migrated-from-aws-ec2", "label: migrated-db-01");
        assertThat(other).contains("other-tier", "db-01", "i-0b2c3d4e5f6789012", "migrated-db-01");
        return other;
    }

    @Test
    void planningTheSecondFileOfAFolderLeavesTheFirstFilesMachinesAlone() {
        Ferry.Result applied = ferry.run("apply", "-f", "a.yaml", "--auto-approve");
        assertThat(applied.exitCode()).as(applied.toString()).isZero();
        assertThat(sandbox.world().linode().instances()).hasSize(1);

        Ferry.Result planB = ferry.run("plan", "-f", "b.yaml");
        assertThat(planB.exitCode()).as(planB.toString()).isZero();
        assertThat(planB.out()).as(planB.toString())
                .doesNotContain("destroyed", "web-01")
                .contains("linode_instance.db-01 will be created");

        assertThat(dir.resolve(".ferry/web-tier/state.json")).exists();
        assertThat(dir.resolve(".ferry/state.json")).doesNotExist();
        assertThat(ferry.run("state", "list", "-f", "a.yaml").out()).contains("linode_instance.web-01");
        Ferry.Result listB = ferry.run("state", "list", "-f", "b.yaml");
        assertThat(listB.exitCode()).as(listB.toString()).isZero();
        assertThat(listB.out()).doesNotContain("web-01");

        Ferry.Result planA = ferry.run("plan", "-f", "a.yaml", "--detailed-exitcode");
        assertThat(planA.exitCode()).as("a.yaml still has nothing to do: " + planA).isZero();
        assertThat(sandbox.world().linode().instances()).hasSize(1);
    }

    @Test
    void aStateRecordedForOneFileIsRefusedToAnotherNamingBoth() throws IOException {
        Ferry.Result applied = ferry.run("apply", "-f", "a.yaml", "--state", "shared.json", "--auto-approve");
        assertThat(applied.exitCode()).as(applied.toString()).isZero();
        assertThat(StoredState.read(dir.resolve("shared.json")).migration()).contains("web-tier");

        String[][] commands = {
            {"plan", "-f", "b.yaml", "--state", "shared.json"},
            {"apply", "-f", "b.yaml", "--state", "shared.json", "--auto-approve"},
            {"destroy", "-f", "b.yaml", "--state", "shared.json", "--auto-approve"},
        };
        for (String[] command : commands) {
            Ferry.Result refused = ferry.run(command);
            assertThat(refused.exitCode()).as(refused.toString()).isEqualTo(1);
            assertThat(refused.err()).as(refused.toString())
                    .contains("shared.json belongs to the migration 'web-tier', not to 'other-tier' (metadata.name of b.yaml)")
                    .doesNotContain("\tat ");
            assertThat(refused.out()).doesNotContain("destroyed");
        }
        assertThat(sandbox.world().linode().instances()).hasSize(1);
    }

    @Test
    void theFolderWideStateOfAnOlderFerryIsAdoptedByTheFirstFileThatUsesItWithOneWarning() throws IOException {
        Ferry.Result applied = ferry.run("apply", "-f", "a.yaml", "--auto-approve");
        assertThat(applied.exitCode()).as(applied.toString()).isZero();
        // As an older ferry left it: one .ferry/state.json for the folder, not saying whose it is.
        Path own = dir.resolve(".ferry/web-tier/state.json");
        ObjectNode old = (ObjectNode) StateCodec.MAPPER.readTree(StateCodec.encode(StoredState.read(own)));
        old.remove("migration");
        Files.write(dir.resolve(".ferry/state.json"), StateCodec.MAPPER.writeValueAsBytes(old));
        Files.write(dir.resolve(".ferry/state.json.backup"), StateCodec.MAPPER.writeValueAsBytes(old));
        try (java.util.stream.Stream<Path> files = Files.walk(own.getParent())) {
            for (Path file : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(file);
            }
        }

        Ferry.Result first = ferry.run("plan", "-f", "a.yaml", "--detailed-exitcode");
        assertThat(first.exitCode()).as("the adopted state is a.yaml's: nothing to do. " + first).isZero();
        assertThat(first.err()).contains("Warning: " + dir.resolve(".ferry/state.json") + " was written by an older ferry",
                "It now belongs to 'web-tier' (metadata.name of a.yaml) and is kept at");
        assertThat(dir.resolve(".ferry/state.json")).doesNotExist();
        assertThat(dir.resolve(".ferry/state.json.backup")).doesNotExist();
        assertThat(own.resolveSibling("state.json.backup")).exists();
        assertThat(StoredState.read(own).migration()).contains("web-tier");

        Ferry.Result again = ferry.run("plan", "-f", "a.yaml", "--detailed-exitcode");
        assertThat(again.exitCode()).as(again.toString()).isZero();
        assertThat(again.err()).as("the warning is printed once").doesNotContain("Warning");

        Ferry.Result planB = ferry.run("plan", "-f", "b.yaml");
        assertThat(planB.exitCode()).as(planB.toString()).isZero();
        assertThat(planB.out()).doesNotContain("destroyed", "web-01");
        assertThat(planB.err()).doesNotContain("Warning");
    }

    @Test
    void aStateWithoutANameGivenWithDashDashStateIsRecordedForTheFileThatUsesIt() throws IOException {
        Ferry.Result applied = ferry.run("apply", "-f", "a.yaml", "--state", "kept.json", "--auto-approve");
        assertThat(applied.exitCode()).as(applied.toString()).isZero();
        ObjectNode old = (ObjectNode) StateCodec.MAPPER.readTree(dir.resolve("kept.json").toFile());
        old.remove("migration");
        Files.write(dir.resolve("kept.json"), StateCodec.MAPPER.writeValueAsBytes(old));

        Ferry.Result first = ferry.run("plan", "-f", "a.yaml", "--state", "kept.json", "--detailed-exitcode");
        assertThat(first.exitCode()).as(first.toString()).isZero();
        assertThat(first.err()).contains("Warning: the state " + dir.resolve("kept.json") + " did not say which migration it belongs to");
        Ferry.Result refused = ferry.run("plan", "-f", "b.yaml", "--state", "kept.json");
        assertThat(refused.exitCode()).as(refused.toString()).isEqualTo(1);
        assertThat(refused.err()).contains("belongs to the migration 'web-tier', not to 'other-tier'");
    }
}
