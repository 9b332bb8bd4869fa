package dev.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.sandbox.Sandbox;
import dev.ferry.sandbox.SandboxOptions;
import dev.ferry.sandbox.world.Ami;
import dev.ferry.sandbox.world.Ec2Instance;
import dev.ferry.sandbox.world.ImportImageTask;
import dev.ferry.sandbox.world.InstanceState;
import dev.ferry.sandbox.world.VmImageFormat;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Journey B with no disk image by hand: the example file without {@code disk_image}, so ferry captures the VM from
 * the sandbox's vCenter into a temporary content library, streams the OVA from the download session (served by
 * the sandbox's ESXi host over HTTPS with its own certificate) into the S3 multipart upload, imports and launches it.
 */
public class VcenterExportToEc2Test {

    static final String BUCKET = VcenterToEc2Test.BUCKET;

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

    /** The example, with the VM exported by ferry onto a temporary library on the sandbox's datastore. */
    public static String exported(String extra) throws IOException {
        String example = VcenterToEc2Test.example();
        String line = "        disk_image: exports/app-02.ova   # exported from vCenter; relative to this file\n";
        assertThat(example).contains(line);
        return example.replace(line, "        datastore: datastore1\n" + extra);
    }

    CliRunner.Result ferry(Map<String, String> environment, String... args) {
        return CliRunner.run(dir, environment, args);
    }

    CliRunner.Result ferry(String... args) {
        return ferry(VcenterToEc2Test.environment(sandbox), args);
    }

    @Test
    void theExampleWithoutDiskImageIsCapturedStreamedToS3ImportedAndLaunched() throws Exception {
        Files.writeString(dir.resolve("migration.yaml"), exported(""));

        CliRunner.Result plan = ferry("plan", "-out", "review.plan");
        assertThat(plan.exitCode()).as(plan.all()).isZero();
        assertThat(plan.out()).contains("vsphere_content_library.app-02 will be created", "vsphere_ovf_export.app-02 will be created",
                "aws_s3_object.app-02 will be created", "aws_instance.app-02 will be created", "is powered off, as vCenter requires");
        assertThat(sandbox.esxi().bytesServed()).as("planning downloads nothing").isZero();

        CliRunner.Result apply = ferry("apply", "review.plan");
        assertThat(apply.exitCode()).as(apply.all()).isZero();

        ImportImageTask imported = VcenterToEc2Test.only(sandbox.world().conversions().importImageTasks());
        assertThat(imported.status()).isEqualTo("completed");
        assertThat(imported.s3Key()).isEqualTo("imports/app-02.ova");
        Ec2Instance instance = VcenterToEc2Test.only(sandbox.world().ec2().instances().stream()
                .filter(i -> "app-02".equals(i.tags().get("Name"))).toList());
        assertThat(instance.imageId()).isEqualTo(imported.imageId());
        assertThat(instance.state()).isEqualTo(InstanceState.RUNNING);
        assertThat(instance.instanceType()).isEqualTo("t3.medium");
        Ami backup = VcenterToEc2Test.only(sandbox.world().ec2().amis().stream().filter(ami -> instance.id().equals(ami.sourceInstanceId())).toList());
        assertThat(sandbox.world().ec2().launchTemplate("app-02-replacement").orElseThrow().latest().imageId())
                .as("the launch template points at the backup AMI").isEqualTo(backup.id());
        assertThat(sandbox.requests().count("vcenter:POST /api/vcenter/ovf/library-item")).as("one capture").isEqualTo(1);
        assertThat(sandbox.requests().count("vcenter:POST /api/content/library/item/download-session")).isPositive();

        // the disk in S3 is byte for byte the VM's disk as vCenter exports it
        Map<String, String> uploaded = entries(sandbox.world().s3().openObject(BUCKET, "imports/app-02.ova"));
        Path reference = sandbox.world().vcenter().exportVmImage("app-02", cache.resolve("reference.ova"), VmImageFormat.OVA);
        Map<String, String> expected = entries(Files.newInputStream(reference));
        expected.remove("app-02.mf");   // a content library keeps the descriptor and the disks, not the manifest
        assertThat(uploaded).containsExactlyEntriesOf(expected);
        assertThat(List.copyOf(uploaded.keySet())).first().asString().endsWith(".ovf");
        assertThat(sandbox.esxi().bytesServed()).as("the disks came from the ESXi host").isGreaterThanOrEqualTo(
                sandbox.world().s3().object(BUCKET, "imports/app-02.ova").orElseThrow().size() - 4096);

        CliRunner.Result again = ferry("plan");
        assertThat(again.exitCode()).as(again.all()).isZero();
        assertThat(again.out()).contains("No changes.");
    }

    @Test
    void anEsxiCertificateNothingTrustsFailsNamingTheHostTheSubjectAndCaBundle() throws IOException {
        Files.writeString(dir.resolve("migration.yaml"), exported(""));
        Map<String, String> environment = new LinkedHashMap<>(VcenterToEc2Test.environment(sandbox));
        environment.remove("VSPHERE_CA_BUNDLE");

        CliRunner.Result apply = ferry(environment, "apply", "--auto-approve");

        assertThat(apply.exitCode()).as(apply.all()).isEqualTo(1);
        assertThat(apply.all()).contains("ESXi host 127.0.0.1:" + sandbox.esxi().baseUri().getPort(), "CN=esxi-01.sandbox.invalid", "ca_bundle")
                .doesNotContain("\tat ");
        assertThat(sandbox.world().s3().objects(BUCKET)).as("nothing was uploaded").isEmpty();
    }

    @Test
    void aCaBundleNamedInTheFileIsTrustedAndInsecureIsWarnedLoudly() throws IOException {
        Files.copy(sandbox.esxi().caBundle(), dir.resolve("esxi-ca.pem"));
        Map<String, String> environment = new LinkedHashMap<>(VcenterToEc2Test.environment(sandbox));
        environment.remove("VSPHERE_CA_BUNDLE");
        Files.writeString(dir.resolve("migration.yaml"), exported("").replace("    password: ${env:VSPHERE_PASSWORD}\n",
                "    password: ${env:VSPHERE_PASSWORD}\n    ca_bundle: esxi-ca.pem\n"));
        CliRunner.Result plan = ferry(environment, "plan");
        assertThat(plan.exitCode()).as(plan.all()).isZero();
        assertThat(plan.out()).contains("trusted through the system's CAs and ").contains("esxi-ca.pem")
                .doesNotContain("TLS certificate checks are OFF");

        CliRunner.Result apply = ferry(environment, "apply", "--auto-approve");
        assertThat(apply.exitCode()).as(apply.all()).isZero();
        assertThat(sandbox.world().s3().object(BUCKET, "imports/app-02.ova")).isPresent();

        Path other = Files.createDirectories(dir.resolve("insecure"));
        Files.writeString(other.resolve("migration.yaml"), exported("").replace("    password: ${env:VSPHERE_PASSWORD}\n",
                "    password: ${env:VSPHERE_PASSWORD}\n    insecure: true\n"));
        CliRunner.Result insecure = CliRunner.run(other, environment, "plan");
        assertThat(insecure.exitCode()).as(insecure.all()).isZero();
        assertThat(insecure.all()).contains("insecure: true turns off TLS certificate checks for vCenter and the ESXi hosts",
                "TLS certificate checks are OFF");
    }

    @Test
    void aPoweredOnVmIsRefusedUnlessTheFileAllowsAShutdown_thenItIsShutDownAndCaptured() throws IOException {
        sandbox.world().vcenter().setVmPowerState("app-02", "POWERED_ON");
        Files.writeString(dir.resolve("migration.yaml"), exported(""));
        CliRunner.Result refused = ferry("plan");
        assertThat(refused.exitCode()).as(refused.all()).isEqualTo(1);
        assertThat(refused.all()).contains("is powered on, and vCenter captures only a powered-off VM", "shutdown: true");

        Files.writeString(dir.resolve("migration.yaml"), exported("        shutdown: true\n"));
        CliRunner.Result plan = ferry("plan");
        assertThat(plan.exitCode()).as(plan.all()).isZero();
        assertThat(plan.out()).contains("ferry shuts its guest down (VMware Tools) before the capture and leaves it powered off");
        assertThat(sandbox.world().vcenter().vm("app-02").orElseThrow().powerState()).as("planning changes nothing").isEqualTo("POWERED_ON");

        CliRunner.Result apply = ferry("apply", "--auto-approve");
        assertThat(apply.exitCode()).as(apply.all()).isZero();
        assertThat(sandbox.world().vcenter().vm("app-02").orElseThrow().powerState()).isEqualTo("POWERED_OFF");
        assertThat(sandbox.requests().count("vcenter:POST /api/vcenter/vm/{vm}/guest/power")).isEqualTo(1);
    }

    /** Each entry of a tar archive with the SHA-256 of its bytes, in archive order. */
    public static Map<String, String> entries(InputStream archive) throws IOException, NoSuchAlgorithmException {
        Map<String, String> entries = new LinkedHashMap<>();
        try (InputStream in = archive) {
            byte[] header = new byte[512];
            while (in.readNBytes(header, 0, 512) == 512 && header[0] != 0) {
                int end = 0;
                while (end < 100 && header[end] != 0) {
                    end++;
                }
                String name = new String(header, 0, end, StandardCharsets.US_ASCII);
                long size = Long.parseLong(new String(header, 124, 11, StandardCharsets.US_ASCII).trim(), 8);
                MessageDigest sha = MessageDigest.getInstance("SHA-256");
                byte[] buffer = new byte[1 << 16];
                long remaining = size;
                while (remaining > 0) {
                    int n = in.read(buffer, 0, (int) Math.min(buffer.length, remaining));
                    if (n < 0) {
                        throw new IOException("the archive ends inside " + name);
                    }
                    sha.update(buffer, 0, n);
                    remaining -= n;
                }
                in.skipNBytes((512 - size % 512) % 512);
                entries.put(name, HexFormat.of().formatHex(sha.digest()));
            }
        }
        return entries;
    }
}
