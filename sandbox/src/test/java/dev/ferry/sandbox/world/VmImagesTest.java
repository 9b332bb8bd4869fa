package dev.ferry.sandbox.world;

import dev.ferry.sandbox.Sandbox;
import dev.ferry.sandbox.TestSandboxes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

import javax.xml.parsers.DocumentBuilderFactory;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The files {@code exportVmImage} writes, checked byte by byte against the formats' published layouts: ustar
 * headers, the OVF descriptor, VMware's stream-optimized VMDK (header, markers, grain directory, footer,
 * end-of-stream), and, where qemu-img is installed, an independent reader's opinion.
 */
class VmImagesTest {

    private static final String OVF = "http://schemas.dmtf.org/ovf/envelope/1";
    private static final String RASD = "http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_ResourceAllocationSettingData";
    private static final String VMW = "http://www.vmware.com/schema/ovf";
    private static final long GIB = 1L << 30;

    private static Sandbox sandbox;

    @TempDir
    Path temp;

    @BeforeAll
    static void start() {
        sandbox = TestSandboxes.start(0.01);
    }

    @AfterAll
    static void stop() {
        sandbox.close();
    }

    /** A member of a tar archive, its header checked. */
    record Member(String name, long offset, long size, byte[] header) {
    }

    static List<Member> tarMembers(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        List<Member> members = new ArrayList<>();
        int offset = 0;
        while (true) {
            byte[] header = Arrays.copyOfRange(bytes, offset, offset + 512);
            boolean zero = true;
            for (byte b : header) {
                zero &= b == 0;
            }
            if (zero) {
                assertThat(Arrays.copyOfRange(bytes, offset, offset + 1024)).as("two zero blocks end the archive")
                        .containsOnly(0);
                assertThat(bytes.length).isEqualTo(offset + 1024);
                return members;
            }
            assertThat(new String(header, 257, 6, StandardCharsets.US_ASCII)).isEqualTo("ustar\0");
            assertThat(new String(header, 263, 2, StandardCharsets.US_ASCII)).isEqualTo("00");
            assertThat((char) header[156]).isEqualTo('0');
            long sum = 0;
            for (int i = 0; i < 512; i++) {
                sum += i >= 148 && i < 156 ? ' ' : header[i] & 0xff;
            }
            assertThat(Long.parseLong(cString(header, 148, 8).trim(), 8)).as("header checksum").isEqualTo(sum);
            long size = Long.parseLong(cString(header, 124, 12), 8);
            members.add(new Member(cString(header, 0, 100), offset + 512, size, header));
            offset += 512 + (int) ((size + 511) / 512 * 512);
        }
    }

    private static String cString(byte[] bytes, int from, int length) {
        int end = from;
        while (end < from + length && bytes[end] != 0) {
            end++;
        }
        return new String(bytes, from, end - from, StandardCharsets.US_ASCII);
    }

    private static byte[] slice(Path file, Member member) throws IOException {
        byte[] all = Files.readAllBytes(file);
        return Arrays.copyOfRange(all, (int) member.offset(), (int) (member.offset() + member.size()));
    }

    private static Document xml(byte[] bytes) throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setNamespaceAware(true);
        factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        return factory.newDocumentBuilder().parse(new ByteArrayInputStream(bytes));
    }

    private static List<Element> elements(Document doc, String namespace, String name) {
        NodeList nodes = doc.getElementsByTagNameNS(namespace, name);
        List<Element> result = new ArrayList<>();
        for (int i = 0; i < nodes.getLength(); i++) {
            result.add((Element) nodes.item(i));
        }
        return result;
    }

    private static String rasd(Element item, String name) {
        NodeList nodes = item.getElementsByTagNameNS(RASD, name);
        return nodes.getLength() == 0 ? null : nodes.item(0).getTextContent();
    }

    private static Element itemOfType(Document doc, int type) {
        return elements(doc, OVF, "Item").stream().filter(i -> String.valueOf(type).equals(rasd(i, "ResourceType")))
                .findFirst().orElseThrow();
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    private static ByteBuffer sector(byte[] bytes, long sector) {
        return ByteBuffer.wrap(Arrays.copyOfRange(bytes, (int) (sector * 512), (int) (sector * 512 + 512)))
                .order(ByteOrder.LITTLE_ENDIAN);
    }

    @Test
    void anOvaIsAUstarArchiveOfTheOvfThenTheManifestThenOneVmdkPerDisk() throws Exception {
        Path ova = sandbox.world().vcenter().exportVmImage("db-02", temp.resolve("db-02.ova"), VmImageFormat.OVA);
        List<Member> members = tarMembers(ova);
        assertThat(members).extracting(Member::name)
                .containsExactly("db-02.ovf", "db-02.mf", "db-02-disk1.vmdk", "db-02-disk2.vmdk");
        for (Member member : members) {
            assertThat(member.offset() % 512).isZero();
        }

        Document ovf = xml(slice(ova, members.get(0)));
        List<Element> files = elements(ovf, OVF, "File");
        assertThat(files).hasSize(2);
        for (int i = 0; i < 2; i++) {
            assertThat(files.get(i).getAttributeNS(OVF, "href")).isEqualTo(members.get(2 + i).name());
            assertThat(Long.parseLong(files.get(i).getAttributeNS(OVF, "size"))).isEqualTo(members.get(2 + i).size());
            assertThat(slice(ova, members.get(2 + i))).startsWith("KDMV".getBytes(StandardCharsets.US_ASCII));
        }

        String manifest = new String(slice(ova, members.get(1)), StandardCharsets.UTF_8);
        assertThat(manifest).isEqualTo("SHA256(db-02.ovf)= " + sha256(slice(ova, members.get(0))) + "\n"
                + "SHA256(db-02-disk1.vmdk)= " + sha256(slice(ova, members.get(2))) + "\n"
                + "SHA256(db-02-disk2.vmdk)= " + sha256(slice(ova, members.get(3))) + "\n");
    }

    @Test
    void theOvfDescribesTheVmAsTheVcenterApiDoes() throws Exception {
        Path ova = sandbox.world().vcenter().exportVmImage("app-02", temp.resolve("app-02.ova"), VmImageFormat.OVA);
        List<Member> members = tarMembers(ova);
        Document ovf = xml(slice(ova, members.get(0)));

        Element system = elements(ovf, OVF, "VirtualSystem").get(0);
        assertThat(system.getElementsByTagNameNS(OVF, "Name").item(0).getTextContent()).isEqualTo("app-02");
        Element os = elements(ovf, OVF, "OperatingSystemSection").get(0);
        assertThat(os.getAttributeNS(OVF, "id")).isEqualTo("94");
        assertThat(os.getAttributeNS(VMW, "osType")).isEqualTo("ubuntu64Guest");
        assertThat(rasd(itemOfType(ovf, 3), "VirtualQuantity")).isEqualTo("2");
        Element memory = itemOfType(ovf, 4);
        assertThat(rasd(memory, "VirtualQuantity")).isEqualTo("4096");
        assertThat(rasd(memory, "AllocationUnits")).isEqualTo("byte * 2^20");
        Element disk = elements(ovf, OVF, "Disk").get(0);
        assertThat(disk.getAttributeNS(OVF, "capacity")).isEqualTo("8");
        assertThat(disk.getAttributeNS(OVF, "capacityAllocationUnits")).isEqualTo("byte * 2^30");
        assertThat(disk.getAttributeNS(OVF, "format")).endsWith("#streamOptimized");
        assertThat(disk.getAttributeNS(OVF, "fileRef")).isEqualTo(elements(ovf, OVF, "File").get(0).getAttributeNS(OVF, "id"));
        assertThat(rasd(itemOfType(ovf, 17), "HostResource")).isEqualTo("ovf:/disk/vmdisk1");
        assertThat(rasd(itemOfType(ovf, 10), "Connection")).isEqualTo("VM Network");
        assertThat(elements(ovf, "http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_VirtualSystemSettingData",
                "VirtualSystemType").get(0).getTextContent()).isEqualTo("vmx-19");
        Element firmware = elements(ovf, VMW, "Config").get(0);
        assertThat(firmware.getAttributeNS(VMW, "key")).isEqualTo("firmware");
        assertThat(firmware.getAttributeNS(VMW, "value")).isEqualTo("bios");

        Document app03 = xml(slice(sandbox.world().vcenter().exportVmImage("vm-1003", temp.resolve("app-03.ova"),
                VmImageFormat.OVA), tarMembers(temp.resolve("app-03.ova")).get(0)));
        assertThat(elements(app03, OVF, "OperatingSystemSection").get(0).getAttributeNS(VMW, "osType"))
                .isEqualTo("rhel8_64Guest");
        assertThat(rasd(itemOfType(app03, 3), "VirtualQuantity")).isEqualTo("4");
        assertThat(elements(app03, VMW, "Config").get(0).getAttributeNS(VMW, "value")).isEqualTo("efi");
        assertThat(elements(app03, OVF, "Disk").get(0).getAttributeNS(OVF, "capacity")).isEqualTo("16");
    }

    @Test
    void theVmdkIsStreamOptimizedWithMarkersAFooterAndAnEndOfStream() throws Exception {
        Path vmdkFile = sandbox.world().vcenter().exportVmImage("app-02", temp.resolve("app-02.vmdk"), VmImageFormat.VMDK);
        byte[] vmdk = Files.readAllBytes(vmdkFile);
        assertThat(vmdk.length % 512).isZero();
        assertThat(vmdk.length).as("8 GiB of capacity, 32 MiB of content, mostly empty").isLessThan(8 << 20);
        long sectors = vmdk.length / 512;

        ByteBuffer header = sector(vmdk, 0);
        assertThat(header.getInt(0)).isEqualTo(0x564d444b); // "KDMV"
        assertThat(header.getInt(4)).isEqualTo(3);
        assertThat(header.getInt(8) & (1 << 16)).as("compressed grains").isNotZero();
        assertThat(header.getInt(8) & (1 << 17)).as("markers").isNotZero();
        assertThat(header.getLong(12)).isEqualTo(8 * GIB / 512);
        assertThat(header.getLong(20)).isEqualTo(128);
        assertThat(header.getLong(56)).as("grain directory at the end").isEqualTo(-1);
        assertThat(header.getShort(77)).as("deflate").isEqualTo((short) 1);
        long descriptorAt = header.getLong(28);
        String descriptor = new String(vmdk, (int) descriptorAt * 512, (int) header.getLong(36) * 512,
                StandardCharsets.US_ASCII);
        assertThat(descriptor).startsWith("# Disk DescriptorFile").contains("createType=\"streamOptimized\"")
                .contains("RW " + 8 * GIB / 512 + " SPARSE \"app-02-disk1.vmdk\"");

        ByteBuffer eos = sector(vmdk, sectors - 1);
        assertThat(eos.array()).as("end-of-stream marker").containsOnly(0);
        ByteBuffer footerMarker = sector(vmdk, sectors - 3);
        assertThat(footerMarker.getLong(0)).isEqualTo(1);
        assertThat(footerMarker.getInt(8)).isZero();
        assertThat(footerMarker.getInt(12)).as("footer marker").isEqualTo(3);
        ByteBuffer footer = sector(vmdk, sectors - 2);
        assertThat(footer.getInt(0)).isEqualTo(0x564d444b);
        long gd = footer.getLong(56);
        ByteBuffer gdMarker = sector(vmdk, gd - 1);
        assertThat(gdMarker.getInt(12)).as("grain directory marker").isEqualTo(2);
        ByteBuffer directory = ByteBuffer.wrap(vmdk, (int) gd * 512, 1024).slice().order(ByteOrder.LITTLE_ENDIAN);
        long firstTable = directory.getInt(0) & 0xffffffffL;
        assertThat(sector(vmdk, firstTable - 1).getInt(12)).as("grain table marker").isEqualTo(1);
        long firstGrain = ByteBuffer.wrap(vmdk, (int) firstTable * 512, 4).order(ByteOrder.LITTLE_ENDIAN).getInt()
                & 0xffffffffL;
        ByteBuffer grainMarker = sector(vmdk, firstGrain);
        assertThat(grainMarker.getLong(0)).as("the first grain holds sector 0 (the MBR)").isZero();
        assertThat(grainMarker.getInt(8)).isPositive();
        assertThat(directory.getInt(4 * 255)).as("no table for the empty end of the disk").isZero();
    }

    @Test
    void theVmdkGivesBackTheDisksContentFollowedByZerosAndRawExportsAreTheWholeDisk() throws Exception {
        VirtualMachine app02 = sandbox.world().vcenter().vm("app-02").orElseThrow();
        Blob content = new DiskImages(TestSandboxes.CACHE).blob(app02.disks().get(0).content());
        byte[] original;
        try (InputStream in = content.open()) {
            original = in.readAllBytes();
        }

        Path vmdk = sandbox.world().vcenter().exportVmImage("app-02", temp.resolve("app-02.vmdk"), VmImageFormat.VMDK);
        try (BlobStore store = new BlobStore(Files.createTempDirectory(temp, "blobs"), true)) {
            DiskFormats formats = new DiskFormats(store);
            Blob vmdkBlob = Blob.ofFile(vmdk);
            assertThat(formats.detect(vmdkBlob).format()).isEqualTo("VMDK");
            Blob raw = formats.extractRaw(vmdkBlob, "VMDK");
            assertThat(raw.size()).isEqualTo(8 * GIB);
            assertThat(raw.read(0, original.length)).isEqualTo(original);
            assertThat(raw.read(original.length, 1 << 20)).containsOnly(0);
        }

        Path rawFile = sandbox.world().vcenter().exportVmImage("app-02", temp.resolve("app-02.raw"), VmImageFormat.RAW);
        assertThat(Files.size(rawFile)).isEqualTo(8 * GIB);
        try (InputStream in = Files.newInputStream(rawFile)) {
            assertThat(in.readNBytes(original.length)).isEqualTo(original);
        }
        assertThat(original[510] & 0xff).isEqualTo(0x55);
        assertThat(new String(original, StandardCharsets.ISO_8859_1)).as("the guest's os-release")
                .contains("PRETTY_NAME=\"Ubuntu 22.04.4 LTS\"");

        Path second = sandbox.world().vcenter().exportVmImage("db-02", 2, temp.resolve("db-02-data.raw"), VmImageFormat.RAW);
        assertThat(Files.size(second)).isEqualTo(50 * GIB);
    }

    @Test
    void qemuImgReadsTheVmdkAsTheSameDiskAsTheRawExport() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/qemu-img")), "qemu-img (package qemu-utils) is not installed");
        Path vmdk = sandbox.world().vcenter().exportVmImage("app-02", temp.resolve("app-02.vmdk"), VmImageFormat.VMDK);
        Path raw = sandbox.world().vcenter().exportVmImage("app-02", temp.resolve("app-02.raw"), VmImageFormat.RAW);
        String info = run("/usr/bin/qemu-img", "info", "--output=json", vmdk.toString());
        assertThat(info).contains("\"format\": \"vmdk\"").contains("\"virtual-size\": " + 8 * GIB)
                .contains("\"create-type\": \"streamOptimized\"").contains("\"compressed\": true");
        assertThat(run("/usr/bin/qemu-img", "compare", "-f", "vmdk", "-F", "raw", vmdk.toString(), raw.toString()))
                .contains("Images are identical");
    }

    private static String run(String... command) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(output).isZero();
        return output;
    }

    @Test
    void aDisksVmdkIsBuiltOnceAndCached() throws Exception {
        Path cache = temp.resolve("cache");
        try (Sandbox own = Sandbox.start(TestSandboxes.options(0.01).cacheDirectory(cache).build())) {
            own.world().vcenter().exportVmImage("app-02", temp.resolve("first.ova"), VmImageFormat.OVA);
            List<Path> cached;
            try (var files = Files.list(cache)) {
                cached = files.filter(p -> p.getFileName().toString().startsWith("vm-app-02-disk1-")).toList();
            }
            assertThat(cached).hasSize(1);
            FileTime built = Files.getLastModifiedTime(cached.get(0));
            own.world().vcenter().exportVmImage("app-02", temp.resolve("second.ova"), VmImageFormat.OVA);
            assertThat(Files.getLastModifiedTime(cached.get(0))).isEqualTo(built);
        }
        assertThat(Files.mismatch(temp.resolve("first.ova"), temp.resolve("second.ova"))).isEqualTo(-1);
    }

    @Test
    void unknownVmsAndDisksAreClearErrors() {
        assertThatThrownBy(() -> sandbox.world().vcenter().exportVmImage("app-99", temp.resolve("x.ova"), VmImageFormat.OVA))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("app-99")
                .hasMessageContaining("app-02 (vm-1002)");
        assertThatThrownBy(() -> sandbox.world().vcenter().exportVmImage("app-02", 2, temp.resolve("x.vmdk"), VmImageFormat.VMDK))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1 disk(s)");
        assertThatThrownBy(() -> sandbox.world().vcenter().exportVmImage("db-02", 2, temp.resolve("x.ova"), VmImageFormat.OVA))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("OVA");
    }
}
