package dev.ferry.cli.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ferry demo}, as a newcomer runs it, sped up: it must get through and show what it made. */
class DemoTest {

    @TempDir
    Path dir;

    @Test
    void theDemoPlansAppliesShowsTheLinodeAndItsFirewallAndDestroys() {
        Ferry ferry = new Ferry(dir, Map.of("FERRY_POLL_INTERVAL", "20ms", "NO_COLOR", "1"));

        Ferry.Result demo = ferry.run("demo", "--time-scale", "0.02");

        assertThat(demo.exitCode()).as(demo.toString()).isZero();
        assertThat(demo.err()).as(demo.toString()).isEmpty();
        assertThat(demo.out()).contains(
                "== 1. ferry plan", "Plan: ", "== 2. ferry apply", "Apply complete!",
                "== 3. The new Linode and its Cloud Firewall",
                "# linode_instance.web-01", "# linode_firewall.web-01",
                "== 4. ferry destroy", "Destroy complete!", "== Done.");
        // what a newcomer looks for: where the machine is and that the firewall protects it
        assertThat(demo.out()).containsPattern("Linode \\d+ \"web-01-from-ec2\" \\(g6-[a-z0-9-]+, us-lax\\) is running at "
                + "\\d+\\.\\d+\\.\\d+\\.\\d+, booted from the uploaded image private/\\d+\\.");
        assertThat(demo.out()).containsPattern("It is behind Cloud Firewall \\d+ \"ferry-web-01\": 4 inbound rules");
    }
}
