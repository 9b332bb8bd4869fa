package dev.ferry.cli.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.sandbox.Sandbox;
import dev.ferry.sandbox.world.SandboxWorld;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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

    @TempDir
    Path dir;
    Sandbox sandbox;

    @BeforeEach
    void start() {
        sandbox = Sandbox.start(Journeys.sandbox().world(SandboxWorld.defaults().withInstance(SandboxWorld.ubuntuInstance()))
                .build());
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
        Ferry.Result plan = plan("i-0d4e5f67890123456");
        String all = plan.out() + plan.err();
        assertThat(all).as(plan.toString()).contains("kms:Decrypt")
                .contains("arn:aws:kms:us-west-1:123456789012:key/1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d");
    }
}
