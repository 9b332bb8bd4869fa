package dev.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SandboxCommandTest {

    @Test
    void printsTheEnvironmentThatPointsFerryAtTheSandbox(@TempDir Path dir) {
        CliRunner.Result result = CliRunner.run(dir, "sandbox", "--run-for", "200ms");

        assertThat(result.exitCode()).as(result.all()).isZero();
        assertThat(result.out()).containsPattern("ferry sandbox is running on http://127\\.0\\.0\\.1:\\d+")
                .contains("export AWS_ENDPOINT_URL=", "export AWS_ACCESS_KEY_ID=", "export AWS_REGION=",
                        "export LINODE_API_URL=", "export LINODE_TOKEN=", "export VSPHERE_ENDPOINT_URL=", "export ROOT_PASSWORD=",
                        "export FERRY_PROBE_PROXY='socks5://127.0.0.1:", "Press Ctrl-C to stop.")
                .containsPattern("export FERRY_LINODE_SSH_ENDPOINT='127\\.0\\.0\\.1:\\d+'");
    }

    @Test
    void aBadFaultSpecIsOneClearError(@TempDir Path dir) {
        CliRunner.Result result = CliRunner.run(dir, "sandbox", "--faults", "rate=lots", "--run-for", "100ms");

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.err()).startsWith("Error: ").contains("rate");
        MalformedFilesTest.assertNoStackTrace(result);
    }

    @Test
    void aNegativeTimeScaleIsAUsersMistake_notAFerryBug(@TempDir Path dir) {
        CliRunner.Result result = CliRunner.run(dir, "sandbox", "--time-scale", "-1", "--run-for", "100ms");

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.err()).startsWith("Error: --time-scale -1: the time scale must be zero").doesNotContain("unexpectedly", "report");
        MalformedFilesTest.assertNoStackTrace(result);
    }

    @Test
    void aWorldFileThatIsNotThereSaysSo(@TempDir Path dir) {
        CliRunner.Result result = CliRunner.run(dir, "sandbox", "--world", "/nonexistent.yaml", "--run-for", "100ms");

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.err()).contains("cannot read world file /nonexistent.yaml: no such file");
        MalformedFilesTest.assertNoStackTrace(result);
    }

    @Test
    void examplesGetTheDiskImageAndThePasswordFileTheyRead_andAPasswordFileIsNeverReplaced(@TempDir Path dir) throws IOException {
        Path examples = Files.createDirectories(dir.resolve("examples"));
        for (String example : new String[] {"vcenter-to-ec2.yaml", "fleet.yaml", "ec2-to-linode.yaml"}) {
            Files.copy(CliRunner.repositoryRoot().resolve("plans/examples").resolve(example), examples.resolve(example));
        }
        Files.writeString(examples.resolve("broken.yaml"), "apiVersion: ferry/v1\nkind: Migration\nmigrations: 7\n");

        CliRunner.Result first = CliRunner.run(dir, "sandbox", "--examples", "examples", "--run-for", "100ms");

        assertThat(first.exitCode()).as(first.all()).isZero();
        assertThat(first.out()).containsPattern("\nWrote examples/exports/app-02\\.ova \\(\\d+ KiB\\): the OVA of the sandbox's vCenter VM"
                        + " app-02, which examples/vcenter-to-ec2\\.yaml's migrations\\[0]\\.source\\.vsphere\\.disk_image names\\.\n")
                .contains("\nWrote examples/secrets/db-root-pass (mode 0600): a random root password, which examples/fleet.yaml's"
                        + " migrations[2].target.linode.root_pass reads.\n")
                .contains("\nSkipped examples/broken.yaml: it has errors ('ferry validate -f examples/broken.yaml' shows them).\n")
                .doesNotContain("Start it with --examples");
        Path password = examples.resolve("secrets/db-root-pass");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(password))).isEqualTo("rw-------");
        String written = Files.readString(password);
        assertThat(first.out()).doesNotContain(written.strip());
        assertThat(Files.size(examples.resolve("exports/app-02.ova"))).isPositive();

        CliRunner.Result second = CliRunner.run(dir, "sandbox", "--examples", "examples", "--run-for", "100ms");

        assertThat(second.exitCode()).as(second.all()).isZero();
        assertThat(second.out()).contains("Kept examples/secrets/db-root-pass, which examples/fleet.yaml's migrations[2].target.linode.root_pass"
                + " reads (a file there is never replaced).");
        assertThat(Files.readString(password)).isEqualTo(written);
    }

    @Test
    void anExamplesFolderThatIsNotThereSaysSo_beforeTheSandboxStarts(@TempDir Path dir) {
        CliRunner.Result result = CliRunner.run(dir, "sandbox", "--examples", "plans/exampels", "--run-for", "100ms");

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.err()).isEqualTo("Error: --examples plans/exampels: no such folder; give the folder of the migration files,"
                + " such as plans/examples\n");
        assertThat(result.out()).isEmpty();
    }

    @Test
    void withoutExamplesItSaysWhatTheFlagIsFor(@TempDir Path dir) {
        CliRunner.Result result = CliRunner.run(dir, "sandbox", "--run-for", "100ms");

        assertThat(result.out()).contains("Start it with --examples plans/examples to write the OVA and the password file that"
                + " vcenter-to-ec2.yaml and fleet.yaml read from the disk.");
        assertThat(dir.resolve("plans")).doesNotExist();
    }

    @Test
    void theHelpSaysWhatExamplesWrites_withTheSecretReferenceAsWritten(@TempDir Path dir) {
        CliRunner.Result help = CliRunner.run(dir, "sandbox", "--help");

        assertThat(help.exitCode()).isZero();
        assertThat(help.out().replaceAll("\\s+", " ")).contains("a random password for each root_pass: ${file:PATH} that is missing")
                .contains("--examples=DIR").doesNotContain("null");
    }
}
