package dev.ferry.cli.e2e;

import static dev.ferry.cli.e2e.KilledApplyConvergesTest.fork;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.cli.VcenterExportToEc2Test;
import dev.ferry.provider.vsphere.VsphereProvider;
import dev.ferry.sandbox.Sandbox;
import dev.ferry.sandbox.SandboxOptions;
import dev.ferry.sandbox.world.MultipartUpload;
import dev.ferry.sandbox.world.SandboxWorld;
import dev.ferry.sandbox.world.VmImageFormat;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Journey B from vCenter itself, SIGKILLed while the OVA streams from the download session into the S3 multipart
 * upload: the next apply lists the parts S3 holds on the recorded upload, sends only the others from the same
 * library item, with no second capture, and the object in S3 is the VM's OVA entry for entry (SHA-256).
 *
 * <p>The VM's disk holds 80 MiB of incompressible bytes, so its stream-optimized VMDK, and the OVA, take six
 * 16 MiB parts, the last one short.
 */
class KilledVcenterStreamResumesTest {

    private static final String BUCKET = "ec2-backup-images-for-migration";
    private static final String KEY = "imports/app-02.ova";
    private static final long MIB = 1L << 20;
    private static final long PART = 16 * MIB;
    private static final int PARALLEL_PARTS = 4;

    @TempDir
    Path dir;
    @TempDir
    Path cache;

    /** The default world, app-02's one disk holding {@code content}. */
    static SandboxWorld world(Path content) {
        SandboxWorld defaults = SandboxWorld.defaults();
        List<SandboxWorld.VmSpec> vms = defaults.vms().stream().map(vm -> !vm.name().equals("app-02") ? vm
                : new SandboxWorld.VmSpec(vm.id(), vm.name(), vm.guestOs(), vm.powerState(), vm.cpuCount(), vm.coresPerSocket(),
                        vm.memoryMib(), vm.bootType(), vm.hardwareVersion(),
                        List.of(new SandboxWorld.VmDiskSpec(8, null, content.toAbsolutePath().toString())), vm.nics())).toList();
        return defaults.withVms(vms);
    }

    /** {@code bytes} of seeded random data behind an MBR, which deflate cannot shrink. */
    static Path randomDisk(Path file, long bytes) throws Exception {
        Random random = new Random(15);
        byte[] chunk = new byte[1 << 20];
        try (OutputStream out = Files.newOutputStream(file)) {
            for (long written = 0; written < bytes; written += chunk.length) {
                random.nextBytes(chunk);
                if (written == 0) {
                    chunk[510] = 0x55;
                    chunk[511] = (byte) 0xAA;
                }
                out.write(chunk, 0, (int) Math.min(chunk.length, bytes - written));
            }
        }
        return file;
    }

    @Test
    void anApplyKilledMidStreamResumesFromThePartsS3HoldsWithoutASecondCapture() throws Exception {
        Path content = randomDisk(cache.resolve("app-02-content.raw"), 80 * MIB);
        SandboxOptions options = SandboxOptions.builder().world(world(content)).timeScale(0.02).cacheDirectory(cache).build();
        try (Sandbox sandbox = Sandbox.start(options)) {
            Files.writeString(dir.resolve("migration.yaml"), VcenterExportToEc2Test.exported(""));
            Ferry ferry = Ferry.in(dir, sandbox, Journeys.distinctiveSecret("Root-"))
                    .with(VsphereProvider.ENDPOINT_VARIABLE, sandbox.vcenterUrl().toString());
            // parts wait before S3 takes them, so the kill lands with some parts stored and others not
            sandbox.faults().set("services=s3,actions=UploadPart,latency=300ms");

            Process apply = fork(dir, ferry, "apply", "--auto-approve");
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
            while (sandbox.requests().successCount("s3:UploadPart") == 0 && apply.isAlive() && System.nanoTime() < deadline) {
                LockSupport.parkNanos(1_000_000); // not a busy wait: the forked JVM needs the core
            }
            assertThat(apply.isAlive()).as("apply was still streaming: " + Files.readString(dir.resolve("out.log"))
                    + Files.readString(dir.resolve("err.log"))).isTrue();
            apply.destroyForcibly();                                    // SIGKILL: no shutdown hook runs
            assertThat(apply.waitFor(30, TimeUnit.SECONDS)).isTrue();
            Thread.sleep(1000);                                         // parts in flight are now stored or dropped
            sandbox.faults().clear();

            assertThat(sandbox.requests().count("vcenter:POST /api/vcenter/ovf/library-item")).as("the killed apply captured").isEqualTo(1);
            MultipartUpload pending = sandbox.world().s3().multipartUploads().stream().filter(u -> u.key().equals(KEY)).findFirst()
                    .orElseThrow(() -> new AssertionError("no upload under way at the kill: " + sandbox.world().s3().multipartUploads()));
            int stored = pending.parts().size();
            long sentBeforeResume = sandbox.requests().successCount("s3:UploadPart");
            assertThat(sentBeforeResume).as("every part S3 took is one it holds").isEqualTo(stored);
            assertThat(stored).as("the kill came mid-stream").isBetween(1, PARALLEL_PARTS);

            Ferry.Result resumed = ferry.run("apply", "--auto-approve");

            assertThat(resumed.exitCode()).as(resumed.toString()).isZero();
            assertThat(resumed.out()).contains("resuming upload " + pending.uploadId(), stored + " part(s) already in S3");
            assertThat(sandbox.requests().count("vcenter:POST /api/vcenter/ovf/library-item")).as("no second capture").isEqualTo(1);
            assertThat(sandbox.requests().count("s3:CreateMultipartUpload")).as("the same upload, continued").isEqualTo(1);
            assertThat(sandbox.requests().count("s3:AbortMultipartUpload")).isZero();
            long ovaSize = sandbox.world().s3().object(BUCKET, KEY).orElseThrow().size();
            int parts = (int) ((ovaSize + PART - 1) / PART);
            assertThat(parts).as("the OVA takes several parts").isGreaterThan(stored).isGreaterThanOrEqualTo(5);
            long sentAfterResume = sandbox.requests().successCount("s3:UploadPart") - sentBeforeResume;
            assertThat(sentAfterResume).as("only the parts S3 lacked were sent again").isEqualTo(parts - stored);
            assertThat(sandbox.requests().successCount("s3:UploadPart")).as("%d parts, %d stored before the kill", parts, stored)
                    .isEqualTo(parts);

            System.out.printf("killed with %d of %d parts in S3; the resume sent %d%n", stored, parts, sentAfterResume);

            Map<String, String> uploaded = VcenterExportToEc2Test.entries(sandbox.world().s3().openObject(BUCKET, KEY));
            Path reference = sandbox.world().vcenter().exportVmImage("app-02", cache.resolve("reference.ova"), VmImageFormat.OVA);
            Map<String, String> expected = VcenterExportToEc2Test.entries(Files.newInputStream(reference));
            expected.remove("app-02.mf");   // a content library keeps the descriptor and the disks, not the manifest
            assertThat(uploaded).containsExactlyEntriesOf(expected);
            assertThat(sandbox.world().ec2().instances().stream().filter(i -> "app-02".equals(i.tags().get("Name"))))
                    .as("one instance").hasSize(1);

            Ferry.Result plan = ferry.run("plan", "--detailed-exitcode");
            assertThat(plan.exitCode()).as(plan.toString()).isZero();
            assertThat(plan.out()).contains("No changes.");
        }
    }
}
