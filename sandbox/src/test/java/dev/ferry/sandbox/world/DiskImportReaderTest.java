package dev.ferry.sandbox.world;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** How ImportImage reads OVAs and disks that are not quite right, message by message. */
class DiskImportReaderTest {

    private static final long CAPACITY = 64L << 20;
    private BlobStore store;
    private DiskImportReader reader;
    private byte[] raw;

    @BeforeEach
    void setUp() throws IOException {
        store = new BlobStore(Files.createTempDirectory("imports-"), true);
        reader = new DiskImportReader(new DiskFormats(store));
        raw = new byte[1 << 20];
        new Random(7).nextBytes(raw);
        raw[446 + 4] = (byte) 0x83;
        raw[510] = 0x55;
        raw[511] = (byte) 0xAA;
    }

    @AfterEach
    void tearDown() {
        store.close();
    }

    private static VirtualMachine vm(String guest, String boot) {
        return new VirtualMachine("vm-7", "test-vm", GuestOs.byId(guest).orElseThrow(), VirtualMachine.POWERED_OFF, 1,
                1, 1024, boot, "VMX_19", List.of(new VirtualMachine.Disk("2000", "Hard disk 1", CAPACITY,
                "[datastore1] test-vm/test-vm.vmdk", DiskSource.file("/nonexistent"))),
                List.of(new VirtualMachine.Nic("4000", "Network adapter 1", "VMXNET3", "00:50:56:00:00:01",
                        "VM Network", "network-12")), "bios", "instance");
    }

    private byte[] vmdk(byte[] content) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        StreamOptimizedVmdk.write(new ByteArrayInputStream(content), content.length, CAPACITY, "test-vm-disk1.vmdk",
                19, out);
        return out.toByteArray();
    }

    private Blob ova(String ovfName, String ovf, String diskName, byte[] disk) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        TarWriter tar = new TarWriter(out, Instant.EPOCH);
        tar.add(ovfName, ovf.getBytes(StandardCharsets.UTF_8));
        if (disk != null) {
            tar.add(diskName, disk);
        }
        tar.finish();
        return store.writeSmall(out.toByteArray());
    }

    private String ovf(VirtualMachine vm, long fileBytes) {
        return OvfWriter.descriptor(vm, List.of(new OvfWriter.DiskFile("test-vm-disk1.vmdk", fileBytes, CAPACITY,
                raw.length)));
    }

    private static byte[] bytes(Blob blob, int length) {
        return blob.read(0, length);
    }

    @Test
    void readsTheDisksGuestAndFirmwareOfAnOva() throws IOException {
        byte[] disk = vmdk(raw);
        DiskImportReader.Contents contents = reader.read(ova("test-vm.ovf", ovf(vm("RHEL_8_64", "EFI"), disk.length),
                "test-vm-disk1.vmdk", disk), "OVA");
        assertThat(contents.disks()).singleElement().satisfies(d -> {
            assertThat(d.format()).isEqualTo("VMDK");
            assertThat(d.raw().size()).isEqualTo(CAPACITY);
            assertThat(bytes(d.raw(), raw.length)).isEqualTo(raw);
        });
        assertThat(contents.guest()).map(GuestOs::id).hasValue("RHEL_8_64");
        assertThat(contents.bootMode()).isEqualTo("uefi");
        assertThat(reader.read(ova("test-vm.ovf", ovf(vm("UBUNTU_64", "BIOS"), disk.length), "test-vm-disk1.vmdk",
                disk), null).guest()).as("an unnamed format is read by content").map(GuestOs::architecture)
                .hasValue("x86_64");
    }

    @Test
    void chunkedOrCompressedDiskFilesAreRefusedAsAwsDocumentsIt() throws IOException {
        byte[] disk = vmdk(raw);
        String ovf = ovf(vm("UBUNTU_64", "BIOS"), disk.length);
        assertThatThrownBy(() -> reader.read(ova("test-vm.ovf", ovf.replace("ovf:id=\"file1\"",
                "ovf:id=\"file1\" ovf:chunkSize=\"1048576\""), "test-vm-disk1.vmdk", disk), "OVA"))
                .isInstanceOf(DiskImportReader.Refused.class).hasMessage("ClientError: Disk validation failed "
                        + "[OVF file parsing error: OVA with chunked disk files is not supported]");
        assertThatThrownBy(() -> reader.read(ova("test-vm.ovf", ovf.replace("ovf:id=\"file1\"",
                "ovf:id=\"file1\" ovf:compression=\"gzip\""), "test-vm-disk1.vmdk", disk), "OVA"))
                .hasMessageContaining("[OVF file parsing error: OVA with compressed disk files is not supported]");
    }

    @Test
    void anOvaMustStartWithAWellFormedOvfAndHoldTheFilesItNames() throws IOException {
        byte[] disk = vmdk(raw);
        String ovf = ovf(vm("UBUNTU_64", "BIOS"), disk.length);
        assertThatThrownBy(() -> reader.read(ova("notes.txt", "hello", "test-vm-disk1.vmdk", disk), "OVA"))
                .hasMessage("ClientError: Disk validation failed [OVF file parsing error: the OVA does not start with "
                        + "an OVF descriptor]");
        assertThatThrownBy(() -> reader.read(ova("test-vm.ovf", "<Envelope><unclosed>", "test-vm-disk1.vmdk", disk),
                "OVA")).hasMessageStartingWith("ClientError: Disk validation failed [OVF file parsing error: the "
                + "descriptor is not well-formed XML");
        assertThatThrownBy(() -> reader.read(ova("test-vm.ovf", "<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]>"
                + "<Envelope>&e;</Envelope>", "test-vm-disk1.vmdk", disk), "OVA"))
                .as("no DTDs, so no entity can read a local file").hasMessageContaining("OVF file parsing error");
        assertThatThrownBy(() -> reader.read(ova("test-vm.ovf", ovf, "other.vmdk", disk), "OVA"))
                .hasMessage("ClientError: Disk validation failed [OVF file parsing error: file test-vm-disk1.vmdk "
                        + "is not in the OVA]");
        assertThatThrownBy(() -> reader.read(ova("test-vm.ovf", ovf, "test-vm-disk1.vmdk", raw), "OVA"))
                .as("a raw disk where a VMDK should be")
                .hasMessage("ClientError: Disk validation failed [Unsupported VMDK File Format]");
    }

    @Test
    void aDamagedTarHeaderOrATruncatedArchiveIsAParsingError() throws IOException {
        byte[] disk = vmdk(raw);
        Blob good = ova("test-vm.ovf", ovf(vm("UBUNTU_64", "BIOS"), disk.length), "test-vm-disk1.vmdk", disk);
        byte[] damaged = good.read(0, (int) good.size());
        damaged[3] ^= 0x20;
        assertThatThrownBy(() -> reader.read(store.writeSmall(damaged), "OVA")).hasMessageContaining("damaged");
        byte[] truncated = Arrays.copyOf(good.read(0, (int) good.size()), 2048);
        assertThatThrownBy(() -> reader.read(store.writeSmall(truncated), "OVA")).hasMessageContaining("truncated");
    }

    @Test
    void aVmdkThatIsNotSparseOrStreamOptimizedIsAnUnsupportedVmdk() throws IOException {
        byte[] disk = vmdk(raw);
        String descriptor = new String(disk, 512, 512, StandardCharsets.ISO_8859_1);
        byte[] other = disk.clone();
        byte[] replaced = descriptor.replace("createType=\"streamOptimized\"", "createType=\"vmfsSparse\"   ")
                .getBytes(StandardCharsets.ISO_8859_1);
        System.arraycopy(replaced, 0, other, 512, replaced.length);
        assertThatThrownBy(() -> reader.read(store.writeSmall(other), "VMDK"))
                .hasMessage("ClientError: Disk validation failed [Unsupported VMDK File Format]");
        assertThat(reader.read(store.writeSmall(disk), "VMDK").disks().get(0).raw().size()).isEqualTo(CAPACITY);
    }

    @Test
    void aDifferencingVhdHasNoParentToImport() {
        byte[] vhd = new byte[2048];
        System.arraycopy(raw, 0, vhd, 0, 1536);
        ByteBuffer footer = ByteBuffer.wrap(vhd, 1536, 512).slice().order(ByteOrder.BIG_ENDIAN);
        footer.put(0, "conectix".getBytes(StandardCharsets.US_ASCII));
        footer.putInt(60, 4);
        assertThatThrownBy(() -> reader.read(store.writeSmall(vhd), "VHD"))
                .hasMessage("ClientError: Footers not identical");
    }

    @Test
    void withoutADeclaredFormatTheContentDecidesAndGarbageIsRefused() {
        assertThat(reader.read(store.writeSmall(raw), null).disks().get(0).format()).isEqualTo("RAW");
        assertThatThrownBy(() -> reader.read(store.writeSmall("not a disk".repeat(100)
                .getBytes(StandardCharsets.US_ASCII)), null))
                .hasMessage("ClientError: Disk validation failed [Unsupported specified file format]");
    }
}
