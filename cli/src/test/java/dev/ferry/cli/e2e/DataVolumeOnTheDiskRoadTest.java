package dev.ferry.cli.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.sandbox.Sandbox;
import dev.ferry.sandbox.world.GeneratedDisk;
import dev.ferry.sandbox.world.LinodeConfig;
import dev.ferry.sandbox.world.LinodeInstance;
import dev.ferry.sandbox.world.LinodeVolume;
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
 * An EC2 instance with a data volume besides its root, migrated on the disk road: the volume becomes a Linode
 * Block Storage volume holding the same bytes, written through the helper from its own snapshot and attached to
 * the final config after the raw disk; a second plan has nothing to do and destroy removes the volume too.
 */
class DataVolumeOnTheDiskRoadTest {

    static final String INSTANCE = "i-0da7a000000000001";
    static final String ROOT = "vol-0da7a000000000001";
    static final String DATA = "vol-0da7a000000000002";

    @TempDir
    Path dir;

    /** The default world with files-01: a 1 GiB bootable root and a 1 GiB data volume at /dev/sdf. */
    static SandboxWorld world() {
        return SandboxWorld.defaults().withInstance(new SandboxWorld.InstanceSpec(INSTANCE, "files-01",
                "t3.small", "x86_64", "Linux/UNIX", "ami-0abcdef1234567890", "subnet-0abc1234", "10.0.1.82", null,
                List.of("sg-0a1b2c3d4e5f60789"), "ops", "2025-06-02T09:30:00Z", "/dev/sda1", List.of(), Map.of("Role", "files"),
                List.of(new SandboxWorld.VolumeSpec(ROOT, "/dev/sda1", 1, "gp3", 3000, 125, false, null, true, null, null,
                                GeneratedDisk.UBUNTU_GPT),
                        new SandboxWorld.VolumeSpec(DATA, "/dev/sdf", 1, "gp3", 3000, 125, false, null, false, null, null))));
    }

    Sandbox sandbox;

    @BeforeEach
    void start() throws IOException {
        sandbox = Sandbox.start(Journeys.sandbox().world(world()).build());
        Files.writeString(dir.resolve("migration.yaml"), """
                apiVersion: ferry/v1
                kind: Migration
                metadata: {name: volumes}
                providers:
                  aws: {region: us-west-1}
                  linode: {token: "${env:LINODE_TOKEN}"}
                migrations:
                  - name: files-01
                    source: {ec2: {instance: %s}}
                    target: {linode: {region: us-lax, type: match, label: files-01, via: disk}}
                    firewall: {from: none}
                """.formatted(INSTANCE));
    }

    @AfterEach
    void stop() {
        sandbox.close();
    }

    @Test
    void theDataVolumeBecomesABlockStorageVolumeWithTheSameBytesAttachedAfterTheRootDisk() throws IOException {
        Ferry ferry = Ferry.in(dir, sandbox, Journeys.distinctiveSecret("Root-"));

        Ferry.Result plan = ferry.run("plan");
        assertThat(plan.exitCode()).as(plan.toString()).isZero();
        assertThat(plan.out()).contains("linode_volumes.files-01")
                .contains("volume " + DATA + " (1 GiB) becomes the Block Storage volume files-01-data-1 of 10 GB in us-lax, $1.00/month")
                .contains("attached as /dev/sdb")
                .doesNotContain("that ferry does not move");

        Ferry.Result apply = ferry.run("apply", "--auto-approve");
        assertThat(apply.exitCode()).as(apply.toString()).isZero();
        LinodeInstance linode = sandbox.world().linode().instances().get(0);
        assertThat(linode.status()).isEqualTo("running");
        List<LinodeVolume> volumes = sandbox.world().linode().volumes();
        assertThat(volumes).singleElement().satisfies(volume -> {
            assertThat(volume.label()).isEqualTo("files-01-data-1");
            assertThat(volume.sizeGb()).isEqualTo(10);
            assertThat(volume.region()).isEqualTo("us-lax");
            assertThat(volume.linodeId()).isEqualTo(linode.id());
        });
        long size = 1L << 30;
        Path empty = Files.createFile(dir.resolve("empty"));
        assertThat(JourneyATest.sha256(sandbox.world().ec2().volumeDiskImage(DATA), size)).as("the data volume holds more than zeros")
                .isNotEqualTo(JourneyATest.sha256(empty, size));
        assertThat(sandbox.world().linode().volumeSha256(volumes.get(0).id(), size))
                .as("the Block Storage volume holds the data volume's bytes")
                .isEqualTo(JourneyATest.sha256(sandbox.world().ec2().volumeDiskImage(DATA), size));
        assertThat(sandbox.world().linode().volumeSha256(volumes.get(0).id(), volumes.get(0).sizeGb() * (1L << 30)))
                .as("and zeros after them")
                .isEqualTo(JourneyATest.sha256(sandbox.world().ec2().volumeDiskImage(DATA), volumes.get(0).sizeGb() * (1L << 30)));
        assertThat(sandbox.world().linode().configs(linode.id())).singleElement().satisfies(config -> {
            assertThat(config.kernel()).isEqualTo("linode/direct-disk");
            assertThat(config.devices().get("sda").diskId()).isNotNull();
            assertThat(config.devices().get("sdb")).isEqualTo(new LinodeConfig.Device(null, volumes.get(0).id()));
            assertThat(config.devices().keySet()).containsOnly("sda", "sdb");
        });

        Ferry.Result again = ferry.run("plan", "--detailed-exitcode");
        assertThat(again.exitCode()).as(again.toString()).isZero();

        Ferry.Result destroy = ferry.run("destroy", "--auto-approve");
        assertThat(destroy.exitCode()).as(destroy.toString()).isZero();
        assertThat(sandbox.world().linode().instances()).isEmpty();
        assertThat(sandbox.world().linode().volumes()).isEmpty();
    }
}
