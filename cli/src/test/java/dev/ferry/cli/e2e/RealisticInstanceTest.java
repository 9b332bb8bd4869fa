package dev.ferry.cli.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.sandbox.Sandbox;
import dev.ferry.sandbox.world.SandboxWorld;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The realistic instance (an 8 GiB gp3 root laid out like an Ubuntu AMI) planned on the snapshot road: the
 * plan names the road and the bytes to read, and Linode's image road refuses the 8 GiB volume naming the way
 * out; an encrypted volume's plan names the KMS key that must allow kms:Decrypt.
 */
class RealisticInstanceTest {

    static final String ENCRYPTED = "i-0e5c0000000000001";
    static final String KEY = "arn:aws:kms:us-west-1:123456789012:key/0e5c0e5c-0e5c-4e5c-8e5c-0e5c0e5c0e5c";

    @TempDir
    Path dir;
    Sandbox sandbox;

    @BeforeEach
    void start() {
        SandboxWorld world = SandboxWorld.defaults().withInstance(SandboxWorld.ubuntuInstance())
                .withInstance(new SandboxWorld.InstanceSpec(ENCRYPTED, "secrets-01", "t3.small", null, null, null,
                        "subnet-0abc1234", "10.0.1.81", null, List.of("sg-0123456789abcdef0"), "ops", null, null, List.of(),
                        Map.of(), List.of(new SandboxWorld.VolumeSpec("vol-0e5c0000000000001", "/dev/xvda", 4, "gp3", 3000,
                                125, true, KEY, true, null, null))));
        sandbox = Sandbox.start(Journeys.sandbox().world(world).build());
    }

    @AfterEach
    void stop() {
        sandbox.close();
    }

    private Ferry.Result plan(String instance) throws IOException {
        Files.writeString(dir.resolve("migration.yaml"), """
                apiVersion: ferry/v1
                kind: Migration
                metadata: {name: realistic}
                providers:
                  aws: {region: us-west-1}
                  linode: {token: "${env:LINODE_TOKEN}"}
                migrations:
                  - name: ubuntu-01
                    source: {ec2: {instance: %s}}
                    target: {linode: {region: us-lax, type: match, label: ubuntu-01, root_pass: "${env:ROOT_PASSWORD}"}}
                    firewall: {from: security-groups, inbound_policy: DROP, outbound_policy: ACCEPT}
                """.formatted(instance));
        return Ferry.in(dir, sandbox, Journeys.distinctiveSecret("Root-")).run("plan");
    }

    @Test
    void theEightGibUbuntuRootIsRefusedOnTheImageRoadWithTheWayOutNamed() throws IOException {
        Ferry.Result plan = plan(SandboxWorld.ubuntuInstance().id());
        String all = plan.out() + plan.err();
        assertThat(plan.exitCode()).as(plan.toString()).isNotZero();
        assertThat(all).contains("8 GiB").contains("target.linode.via: disk");
        assertThat(sandbox.world().amis()).as("a refused plan makes nothing").isEmpty();
    }

    @Test
    void anEncryptedVolumeNamesItsKmsKey() throws IOException {
        Ferry.Result plan = plan(ENCRYPTED);
        assertThat(plan.exitCode()).as(plan.toString()).isZero();
        assertThat(plan.out()).contains("is encrypted: ferry's credentials need kms:Decrypt on the KMS key " + KEY)
                .contains("the export road cannot take encrypted volumes");
    }
}
