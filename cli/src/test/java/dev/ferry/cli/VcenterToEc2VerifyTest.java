package dev.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.sandbox.Sandbox;
import dev.ferry.sandbox.SandboxOptions;
import dev.ferry.sandbox.world.Ec2Instance;
import dev.ferry.sandbox.world.InstanceState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Journey B with {@code verify:}: a disk image alone has no address to probe, so the plan says every check must
 * answer on the new EC2 instance; its private address answers through its security groups, or the last step fails
 * naming them.
 */
class VcenterToEc2VerifyTest {

    @TempDir
    Path dir;
    @TempDir
    Path cache;
    Sandbox sandbox;

    @BeforeEach
    void start() {
        sandbox = Sandbox.start(SandboxOptions.builder().timeScale(0.02).cacheDirectory(cache).build());
    }

    @AfterEach
    void stop() {
        sandbox.close();
    }

    private CliRunner.Result ferry(String... args) {
        return CliRunner.run(dir, VcenterToEc2Test.environment(sandbox), args);
    }

    private void writeFile(String securityGroup) throws IOException {
        VcenterToEc2Test.rawDisk(dir.resolve("app-01.raw"), 4 * VcenterToEc2Test.MIB, true);
        String file = VcenterToEc2Test.imagesOnly("t3.small", "app-01")
                .replace("instance_type: t3.small }", "instance_type: t3.small, security_groups: [" + securityGroup + "] }")
                + "    verify: { tcp: [22, 443], address: private, timeout: 2s }\n";
        Files.writeString(dir.resolve("migration.yaml"), file);
    }

    @Test
    void theInstanceAnswersOnItsPrivateAddressThroughItsSecurityGroup() throws IOException {
        writeFile("sg-0a1b2c3d4e5f60789");   // web: 22 from the office, 443 from anywhere

        CliRunner.Result plan = ferry("plan");
        assertThat(plan.exitCode()).as(plan.all()).isZero();
        assertThat(plan.out()).contains("verify.app-01 will be created")
                .contains("the source has no private address ferry knows, so no check was probed there: every check must answer on"
                        + " the EC2 instance");

        CliRunner.Result apply = ferry("apply", "--auto-approve");
        assertThat(apply.exitCode()).as(apply.all()).isZero();
        Ec2Instance instance = sandbox.world().ec2().instances().stream().filter(i -> i.tags().containsKey("ferry:address"))
                .findFirst().orElseThrow();
        assertThat(apply.out()).contains("Verified verify.app-01: the EC2 instance " + instance.privateIp() + " answers")
                .contains("tcp/22 answers on the EC2 instance").contains("tcp/443 answers on the EC2 instance");
    }

    @Test
    void aSecurityGroupThatKeepsTheOperatorOutFailsTheLastStepNamingTheGroupsAndTheBoot() throws IOException {
        writeFile("sg-0123456789abcdef0");   // app: 22 from inside the VPC only

        CliRunner.Result apply = ferry("apply", "--auto-approve");

        assertThat(apply.exitCode()).as(apply.all()).isEqualTo(1);
        assertThat(apply.err()).contains("verify.app-01: 2 checks do not answer on the EC2 instance 10.0.1.")
                .contains("tcp/22 (blocked (connection not allowed by ruleset)), tcp/443 (blocked")
                .contains("the boot: nothing answers")
                .contains("do the security groups in 'target.ec2.security_groups' allow TCP 22, TCP 443 inbound")
                .contains("Nothing was removed");
        assertThat(sandbox.world().ec2().instances()).as("the instance stays, running")
                .anyMatch(i -> i.state() == InstanceState.RUNNING && i.tags().containsKey("ferry:address"));
    }
}
