package dev.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.provider.vsphere.VsphereProvider;
import dev.ferry.sandbox.Sandbox;
import dev.ferry.sandbox.SandboxOptions;
import dev.ferry.sandbox.world.Ami;
import dev.ferry.sandbox.world.Ec2Instance;
import dev.ferry.sandbox.world.ImportImageTask;
import dev.ferry.sandbox.world.InstanceState;
import dev.ferry.sandbox.world.LaunchTemplate;
import dev.ferry.sandbox.world.S3Object;
import dev.ferry.sandbox.world.VmImageFormat;
import dev.ferry.sandbox.world.ConversionTaskSpan;
import dev.ferry.sandbox.world.MultipartUpload;
import dev.ferry.sandbox.world.SandboxWorld;
import dev.ferry.sandbox.world.SandboxWorld.VmDiskSpec;
import dev.ferry.sandbox.world.SandboxWorld.VmSpec;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Journey B end to end, as a user runs it: plans/examples/vcenter-to-ec2.yaml with the OVA vCenter
 * exported next to it, planned and applied through the command line against the sandbox's vCenter
 * and AWS.
 */
class VcenterToEc2Test {

    static final String BUCKET = "ec2-backup-images-for-migration";
    static final long MIB = 1024 * 1024;
    static final long PART = 16 * MIB;

    @TempDir
    Path dir;
    Sandbox sandbox;

    @TempDir
    Path cache;

    void start(SandboxOptions.Builder options) {
        sandbox = Sandbox.start(options.cacheDirectory(cache).build());
    }

    @BeforeEach
    void start() {
        start(SandboxOptions.builder().timeScale(0.02));
    }

    @AfterEach
    void stop() {
        sandbox.close();
    }

    static String example() throws IOException {
        return Files.readString(CliRunner.repositoryRoot().resolve("plans/examples/vcenter-to-ec2.yaml"));
    }

    /** The sandbox's credentials and endpoints, vCenter's included, and a quick poll. */
    static Map<String, String> environment(Sandbox sandbox) {
        Map<String, String> environment = new HashMap<>(sandbox.environment());
        environment.put(VsphereProvider.ENDPOINT_VARIABLE, sandbox.vcenterUrl().toString());
        environment.put("FERRY_POLL_INTERVAL", "20ms");
        environment.put("NO_COLOR", "1");
        return environment;
    }

    CliRunner.Result ferry(String... args) {
        return CliRunner.run(dir, environment(sandbox), args);
    }

    @Test
    void theExampleImportsTheVmLaunchesItBacksItUpAndExportsItBack_thenDestroyRemovesWhatItMade() throws IOException {
        Files.writeString(dir.resolve("migration.yaml"), example());
        sandbox.world().vcenter().exportVmImage("app-02", dir.resolve("exports/app-02.ova"), VmImageFormat.OVA);

        CliRunner.Result plan = ferry("plan", "-out", "review.plan");
        assertThat(plan.exitCode()).as(plan.all()).isZero();
        assertThat(plan.out()).contains("aws_image_import.app-02 will be created", "aws_instance.app-02 will be created",
                "aws_launch_template.app-02 will be created");

        CliRunner.Result apply = ferry("apply", "review.plan");
        assertThat(apply.exitCode()).as(apply.all()).isZero();

        ImportImageTask imported = only(sandbox.world().conversions().importImageTasks());
        assertThat(imported.status()).isEqualTo("completed");
        assertThat(imported.s3Key()).isEqualTo("imports/app-02.ova");
        Ec2Instance instance = only(sandbox.world().ec2().instances().stream().filter(i -> "app-02".equals(i.tags().get("Name"))).toList());
        assertThat(instance.imageId()).isEqualTo(imported.imageId());
        assertThat(instance.state()).isEqualTo(InstanceState.RUNNING);
        assertThat(instance.subnetId()).isEqualTo("subnet-0abc1234");
        assertThat(instance.privateIp()).isEqualTo("10.0.1.20");
        assertThat(instance.securityGroupIds()).containsExactly("sg-0123456789abcdef0");
        assertThat(instance.instanceType()).as("app-02 has 2 vCPUs and 4 GiB; family t3").isEqualTo("t3.medium");
        assertThat(instance.tags()).containsEntry("Name", "app-02").containsEntry("migrated-from", "vcenter");
        Ami backup = only(sandbox.world().ec2().amis().stream().filter(ami -> instance.id().equals(ami.sourceInstanceId())).toList());
        assertThat(backup.state()).isEqualTo("available");
        LaunchTemplate template = sandbox.world().ec2().launchTemplate("app-02-replacement").orElseThrow();
        assertThat(template.defaultVersion()).as("the latest version is the default").isEqualTo(template.latestVersion());
        assertThat(template.latest().imageId()).as("the launch template launches the backup").isEqualTo(backup.id());
        assertThat(template.latest().instanceType()).isEqualTo("t3.medium");
        assertThat(template.latest().subnetId()).isEqualTo("subnet-0abc1234");
        assertThat(template.latest().securityGroupIds()).containsExactly("sg-0123456789abcdef0");
        assertThat(template.latest().tagSpecifications().get("instance")).containsEntry("Name", "app-02").containsEntry("migrated-from", "vcenter");
        assertThat(sandbox.world().s3().objects(BUCKET)).extracting(S3Object::key)
                .containsExactlyInAnyOrder("imports/app-02.ova", "exports-back/" + only(sandbox.world().conversions().instanceExportTasks()).id() + ".ova");
        assertThat(sandbox.requests().count("vcenter:GET /api/vcenter/vm")).as("the VM's inventory was read from vCenter").isPositive();

        CliRunner.Result again = ferry("plan");
        assertThat(again.exitCode()).as(again.all()).isZero();
        assertThat(again.out()).contains("No changes.");

        CliRunner.Result destroy = ferry("destroy", "--auto-approve");
        assertThat(destroy.exitCode()).as(destroy.all()).isZero();
        assertThat(sandbox.world().ec2().instance(instance.id()).orElseThrow().state()).isIn(InstanceState.SHUTTING_DOWN, InstanceState.TERMINATED);
        assertThat(sandbox.world().ec2().amis()).as("the imported AMI and the backup are deregistered").noneMatch(Ami::imported)
                .noneMatch(ami -> ami.id().equals(backup.id()));
        assertThat(sandbox.world().roles()).isEmpty();
        assertThat(sandbox.world().ec2().launchTemplates()).as("the launch template is deleted with its versions").isEmpty();
        assertThat(sandbox.world().s3().objects(BUCKET)).as("the uploaded image is kept (staging.cleanup: keep); the export back is deleted")
                .extracting(S3Object::key).containsExactly("imports/app-02.ova");
        assertThat(sandbox.world().s3().bucket(BUCKET)).as("the bucket holds the kept upload, so ferry leaves it").isPresent();
    }

    @Test
    void theMarkdownPlanShowsTheEc2TypeAtItsOnDemandPrice_andThatAVmOnPremisesHasNone() throws IOException {
        Files.writeString(dir.resolve("migration.yaml"), example());
        sandbox.world().vcenter().exportVmImage("app-02", dir.resolve("exports/app-02.ova"), VmImageFormat.OVA);

        CliRunner.Result markdown = ferry("plan", "--markdown");

        assertThat(markdown.exitCode()).as(markdown.all()).isZero();
        String table = markdown.out().substring(markdown.out().indexOf("**Cost**"));
        assertThat(table).as(markdown.out())
                .contains("| Migration | Source (type) | Source $/month | Target (type) | Target $/month | Difference |\n")
                // the sandbox's Pricing API: t3.medium on demand in us-west-1 at $0.0496/hour × 730 hours
                .contains("| `app-02` | 2 vCPUs, 4 GiB | n/a (on-premises) | t3.medium | $36.21 | n/a |\n")
                .contains("| **Fleet total** | | **n/a** | | **$36.21** | **n/a** |\n")
                .doesNotContain("unknown");
        assertThat(sandbox.requests().count("pricing:GetProducts")).as("one price, asked once").isEqualTo(1);
    }

    @Test
    void withoutPricesTheJourneyBPlanGoesOnAndSaysWhy_askingThePricingApiOnceAndRetryingOnceAtMost() throws IOException {
        Files.writeString(dir.resolve("migration.yaml"), example());
        sandbox.world().vcenter().exportVmImage("app-02", dir.resolve("exports/app-02.ova"), VmImageFormat.OVA);
        sandbox.faults().set("services=pricing,rate=1,statuses=500");

        CliRunner.Result markdown = ferry("plan", "--markdown");

        assertThat(markdown.exitCode()).as(markdown.all()).isZero();
        assertThat(markdown.out()).as(markdown.out())
                .contains("| `app-02` | 2 vCPUs, 4 GiB | n/a (on-premises) | t3.medium | unknown<sup>1</sup> | unknown |\n")
                .contains("| **Fleet total** | | **n/a** | | **$0.00 + 1 unknown** | **unknown** |\n")
                .containsPattern("<sup>1</sup> no price for t3\\.medium: .*Pricing GetProducts");
        assertThat(sandbox.requests().forService("pricing")).as("asked once, retried once at most").hasSizeBetween(1, 2);
    }

    /** A file with migrations whose source is a disk image alone (no vCenter), launched as {@code type}. */
    static String imagesOnly(String type, String... names) {
        StringBuilder file = new StringBuilder("""
                apiVersion: ferry/v1
                kind: Migration
                metadata: { name: images }
                providers: { aws: { region: us-west-1 }, vsphere: {} }
                staging: { bucket: ferry-e2e-images, prefix: imports/, create: true, cleanup: keep }
                migrations:
                """);
        for (String name : names) {
            file.append("  - name: ").append(name).append("\n")
                    .append("    source: { vsphere: { disk_image: ").append(name).append(".raw } }\n")
                    .append("    target: { ec2: { subnet: subnet-0abc1234, instance_type: ").append(type).append(" } }\n");
        }
        return file.toString();
    }

    /** A raw disk: an MBR (with one Linux partition when {@code bootable}), then {@code size} bytes of noise. */
    static Path rawDisk(Path file, long size, boolean bootable) throws IOException {
        Random random = new Random(size);
        byte[] chunk = new byte[1 << 20];
        try (OutputStream out = Files.newOutputStream(file)) {
            for (long written = 0; written < size; written += chunk.length) {
                random.nextBytes(chunk);
                if (written == 0) {
                    Arrays.fill(chunk, 446, 512, (byte) 0);
                    if (bootable) {
                        chunk[446] = (byte) 0x80;
                        chunk[446 + 4] = (byte) 0x83;
                    }
                    chunk[510] = 0x55;
                    chunk[511] = (byte) 0xAA;
                }
                out.write(chunk, 0, (int) Math.min(chunk.length, size - written));
            }
        }
        return file;
    }

    @Test
    void anApplyKilledDuringTheUploadResumesFromThePartsAlreadySent() throws Exception {
        long size = 5 * PART + MIB;     // six 16 MiB parts, the last one short
        int parts = 6;
        Path disk = rawDisk(dir.resolve("big-01.raw"), size, true);
        Files.writeString(dir.resolve("migration.yaml"), imagesOnly("t3.small", "big-01"));
        // parts wait a little before S3 takes them, so the kill lands while some are sent and others are not
        sandbox.faults().set("services=s3,actions=UploadPart,latency=300ms");

        Process apply = fork("apply", "--auto-approve");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (sandbox.requests().successCount("s3:UploadPart") == 0 && apply.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(2);
        }
        assertThat(apply.isAlive()).as("apply was still uploading: " + Files.readString(dir.resolve("err.log"))).isTrue();
        apply.destroyForcibly().waitFor(10, TimeUnit.SECONDS);     // SIGKILL: no shutdown hook runs
        Thread.sleep(500);                                          // whatever was in flight is now stored or dropped
        MultipartUpload pending = only(sandbox.world().s3().multipartUploads());
        int stored = pending.parts().size();
        assertThat(sandbox.requests().successCount("s3:UploadPart")).isEqualTo(stored);
        assertThat(stored).as("the kill came during the upload").isBetween(1, parts - 1);
        sandbox.faults().clear();

        CliRunner.Result resumed = ferry("apply", "--auto-approve");

        assertThat(resumed.exitCode()).as(resumed.all()).isZero();
        assertThat(resumed.out()).contains("part(s) already in S3");
        assertThat(sandbox.requests().successCount("s3:UploadPart")).as("only the parts S3 lacked were sent again").isEqualTo(parts);
        assertThat(sandbox.requests().count("s3:CreateMultipartUpload")).isEqualTo(1);
        assertThat(sandbox.requests().count("s3:ListParts")).isPositive();
        assertThat(sandbox.requests().count("s3:AbortMultipartUpload")).isZero();
        assertThat(sandbox.world().s3().objectSha256("ferry-e2e-images", "imports/big-01.raw")).isEqualTo(sha256(disk));
        assertThat(sandbox.world().ec2().instances()).anySatisfy(instance -> assertThat(instance.tags()).containsEntry("ferry:address", "aws_instance.big-01"));
    }

    Process fork(String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile());
        builder.environment().putAll(environment(sandbox));
        builder.redirectOutput(dir.resolve("out.log").toFile()).redirectError(dir.resolve("err.log").toFile());
        return builder.start();
    }

    static String sha256(Path file) throws IOException, NoSuchAlgorithmException {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buffer = new byte[1 << 20];
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    @Test
    void twelveVmsAreAllImportedWithNeverMoreThanFiveConversionsAtOnce() throws IOException {
        sandbox.close();
        List<VmSpec> vms = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (int i = 1; i <= 12; i++) {
            String name = String.format("vm-%02d", i);
            names.add(name);
            vms.add(new VmSpec(null, name, "UBUNTU_64", null, 2, null, 4096, null, null, List.of(new VmDiskSpec(8, null, null)), null));
        }
        // imports last long enough (0.8 s) that twelve of them pile up behind the limit
        start(SandboxOptions.builder().timeScale(0.1).world(SandboxWorld.defaults().withVms(vms)));
        StringBuilder file = new StringBuilder("""
                apiVersion: ferry/v1
                kind: Migration
                metadata: { name: fleet }
                providers:
                  aws: { region: us-west-1 }
                  vsphere: { vcenter: https://vc.example.com, username: "${env:VSPHERE_USER}", password: "${env:VSPHERE_PASSWORD}" }
                staging: { bucket: ferry-e2e-fleet, prefix: imports/, create: true, cleanup: delete-after-import }
                migrations:
                """);
        for (String name : names) {
            sandbox.world().vcenter().exportVmImage(name, dir.resolve(name + ".ova"), VmImageFormat.OVA);
            file.append("  - name: ").append(name).append("\n")
                    .append("    source: { vsphere: { vm: ").append(name).append(", disk_image: ").append(name).append(".ova } }\n")
                    .append("    target: { ec2: { subnet: subnet-0abc1234, instance_type: match, family: t3 } }\n");
        }
        Files.writeString(dir.resolve("migration.yaml"), file.toString());

        CliRunner.Result apply = ferry("apply", "--auto-approve");

        assertThat(apply.exitCode()).as(apply.all()).isZero();
        List<ConversionTaskSpan> timeline = sandbox.world().conversions().timeline();
        assertThat(timeline).hasSize(12).allSatisfy(span -> assertThat(span.kind()).isEqualTo("import-image"));
        assertThat(atMostAtOnce(timeline)).as("the limit was reached, never passed").isEqualTo(5)
                .isEqualTo(sandbox.world().conversions().maxConcurrent());
        assertThat(sandbox.requests().all()).as("ferry queued the imports rather than being refused")
                .noneMatch(request -> request.status() >= 400 && request.key().equals("ec2:ImportImage"));
        assertThat(sandbox.world().conversions().importImageTasks()).hasSize(12).allSatisfy(task -> assertThat(task.status()).isEqualTo("completed"));
        assertThat(sandbox.world().ec2().amis()).filteredOn(Ami::imported).hasSize(12);
        assertThat(sandbox.world().ec2().instances()).filteredOn(instance -> instance.tags().getOrDefault("ferry:address", "").startsWith("aws_instance.vm-"))
                .hasSize(12).allSatisfy(instance -> assertThat(instance.instanceType()).isEqualTo("t3.medium"));
        assertThat(sandbox.world().s3().objects("ferry-e2e-fleet")).as("uploads deleted once imported").isEmpty();
    }

    /** The most spans open at one instant, counted from the timeline itself. */
    static int atMostAtOnce(List<ConversionTaskSpan> timeline) {
        int most = 0;
        for (ConversionTaskSpan span : timeline) {
            Instant at = span.start();
            int open = (int) timeline.stream().filter(other -> !other.start().isAfter(at) && (other.end() == null || other.end().isAfter(at))).count();
            most = Math.max(most, open);
        }
        return most;
    }

    @Test
    void aCorruptOrTruncatedImageFailsThePlanNamingTheFile() throws IOException {
        Files.writeString(dir.resolve("migration.yaml"), example());
        Path ova = dir.resolve("exports/app-02.ova");
        Files.createDirectories(ova.getParent());
        byte[] noise = new byte[1 << 20];
        new Random(7).nextBytes(noise);
        Files.write(ova, noise);

        CliRunner.Result garbage = ferry("plan");

        assertThat(garbage.exitCode()).isEqualTo(1);
        assertThat(garbage.err()).contains(ova.toString(), "is not a disk image ferry recognises").doesNotContain("\tat ");

        Path whole = sandbox.world().vcenter().exportVmImage("app-02", dir.resolve("whole.ova"), VmImageFormat.OVA);
        byte[] bytes = Files.readAllBytes(whole);
        Files.write(ova, Arrays.copyOf(bytes, bytes.length / 2));

        CliRunner.Result truncated = ferry("plan");

        assertThat(truncated.exitCode()).isEqualTo(1);
        assertThat(truncated.err()).contains(ova.toString(), "is truncated").doesNotContain("\tat ");
        assertThat(sandbox.world().s3().buckets()).isEmpty();
    }

    @Test
    void aDiskImportImageRejectsFailsApplyWithAwsMessageAndLeavesNothingUntracked() throws IOException {
        // an MBR signature with an empty partition table: ferry takes it for a raw disk, VM Import finds no OS
        rawDisk(dir.resolve("blank-01.raw"), 2 * MIB, false);
        Files.writeString(dir.resolve("migration.yaml"), imagesOnly("t3.small", "blank-01"));

        CliRunner.Result plan = ferry("plan");
        assertThat(plan.exitCode()).as(plan.all()).isZero();
        CliRunner.Result apply = ferry("apply", "--auto-approve");

        assertThat(apply.exitCode()).isEqualTo(1);
        assertThat(apply.err()).contains("aws_image_import.blank-01", "ClientError: Unknown OS / Missing OS files.").doesNotContain("\tat ");
        String state = StoredState.text(dir.resolve(".ferry/images/state.json"));
        assertThat(sandbox.world().conversions().importImageTasks()).allSatisfy(task -> assertThat(task.status()).isEqualTo("deleted"));
        assertThat(sandbox.world().ec2().amis()).noneMatch(Ami::imported);
        assertThat(sandbox.world().ec2().instances()).noneMatch(instance -> instance.tags().containsKey("ferry:address"));
        assertThat(sandbox.world().s3().multipartUploads()).isEmpty();
        for (S3Object object : sandbox.world().s3().objects("ferry-e2e-images")) {
            assertThat(state).as("s3://%s/%s is in ferry's state", object.bucket(), object.key()).contains(object.key());
        }
        assertThat(state).contains("\"ferry-e2e-images\"");
        sandbox.world().roles().forEach(role -> assertThat(state).contains(role.name()));
    }

    static <T> T only(List<T> items) {
        assertThat(items).hasSize(1);
        return items.get(0);
    }
}
