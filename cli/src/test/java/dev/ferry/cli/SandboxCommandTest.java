package dev.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
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
}
