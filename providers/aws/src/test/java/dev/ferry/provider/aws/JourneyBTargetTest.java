package dev.ferry.provider.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.engine.testing.MigrationYaml;
import dev.ferry.engine.apply.ApplyResult;
import dev.ferry.engine.diff.Planner;
import dev.ferry.engine.machine.Cost;
import dev.ferry.engine.machine.MachineFacts;
import dev.ferry.engine.plan.Action;
import dev.ferry.engine.plan.Change;
import dev.ferry.engine.plan.Plan;
import dev.ferry.engine.provider.Operation;
import dev.ferry.engine.resource.ResourceAddress;
import dev.ferry.engine.state.ResourceState;
import dev.ferry.engine.state.ResourceStatus;
import dev.ferry.engine.state.State;
import dev.ferry.engine.testing.FreezableStateStore;
import dev.ferry.sandbox.Sandbox;
import dev.ferry.sandbox.world.Ami;
import dev.ferry.sandbox.world.Ec2Instance;
import dev.ferry.sandbox.world.InstanceTypeSpec;
import dev.ferry.sandbox.world.LaunchTemplate;
import dev.ferry.sandbox.world.LaunchTemplateVersion;
import dev.ferry.sandbox.world.World;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ChecksumAlgorithm;

/** The target half of journey B against the sandbox: upload, import, launch, back up, export back. */
class JourneyBTargetTest {

    static final String BUCKET = "ferry-journey-b";
    static final long MIB = 1024 * 1024;

    @TempDir
    Path directory;
    Sandbox sandbox;
    FakeNeighbours neighbours;

    @BeforeEach
    void start() {
        sandbox = Sandboxes.start();
        neighbours = new FakeNeighbours();
    }

    @AfterEach
    void stop() {
        sandbox.close();
    }

    /** A raw disk of {@code size} bytes: an MBR with one partition, then noise. */
    static Path rawDisk(Path file, long size, boolean bootable) throws IOException {
        byte[] bytes = new byte[(int) size];
        new Random(size).nextBytes(bytes);
        if (bootable) {
            java.util.Arrays.fill(bytes, 446, 512, (byte) 0);
            bytes[446] = (byte) 0x80;
            bytes[446 + 4] = (byte) 0x83;
            bytes[510] = 0x55;
            bytes[511] = (byte) 0xAA;
        }
        return Files.write(file, bytes);
    }

    void vm(String name, long size, boolean bootable) throws IOException {
        Path disk = rawDisk(directory.resolve(name + ".raw"), size, bootable);
        neighbours.diskFiles.put(name, disk);
        neighbours.machines.put(name, new MachineFacts("vsphere", name, 2, 4096, MachineFacts.X86_64, "linux", Optional.of("ubuntu64Guest"),
                List.of(new MachineFacts.Disk("disk-0", size, true, Optional.empty(), false)), List.of(), List.of(), java.util.Map.of(),
                Optional.empty(), Optional.empty(), Optional.of("poweredOff")));
    }

    static String migration(String name, String target) {
        return """
                  - name: %s
                    source: {vsphere: {vm: %s, disk_image: %s.raw}}
                    target:
                      ec2: %s
                """.formatted(name, name, name, target);
    }

    static String file(boolean create, String cleanup, String migrations) {
        return MigrationYaml.named("journey-b").provider("aws", "{region: us-west-1}").provider("vsphere", "{}")
                .staging("{bucket: %s, prefix: imports/, create: %s, cleanup: %s}".formatted(BUCKET, create, cleanup))
                .migrations(migrations).yaml();
    }

    static final String FULL_TARGET = "{subnet: subnet-0abc1234, instance_type: match, security_groups: [sg-0123456789abcdef0],"
            + " private_ip: 10.0.1.20, tags: {Team: platform}, backup_ami: true, export_back: {format: ova, prefix: exports-back/}}";
    static final String PLAIN_TARGET = "{subnet: subnet-0abc1234, instance_type: t3.small}";

    Journey journey(String yaml) {
        return new Journey(sandbox, yaml, directory, new dev.ferry.engine.state.MemoryStateStore(), neighbours);
    }

    Change change(Plan plan, String address) {
        return plan.change(ResourceAddress.parse(address)).orElseThrow(() -> new AssertionError(address + " is not in the plan"));
    }

    /** The sandbox's check wants its own id for the export service; a grant by e-mail, which it maps to that id, satisfies it. */
    void bucketReadyForInstanceExports() {
        sandbox.world().s3().createBucket(BUCKET, "BucketOwnerPreferred");
        try (S3Client s3 = TestClients.s3(sandbox)) {
            String owner = s3.getBucketAcl(r -> r.bucket(BUCKET)).owner().id();
            s3.putBucketAcl(r -> r.bucket(BUCKET).grantFullControl("id=" + owner)
                    .grantWrite("emailAddress=\"vm-import-export@amazon.com\"")
                    .grantReadACP("emailAddress=\"vm-import-export@amazon.com\""));
        }
    }

    /** The backup AMI's warning names a key target.ec2 has; written as the warning says, it clears the warning. */
    @Test
    void theBackupAmiWarningNamesTheKeyThatRebootsForItAndThatKeyClearsIt() throws Exception {
        vm("app-02", 23 * MIB, true);
        String target = "{subnet: subnet-0abc1234, instance_type: t3.small, backup_ami: true}";

        Change backup = change(journey(file(false, "keep", migration("app-02", target))).plan(), "aws_ami.app-02-backup");

        assertThat(backup.after().find("reboot").map(node -> node.asBoolean())).hasValue(false);
        String advice = backup.notes().stream().map(dev.ferry.engine.provider.Note::text)
                .filter(text -> text.contains("taken without rebooting")).findFirst().orElseThrow();
        java.util.regex.Matcher setting = java.util.regex.Pattern.compile("set target\\.ec2\\.(backup_ami: \\{reboot: true})").matcher(advice);
        assertThat(setting.find()).as(advice).isTrue();
        assertThat(backup.after().has(dev.ferry.provider.aws.source.AmiResource.REBOOT_SETTING)).as("the key is for the warning only").isFalse();

        Change rebooting = change(journey(file(false, "keep", migration("app-02", target.replace("backup_ami: true", setting.group(1)))))
                .plan(), "aws_ami.app-02-backup");

        assertThat(rebooting.after().find("reboot").map(node -> node.asBoolean())).hasValue(true);
        assertThat(rebooting.notes()).noneSatisfy(note -> assertThat(note.text()).contains("without rebooting"));
        assertThat(journey(file(false, "keep", migration("app-02", target.replace("true", "{reboot: false}")))).plan()
                .change(ResourceAddress.parse("aws_ami.app-02-backup"))).as("backup_ami: {reboot: false} is a backup too").isPresent();
        assertThat(journey(file(false, "keep", migration("app-02", target.replace("true", "false")))).plan()
                .change(ResourceAddress.parse("aws_ami.app-02-backup"))).isEmpty();
    }

    @Test
    void anImportAndAnInstanceExportAwsRefusesForAFullRegionAreQueuedAndThenRun() throws Exception {
        sandbox.close();
        // conversions of seconds: the five another process starts are still running when ferry asks for its own
        sandbox = Sandbox.start(Sandboxes.options().timeScale(0.2).build());
        vm("app-02", 23 * MIB, true);
        bucketReadyForInstanceExports();
        Journey journey = journey(file(false, "keep", migration("app-02", FULL_TARGET)));
        java.util.Map<String, List<String>> statuses = new java.util.concurrent.ConcurrentHashMap<>();
        journey.onEvent(event -> {
            if (event instanceof dev.ferry.engine.event.Event.StepStarted started
                    && List.of("aws_image_import.app-02", "aws_instance_export.app-02").contains(started.address().toString())) {
                takeEverySlot(journey.resource("aws_s3_object.app-02").outputs().path("key").asText());
            }
            if (event instanceof dev.ferry.engine.event.Event.StepProgress progress) {
                statuses.computeIfAbsent(progress.address().toString(), a -> new java.util.concurrent.CopyOnWriteArrayList<>())
                        .add(progress.status());
            }
        });

        ApplyResult result = journey.apply();

        assertThat(result.failures()).as(journey.failures(result)).isEmpty();
        for (String address : List.of("aws_image_import.app-02", "aws_instance_export.app-02")) {
            assertThat(statuses.get(address)).as(address).anySatisfy(status -> assertThat(status)
                    .matches("queued by AWS: 5 conversion tasks already running in us-west-1; retrying in 20ms"));
        }
        assertThat(sandbox.world().conversions().maxConcurrent()).isEqualTo(5);
    }

    /** Another process of the account imports the uploaded disk five times: every conversion slot of the region. */
    private void takeEverySlot(String key) {
        try (software.amazon.awssdk.services.ec2.Ec2Client ec2 = TestClients.ec2(sandbox)) {
            for (int i = 0; i < 5; i++) {
                ec2.importImage(r -> r.roleName("vmimport").diskContainers(c -> c.format("RAW")
                        .userBucket(b -> b.s3Bucket(BUCKET).s3Key(key))));
            }
        }
    }

    @Test
    void importsTheImageLaunchesTheInstanceBacksItUpAndExportsItBack() throws Exception {
        vm("app-02", 23 * MIB, true);
        bucketReadyForInstanceExports();
        Journey journey = journey(file(false, "delete-after-import", migration("app-02", FULL_TARGET)));

        Plan plan = journey.plan();
        Change instance = change(plan, "aws_instance.app-02");
        InstanceTypeSpec expected = sandbox.world().ec2().instanceTypes().stream()
                .filter(t -> t.currentGeneration() && t.architectures().contains("x86_64") && t.vcpus() >= 2 && t.memoryMiB() >= 4096)
                .min(Comparator.comparingInt(InstanceTypeSpec::vcpus).thenComparingLong(InstanceTypeSpec::memoryMiB)
                        .thenComparing(InstanceTypeSpec::name)).orElseThrow();
        assertThat(instance.after().text("instance_type")).isEqualTo(expected.name());
        assertThat(instance.notes()).anySatisfy(note -> assertThat(note.text()).startsWith("instance_type match: " + expected.name())
                .contains("at least 2 vCPUs and 4096 MiB"));
        Cost cost = Cost.fromJson(instance.knownOutputs().get(Cost.OUTPUT)).orElseThrow();
        assertThat(cost.type()).as("the plan's cost table reads this").hasValue(expected.name());
        assertThat(cost.monthlyUsd()).hasValue(Math.round(expected.linuxHourlyUsd().get("us-west-1") * 730 * 100) / 100.0);
        assertThat(cost.basis()).contains("on-demand Linux " + expected.name() + " in us-west-1");
        assertThat(change(plan, "aws_s3_object.app-02").after().text("key")).isEqualTo("imports/app-02.raw");
        assertThat(change(plan, "aws_image_import.app-02").after().text("platform")).isEqualTo("Linux");
        for (String address : List.of("aws_iam_role.vmimport", "aws_s3_object.app-02", "aws_image_import.app-02", "aws_instance.app-02",
                "aws_ami.app-02-backup", "aws_instance_export.app-02")) {
            assertThat(change(plan, address).action()).as(address).isEqualTo(Action.CREATE);
        }

        ApplyResult result = journey.apply(plan);
        assertThat(result.failures()).as(journey.failures(result)).isEmpty();

        String instanceId = journey.resource("aws_instance.app-02").id().orElseThrow();
        Ec2Instance launched = sandbox.world().ec2().instance(instanceId).orElseThrow();
        assertThat(launched.privateIp()).isEqualTo("10.0.1.20");
        assertThat(launched.subnetId()).isEqualTo("subnet-0abc1234");
        assertThat(launched.securityGroupIds()).containsExactly("sg-0123456789abcdef0");
        assertThat(launched.instanceType()).isEqualTo(expected.name());
        assertThat(launched.tags()).containsEntry("Team", "platform").containsEntry("Name", "app-02").containsKey("ferry:id");
        String imageId = journey.resource("aws_image_import.app-02").id().orElseThrow();
        assertThat(launched.imageId()).isEqualTo(imageId);
        assertThat(change(plan, "aws_image_import.app-02").after().find("tags").orElseThrow().path("Team").asText())
                .as("the plan shows the image's tags").isEqualTo("platform");
        Ami imported = sandbox.world().ec2().ami(imageId).orElseThrow();
        assertThat(imported.tags()).as("the imported image carries the file's tags and ferry's identity")
                .containsEntry("Team", "platform").containsEntry("ferry:address", "aws_image_import.app-02").containsKey("ferry:id");
        assertThat(imported.blockDevices()).isNotEmpty().allSatisfy(device -> assertThat(snapshotTags(device.snapshotId()))
                .as("snapshot " + device.snapshotId()).containsEntry("Team", "platform").containsKey("ferry:id"));
        assertThat(sandbox.world().conversions().importImageTasks()).singleElement().satisfies(task -> {
            assertThat(task.s3Key()).isEqualTo("imports/app-02.raw");
            assertThat(task.roleName()).isEqualTo("vmimport");
            assertThat(task.platform()).isEqualTo("Linux");
        });
        assertThat(sandbox.world().s3().object(BUCKET, "imports/app-02.raw")).as("the upload is cleaned up after the import").isEmpty();
        String backup = journey.resource("aws_ami.app-02-backup").id().orElseThrow();
        assertThat(sandbox.world().ec2().ami(backup)).hasValueSatisfying(ami -> {
            assertThat(ami.sourceInstanceId()).isEqualTo(instanceId);
            assertThat(ami.tags()).as("the backup image carries the file's tags").containsEntry("Team", "platform")
                    .containsEntry("ferry:address", "aws_ami.app-02-backup");
        });
        String exportKey = journey.resource("aws_instance_export.app-02").outputs().path("key").asText();
        assertThat(exportKey).startsWith("exports-back/export-i-").endsWith(".ova");
        assertThat(sandbox.world().s3().object(BUCKET, exportKey)).isPresent();
        assertThat(sandbox.requests().count("s3:UploadPart")).as("23 MiB in 5 MiB parts").isEqualTo(5);
        assertThat(journey.plan().hasChanges()).isFalse();

        ApplyResult destroyed = journey.destroy();
        assertThat(destroyed.failures()).as(journey.failures(destroyed)).isEmpty();
        assertThat(sandbox.world().ec2().instance(instanceId).orElseThrow().state().apiName()).isIn("shutting-down", "terminated");
        assertThat(sandbox.world().ec2().amis()).as("imported and backup images deregistered").isEmpty();
        assertThat(sandbox.world().s3().object(BUCKET, exportKey)).isEmpty();
        assertThat(sandbox.world().role("vmimport")).isEmpty();
    }

    @Test
    void theLaunchTemplateLaunchesTheBackupAndANewBackupBecomesItsLatestAndDefaultVersion() throws Exception {
        vm("app-12", 6 * MIB, true);
        String target = "{subnet: subnet-0abc1234, instance_type: t3.small, security_groups: [sg-0123456789abcdef0], tags: {Team: platform},"
                + " backup_ami: true, launch_template: {name: app-12-replacement}}";
        Journey journey = journey(file(true, "keep", migration("app-12", target)));

        Plan plan = journey.plan();
        Change planned = change(plan, "aws_launch_template.app-12");
        assertThat(planned.action()).isEqualTo(Action.CREATE);
        assertThat(planned.after().text("name")).isEqualTo("app-12-replacement");
        assertThat(planned.after().text("instance_type")).as("the instance's type is known at plan time").isEqualTo("t3.small");
        assertThat(planned.after().isKnown("image_id")).as("the backup image is made during the apply").isFalse();
        ApplyResult result = journey.apply(plan);
        assertThat(result.failures()).as(journey.failures(result)).isEmpty();

        String backup = journey.resource("aws_ami.app-12-backup").id().orElseThrow();
        LaunchTemplate template = sandbox.world().ec2().launchTemplate("app-12-replacement").orElseThrow();
        assertThat(journey.resource("aws_launch_template.app-12").id()).hasValue(template.id());
        assertThat(template.latestVersion()).isEqualTo(1);
        assertThat(template.defaultVersion()).isEqualTo(1);
        LaunchTemplateVersion first = template.latest();
        assertThat(first.imageId()).isEqualTo(backup);
        assertThat(first.instanceType()).isEqualTo("t3.small");
        assertThat(first.subnetId()).isEqualTo("subnet-0abc1234");
        assertThat(first.securityGroupIds()).containsExactly("sg-0123456789abcdef0");
        assertThat(first.tagSpecifications()).containsOnlyKeys("instance", "volume");
        assertThat(first.tagSpecifications().get("instance")).as("what it launches is tagged as the instance was, not as ferry's")
                .containsEntry("Team", "platform").containsEntry("Name", "app-12").doesNotContainKey("ferry:id");
        assertThat(first.tagSpecifications().get("volume")).containsEntry("Team", "platform");
        assertThat(template.tags()).containsEntry("ferry:address", "aws_launch_template.app-12").containsKey("ferry:id")
                .containsEntry("Team", "platform");
        assertThat(journey.plan().hasChanges()).isFalse();

        String instanceId = journey.resource("aws_instance.app-12").id().orElseThrow();
        try (var ec2 = TestClients.ec2(sandbox)) {
            ec2.terminateInstances(r -> r.instanceIds(instanceId));
        }
        Plan again = journey.plan();
        assertThat(change(again, "aws_ami.app-12-backup").action()).isEqualTo(Action.REPLACE);
        Change versioned = change(again, "aws_launch_template.app-12");
        assertThat(versioned.action()).as("a new backup is a new version, not a new template").isEqualTo(Action.UPDATE);
        assertThat(versioned.notes()).anySatisfy(note -> assertThat(note.text())
                .contains("a new version of launch template app-12-replacement will launch the new backup image"));
        ApplyResult relaunched = journey.apply(again);
        assertThat(relaunched.failures()).as(journey.failures(relaunched)).isEmpty();

        String newBackup = journey.resource("aws_ami.app-12-backup").id().orElseThrow();
        assertThat(newBackup).isNotEqualTo(backup);
        LaunchTemplate updated = sandbox.world().ec2().launchTemplate(template.id()).orElseThrow();
        assertThat(updated.latestVersion()).isEqualTo(2);
        assertThat(updated.defaultVersion()).isEqualTo(2);
        assertThat(updated.latest().imageId()).isEqualTo(newBackup);
        assertThat(updated.version(1).orElseThrow().imageId()).as("earlier versions stay").isEqualTo(backup);
        assertThat(sandbox.requests().count("ec2:CreateLaunchTemplate")).isEqualTo(1);
        assertThat(journey.plan().hasChanges()).isFalse();

        String replacement;
        try (var ec2 = TestClients.ec2(sandbox)) {
            replacement = ec2.runInstances(r -> r.minCount(1).maxCount(1).launchTemplate(t -> t.launchTemplateName("app-12-replacement")))
                    .instances().get(0).instanceId();
        }
        Ec2Instance launched = sandbox.world().ec2().instance(replacement).orElseThrow();
        assertThat(launched.imageId()).as("a launch from the template starts the latest backup").isEqualTo(newBackup);
        assertThat(launched.instanceType()).isEqualTo("t3.small");
        assertThat(launched.subnetId()).isEqualTo("subnet-0abc1234");
        assertThat(launched.securityGroupIds()).containsExactly("sg-0123456789abcdef0");
        assertThat(launched.tags()).containsEntry("Team", "platform").containsEntry("Name", "app-12").doesNotContainKey("ferry:id");

        ApplyResult destroyed = journey.destroy();
        assertThat(destroyed.failures()).as(journey.failures(destroyed)).isEmpty();
        assertThat(sandbox.world().ec2().launchTemplates()).isEmpty();
    }

    @Test
    void aLaunchTemplateWhoseCreationWasSentButNeverRecordedIsFoundInsteadOfMadeAgain() throws Exception {
        vm("app-14", 6 * MIB, true);
        FreezableStateStore store = new FreezableStateStore();
        String yaml = file(true, "keep", migration("app-14",
                "{subnet: subnet-0abc1234, instance_type: t3.small, backup_ami: true, launch_template: {name: app-14-replacement}}"));
        Journey first = new Journey(sandbox, yaml, directory, store, neighbours)
                .wrapTypes(KillAfterCreate.of(dev.ferry.provider.aws.target.LaunchTemplateResource.NAME, store));
        ApplyResult killed = first.apply(first.plan());
        assertThat(killed.failures()).as("the first run died after CreateLaunchTemplate").isNotEmpty();
        assertThat(sandbox.world().ec2().launchTemplates()).hasSize(1);

        store.thaw();
        Journey second = new Journey(sandbox, yaml, directory, store, neighbours);
        ApplyResult resumed = second.apply(second.plan());

        assertThat(resumed.failures()).as(second.failures(resumed)).isEmpty();
        assertThat(sandbox.requests().count("ec2:CreateLaunchTemplate")).isEqualTo(1);
        LaunchTemplate template = sandbox.world().ec2().launchTemplate("app-14-replacement").orElseThrow();
        assertThat(second.resource("aws_launch_template.app-14").id()).hasValue(template.id());
        assertThat(template.latest().imageId()).isEqualTo(second.resource("aws_ami.app-14-backup").id().orElseThrow());
        assertThat(second.plan().hasChanges()).isFalse();
    }

    @Test
    void aLaunchTemplateNameAnotherTemplateHoldsStopsThePlan() throws Exception {
        vm("app-13", 6 * MIB, true);
        try (var ec2 = TestClients.ec2(sandbox)) {
            ec2.createLaunchTemplate(r -> r.launchTemplateName("taken").launchTemplateData(d -> d.instanceType("t3.small")));
        }
        Journey journey = journey(file(true, "keep", migration("app-13",
                "{subnet: subnet-0abc1234, instance_type: t3.small, backup_ami: true, launch_template: {name: taken}}")));

        assertThatThrownBy(journey::plan).isInstanceOf(Planner.PlanFailedException.class)
                .hasMessageContaining("aws_launch_template.app-13: launch template taken already exists in us-west-1 (lt-")
                .hasMessageContaining("choose another target.ec2.launch_template.name");
        assertThat(sandbox.requests().count("s3:CreateMultipartUpload")).isZero();
    }

    private java.util.Map<String, String> snapshotTags(String snapshotId) {
        return sandbox.world().ec2().snapshots().stream().filter(s -> s.id().equals(snapshotId)).findFirst().orElseThrow().tags();
    }

    /** A VM whose firmware vCenter reports as EFI, its disk exported by hand as one RAW file. */
    void efiVm(String name, long size) throws IOException {
        vm(name, size, true);
        MachineFacts bios = neighbours.machines.get(name);
        neighbours.machines.put(name, new MachineFacts(bios.source(), bios.name(), bios.vcpus(), bios.memoryMib(), bios.architecture(),
                bios.platform(), bios.osName(), bios.disks(), bios.publicAddresses(), bios.privateAddresses(), bios.tags(),
                bios.sizeName(), bios.price(), bios.powerState(), Optional.of(MachineFacts.UEFI)));
    }

    @Test
    void aSingleFileImageOfAnEfiVmIsImportedWithBootModeUefi() throws Exception {
        efiVm("efi-01", 6 * MIB);
        Journey journey = journey(file(true, "keep", migration("efi-01", PLAIN_TARGET)));

        Plan plan = journey.plan();
        Change importing = change(plan, "aws_image_import.efi-01");
        assertThat(importing.after().text("boot_mode")).isEqualTo("uefi");
        assertThat(importing.notes()).anySatisfy(note -> assertThat(note.text())
                .startsWith("BootMode uefi, from the VM's EFI firmware: a single RAW file does not carry the firmware"));

        ApplyResult result = journey.apply(plan);
        assertThat(result.failures()).as(journey.failures(result)).isEmpty();
        assertThat(sandbox.world().conversions().importImageTasks()).singleElement()
                .satisfies(task -> assertThat(task.bootMode()).as("ImportImage was sent BootMode").isEqualTo("uefi"));
        assertThat(journey.plan().hasChanges()).isFalse();
    }

    @Test
    void aBootModeTheFileSetsWinsOverTheFirmwareAndABiosVmIsSentNone() throws Exception {
        efiVm("efi-02", 6 * MIB);
        vm("bios-01", 6 * MIB, true);
        Journey journey = journey(file(true, "keep", migration("efi-02", PLAIN_TARGET.replace("}", ", boot_mode: legacy-bios}"))
                + migration("bios-01", PLAIN_TARGET)));

        Plan plan = journey.plan();

        assertThat(change(plan, "aws_image_import.efi-02").after().text("boot_mode")).isEqualTo("legacy-bios");
        assertThat(change(plan, "aws_image_import.bios-01").after().has("boot_mode")).isFalse();
    }

    @Test
    void theUploadIsChecksummedAndMatchesTheDisk() throws Exception {
        vm("app-03", 12 * MIB, true);
        Journey journey = journey(file(true, "keep", migration("app-03", PLAIN_TARGET)));

        ApplyResult result = journey.apply();

        assertThat(result.failures()).as(journey.failures(result)).isEmpty();
        assertThat(sandbox.world().s3().objectSha256(BUCKET, "imports/app-03.raw"))
                .isEqualTo(JourneyASourceTest.sha256(neighbours.diskFiles.get("app-03")));
        assertThat(sandbox.world().s3().object(BUCKET, "imports/app-03.raw").orElseThrow().checksums()).containsKey("crc32c");
        assertThat(sandbox.world().s3().multipartUploads()).isEmpty();
    }

    /**
     * An apply of {@code yaml} killed as it opens range {@code range} of the disk: what the state held then stays in
     * {@code store}, which takes writes again afterwards, and reads no longer fail.
     */
    private void applyKilledAtRange(int range, String yaml, FreezableStateStore store) {
        neighbours.fileReads = n -> {
            if (n == range) {
                store.freeze();
                return false;
            }
            return true;
        };
        Journey first = new Journey(sandbox, yaml, directory, store, neighbours);
        assertThat(first.apply(first.plan()).failures()).as("the first run died").isNotEmpty();
        store.thaw();
        neighbours.fileReads = n -> true;
    }

    @Test
    void anUploadAnEarlierFerryBeganWithSha256GoesOnWithSha256() throws Exception {
        vm("app-05", 12 * MIB, true);
        FreezableStateStore store = new FreezableStateStore();
        String yaml = file(true, "keep", migration("app-05", PLAIN_TARGET));
        applyKilledAtRange(2, yaml, store);
        // As a ferry from before CRC32C left it: its upload declared SHA-256, and the step's data names no checksum.
        ResourceAddress address = ResourceAddress.parse("aws_s3_object.app-05");
        State state = store.read().orElseThrow();
        ResourceState resource = state.get(address).orElseThrow();
        Operation begun = resource.operation().orElseThrow();
        String key = begun.data().path("key").asText();
        byte[] part1 = java.util.Arrays.copyOf(Files.readAllBytes(neighbours.diskFiles.get("app-05")), (int) (5 * MIB));
        String earlier;
        try (S3Client s3 = TestClients.s3(sandbox)) {
            s3.abortMultipartUpload(r -> r.bucket(BUCKET).key(key).uploadId(begun.id()));
            earlier = s3.createMultipartUpload(r -> r.bucket(BUCKET).key(key).checksumAlgorithm(ChecksumAlgorithm.SHA256)).uploadId();
            s3.uploadPart(r -> r.bucket(BUCKET).key(key).uploadId(earlier).partNumber(1).checksumAlgorithm(ChecksumAlgorithm.SHA256),
                    RequestBody.fromBytes(part1));
        }
        com.fasterxml.jackson.databind.node.ObjectNode data = begun.data().deepCopy();
        data.remove("checksum");
        store.write(state.with(resource.withOperation(Optional.of(new Operation(begun.kind(), earlier, begun.resourceId(),
                begun.phase(), data)), java.time.Instant.now())));

        Journey second = new Journey(sandbox, yaml, directory, store, neighbours);
        ApplyResult resumed = second.apply(second.plan());

        assertThat(resumed.failures()).as(second.failures(resumed)).isEmpty();
        assertThat(sandbox.world().s3().multipartUploads()).as("the earlier upload completed").isEmpty();
        assertThat(sandbox.world().s3().objectSha256(BUCKET, key))
                .isEqualTo(JourneyASourceTest.sha256(neighbours.diskFiles.get("app-05")));
        assertThat(sandbox.world().s3().object(BUCKET, key).orElseThrow().checksums())
                .hasEntrySatisfying("sha256", checksum -> assertThat(checksum).endsWith("-3"));
    }

    @Test
    void aPartWhoseReadBreaksHalfwayIsReadAndSentAgain() throws Exception {
        vm("app-06", 12 * MIB, true);
        neighbours.cutReads = n -> n == 2;
        Journey journey = journey(file(true, "keep", migration("app-06", PLAIN_TARGET)));

        ApplyResult result = journey.apply();

        assertThat(result.failures()).as(journey.failures(result)).isEmpty();
        assertThat(neighbours.rangesOpened.get()).as("3 parts, one of them read twice").isEqualTo(4);
        assertThat(sandbox.world().s3().objectSha256(BUCKET, "imports/app-06.raw"))
                .isEqualTo(JourneyASourceTest.sha256(neighbours.diskFiles.get("app-06")));
    }

    @Test
    void anUploadKilledMidwayResumesWithThePartsAlreadySent() throws Exception {
        vm("app-04", 23 * MIB, true);
        FreezableStateStore store = new FreezableStateStore();
        String yaml = file(true, "keep", migration("app-04", PLAIN_TARGET));
        applyKilledAtRange(3, yaml, store);
        long sentBefore = sandbox.requests().successCount("s3:UploadPart");
        assertThat(sentBefore).as("some parts made it before the kill").isBetween(1L, 4L);

        Journey second = new Journey(sandbox, yaml, directory, store, neighbours);
        Plan plan = second.plan();
        assertThat(change(plan, "aws_s3_object.app-04").reason()).hasValueSatisfying(r -> assertThat(r).contains("resuming"));
        ApplyResult resumed = second.apply(plan);

        assertThat(resumed.failures()).as(second.failures(resumed)).isEmpty();
        assertThat(sandbox.requests().count("s3:CreateMultipartUpload")).as("one upload").isEqualTo(1);
        assertThat(sandbox.requests().count("s3:ListParts")).as("asked S3 what it has").isPositive();
        assertThat(sandbox.requests().count("s3:UploadPart")).as("each of the 5 parts sent once").isEqualTo(5);
        assertThat(sandbox.world().s3().objectSha256(BUCKET, "imports/app-04.raw"))
                .isEqualTo(JourneyASourceTest.sha256(neighbours.diskFiles.get("app-04")));
        assertThat(second.resource("aws_instance.app-04").status()).isEqualTo(ResourceStatus.CREATED);
        System.out.println("FIGURE resumed upload: " + sentBefore + " of 5 parts before the kill, " + (5 - sentBefore) + " after");
    }

    @Test
    void aDiskAwsCannotBootFailsWithAwsOwnStatusMessage() throws Exception {
        vm("broken", 6 * MIB, false);
        Journey journey = journey(file(true, "keep", migration("broken", PLAIN_TARGET)));

        ApplyResult result = journey.apply();

        assertThat(journey.failures(result)).contains("aws_image_import.broken: import task import-ami-")
                .contains("ended deleted: ClientError: Unknown OS / Missing OS files.");
        assertThat(sandbox.world().ec2().instances()).noneMatch(i -> i.tags().containsKey("ferry:id"));
        assertThat(journey.resource("aws_image_import.broken").status()).isEqualTo(ResourceStatus.TAINTED);
    }

    @Test
    void theSubnetGroupsAndAddressAreCheckedBeforeAnythingIsMade() throws Exception {
        vm("app-05", 6 * MIB, true);
        String target = "{subnet: subnet-0abc1234, instance_type: t3.small, security_groups: [sg-0999888877776666f, sg-0000000000000bad0],"
                + " private_ip: 10.0.9.9}";
        Journey journey = journey(file(true, "keep", migration("app-05", target)));

        assertThatThrownBy(journey::plan).isInstanceOf(Planner.PlanFailedException.class)
                .hasMessageContaining("security group sg-0999888877776666f (default) belongs to vpc-0def4567abc890123, but subnet"
                        + " subnet-0abc1234 is in vpc-0abc1234def567890")
                .hasMessageContaining("security group sg-0000000000000bad0 does not exist in us-west-1")
                .hasMessageContaining("private_ip 10.0.9.9 is outside subnet subnet-0abc1234 (10.0.1.0/24)");
        assertThat(sandbox.requests().count("s3:CreateMultipartUpload")).isZero();
    }

    @Test
    void aReservedAddressAMissingSubnetAndAnUnknownTypeAreRefused() throws Exception {
        vm("app-06", 6 * MIB, true);
        vm("app-07", 6 * MIB, true);
        String reserved = "{subnet: subnet-0abc1234, instance_type: t3.small, private_ip: 10.0.1.1}";
        String missing = "{subnet: subnet-0000000000000bad0, instance_type: z9.mega}";
        Journey journey = journey(file(true, "keep", migration("app-06", reserved) + migration("app-07", missing)));

        assertThatThrownBy(journey::plan).isInstanceOf(Planner.PlanFailedException.class)
                .hasMessageContaining("private_ip 10.0.1.1 is one of the five addresses AWS reserves in 10.0.1.0/24")
                .hasMessageContaining("subnet subnet-0000000000000bad0 does not exist in us-west-1")
                .hasMessageContaining("instance type z9.mega does not exist in us-west-1");
    }

    @Test
    void anInstanceExportToAnOwnerEnforcedBucketIsRefusedWithTheWayOut() throws Exception {
        vm("app-08", 6 * MIB, true);
        sandbox.world().s3().createBucket(BUCKET, "BucketOwnerEnforced");
        Journey journey = journey(file(false, "keep", migration("app-08", FULL_TARGET.replace("private_ip: 10.0.1.20, ", ""))));

        assertThatThrownBy(journey::plan).isInstanceOf(Planner.PlanFailedException.class)
                .hasMessageContaining("aws_s3_bucket_export_grant.staging")
                .hasMessageContaining("enforces owner-only ACLs (Object Ownership: BucketOwnerEnforced)")
                .hasMessageContaining("put-bucket-ownership-controls --bucket " + BUCKET);
    }

    @Test
    void theExportGrantIsPlannedAsItsOwnChangeAndDestroyGivesTheBucketBackItsAcl() throws Exception {
        vm("app-11", 6 * MIB, true);
        sandbox.world().s3().createBucket(BUCKET, "BucketOwnerPreferred");
        List<String> before;
        try (S3Client s3 = TestClients.s3(sandbox)) {
            before = grants(s3);
        }
        Journey journey = journey(file(false, "keep", migration("app-11", FULL_TARGET.replace("private_ip: 10.0.1.20, ", ""))));

        Plan plan = journey.plan();
        Change grant = change(plan, "aws_s3_bucket_export_grant.staging");
        assertThat(grant.action()).isEqualTo(Action.CREATE);
        assertThat(grant.notes()).anySatisfy(note -> assertThat(note.text()).contains("adds WRITE and READ_ACP for the VM Import/Export account"));
        ApplyResult result = journey.apply(plan);
        assertThat(result.failures()).as(journey.failures(result)).isEmpty();
        try (S3Client s3 = TestClients.s3(sandbox)) {
            assertThat(grants(s3)).as("the export wrote through ferry's grant").contains(
                    "CanonicalUser:" + World.exportServiceCanonicalId() + ":WRITE", "CanonicalUser:" + World.exportServiceCanonicalId() + ":READ_ACP");

            ApplyResult destroyed = journey.destroy();
            assertThat(destroyed.failures()).as(journey.failures(destroyed)).isEmpty();
            assertThat(grants(s3)).as("a bucket ferry did not create gets back the ACL it had").containsExactlyInAnyOrderElementsOf(before);
        }
    }

    private static List<String> grants(S3Client s3) {
        return s3.getBucketAcl(r -> r.bucket(BUCKET)).grants().stream()
                .map(g -> g.grantee().typeAsString() + ":" + g.grantee().id() + ":" + g.permissionAsString()).toList();
    }

    @Test
    void aBucketFerryCreatesForExportsBackAcceptsAclGrants() throws Exception {
        vm("app-09", 6 * MIB, true);
        Journey journey = journey(file(true, "keep", migration("app-09", FULL_TARGET.replace("private_ip: 10.0.1.20, ", ""))));

        Plan plan = journey.plan();

        assertThat(change(plan, "aws_s3_bucket.staging").after().text("object_ownership")).isEqualTo("BucketOwnerPreferred");
    }

    @Test
    void sevenImportsRunAtMostFiveConversionTasksAtOnce() throws Exception {
        StringBuilder migrations = new StringBuilder();
        for (int i = 1; i <= 7; i++) {
            vm("vm-" + i, 6 * MIB, true);
            migrations.append(migration("vm-" + i, PLAIN_TARGET));
        }
        Journey journey = journey(file(true, "keep", migrations.toString()));

        ApplyResult result = journey.apply();

        assertThat(result.failures()).as(journey.failures(result)).isEmpty();
        assertThat(sandbox.world().conversions().importImageTasks()).hasSize(7);
        assertThat(sandbox.world().conversions().maxConcurrent()).isLessThanOrEqualTo(5);
        assertThat(journey.events()).anyMatch(event -> event instanceof dev.ferry.engine.event.Event.StepQueued queued
                && queued.limit().equals("aws:conversion-tasks:us-west-1"));
        System.out.println("FIGURE 7 imports: at most " + sandbox.world().conversions().maxConcurrent() + " conversion tasks at once; "
                + IntStream.rangeClosed(1, 7).mapToObj(i -> "vm-" + i).collect(Collectors.joining(",")));
    }

    @Test
    void instanceTagsChangeInPlaceAndAnInstanceTerminatedOutsideFerryIsLaunchedAgain() throws Exception {
        vm("app-10", 6 * MIB, true);
        Journey first = journey(file(true, "keep", migration("app-10", "{subnet: subnet-0abc1234, instance_type: t3.small, tags: {Team: a}}")));
        ApplyResult created = first.apply();
        assertThat(created.failures()).as(first.failures(created)).isEmpty();
        String id = first.resource("aws_instance.app-10").id().orElseThrow();

        Journey retagged = new Journey(sandbox, file(true, "keep", migration("app-10",
                "{subnet: subnet-0abc1234, instance_type: t3.small, tags: {Team: b, Owner: ops}}")), directory, first.store(), neighbours);
        Plan update = retagged.plan();
        assertThat(change(update, "aws_instance.app-10").action()).isEqualTo(Action.UPDATE);
        ApplyResult updated = retagged.apply(update);
        assertThat(updated.failures()).as(retagged.failures(updated)).isEmpty();
        assertThat(sandbox.world().ec2().instance(id).orElseThrow().tags()).containsEntry("Team", "b").containsEntry("Owner", "ops");
        assertThat(sandbox.requests().count("ec2:RunInstances")).as("tags change in place").isEqualTo(1);
        assertThat(retagged.plan().hasChanges()).isFalse();
        String image = first.resource("aws_image_import.app-10").id().orElseThrow();
        assertThat(sandbox.world().ec2().ami(image).orElseThrow().tags()).as("the imported image is retagged in place, not imported again")
                .containsEntry("Team", "b").containsEntry("Owner", "ops");
        assertThat(sandbox.requests().count("ec2:ImportImage")).isEqualTo(1);

        try (var ec2 = TestClients.ec2(sandbox)) {
            ec2.terminateInstances(r -> r.instanceIds(id));
        }
        Plan again = retagged.plan();
        assertThat(change(again, "aws_instance.app-10").action()).isEqualTo(Action.CREATE);
        assertThat(change(again, "aws_instance.app-10").reason()).hasValueSatisfying(r -> assertThat(r).contains("deleted outside ferry"));
    }
}
