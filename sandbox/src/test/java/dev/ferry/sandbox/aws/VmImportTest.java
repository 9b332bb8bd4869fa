package dev.ferry.sandbox.aws;

import dev.ferry.sandbox.AwsClients;
import dev.ferry.sandbox.MigrationSetup;
import dev.ferry.sandbox.Sandbox;
import dev.ferry.sandbox.TestSandboxes;
import dev.ferry.sandbox.world.ConversionTaskSpan;
import dev.ferry.sandbox.world.VmImageFormat;
import dev.ferry.sandbox.world.World;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.ContainerFormat;
import software.amazon.awssdk.services.ec2.model.DiskImageFormat;
import software.amazon.awssdk.services.ec2.model.ExportEnvironment;
import software.amazon.awssdk.services.ec2.model.Image;
import software.amazon.awssdk.services.ec2.model.ImportImageTask;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.BucketLocationConstraint;
import software.amazon.awssdk.services.s3.model.ObjectOwnership;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * ImportImage of vCenter-style files through the real SDK: an OVA made by {@code exportVmImage} becomes an AMI
 * with the VM's architecture, platform and disks; garbage ends {@code deleted} with VM Import/Export's kind of
 * StatusMessage; and import, image export and instance export share the region's five conversion slots.
 */
class VmImportTest {

    private static final Duration PATIENCE = Duration.ofSeconds(30);
    private static Sandbox sandbox;
    private static AwsClients clients;
    private static Ec2Client ec2;
    private static S3Client s3;

    @TempDir
    static Path temp;

    @BeforeAll
    static void start() {
        sandbox = TestSandboxes.start(0.05);
        clients = new AwsClients(sandbox);
        ec2 = clients.ec2();
        s3 = clients.s3();
        try (IamClient iam = clients.iam()) {
            MigrationSetup.bucket(s3, MigrationSetup.BUCKET);
            MigrationSetup.role(iam, MigrationSetup.BUCKET);
        }
    }

    @AfterAll
    static void stop() {
        ec2.close();
        s3.close();
        clients.close();
        sandbox.close();
    }

    static String upload(S3Client s3, Sandbox sandbox, String vm, VmImageFormat format) {
        String name = vm + "." + format.name().toLowerCase();
        Path file = sandbox.world().vcenter().exportVmImage(vm, temp.resolve(name), format);
        s3.putObject(r -> r.bucket(MigrationSetup.BUCKET).key("imports/" + name), file);
        return "imports/" + name;
    }

    static String importFrom(Ec2Client ec2, String key, String format) {
        return ec2.importImage(r -> r.roleName("vmimport").architecture("x86_64").description("ferry: " + key)
                .diskContainers(c -> c.format(format).userBucket(b -> b.s3Bucket(MigrationSetup.BUCKET).s3Key(key))))
                .importTaskId();
    }

    static ImportImageTask task(Ec2Client ec2, String id) {
        return ec2.describeImportImageTasks(r -> r.importTaskIds(id)).importImageTasks().get(0);
    }

    static ImportImageTask await(Ec2Client ec2, String id) {
        TestSandboxes.waitUntil("import " + id, PATIENCE, () -> !task(ec2, id).status().equals("active"));
        return task(ec2, id);
    }

    private static Image image(String id) {
        return ec2.describeImages(r -> r.imageIds(id)).images().get(0);
    }

    private static String errorCode(Throwable e) {
        return ((AwsServiceException) e).awsErrorDetails().errorCode();
    }

    @Test
    void anOvaOfAVcenterVmImportsToAnAmiWithItsArchitecturePlatformAndDisk() {
        String key = upload(s3, sandbox, "app-02", VmImageFormat.OVA);
        ImportImageTask done = await(ec2, importFrom(ec2, key, "OVA"));

        assertThat(done.status()).as(done.statusMessage()).isEqualTo("completed");
        assertThat(done.architecture()).isEqualTo("x86_64");
        assertThat(done.platform()).isEqualTo("Linux");
        assertThat(done.licenseType()).isEqualTo("BYOL");
        assertThat(done.bootModeAsString()).isEqualTo("legacy-bios");
        assertThat(done.snapshotDetails()).singleElement().satisfies(d -> {
            assertThat(d.format()).as("the disk inside the OVA").isEqualTo("VMDK");
            assertThat(d.deviceName()).isEqualTo("/dev/sda1");
            assertThat(d.userBucket().s3Key()).isEqualTo(key);
            assertThat(d.snapshotId()).startsWith("snap-");
        });
        Image image = image(done.imageId());
        assertThat(image.architectureAsString()).isEqualTo("x86_64");
        assertThat(image.platformDetails()).isEqualTo("Linux/UNIX");
        assertThat(image.platform()).isNull();
        assertThat(image.blockDeviceMappings()).singleElement().satisfies(d -> {
            assertThat(d.deviceName()).isEqualTo("/dev/sda1");
            assertThat(d.ebs().volumeSize()).as("the VM's 8 GiB disk, not the size of its content").isEqualTo(8);
        });

        String instance = ec2.runInstances(r -> r.imageId(done.imageId()).instanceType("t3.medium").minCount(1)
                .maxCount(1).subnetId("subnet-0abc1234").securityGroupIds("sg-0123456789abcdef0")
                .privateIpAddress("10.0.1.20")).instances().get(0).instanceId();
        TestSandboxes.waitUntil("running", PATIENCE, () -> ec2.describeInstances(r -> r.instanceIds(instance))
                .reservations().get(0).instances().get(0).state().nameAsString().equals("running"));
    }

    @Test
    void everyDiskOfAnOvaBecomesASnapshotOfTheAmi() {
        String key = upload(s3, sandbox, "db-02", VmImageFormat.OVA);
        ImportImageTask done = await(ec2, importFrom(ec2, key, "OVA"));
        assertThat(done.status()).as(done.statusMessage()).isEqualTo("completed");
        assertThat(done.snapshotDetails()).extracting(d -> d.deviceName()).containsExactly("/dev/sda1", "/dev/sdb");
        assertThat(image(done.imageId()).blockDeviceMappings()).extracting(d -> d.ebs().volumeSize())
                .containsExactly(10, 50);
    }

    @Test
    void aStreamOptimizedVmdkImportsAsVmdk() {
        String key = upload(s3, sandbox, "app-03", VmImageFormat.VMDK);
        ImportImageTask done = await(ec2, importFrom(ec2, key, "VMDK"));
        assertThat(done.status()).as(done.statusMessage()).isEqualTo("completed");
        assertThat(done.snapshotDetails().get(0).format()).isEqualTo("VMDK");
        assertThat(image(done.imageId()).blockDeviceMappings().get(0).ebs().volumeSize()).isEqualTo(16);
    }

    @Test
    void garbageEndsDeletedWithVmImportsKindOfMessage() {
        s3.putObject(r -> r.bucket(MigrationSetup.BUCKET).key("imports/garbage.ova"),
                RequestBody.fromString("this is no disk image ".repeat(200)));
        ImportImageTask notAnOva = await(ec2, importFrom(ec2, "imports/garbage.ova", "OVA"));
        assertThat(notAnOva.status()).isEqualTo("deleted");
        assertThat(notAnOva.statusMessage())
                .isEqualTo("ClientError: Disk validation failed [Unsupported specified file format]");
        assertThat(notAnOva.imageId()).isNull();

        String ova = upload(s3, sandbox, "app-02", VmImageFormat.OVA);
        ImportImageTask ovaAsVmdk = await(ec2, importFrom(ec2, ova, "VMDK"));
        assertThat(ovaAsVmdk.statusMessage())
                .isEqualTo("ClientError: Disk validation failed [Unsupported specified file format]");

        s3.putObject(r -> r.bucket(MigrationSetup.BUCKET).key("imports/blank.raw"),
                RequestBody.fromBytes(new byte[1 << 20]));
        assertThat(await(ec2, importFrom(ec2, "imports/blank.raw", "RAW")).statusMessage())
                .isEqualTo("ClientError: Unknown OS / Missing OS files.");

        s3.putObject(r -> r.bucket(MigrationSetup.BUCKET).key("imports/descriptor.vmdk"), RequestBody.fromString(
                "# Disk DescriptorFile\nversion=1\ncreateType=\"vmfs\"\nRW 16777216 VMFS \"app-flat.vmdk\"\n"));
        assertThat(await(ec2, importFrom(ec2, "imports/descriptor.vmdk", "VMDK")).statusMessage())
                .isEqualTo("ClientError: Disk validation failed [Unsupported VMDK File Format]");

        assertThat(await(ec2, importFrom(ec2, "imports/never-uploaded.ova", "OVA")).statusMessage())
                .startsWith("ClientError: Disk validation failed [We do not have access to the given resource.");

        s3.putObject(r -> r.bucket(MigrationSetup.BUCKET).key("imports/empty.vmdk"), RequestBody.empty());
        assertThatThrownBy(() -> importFrom(ec2, "imports/empty.vmdk", "VMDK"))
                .satisfies(e -> assertThat(errorCode(e)).isEqualTo("InvalidParameter"))
                .hasMessageContaining("disk-image-size=0");
    }

    @Test
    void theGuestInTheOvfDecidesPlatformArchitectureAndBootMode() throws Exception {
        Path world = temp.resolve("world.yaml");
        Files.writeString(world, """
                vms:
                  - {name: win-01, guest_os: WINDOWS_2019SERVER_64, cpu_count: 2, memory_mib: 8192,
                     disks: [{capacity_gib: 40, image_size: 8MiB}]}
                  - {name: old-32, guest_os: UBUNTU, boot_type: EFI, disks: [{capacity_gib: 4, image_size: 8MiB}]}
                """);
        try (Sandbox own = Sandbox.start(TestSandboxes.options(0.05).worldFile(world).build());
             AwsClients ownClients = new AwsClients(own);
             Ec2Client ownEc2 = ownClients.ec2();
             S3Client ownS3 = ownClients.s3();
             IamClient ownIam = ownClients.iam()) {
            MigrationSetup.bucket(ownS3, MigrationSetup.BUCKET);
            MigrationSetup.role(ownIam, MigrationSetup.BUCKET);
            String windowsTask = importFrom(ownEc2, upload(ownS3, own, "win-01", VmImageFormat.OVA), "OVA");
            String oldTask = importFrom(ownEc2, upload(ownS3, own, "old-32", VmImageFormat.OVA), "OVA");

            ImportImageTask windows = await(ownEc2, windowsTask);
            assertThat(windows.status()).as(windows.statusMessage()).isEqualTo("completed");
            assertThat(windows.platform()).isEqualTo("Windows");
            assertThat(windows.licenseType()).isEqualTo("AWS");
            Image windowsImage = ownEc2.describeImages(r -> r.imageIds(windows.imageId())).images().get(0);
            assertThat(windowsImage.platformAsString()).isEqualTo("windows");
            assertThat(windowsImage.platformDetails()).isEqualTo("Windows");

            ImportImageTask old = await(ownEc2, oldTask);
            assertThat(old.architecture()).as("the OVF's 32-bit guest, whatever the request said")
                    .isEqualTo("i386");
            assertThat(old.bootModeAsString()).isEqualTo("uefi");
            assertThat(ownEc2.describeImages(r -> r.imageIds(old.imageId())).images().get(0).architectureAsString())
                    .isEqualTo("i386");
        }
    }

    @SuppressWarnings("unchecked")
    @Test
    void importExportAndInstanceExportShareTheFiveConversionSlots() {
        try (Sandbox own = TestSandboxes.start(0.2);
             AwsClients ownClients = new AwsClients(own);
             Ec2Client ownEc2 = ownClients.ec2();
             S3Client ownS3 = ownClients.s3();
             IamClient ownIam = ownClients.iam()) {
            MigrationSetup.bucket(ownS3, MigrationSetup.BUCKET);
            MigrationSetup.role(ownIam, MigrationSetup.BUCKET);
            ownS3.createBucket(r -> r.bucket("exports-back").objectOwnership(ObjectOwnership.OBJECT_WRITER)
                    .createBucketConfiguration(c -> c.locationConstraint(BucketLocationConstraint.US_WEST_1)));
            ownS3.putBucketAcl(r -> r.bucket("exports-back").grantWrite("emailAddress=" + World.EXPORT_SERVICE_EMAIL)
                    .grantReadACP("emailAddress=" + World.EXPORT_SERVICE_EMAIL));
            String ova = upload(ownS3, own, "app-02", VmImageFormat.OVA);
            String ami = await(ownEc2, importFrom(ownEc2, ova, "OVA")).imageId();
            String instance = ownEc2.runInstances(r -> r.imageId(ami).instanceType("t3.medium").minCount(1).maxCount(1)
                    .subnetId("subnet-0abc1234")).instances().get(0).instanceId();
            TestSandboxes.waitUntil("running", PATIENCE, () -> ownEc2.describeInstances(r -> r.instanceIds(instance))
                    .reservations().get(0).instances().get(0).state().nameAsString().equals("running"));

            List<String> started = new ArrayList<>();
            started.add(importFrom(ownEc2, ova, "OVA"));
            started.add(importFrom(ownEc2, ova, "OVA"));
            for (int i = 0; i < 2; i++) {
                started.add(ownEc2.exportImage(r -> r.imageId(ami).diskImageFormat(DiskImageFormat.RAW)
                        .roleName("vmimport").s3ExportLocation(l -> l.s3Bucket(MigrationSetup.BUCKET)))
                        .exportImageTaskId());
            }
            started.add(ownEc2.createInstanceExportTask(r -> r.instanceId(instance)
                    .targetEnvironment(ExportEnvironment.VMWARE).exportToS3Task(t -> t
                            .diskImageFormat(DiskImageFormat.VMDK).containerFormat(ContainerFormat.OVA)
                            .s3Bucket("exports-back").s3Prefix("back/"))).exportTask().exportTaskId());

            assertThatThrownBy(() -> importFrom(ownEc2, ova, "OVA"))
                    .satisfies(e -> assertThat(errorCode(e)).isEqualTo("ResourceCountLimitExceeded"));
            assertThatThrownBy(() -> ownEc2.exportImage(r -> r.imageId(ami).diskImageFormat(DiskImageFormat.RAW)
                    .roleName("vmimport").s3ExportLocation(l -> l.s3Bucket(MigrationSetup.BUCKET))))
                    .satisfies(e -> assertThat(errorCode(e)).isEqualTo("ResourceCountLimitExceeded"));
            assertThatThrownBy(() -> ownEc2.createInstanceExportTask(r -> r.instanceId(instance)
                    .targetEnvironment(ExportEnvironment.VMWARE).exportToS3Task(t -> t
                            .diskImageFormat(DiskImageFormat.VMDK).s3Bucket("exports-back"))))
                    .satisfies(e -> assertThat(errorCode(e)).isEqualTo("ResourceCountLimitExceeded"));

            TestSandboxes.waitUntil("the five tasks", PATIENCE, () -> own.world().conversions().timeline().stream()
                    .filter(s -> started.contains(s.taskId())).allMatch(s -> s.end() != null));
            String next = importFrom(ownEc2, ova, "OVA");
            assertThat(next).isNotIn(started);

            List<ConversionTaskSpan> timeline = own.world().conversions().timeline();
            assertThat(timeline).extracting(ConversionTaskSpan::kind)
                    .containsExactly("import-image", "import-image", "import-image", "export-image", "export-image",
                            "instance-export", "import-image");
            assertThat(own.world().conversions().maxConcurrent()).isEqualTo(World.MAX_ACTIVE_CONVERSION_TASKS);
        }
    }
}
