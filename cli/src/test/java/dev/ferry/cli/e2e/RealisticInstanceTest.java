package dev.ferry.cli.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.sandbox.Sandbox;
import dev.ferry.sandbox.world.LinodeDisk;
import dev.ferry.sandbox.world.LinodeInstance;
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
 * plan names the road and the bytes to read. Without {@code via} its Linode takes the disk road and the plan says
 * why; a 4 GiB instance stays on the image road; {@code via: image} refuses the 8 GiB volume naming the way out. An
 * encrypted volume's plan names the KMS key that must allow kms:Decrypt.
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
        write(instance, "root_pass: \"${env:ROOT_PASSWORD}\"");
        return ferry().run("plan");
    }

    private Ferry ferry() {
        return Ferry.in(dir, sandbox, Journeys.distinctiveSecret("Root-"));
    }

    private void write(String instance, String road) throws IOException {
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
                    target: {linode: {region: us-lax, type: match, label: ubuntu-01, %s}}
                    firewall: {from: security-groups, inbound_policy: DROP, outbound_policy: ACCEPT}
                """.formatted(instance, road));
    }

    @Test
    void theEightGibUbuntuRootIsRefusedOnTheImageRoadTheFileNamesWithTheWayOutNamed() throws IOException {
        write(SandboxWorld.ubuntuInstance().id(), "via: image, root_pass: \"${env:ROOT_PASSWORD}\"");
        Ferry.Result plan = ferry().run("plan");
        String all = plan.out() + plan.err();
        assertThat(plan.exitCode()).as(plan.toString()).isNotZero();
        assertThat(all).contains("8 GiB").contains("target.linode.via: disk");
        assertThat(sandbox.world().ec2().amis()).as("a refused plan makes nothing").isEmpty();
    }

    @Test
    void withoutViaTheEightGibUbuntuRootIsPlannedOnTheDiskRoadSayingWhy() throws IOException {
        Ferry.Result plan = plan(SandboxWorld.ubuntuInstance().id());

        assertThat(plan.exitCode()).as(plan.toString()).isZero();
        assertThat(plan.out()).contains("note: road: disk (the 8 GiB root volume of ubuntu-01 (vol-0ab1c2d3e4f5a6b7c) is over"
                        + " Linode's 6 GiB image limit)")
                .contains("linode_disk_write.ubuntu-01").contains("linode_config.ubuntu-01").doesNotContain("linode_image.");
    }

    @Test
    void withoutViaAFourGibRootStaysOnTheImageRoad() throws IOException {
        Ferry.Result plan = plan(ENCRYPTED);

        assertThat(plan.exitCode()).as(plan.toString()).isZero();
        assertThat(plan.out()).contains("note: road: image (the 4 GiB root volume of secrets-01 (vol-0e5c0000000000001) fits"
                        + " Linode's 6 GiB image limit)")
                .contains("linode_image.ubuntu-01").doesNotContain("linode_disk_write.");
    }

    /** Without via, a saved plan carries the road chosen, and the applied state keeps it. */
    @Test
    void theEightGibUbuntuRootMovesOnTheDiskRoadByteForByte() throws IOException {
        String instance = SandboxWorld.ubuntuInstance().id();
        write(instance, "root_pass: \"${env:ROOT_PASSWORD}\"");
        Ferry ferry = ferry();

        Ferry.Result plan = ferry.run("plan", "-out", "road.plan");
        assertThat(plan.exitCode()).as(plan.toString()).isZero();
        assertThat(plan.out()).contains("linode_disk_write.ubuntu-01").contains("temporary helper")
                .contains("linode_config.ubuntu-01").doesNotContain("linode_image.");

        Ferry.Result apply = ferry.run("apply", "road.plan");
        assertThat(apply.exitCode()).as(apply.toString()).isZero();
        LinodeInstance linode = sandbox.world().linode().instances().get(0);
        assertThat(linode.status()).isEqualTo("running");
        List<LinodeDisk> disks = sandbox.world().linode().disks(linode.id());
        assertThat(disks).as("only the raw disk is left").singleElement().extracting(LinodeDisk::filesystem).isEqualTo("raw");
        long volume = 8L << 30;
        assertThat(sandbox.world().linode().diskSha256(disks.get(0).id(), volume))
                .as("the Linode disk holds the whole 8 GiB volume")
                .isEqualTo(JourneyATest.sha256(sandbox.world().ec2().rootDiskImage(instance), volume));
        assertThat(sandbox.world().linode().configs(linode.id())).singleElement()
                .satisfies(config -> assertThat(config.kernel()).isEqualTo("linode/direct-disk"));
        assertThat(sandbox.world().linode().firewalls().get(0).devices()).extracting(d -> d.entityId()).containsExactly(linode.id());

        Ferry.Result again = ferry.run("plan", "--detailed-exitcode");
        assertThat(again.exitCode()).as("the road the state holds is the road planned again: " + again).isZero();

        Ferry.Result destroy = ferry.run("destroy", "--auto-approve");
        assertThat(destroy.exitCode()).as(destroy.toString()).isZero();
        assertThat(sandbox.world().linode().instances()).isEmpty();
    }

    @Test
    void anEncryptedVolumeNamesItsKmsKey() throws IOException {
        Ferry.Result plan = plan(ENCRYPTED);
        assertThat(plan.exitCode()).as(plan.toString()).isZero();
        assertThat(plan.out()).contains("is encrypted: ferry's credentials need kms:Decrypt on the KMS key " + KEY)
                .contains("the export road cannot take encrypted volumes");
    }
}
