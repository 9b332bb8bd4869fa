package dev.ferry.sandbox.aws;

import dev.ferry.sandbox.AwsClients;
import dev.ferry.sandbox.MigrationSetup;
import dev.ferry.sandbox.Sandbox;
import dev.ferry.sandbox.TestSandboxes;
import dev.ferry.sandbox.world.World;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.ContainerFormat;
import software.amazon.awssdk.services.ec2.model.DiskImageFormat;
import software.amazon.awssdk.services.ec2.model.ExportEnvironment;
import software.amazon.awssdk.services.ec2.model.ExportImageResponse;
import software.amazon.awssdk.services.ec2.model.ExportImageTask;
import software.amazon.awssdk.services.ec2.model.ExportTask;
import software.amazon.awssdk.services.ec2.model.ImportImageTask;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.Tag;
import software.amazon.awssdk.services.ec2.model.TagSpecification;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.BucketLocationConstraint;
import software.amazon.awssdk.services.s3.model.ObjectOwnership;

import java.io.InputStream;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** ExportImage, ImportImage and CreateInstanceExportTask through their states, limits and refusals. */
class ConversionTasksTest {

    private static final Duration PATIENCE = Duration.ofSeconds(30);
    private static Sandbox sandbox;
    private static AwsClients clients;
    private static Ec2Client ec2;
    private static S3Client s3;
    private static String webImage;

    @BeforeAll
    static void start() {
        // Export 2.4 s, import 3.2 s: long enough to watch them progress even on a loaded machine (at 0.1,
        // 600 ms, a busy CI runner sometimes saw the export only once before it completed).
        sandbox = TestSandboxes.start(0.4);
        clients = new AwsClients(sandbox);
        ec2 = clients.ec2();
        s3 = clients.s3();
        try (IamClient iam = clients.iam()) {
            MigrationSetup.bucket(s3, MigrationSetup.BUCKET);
            MigrationSetup.role(iam, MigrationSetup.BUCKET);
        }
        webImage = Ec2ImageAndInstanceTest.createAndWait(ec2, "i-0e1dc0292b0ae7293", "web-01-migration");
    }

    @AfterAll
    static void stop() {
        ec2.close();
        s3.close();
        clients.close();
        sandbox.close();
    }

    private static String errorCode(Throwable e) {
        return ((AwsServiceException) e).awsErrorDetails().errorCode();
    }

    private static ExportImageResponse export(String imageId, DiskImageFormat format, String token) {
        return ec2.exportImage(r -> r.imageId(imageId).diskImageFormat(format).roleName("vmimport")
                .clientToken(token).s3ExportLocation(l -> l.s3Bucket(MigrationSetup.BUCKET).s3Prefix("exports/")));
    }

    private static ExportImageTask exportTask(String id) {
        return ec2.describeExportImageTasks(r -> r.exportImageTaskIds(id)).exportImageTasks().get(0);
    }

    private static ExportImageTask awaitExport(String id) {
        TestSandboxes.waitUntil("export " + id, PATIENCE, () -> !exportTask(id).status().equals("active"));
        return exportTask(id);
    }

    private static ImportImageTask importTask(String id) {
        return ec2.describeImportImageTasks(r -> r.importTaskIds(id)).importImageTasks().get(0);
    }

    private static ImportImageTask awaitImport(String id) {
        TestSandboxes.waitUntil("import " + id, PATIENCE, () -> !importTask(id).status().equals("active"));
        return importTask(id);
    }

    @SuppressWarnings("unchecked")
    private static String importFrom(String key, String format, String token) {
        return ec2.importImage(r -> r.roleName("vmimport").clientToken(token).description("app-02")
                .diskContainers(c -> c.format(format).userBucket(b -> b.s3Bucket(MigrationSetup.BUCKET)
                        .s3Key(key)))).importTaskId();
    }

    private static String sha256(InputStream in) throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        try (in) {
            byte[] buffer = new byte[65536];
            int n;
            while ((n = in.read(buffer)) >= 0) {
                sha.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    @Test
    void exportImageIsActiveWithRisingProgressAndWritesTheRawObjectOnlyWhenCompleted() throws Exception {
        ExportImageResponse started = ec2.exportImage(r -> r.imageId(webImage).diskImageFormat(DiskImageFormat.RAW)
                .roleName("vmimport").description("web-01 for Linode")
                .s3ExportLocation(l -> l.s3Bucket(MigrationSetup.BUCKET).s3Prefix("exports/"))
                .tagSpecifications(TagSpecification.builder().resourceType(ResourceType.EXPORT_IMAGE_TASK)
                        .tags(Tag.builder().key("ferry:address").value("export.web-01").build()).build()));
        String id = started.exportImageTaskId();
        assertThat(id).startsWith("export-ami-");
        assertThat(started.diskImageFormatAsString()).isEqualTo("raw");
        assertThat(started.status()).isEqualTo("active");
        String key = "exports/" + id + ".raw";

        List<Integer> progress = new ArrayList<>();
        Set<String> messages = new LinkedHashSet<>();
        ExportImageTask task;
        while (true) {
            boolean objectAbsent = sandbox.world().s3().object(MigrationSetup.BUCKET, key).isEmpty();
            task = exportTask(id);
            if (!task.status().equals("active")) {
                break;
            }
            // Absent before the task was seen active: the object does not appear early.
            assertThat(objectAbsent).isTrue();
            progress.add(Integer.parseInt(task.progress()));
            messages.add(task.statusMessage());
            Thread.sleep(20);
        }
        assertThat(task.status()).isEqualTo("completed");
        assertThat(task.tags()).contains(Tag.builder().key("ferry:address").value("export.web-01").build());
        assertThat(progress).isNotEmpty().isSorted();
        assertThat(progress.get(progress.size() - 1)).isGreaterThan(progress.get(0));
        assertThat(messages).doesNotContainNull().isNotEmpty();

        var head = s3.headObject(r -> r.bucket(MigrationSetup.BUCKET).key(key));
        var disk = sandbox.world().ec2().rootDiskImage("i-0e1dc0292b0ae7293");
        assertThat(head.contentLength()).isEqualTo(Files.size(disk));
        assertThat(sha256(s3.getObject(r -> r.bucket(MigrationSetup.BUCKET).key(key))))
                .isEqualTo(sha256(Files.newInputStream(disk)));
        byte[] mbr = s3.getObjectAsBytes(r -> r.bucket(MigrationSetup.BUCKET).key(key).range("bytes=510-511"))
                .asByteArray();
        assertThat(mbr).containsExactly((byte) 0x55, (byte) 0xAA);
    }

    @Test
    void exportImageWithTheSameClientTokenReturnsTheSameTask() {
        String first = export(webImage, DiskImageFormat.RAW, "ferry-export-web-01").exportImageTaskId();
        String again = export(webImage, DiskImageFormat.RAW, "ferry-export-web-01").exportImageTaskId();
        assertThat(again).isEqualTo(first);
        assertThat(sandbox.world().conversions().exportImageTasks()).filteredOn(t -> "ferry-export-web-01".equals(t.clientToken()))
                .hasSize(1);
        assertThatThrownBy(() -> export(webImage, DiskImageFormat.VMDK, "ferry-export-web-01"))
                .satisfies(e -> assertThat(errorCode(e)).isEqualTo("IdempotentParameterMismatch"));
        awaitExport(first);
        assertThat(export(webImage, DiskImageFormat.RAW, "ferry-export-web-01").exportImageTaskId()).isEqualTo(first);
    }

    @Test
    void exportImageRefusesMarketplaceAndEncryptedImagesWithNotExportable() {
        String vendor = Ec2ImageAndInstanceTest.createAndWait(ec2, "i-0e5f6789012345678", "vendor-image");
        String vault = Ec2ImageAndInstanceTest.createAndWait(ec2, "i-0d4e5f67890123456", "vault-image");
        assertThatThrownBy(() -> export(vendor, DiskImageFormat.RAW, null))
                .satisfies(e -> assertThat(errorCode(e)).isEqualTo("NotExportable"))
                .hasMessageContaining("marketplace");
        assertThatThrownBy(() -> export(vault, DiskImageFormat.RAW, null))
                .satisfies(e -> assertThat(errorCode(e)).isEqualTo("NotExportable"))
                .hasMessageContaining("encrypted");
    }

    @Test
    void exportImageNeedsAServiceRoleThatMayWriteToTheBucket() {
        assertThatThrownBy(() -> ec2.exportImage(r -> r.imageId(webImage).diskImageFormat(DiskImageFormat.RAW)
                .roleName("no-such-role").s3ExportLocation(l -> l.s3Bucket(MigrationSetup.BUCKET))))
                .satisfies(e -> assertThat(errorCode(e)).isEqualTo("InvalidParameter"))
                .hasMessageContaining("service role");
        MigrationSetup.bucket(s3, "elsewhere");
        assertThatThrownBy(() -> ec2.exportImage(r -> r.imageId(webImage).diskImageFormat(DiskImageFormat.RAW)
                .roleName("vmimport").s3ExportLocation(l -> l.s3Bucket("elsewhere"))))
                .satisfies(e -> assertThat(errorCode(e)).isEqualTo("InvalidParameter"))
                .hasMessageContaining("s3:PutObject");
        assertThatThrownBy(() -> ec2.exportImage(r -> r.imageId(webImage).diskImageFormat(DiskImageFormat.RAW)
                .roleName("vmimport").s3ExportLocation(l -> l.s3Bucket("missing-bucket"))))
                .satisfies(e -> assertThat(errorCode(e)).isEqualTo("InvalidParameter"))
                .hasMessageContaining("does not exist");
    }

    @Test
    void cancelExportTaskEndsAnActiveExportWithoutAnObject() {
        String id = export(webImage, DiskImageFormat.VHD, null).exportImageTaskId();
        ec2.cancelExportTask(r -> r.exportTaskId(id));
        assertThat(exportTask(id).status()).isEqualTo("deleted");
        assertThat(sandbox.world().s3().object(MigrationSetup.BUCKET, "exports/" + id + ".vhd")).isEmpty();
        assertThatThrownBy(() -> ec2.cancelExportTask(r -> r.exportTaskId(id)))
                .satisfies(e -> assertThat(errorCode(e)).isEqualTo("IncorrectState"));
        assertThatThrownBy(() -> ec2.cancelExportTask(r -> r.exportTaskId("export-ami-0000000000000000f")))
                .satisfies(e -> assertThat(errorCode(e)).isEqualTo("InvalidExportTaskID.NotFound"));
    }

    @SuppressWarnings("unchecked")
    @Test
    void theSixthConcurrentConversionTaskIsRefusedAndNoMoreThanFiveEverRun() {
        try (Sandbox own = TestSandboxes.start(0.2);
             AwsClients ownClients = new AwsClients(own);
             Ec2Client ownEc2 = ownClients.ec2();
             S3Client ownS3 = ownClients.s3();
             IamClient ownIam = ownClients.iam()) {
            MigrationSetup.bucket(ownS3, MigrationSetup.BUCKET);
            MigrationSetup.role(ownIam, MigrationSetup.BUCKET);
            String image = Ec2ImageAndInstanceTest.createAndWait(ownEc2, "i-0e1dc0292b0ae7293", "limit");
            List<String> started = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                started.add(ownEc2.exportImage(r -> r.imageId(image).diskImageFormat(DiskImageFormat.RAW)
                        .roleName("vmimport").s3ExportLocation(l -> l.s3Bucket(MigrationSetup.BUCKET)))
                        .exportImageTaskId());
            }
            assertThatThrownBy(() -> ownEc2.exportImage(r -> r.imageId(image).diskImageFormat(DiskImageFormat.RAW)
                    .roleName("vmimport").s3ExportLocation(l -> l.s3Bucket(MigrationSetup.BUCKET))))
                    .satisfies(e -> assertThat(errorCode(e)).isEqualTo("ResourceCountLimitExceeded"));
            assertThatThrownBy(() -> ownEc2.importImage(r -> r.roleName("vmimport").diskContainers(c -> c
                    .format("RAW").userBucket(b -> b.s3Bucket(MigrationSetup.BUCKET).s3Key("x.raw")))))
                    .satisfies(e -> assertThat(errorCode(e)).isEqualTo("ResourceCountLimitExceeded"));
            TestSandboxes.waitUntil("the exports", PATIENCE, () -> ownEc2.describeExportImageTasks(
                    r -> r.exportImageTaskIds(started)).exportImageTasks().stream()
                    .noneMatch(t -> t.status().equals("active")));
            String sixth = ownEc2.exportImage(r -> r.imageId(image).diskImageFormat(DiskImageFormat.RAW)
                    .roleName("vmimport").s3ExportLocation(l -> l.s3Bucket(MigrationSetup.BUCKET)))
                    .exportImageTaskId();
            assertThat(sixth).isNotIn(started);
            assertThat(own.world().conversions().maxConcurrent()).isEqualTo(World.MAX_ACTIVE_CONVERSION_TASKS);
            assertThat(own.world().conversions().timeline()).hasSize(6);
        }
    }

    @Test
    void importImageOfARawDiskGoesThroughItsPhasesToAnAmiThatLaunches() {
        String exportId = awaitExport(export(webImage, DiskImageFormat.RAW, null).exportImageTaskId()).exportImageTaskId();
        String key = "exports/" + exportId + ".raw";
        String id = importFrom(key, "RAW", "ferry-import-app-02");
        assertThat(id).startsWith("import-ami-");
        assertThat(importFrom(key, "RAW", "ferry-import-app-02")).isEqualTo(id);

        Set<String> messages = new LinkedHashSet<>();
        ImportImageTask watched = importTask(id);
        while (watched.status().equals("active")) {
            messages.add(watched.statusMessage());
            try {
                Thread.sleep(15);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
            watched = importTask(id);
        }
        ImportImageTask task = watched;
        assertThat(task.status()).isEqualTo("completed");
        assertThat(messages).isSubsetOf("pending", "validating", "converting", "updating", "booting",
                "preparing ami").hasSizeGreaterThan(2);
        assertThat(task.imageId()).startsWith("ami-");
        assertThat(task.snapshotDetails()).singleElement().satisfies(d -> {
            assertThat(d.snapshotId()).startsWith("snap-");
            assertThat(d.format()).isEqualTo("RAW");
            assertThat(d.diskImageSize()).isPositive();
        });
        var image = ec2.describeImages(r -> r.imageIds(task.imageId())).images().get(0);
        assertThat(image.stateAsString()).isEqualTo("available");

        var launched = ec2.runInstances(r -> r.imageId(task.imageId()).instanceType("t3.medium").minCount(1)
                .maxCount(1).subnetId("subnet-0abc1234").securityGroupIds("sg-0123456789abcdef0")
                .privateIpAddress("10.0.1.21")).instances().get(0);
        assertThat(launched.imageId()).isEqualTo(task.imageId());
    }

    @Test
    void importImageOfSomethingThatIsNotADiskEndsDeletedWithAClientError() {
        s3.putObject(r -> r.bucket(MigrationSetup.BUCKET).key("imports/garbage.vmdk"),
                RequestBody.fromString("this is not a disk image at all ".repeat(100)));
        String id = importFrom("imports/garbage.vmdk", "VMDK", null);
        ImportImageTask done = awaitImport(id);
        assertThat(done.status()).isEqualTo("deleted");
        assertThat(done.statusMessage()).startsWith("ClientError:");
        assertThat(done.imageId()).isNull();

        String missing = importFrom("imports/not-uploaded.ova", "OVA", null);
        assertThat(awaitImport(missing).statusMessage()).startsWith("ClientError:");
    }

    @Test
    void importsTheVmdkVhdAndOvaThatExportsProduce() throws Exception {
        String vmdkExport = export(webImage, DiskImageFormat.VMDK, null).exportImageTaskId();
        String vhdExport = export(webImage, DiskImageFormat.VHD, null).exportImageTaskId();
        awaitExport(vmdkExport);
        awaitExport(vhdExport);
        byte[] magic = s3.getObjectAsBytes(r -> r.bucket(MigrationSetup.BUCKET).key("exports/" + vmdkExport
                + ".vmdk").range("bytes=0-3")).asByteArray();
        assertThat(new String(magic, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("KDMV");

        String fromVmdk = importFrom("exports/" + vmdkExport + ".vmdk", "VMDK", null);
        String fromVhd = importFrom("exports/" + vhdExport + ".vhd", "VHD", null);
        ImportImageTask vmdk = awaitImport(fromVmdk);
        ImportImageTask vhd = awaitImport(fromVhd);
        assertThat(vmdk.status()).isEqualTo("completed");
        assertThat(vhd.status()).isEqualTo("completed");

        // The disks registered are the original bytes, whatever container carried them.
        String original = sha256(Files.newInputStream(sandbox.world().ec2().rootDiskImage("i-0e1dc0292b0ae7293")));
        var launched = ec2.runInstances(r -> r.imageId(vmdk.imageId()).instanceType("t3.medium").minCount(1)
                .maxCount(1).subnetId("subnet-0abc1234").securityGroupIds("sg-0123456789abcdef0")).instances().get(0);
        TestSandboxes.waitUntil("running", PATIENCE, () -> ec2.describeInstances(r -> r.instanceIds(
                launched.instanceId())).reservations().get(0).instances().get(0).state().nameAsString()
                .equals("running"));
        assertThat(sha256(Files.newInputStream(sandbox.world().ec2().rootDiskImage(launched.instanceId()))))
                .isEqualTo(original);
    }

    @Test
    void createInstanceExportTaskNeedsAclGrantsAndWritesAnOva() throws Exception {
        String exportId = awaitExport(export(webImage, DiskImageFormat.RAW, null).exportImageTaskId())
                .exportImageTaskId();
        String imported = awaitImport(importFrom("exports/" + exportId + ".raw", "RAW", null)).imageId();
        String instanceId = ec2.runInstances(r -> r.imageId(imported).instanceType("t3.medium").minCount(1)
                .maxCount(1).subnetId("subnet-0abc1234").securityGroupIds("sg-0123456789abcdef0")).instances().get(0)
                .instanceId();
        TestSandboxes.waitUntil("running", PATIENCE, () -> ec2.describeInstances(r -> r.instanceIds(instanceId))
                .reservations().get(0).instances().get(0).state().nameAsString().equals("running"));

        assertThatThrownBy(() -> ec2.createInstanceExportTask(r -> r.instanceId(instanceId)
                .targetEnvironment(ExportEnvironment.VMWARE).exportToS3Task(t -> t.diskImageFormat(DiskImageFormat.VMDK)
                        .containerFormat(ContainerFormat.OVA).s3Bucket(MigrationSetup.BUCKET).s3Prefix("back/"))))
                .satisfies(e -> assertThat(errorCode(e)).isEqualTo("AuthFailure"))
                .hasMessageContaining(World.EXPORT_SERVICE_EMAIL);

        s3.createBucket(r -> r.bucket("exports-back").objectOwnership(ObjectOwnership.OBJECT_WRITER)
                .createBucketConfiguration(c -> c.locationConstraint(BucketLocationConstraint.US_WEST_1)));
        s3.putBucketAcl(r -> r.bucket("exports-back").grantWrite("emailAddress=" + World.EXPORT_SERVICE_EMAIL)
                .grantReadACP("emailAddress=" + World.EXPORT_SERVICE_EMAIL));
        assertThatThrownBy(() -> ec2.createInstanceExportTask(r -> r.instanceId("i-0e1dc0292b0ae7293")
                .targetEnvironment(ExportEnvironment.VMWARE).exportToS3Task(t -> t.diskImageFormat(DiskImageFormat.VMDK)
                        .s3Bucket("exports-back"))))
                .satisfies(e -> assertThat(errorCode(e)).isEqualTo("NotExportable"));
        assertThatThrownBy(() -> ec2.createInstanceExportTask(r -> r.instanceId(instanceId)
                .targetEnvironment(ExportEnvironment.CITRIX).exportToS3Task(t -> t.diskImageFormat(DiskImageFormat.RAW)
                        .s3Bucket("exports-back"))))
                .satisfies(e -> assertThat(errorCode(e)).isEqualTo("Unsupported"));

        ExportTask task = ec2.createInstanceExportTask(r -> r.instanceId(instanceId).description("back to vSphere")
                .targetEnvironment(ExportEnvironment.VMWARE).exportToS3Task(t -> t.diskImageFormat(DiskImageFormat.VMDK)
                        .containerFormat(ContainerFormat.OVA).s3Bucket("exports-back").s3Prefix("back/")))
                .exportTask();
        assertThat(task.exportTaskId()).startsWith("export-i-");
        assertThat(task.stateAsString()).isEqualTo("active");
        assertThat(task.exportToS3Task().s3Key()).isEqualTo("back/" + task.exportTaskId() + ".ova");
        TestSandboxes.waitUntil("instance export", PATIENCE, () -> ec2.describeExportTasks(
                r -> r.exportTaskIds(task.exportTaskId())).exportTasks().get(0).stateAsString().equals("completed"));
        var ova = s3.headObject(r -> r.bucket("exports-back").key("back/" + task.exportTaskId() + ".ova"));
        assertThat(ova.contentLength()).isGreaterThan(Files.size(sandbox.world().ec2().rootDiskImage(instanceId)));
        byte[] header = s3.getObjectAsBytes(r -> r.bucket("exports-back").key("back/" + task.exportTaskId()
                + ".ova").range("bytes=257-261")).asByteArray();
        assertThat(new String(header, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("ustar");

        // The OVA goes back in through ImportImage.
        java.nio.file.Path local = Files.createTempFile("roundtrip", ".ova");
        try {
            Files.delete(local);
            s3.getObject(r -> r.bucket("exports-back").key("back/" + task.exportTaskId() + ".ova"), local);
            s3.putObject(r -> r.bucket(MigrationSetup.BUCKET).key("imports/roundtrip.ova"), local);
        } finally {
            Files.deleteIfExists(local);
        }
        ImportImageTask fromOva = awaitImport(importFrom("imports/roundtrip.ova", "OVA", null));
        assertThat(fromOva.status()).isEqualTo("completed");
        assertThat(fromOva.snapshotDetails().get(0).format()).as("the disk in the OVA, as AWS reports it").isEqualTo("VMDK");
    }
}
