package dev.ferry.provider.vsphere.image;

import static dev.ferry.provider.vsphere.testing.ImageFixtures.rawDisk;
import static dev.ferry.provider.vsphere.testing.ImageFixtures.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.ferry.provider.vsphere.testing.ImageFixtures;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Images made by the tools people really use: qemu-img (Debian's qemu-utils) and GNU tar. Each case
 * is skipped when its tool is not installed; .ci/run installs qemu-utils where it can.
 */
class ExternalToolImagesTest {

    private static final int MIB = 1 << 20;

    @TempDir
    Path dir;

    @Test
    void qemuReadsOurStreamOptimizedVmdkBackToTheSameDisk() throws Exception {
        assumeTrue(installed("qemu-img"), "qemu-img is not installed");
        byte[] disk = rawDisk(3 * MIB, false);
        Path vmdk = write(dir.resolve("ours.vmdk"), ImageFixtures.streamOptimizedVmdk(disk, "ours.vmdk"));

        run("qemu-img", "check", "-f", "vmdk", vmdk.toString());
        run("qemu-img", "convert", "-f", "vmdk", "-O", "raw", vmdk.toString(), dir.resolve("back.img").toString());

        assertThat(Files.readAllBytes(dir.resolve("back.img"))).isEqualTo(disk);
    }

    @Test
    void recognisesQemuStreamOptimizedVmdk() throws Exception {
        Path vmdk = convert("-O", "vmdk", "-o", "subformat=streamOptimized", "disk.vmdk");

        InspectedImage image = DiskImageInspector.inspect(vmdk);

        assertThat(image.format()).isEqualTo(DiskImageFormat.VMDK);
        assertThat(image.streamOptimized()).isTrue();
        assertThat(image.capacityBytes()).hasValue(4L * MIB);
        assertThat(image.problems()).isEmpty();
    }

    @Test
    void findsQemuStreamOptimizedVmdkTruncated() throws Exception {
        Path vmdk = convert("-O", "vmdk", "-o", "subformat=streamOptimized", "disk.vmdk");
        byte[] bytes = Files.readAllBytes(vmdk);
        // cut inside the last compressed grain
        Files.write(vmdk, ImageFixtures.truncated(bytes, bytes.length - lastNonZero(bytes) - 1 + 20));

        assertThat(DiskImageInspector.inspect(vmdk).problems()).singleElement().asString().contains("truncated");
    }

    @Test
    void recognisesQemuMonolithicSparseVmdk() throws Exception {
        Path vmdk = convert("-O", "vmdk", "disk.vmdk");

        InspectedImage image = DiskImageInspector.inspect(vmdk);

        assertThat(image.format()).isEqualTo(DiskImageFormat.VMDK);
        assertThat(image.variant()).isEqualTo("monolithicSparse");
        assertThat(image.streamOptimized()).isFalse();
        assertThat(image.capacityBytes()).hasValue(4L * MIB);
    }

    @ParameterizedTest
    @ValueSource(strings = {"dynamic", "fixed"})
    void recognisesQemuVhd(String subformat) throws Exception {
        Path vhd = convert("-O", "vpc", "-o", "subformat=" + subformat, "disk.vhd");

        InspectedImage image = DiskImageInspector.inspect(vhd);

        assertThat(image.format()).isEqualTo(DiskImageFormat.VHD);
        assertThat(image.variant()).isEqualTo(subformat);
        // qemu rounds a VHD up to whole cylinders of its CHS geometry
        assertThat(image.capacityBytes().getAsLong()).isBetween(4L * MIB, 5L * MIB);
        assertThat(image.problems()).isEmpty();
    }

    @Test
    void recognisesQemuVhdxAndItsVirtualSize() throws Exception {
        Path vhdx = convert("-O", "vhdx", "disk.vhdx");

        InspectedImage image = DiskImageInspector.inspect(vhdx);

        assertThat(image.format()).isEqualTo(DiskImageFormat.VHDX);
        assertThat(image.capacityBytes()).hasValue(4L * MIB);
    }

    @Test
    void refusesQemuQcow2ByName() throws Exception {
        Path qcow2 = convert("-O", "qcow2", "disk.qcow2");

        assertThatThrownBy(() -> DiskImageInspector.inspect(qcow2)).isInstanceOf(ImageException.class).hasMessageContaining("QCOW2");
    }

    @ParameterizedTest
    @ValueSource(strings = {"ustar", "pax", "gnu"})
    void readsAnOvaPackedByGnuTar(String format) throws Exception {
        assumeTrue(installed("tar"), "tar is not installed");
        byte[] vmdk = ImageFixtures.streamOptimizedVmdk(rawDisk(MIB, false), "web-disk1.vmdk");
        write(dir.resolve("web-disk1.vmdk"), vmdk);
        write(dir.resolve("web.ovf"), ImageFixtures.ovf("web", 2, 2048, "debian11_64Guest", 96, "bios",
                List.of(new ImageFixtures.OvfDisk("web-disk1.vmdk", vmdk.length, MIB))).getBytes(StandardCharsets.UTF_8));

        run("tar", "--format=" + format, "-C", dir.toString(), "-cf", dir.resolve("web.ova").toString(), "web.ovf", "web-disk1.vmdk");
        InspectedImage image = DiskImageInspector.inspect(dir.resolve("web.ova"));

        assertThat(image.format()).isEqualTo(DiskImageFormat.OVA);
        assertThat(image.problems()).isEmpty();
        assertThat(image.appliance().orElseThrow().disks()).singleElement()
                .satisfies(disk -> assertThat(disk.fileBytes()).isEqualTo(vmdk.length));
    }

    private Path convert(String... arguments) throws Exception {
        assumeTrue(installed("qemu-img"), "qemu-img is not installed");
        Path raw = write(dir.resolve("disk.img"), rawDisk(4 * MIB, false));
        List<String> command = new ArrayList<>(List.of("qemu-img", "convert", "-f", "raw"));
        for (int i = 0; i < arguments.length - 1; i++) {
            command.add(arguments[i]);
        }
        command.add(raw.toString());
        Path out = dir.resolve(arguments[arguments.length - 1]);
        command.add(out.toString());
        run(command.toArray(String[]::new));
        return out;
    }

    private static int lastNonZero(byte[] bytes) {
        int i = bytes.length - 1;
        while (i > 0 && bytes[i] == 0) {
            i--;
        }
        return i;
    }

    static boolean installed(String tool) {
        for (String folder : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            if (Files.isExecutable(Path.of(folder, tool))) {
                return true;
            }
        }
        return false;
    }

    private static void run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] output = process.getInputStream().readAllBytes();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IOException(String.join(" ", command) + " did not finish");
        }
        if (process.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + new String(output, StandardCharsets.UTF_8));
        }
    }
}
