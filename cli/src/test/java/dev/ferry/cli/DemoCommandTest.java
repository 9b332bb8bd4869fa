package dev.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ferry demo --journey vcenter-to-ec2}: journey B shown from start to finish on the sandbox. */
class DemoCommandTest {

    @TempDir
    Path dir;

    @Test
    void theVcenterToEc2DemoImportsTheOvaShowsTheInstanceAndDestroysIt() {
        CliRunner.Result demo = CliRunner.run(dir, Map.of("FERRY_POLL_INTERVAL", "20ms", "NO_COLOR", "1"),
                "demo", "--journey", "vcenter-to-ec2", "--time-scale", "0.02");

        assertThat(demo.exitCode()).as(demo.all()).isZero();
        assertThat(demo.out()).contains("ferry demo (vcenter-to-ec2)", "app-02 was exported from vCenter as ",
                        "# aws_image_import.app-02 will be created", "aws_s3_object.app-02: Creation complete",
                        "Apply complete! Resources: 9 added", "== 3. The new EC2 instance",
                        "private_ip", "10.0.1.20", "Destroy complete!")
                .contains("aws_instance.app-02: Destruction complete");
        assertThat(demo.err()).isEmpty();
    }

    @Test
    void anUnknownJourneyIsAUsageErrorNamingTheKnownOnes() {
        CliRunner.Result demo = CliRunner.run(dir, "demo", "--journey", "gce-to-azure");

        assertThat(demo.exitCode()).as(demo.all()).isEqualTo(Commands.ERROR);
        assertThat(demo.err()).contains("'gce-to-azure' is not a journey the demo knows: use ec2-to-linode or vcenter-to-ec2");
    }
}
