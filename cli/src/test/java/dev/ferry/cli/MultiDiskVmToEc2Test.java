package dev.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.sandbox.Sandbox;
import dev.ferry.sandbox.SandboxOptions;
import dev.ferry.sandbox.world.Ami;
import dev.ferry.sandbox.world.BlockDevice;
import dev.ferry.sandbox.world.Ec2Instance;
import dev.ferry.sandbox.world.ImportImageTask;
import dev.ferry.sandbox.world.Volume;
import dev.ferry.sandbox.world.VmImageFormat;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Journey B with a VM of two disks: the sandbox's db-02 (a 10 GiB boot disk and a 50 GiB data disk) exported by
 * ferry from vCenter arrives in EC2 with both disks, in order: in the OVA in S3, as the imported AMI's two block
 * devices, and as the instance's two volumes, each holding the bytes of its disk.
 */
class MultiDiskVmToEc2Test {

    static final String BUCKET = VcenterToEc2Test.BUCKET;
    static final long MIB = 1 << 20;

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

    static String file() {
        return """
                apiVersion: ferry/v1
                kind: Migration
                metadata:
                  name: data-tier
                providers:
                  aws:
                    region: us-west-1
                  vsphere:
                    vcenter: https://vc.example.com
                    username: ${env:VSPHERE_USER}
                    password: ${env:VSPHERE_PASSWORD}
                staging:
                  bucket: %s
                  prefix: imports/
                  create: true
                  cleanup: keep
                migrations:
                  - name: db-02
                    source:
                      vsphere: { vm: db-02, datastore: datastore1 }
                    target:
                      ec2:
                        subnet: subnet-0abc1234
                        instance_type: match
                        family: t3
                        security_groups: [sg-0123456789abcdef0]
                        tags: { Name: db-02 }
                """.formatted(BUCKET);
    }

    CliRunner.Result ferry(String... args) {
        return CliRunner.run(dir, VcenterToEc2Test.environment(sandbox), args);
    }

    @Test
    void aTwoDiskVmArrivesWithBothDisksInOrder_inS3InTheAmiAndOnTheInstance() throws Exception {
        Files.writeString(dir.resolve("migration.yaml"), file());

        CliRunner.Result plan = ferry("plan", "-out", "review.plan");
        assertThat(plan.exitCode()).as(plan.all()).isZero();
        assertThat(plan.out()).contains("the VM has 2 disks, imported together into one AMI in this order", "1. 'Hard disk 1' 10 GiB (boot), 2. 'Hard disk 2' 50 GiB");

        CliRunner.Result apply = ferry("apply", "review.plan");
        assertThat(apply.exitCode()).as(apply.all()).isZero();

        // the OVA in S3 holds the descriptor and both disks, byte for byte as vCenter exports them, boot disk first
        Map<String, String> uploaded = VcenterExportToEc2Test.entries(sandbox.world().s3().openObject(BUCKET, "imports/db-02.ova"));
        Path reference = sandbox.world().vcenter().exportVmImage("db-02", cache.resolve("reference.ova"), VmImageFormat.OVA);
        Map<String, String> expected = VcenterExportToEc2Test.entries(Files.newInputStream(reference));
        expected.remove("db-02.mf");
        assertThat(uploaded).containsExactlyEntriesOf(expected);
        assertThat(List.copyOf(uploaded.keySet())).containsExactly("db-02.ovf", "db-02-disk1.vmdk", "db-02-disk2.vmdk");

        // one import of one OVA makes one AMI of two block devices, in the VM's order
        ImportImageTask imported = VcenterToEc2Test.only(sandbox.world().conversions().importImageTasks());
        assertThat(imported.status()).isEqualTo("completed");
        assertThat(imported.snapshotDetails()).hasSize(2);
        Ami ami = sandbox.world().ec2().ami(imported.imageId()).orElseThrow();
        assertThat(ami.blockDevices()).extracting(BlockDevice::deviceName).containsExactly("/dev/sda1", "/dev/sdb");
        assertThat(ami.blockDevices()).extracting(BlockDevice::volumeSizeGiB).containsExactly(10, 50);

        // each snapshot holds its disk's bytes
        for (int disk = 1; disk <= 2; disk++) {
            long length = sandbox.world().vcenter().vmDiskContentBytes("db-02", disk) + MIB;
            assertThat(sandbox.world().ebs().snapshotSha256(ami.blockDevices().get(disk - 1).snapshotId(), length))
                    .as("snapshot of disk " + disk).isEqualTo(sandbox.world().vcenter().vmDiskSha256("db-02", disk, length));
        }
        assertThat(sandbox.world().vcenter().vmDiskSha256("db-02", 1, MIB)).as("the two disks differ, so the order is checked")
                .isNotEqualTo(sandbox.world().vcenter().vmDiskSha256("db-02", 2, MIB));

        // RunInstances launches the AMI with both: two volumes from the two snapshots, in order
        Ec2Instance instance = VcenterToEc2Test.only(sandbox.world().ec2().instances().stream()
                .filter(i -> "db-02".equals(i.tags().get("Name"))).toList());
        assertThat(instance.imageId()).isEqualTo(ami.id());
        List<Volume> volumes = instance.volumeIds().stream()
                .map(id -> sandbox.world().ec2().volumes().stream().filter(v -> v.id().equals(id)).findFirst().orElseThrow()).toList();
        assertThat(volumes).extracting(Volume::device).containsExactly("/dev/sda1", "/dev/sdb");
        assertThat(volumes).extracting(Volume::snapshotId)
                .containsExactly(ami.blockDevices().get(0).snapshotId(), ami.blockDevices().get(1).snapshotId());
        assertThat(volumes).extracting(Volume::sizeGiB).containsExactly(10, 50);
    }

    @Test
    void aDiskOverTheLimitForOneDiskImageIsRefusedAtPlanNamingTheDiskBeforeAnythingIsUploaded() throws Exception {
        Path big = VcenterToEc2Test.rawDisk(dir.resolve("big-01.raw"), MIB, true);
        try (java.io.RandomAccessFile file = new java.io.RandomAccessFile(big.toFile(), "rw")) {
            file.setLength(216L << 30);   // sparse beyond the first MiB
        }
        VcenterToEc2Test.rawDisk(dir.resolve("small-01.raw"), MIB, true);
        Files.writeString(dir.resolve("migration.yaml"), VcenterToEc2Test.imagesOnly("t3.medium", "big-01", "small-01"));

        CliRunner.Result plan = ferry("plan");

        assertThat(plan.exitCode()).as(plan.all()).isEqualTo(1);
        assertThat(plan.all()).contains("disk 'big-01.raw' is 216 GiB as uploaded (big-01.raw)", "215 GiB VM Import takes for one disk image")
                .doesNotContain("small-01.raw' is").doesNotContain("\tat ");
        assertThat(sandbox.world().s3().objects("ferry-e2e-images")).as("nothing was uploaded").isEmpty();
    }

    @Test
    void aVmWithSnapshotsIsPlannedWithTheWarningThatItsCurrentStateIsWhatTravels() throws Exception {
        sandbox.world().vcenter().takeVmSnapshot("db-02");
        sandbox.world().vcenter().takeVmSnapshot("db-02");
        Files.writeString(dir.resolve("migration.yaml"), file());

        CliRunner.Result plan = ferry("plan");

        assertThat(plan.exitCode()).as(plan.all()).isZero();
        assertThat(plan.out()).contains("VM 'db-02' has snapshots ('Hard disk 1' runs on [datastore1] db-02/db-02-000002.vmdk, "
                + "'Hard disk 2' runs on [datastore1] db-02/db-02_1-000002.vmdk)", "the export takes its current state");
        assertThat(sandbox.requests().count("vcenter:POST /api/vcenter/ovf/library-item")).as("planning captures nothing").isZero();
    }
}
