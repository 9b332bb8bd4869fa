package dev.ferry.provider.aws;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.engine.testing.MigrationYaml;
import dev.ferry.engine.apply.ApplyResult;
import dev.ferry.engine.machine.DiskImage;
import dev.ferry.engine.machine.FirewallIntent;
import dev.ferry.engine.machine.MachineFacts;
import dev.ferry.engine.plan.Action;
import dev.ferry.engine.plan.Change;
import dev.ferry.engine.plan.Plan;
import dev.ferry.engine.provider.Note;
import dev.ferry.engine.resource.ResourceAddress;
import dev.ferry.sandbox.Sandbox;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The source half of journey A, end to end against the sandbox: plan, apply, clean-up, no-op, destroy. */
class JourneyASourceTest {

    static final String WEB_01 = "i-0e1dc0292b0ae7293";

    static String file(String cleanup, boolean create) {
        return MigrationYaml.named("journey-a").provider("aws", "{region: us-west-1}").provider("linode", "{}")
                .staging("{bucket: ferry-journey-a, prefix: exports/, create: %s, cleanup: %s}".formatted(create, cleanup))
                .migration("web-01", "{ec2: {instance: " + WEB_01 + ", reboot: false, via: export}}", MigrationYaml.LINODE_TARGET)
                .yaml();
    }

    @TempDir
    Path directory;
    Sandbox sandbox;

    @BeforeEach
    void start() {
        sandbox = Sandboxes.start();
    }

    @AfterEach
    void stop() {
        sandbox.close();
    }

    @Test
    void exportsTheRootDiskAsRawAndHandsItToTheTargetThroughRangedReads() throws Exception {
        Journey journey = new Journey(sandbox, file("keep", true), directory);

        Plan plan = journey.plan();
        assertThat(plan.change(ResourceAddress.parse("data.aws_ec2_instance.web-01")).map(Change::action)).contains(Action.NOOP);
        for (String address : new String[] {"aws_ami.web-01", "aws_s3_bucket.staging", "aws_s3_bucket_policy.staging",
                "aws_iam_role.vmimport", "aws_image_export.web-01", "fake_image.web-01"}) {
            assertThat(plan.change(ResourceAddress.parse(address)).map(Change::action)).as(address).contains(Action.CREATE);
        }
        assertThat(plan.change(ResourceAddress.parse("aws_ami.web-01")).orElseThrow().notes())
                .anySatisfy(note -> assertThat(note.text()).contains("without rebooting"));

        ApplyResult result = journey.apply(plan);
        assertThat(result.failures()).as(journey.failures(result)).isEmpty();

        String exportId = journey.resource("aws_image_export.web-01").id().orElseThrow();
        DiskImage image = DiskImage.fromJson(journey.resource("aws_image_export.web-01").outputs().get("disk_image"));
        assertThat(image.kind()).isEqualTo("s3");
        assertThat(image.format()).isEqualTo("raw");
        assertThat(image.location().path("key").asText()).isEqualTo("exports/" + exportId + ".raw");
        assertThat(image.description()).isEqualTo("s3://ferry-journey-a/exports/" + exportId + ".raw");
        assertThat(sandbox.world().s3().object("ferry-journey-a", "exports/" + exportId + ".raw")).isPresent();
        assertThat(image.sizeBytes()).isEqualTo(Files.size(sandbox.world().ec2().rootDiskImage(WEB_01)));
        assertThat(journey.neighbours().imported.get("fake_image.web-01")).isEqualTo(sha256(sandbox.world().ec2().rootDiskImage(WEB_01)));

        MachineFacts facts = MachineFacts.fromJson(journey.resource("data.aws_ec2_instance.web-01").outputs().get("machine"));
        assertThat(facts.vcpus()).isEqualTo(2);
        assertThat(facts.memoryMib()).isEqualTo(4096);
        assertThat(facts.rootDisk().orElseThrow().sizeBytes()).isEqualTo(5L * 1024 * 1024 * 1024);
        FirewallIntent firewall = FirewallIntent.fromJson(journey.resource("data.aws_ec2_instance.web-01").outputs().get("firewall"));
        assertThat(firewall.egressOpen()).isTrue();
        assertThat(firewall.untranslatable()).hasSize(1);

        assertThat(sandbox.requests().count("ec2:CreateImage")).isEqualTo(1);
        assertThat(sandbox.requests().count("ec2:ExportImage")).isEqualTo(1);
        assertThat(journey.plan().hasChanges()).as("a second plan has nothing to do").isFalse();

        ApplyResult destroyed = journey.destroy();
        assertThat(destroyed.failures()).as(journey.failures(destroyed)).isEmpty();
        assertThat(sandbox.world().ec2().amis()).as("cleanup: keep keeps the staging copies on destroy").hasSize(1);
        assertThat(sandbox.world().s3().objects("ferry-journey-a")).hasSize(1);
        assertThat(sandbox.world().role("vmimport")).as("the role is no staging copy").isEmpty();
        assertThat(journey.state().resources()).isEmpty();
    }

    @Test
    void deletesTheStagingCopiesOnceTheTargetHasTheImage() throws Exception {
        Journey journey = new Journey(sandbox, file("delete-after-import", true), directory);

        ApplyResult result = journey.apply();

        assertThat(result.failures()).as(journey.failures(result)).isEmpty();
        assertThat(journey.neighbours().imported.get("fake_image.web-01")).isEqualTo(sha256(sandbox.world().ec2().rootDiskImage(WEB_01)));
        assertThat(sandbox.world().ec2().amis()).as("the AMI is deregistered").isEmpty();
        assertThat(sandbox.world().ec2().snapshots()).as("with its snapshots").noneMatch(s -> s.description().contains("CreateImage"));
        assertThat(sandbox.world().s3().bucket("ferry-journey-a")).as("the bucket ferry made, emptied, is deleted").isEmpty();
        assertThat(sandbox.world().role("vmimport")).as("the role stays until destroy").isPresent();
        assertThat(journey.plan().hasChanges()).as("the cleaned-up copies are not made again").isFalse();

        ApplyResult destroyed = journey.destroy();
        assertThat(destroyed.failures()).as(journey.failures(destroyed)).isEmpty();
        assertThat(sandbox.world().role("vmimport")).isEmpty();
        assertThat(journey.state().resources()).isEmpty();
    }

    @Test
    void theSnapshotRoadCleansUpItsAmiWithAStagingBlockThatNamesNoBucket() {
        String yaml = MigrationYaml.named("journey-a").provider("aws", "{region: us-west-1}").provider("linode", "{}")
                .staging("{cleanup: delete-after-import}")
                .migration("web-01", "{ec2: {instance: " + WEB_01 + ", reboot: false}}", MigrationYaml.LINODE_TARGET)
                .yaml();
        Journey journey = new Journey(sandbox, yaml, directory);

        ApplyResult result = journey.apply();

        assertThat(result.failures()).as(journey.failures(result)).isEmpty();
        assertThat(sandbox.world().ec2().amis()).as("the AMI is deregistered once the target has the disk").isEmpty();
        assertThat(sandbox.world().ec2().snapshots()).as("with its snapshots").noneMatch(s -> s.description().contains("CreateImage"));
        assertThat(sandbox.world().s3().buckets()).as("no bucket on the snapshot road").isEmpty();
        assertThat(journey.plan().hasChanges()).as("the cleaned-up AMI is not made again").isFalse();
        ApplyResult destroyed = journey.destroy();
        assertThat(destroyed.failures()).as(journey.failures(destroyed)).isEmpty();
        assertThat(journey.state().resources()).isEmpty();
    }

    @Test
    void theSnapshotRoadHandsOnEachOtherVolumesSnapshotInDeviceOrder() {
        String yaml = MigrationYaml.named("journey-a").provider("aws", "{region: us-west-1}").provider("linode", "{}")
                .staging("{cleanup: keep}")
                .migration("db-01", "{ec2: {instance: i-0b2c3d4e5f6789012}}", MigrationYaml.LINODE_TARGET)
                .yaml();
        Journey journey = new Journey(sandbox, yaml, directory);

        ApplyResult result = journey.apply();

        assertThat(result.failures()).as(journey.failures(result)).isEmpty();
        com.fasterxml.jackson.databind.JsonNode disks = journey.resource("aws_snapshot_read.db-01").outputs().get("data_disks");
        assertThat(disks).as("the root is handed on as disk_image, the data volume here").hasSize(1);
        assertThat(disks.get(0).path("device").asText()).isEqualTo("/dev/sdf");
        assertThat(disks.get(0).path("size_bytes").asLong()).isEqualTo(20L << 30);
        DiskImage image = DiskImage.fromJson(disks.get(0).path("disk_image"));
        assertThat(image.kind()).isEqualTo("ebs-snapshot");
        assertThat(image.sizeBytes()).isEqualTo(20L << 30);
        String snapshot = image.location().path("snapshot_id").asText();
        assertThat(sandbox.world().ec2().snapshots()).as("the image's own snapshot of the data volume")
                .anySatisfy(s -> {
                    assertThat(s.id()).isEqualTo(snapshot);
                    assertThat(s.volumeId()).isEqualTo("vol-0b2c3d4e5f6700002");
                });
    }

    static String sha256(Path file) throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buffer = new byte[1 << 16];
            int n;
            while ((n = in.read(buffer)) >= 0) {
                sha.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    static boolean hasNote(Change change, Note.Level level, String text) {
        return change.notes().stream().anyMatch(note -> note.level() == level && note.text().contains(text));
    }
}
