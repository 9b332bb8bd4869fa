package dev.ferry.provider.vsphere.image;

import static dev.ferry.provider.vsphere.testing.ImageFixtures.rawDisk;
import static dev.ferry.provider.vsphere.testing.ImageFixtures.streamOptimizedVmdk;
import static dev.ferry.provider.vsphere.testing.ImageFixtures.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.provider.vsphere.testing.ImageFixtures;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DiskImageInspectorTest {

    private static final int MIB = 1 << 20;

    @TempDir
    Path dir;

    @Test
    void recognisesRawDiskByItsMbrSignature() throws IOException {
        InspectedImage image = DiskImageInspector.inspect(write(dir.resolve("disk.img"), rawDisk(MIB, false)));

        assertThat(image.format()).isEqualTo(DiskImageFormat.RAW);
        assertThat(image.variant()).isEqualTo("MBR");
        assertThat(image.fileBytes()).isEqualTo(MIB);
        assertThat(image.capacityBytes()).hasValue(MIB);
        assertThat(image.problems()).isEmpty();
        assertThat(image.warnings()).isEmpty();
    }

    @Test
    void recognisesRawDiskByItsGptHeader() throws IOException {
        InspectedImage image = DiskImageInspector.inspect(write(dir.resolve("disk.raw"), rawDisk(MIB, true)));

        assertThat(image.format()).isEqualTo(DiskImageFormat.RAW);
        assertThat(image.variant()).isEqualTo("GPT");
    }

    @Test
    void recognisesStreamOptimizedVmdkAndReadsItsCapacity() throws IOException {
        byte[] vmdk = streamOptimizedVmdk(rawDisk(2 * MIB, false), "web.vmdk");

        InspectedImage image = DiskImageInspector.inspect(write(dir.resolve("web.vmdk"), vmdk));

        assertThat(image.format()).isEqualTo(DiskImageFormat.VMDK);
        assertThat(image.streamOptimized()).isTrue();
        assertThat(image.capacityBytes()).hasValue(2 * MIB);
        assertThat(image.fileBytes()).isEqualTo(vmdk.length);
        assertThat(image.problems()).isEmpty();
        assertThat(image.describe()).isEqualTo("stream-optimized VMDK");
    }

    @Test
    void findsContentNotExtension_andWarnsAboutTheMismatch() throws IOException {
        byte[] vmdk = streamOptimizedVmdk(rawDisk(MIB, false), "web.vmdk");

        InspectedImage image = DiskImageInspector.inspect(write(dir.resolve("web.vhd"), vmdk));

        assertThat(image.format()).isEqualTo(DiskImageFormat.VMDK);
        assertThat(image.warnings()).singleElement().asString()
                .contains("web.vhd is named like a VHD file but holds a stream-optimized VMDK").contains("imports it as vmdk");
    }

    @Test
    void anUnknownExtensionIsNoMismatch() throws IOException {
        InspectedImage image = DiskImageInspector.inspect(write(dir.resolve("export.disk"), rawDisk(MIB, false)));

        assertThat(image.warnings()).isEmpty();
    }

    @Test
    void refusesStreamOptimizedVmdkCutShortAsTruncated() throws IOException {
        byte[] vmdk = streamOptimizedVmdk(rawDisk(MIB, false), "web.vmdk");

        InspectedImage image = DiskImageInspector.inspect(write(dir.resolve("web.vmdk"), ImageFixtures.truncated(vmdk, 1024)));

        assertThat(image.problems()).singleElement().asString().contains("truncated").contains("web.vmdk");
    }

    @Test
    void vmdkDescriptorFileIsRecognisedButPointsAtItsFlatExtent() throws IOException {
        String descriptor = "# Disk DescriptorFile\nversion=1\nCID=fffffffe\nparentCID=ffffffff\ncreateType=\"vmfs\"\n\n"
                + "# Extent description\nRW 41943040 VMFS \"app-02-flat.vmdk\"\n\nddb.adapterType = \"lsilogic\"\n";

        InspectedImage image = DiskImageInspector.inspect(write(dir.resolve("app-02.vmdk"), descriptor.getBytes(StandardCharsets.US_ASCII)));

        assertThat(image.format()).isEqualTo(DiskImageFormat.VMDK);
        assertThat(image.capacityBytes()).hasValue(41943040L * 512);
        assertThat(image.problems()).singleElement().asString()
                .contains("VMDK descriptor").contains("app-02-flat.vmdk").contains("not in this file");
    }

    @Test
    void recognisesFixedVhdByItsFooter() throws IOException {
        InspectedImage image = DiskImageInspector.inspect(write(dir.resolve("disk.vhd"), ImageFixtures.fixedVhd(rawDisk(MIB, false))));

        assertThat(image.format()).isEqualTo(DiskImageFormat.VHD);
        assertThat(image.variant()).isEqualTo("fixed");
        assertThat(image.capacityBytes()).hasValue(MIB);
        assertThat(image.problems()).isEmpty();
    }

    @Test
    void recognisesDynamicVhdByTheFooterCopyAtItsStart() throws IOException {
        InspectedImage image = DiskImageInspector.inspect(write(dir.resolve("disk.vhd"), ImageFixtures.dynamicVhdOutline(8L * MIB)));

        assertThat(image.format()).isEqualTo(DiskImageFormat.VHD);
        assertThat(image.variant()).isEqualTo("dynamic");
        assertThat(image.capacityBytes()).hasValue(8L * MIB);
    }

    @Test
    void aDynamicVhdWithoutItsClosingFooterIsTruncated() throws IOException {
        byte[] outline = ImageFixtures.dynamicVhdOutline(8L * MIB);

        InspectedImage image = DiskImageInspector.inspect(write(dir.resolve("disk.vhd"), ImageFixtures.truncated(outline, 512)));

        assertThat(image.problems()).singleElement().asString().contains("closing footer is missing").contains("truncated");
    }

    @Test
    void refusesVhdWithDamagedFooter() throws IOException {
        byte[] vhd = ImageFixtures.fixedVhd(rawDisk(MIB, false));
        vhd[vhd.length - 512 + 48] ^= 0x01; // size changed, checksum not

        assertThatThrownBy(() -> DiskImageInspector.inspect(write(dir.resolve("disk.vhd"), vhd)))
                .isInstanceOf(ImageException.class).hasMessageContaining("checksum does not match");
    }

    @Test
    void differencingVhdNeedsItsParent() throws IOException {
        byte[] footer = ImageFixtures.vhdFooter(MIB, 4);
        byte[] image = new byte[2048];
        System.arraycopy(footer, 0, image, 0, 512);
        System.arraycopy(footer, 0, image, 1536, 512);

        InspectedImage inspected = DiskImageInspector.inspect(write(dir.resolve("child.vhd"), image));

        assertThat(inspected.problems()).singleElement().asString().contains("differencing VHD").contains("parent");
    }

    @Test
    void recognisesVhdxAndReadsItsVirtualSizeFromTheMetadataRegion() throws IOException {
        Path path = dir.resolve("disk.vhdx");
        ImageFixtures.vhdx(path, 40L << 30);

        InspectedImage image = DiskImageInspector.inspect(path);

        assertThat(image.format()).isEqualTo(DiskImageFormat.VHDX);
        assertThat(image.capacityBytes()).hasValue(40L << 30);
    }

    @Test
    void refusesVhdxWhoseRegionTableChecksumIsWrong() throws IOException {
        Path path = dir.resolve("disk.vhdx");
        ImageFixtures.vhdx(path, 40L << 30);
        try (RandomAccessFile file = new RandomAccessFile(path.toFile(), "rw")) {
            file.seek(192 * 1024 + 40);
            file.write(0x7F);
        }

        assertThatThrownBy(() -> DiskImageInspector.inspect(path)).isInstanceOf(ImageException.class).hasMessageContaining("region table is damaged");
    }

    @Test
    void readsAnOvaItsDescriptorAndItsDisks() throws IOException {
        byte[] ova = ImageFixtures.ova("app-02", 2, 4096, "ubuntu64Guest", 94, "efi", List.of(rawDisk(MIB, true), rawDisk(2 * MIB, false)));

        InspectedImage image = DiskImageInspector.inspect(write(dir.resolve("app-02.ova"), ova));

        assertThat(image.format()).isEqualTo(DiskImageFormat.OVA);
        assertThat(image.problems()).isEmpty();
        assertThat(image.warnings()).isEmpty();
        assertThat(image.capacityBytes()).hasValue(3L * MIB);
        InspectedImage.Appliance appliance = image.appliance().orElseThrow();
        assertThat(appliance.descriptorName()).isEqualTo("app-02.ovf");
        assertThat(appliance.descriptor().vmName()).isEqualTo("app-02");
        assertThat(appliance.descriptor().cpus()).hasValue(2);
        assertThat(appliance.descriptor().memoryBytes()).hasValue(4096L * MIB);
        assertThat(appliance.descriptor().firmware()).hasValue("efi");
        assertThat(appliance.disks()).extracting(InspectedImage.ApplianceDisk::fileName)
                .containsExactly("app-02-disk1.vmdk", "app-02-disk2.vmdk");
        assertThat(appliance.disks()).extracting(InspectedImage.ApplianceDisk::capacityBytes).containsExactly((long) MIB, 2L * MIB);
        assertThat(appliance.disks()).allSatisfy(disk -> assertThat(disk.variant()).isEqualTo("streamOptimized"));
    }

    @Test
    void refusesOvaCutShortInsideADisk() throws IOException {
        byte[] ova = ImageFixtures.ova("app-02", 2, 4096, "ubuntu64Guest", 94, "bios", List.of(rawDisk(MIB, false)));
        byte[] cut = ImageFixtures.truncated(ova, 2048 + 600);

        assertThatThrownBy(() -> DiskImageInspector.inspect(write(dir.resolve("app-02.ova"), cut)))
                .isInstanceOf(ImageException.class)
                .hasMessageContaining("is truncated: its member 'app-02-disk1.vmdk' needs");
    }

    @Test
    void anOvaWithoutTheDiskItsDescriptorNamesIsIncomplete() throws IOException {
        String ovf = ImageFixtures.ovf("db", 1, 1024, "centos64Guest", 107, "bios", List.of(new ImageFixtures.OvfDisk("db-disk1.vmdk", 4096, MIB)));
        Map<String, byte[]> members = new LinkedHashMap<>();
        members.put("db.ovf", ovf.getBytes(StandardCharsets.UTF_8));

        InspectedImage image = DiskImageInspector.inspect(write(dir.resolve("db.ova"), ImageFixtures.tar(members)));

        assertThat(image.problems()).singleElement().asString().contains("'db-disk1.vmdk', which the archive does not contain");
    }

    @Test
    void aTarWhoseFirstMemberIsNotAnOvfIsNoOva() throws IOException {
        Map<String, byte[]> members = new LinkedHashMap<>();
        members.put("disk.vmdk", streamOptimizedVmdk(rawDisk(MIB, false), "disk.vmdk"));
        members.put("vm.ovf", "<Envelope/>".getBytes(StandardCharsets.UTF_8));

        assertThatThrownBy(() -> DiskImageInspector.inspect(write(dir.resolve("vm.ova"), ImageFixtures.tar(members))))
                .isInstanceOf(ImageException.class).hasMessageContaining("first member is 'disk.vmdk', not an .ovf descriptor");
    }

    @Test
    void refusesAnOvfCarryingAnExternalEntityWithoutReadingTheFile() throws IOException {
        Path secret = write(dir.resolve("secret.txt"), "TOP-SECRET-CONTENT".getBytes(StandardCharsets.UTF_8));
        String xxe = "<?xml version=\"1.0\"?>\n<!DOCTYPE Envelope [<!ENTITY leak SYSTEM \"" + secret.toUri() + "\">]>\n"
                + "<Envelope xmlns=\"http://schemas.dmtf.org/ovf/envelope/1\"><VirtualSystem><Name>&leak;</Name></VirtualSystem></Envelope>";
        Map<String, byte[]> members = new LinkedHashMap<>();
        members.put("evil.ovf", xxe.getBytes(StandardCharsets.UTF_8));
        members.put("evil-disk1.vmdk", streamOptimizedVmdk(rawDisk(MIB, false), "evil-disk1.vmdk"));

        assertThatThrownBy(() -> DiskImageInspector.inspect(write(dir.resolve("evil.ova"), ImageFixtures.tar(members))))
                .isInstanceOf(ImageException.class)
                .hasMessageContaining("OVF descriptor 'evil.ovf'")
                .hasMessageContaining("DOCTYPE")
                .hasMessageNotContaining("TOP-SECRET");
    }

    @Test
    void refusesGarbage() throws IOException {
        byte[] garbage = new byte[64 * 1024];
        new Random(7).nextBytes(garbage);
        garbage[510] = 0;

        assertThatThrownBy(() -> DiskImageInspector.inspect(write(dir.resolve("garbage.vmdk"), garbage)))
                .isInstanceOf(ImageException.class)
                .hasMessageContaining("garbage.vmdk is not a disk image ferry recognises");
    }

    @Test
    void refusesAnEmptyFile() throws IOException {
        assertThatThrownBy(() -> DiskImageInspector.inspect(write(dir.resolve("empty.ova"), new byte[0])))
                .isInstanceOf(ImageException.class).hasMessageContaining("empty.ova is empty: not a disk image ferry recognises");
    }

    @Test
    void aMissingFileOrADirectorySaysSo() {
        assertThatThrownBy(() -> DiskImageInspector.inspect(dir.resolve("nope.ova")))
                .isInstanceOf(ImageException.class).hasMessageContaining("nope.ova does not exist");
        assertThatThrownBy(() -> DiskImageInspector.inspect(dir))
                .isInstanceOf(ImageException.class).hasMessageContaining("is not a regular file");
    }

    @Test
    void namesQcow2InsteadOfCallingItUnrecognised() throws IOException {
        byte[] qcow2 = new byte[4096];
        System.arraycopy(new byte[] {'Q', 'F', 'I', (byte) 0xfb, 0, 0, 0, 3}, 0, qcow2, 0, 8);

        assertThatThrownBy(() -> DiskImageInspector.inspect(write(dir.resolve("vm.qcow2"), qcow2)))
                .isInstanceOf(ImageException.class).hasMessageContaining("is a QCOW2 image").hasMessageContaining("qemu-img convert");
    }

    @Test
    void aBareOvfDescriptorIsNotADiskImage() throws IOException {
        byte[] xml = ImageFixtures.ovf("x", 1, 512, "otherGuest", 1, "bios", List.of()).getBytes(StandardCharsets.UTF_8);

        assertThatThrownBy(() -> DiskImageInspector.inspect(write(dir.resolve("x.ovf"), xml)))
                .isInstanceOf(ImageException.class).hasMessageContaining("point disk_image at the OVA");
    }

    @Test
    void readsOvaMembersOverEightGibWhoseSizeIsWrittenInBase256() throws IOException {
        Path path = dir.resolve("big.ova");
        long diskBytes = 9L << 30;
        byte[] vmdk = streamOptimizedVmdk(rawDisk(MIB, false), "big-disk1.vmdk");
        String ovf = ImageFixtures.ovf("big", 4, 8192, "rhel8_64Guest", 80, "bios",
                List.of(new ImageFixtures.OvfDisk("big-disk1.vmdk", diskBytes, MIB)));
        byte[] ovfBytes = ovf.getBytes(StandardCharsets.UTF_8);
        try (RandomAccessFile file = new RandomAccessFile(path.toFile(), "rw")) {
            file.write(ImageFixtures.tarHeader("big.ovf", ovfBytes.length));
            file.write(ovfBytes);
            long diskHeader = (512 + ovfBytes.length + 511) / 512 * 512;
            byte[] header = ImageFixtures.tarHeader("big-disk1.vmdk", 0);
            java.util.Arrays.fill(header, 124, 136, (byte) 0);
            header[124] = (byte) 0x80; // GNU base-256 size
            for (int i = 0; i < 8; i++) {
                header[135 - i] = (byte) (diskBytes >>> (8 * i));
            }
            rechecksum(header);
            file.seek(diskHeader);
            file.write(header);
            long data = diskHeader + 512;
            // the VMDK's head at the member's start, its footer and end-of-stream at the member's end; zeros between
            file.seek(data);
            file.write(vmdk, 0, vmdk.length - 3 * 512);
            file.seek(data + diskBytes - 3 * 512);
            file.write(vmdk, vmdk.length - 3 * 512, 3 * 512);
            file.setLength(data + diskBytes + 1024);
        }

        InspectedImage image = DiskImageInspector.inspect(path);

        assertThat(image.problems()).isEmpty();
        assertThat(image.appliance().orElseThrow().disks()).singleElement()
                .satisfies(disk -> assertThat(disk.fileBytes()).isEqualTo(diskBytes));
        Files.delete(path);
    }

    private static void rechecksum(byte[] header) {
        long sum = 0;
        for (int i = 0; i < 512; i++) {
            sum += (i >= 148 && i < 156) ? ' ' : (header[i] & 0xFF);
        }
        byte[] digits = String.format("%06o", sum).getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(digits, 0, header, 148, 6);
        header[154] = 0;
        header[155] = ' ';
    }
}
