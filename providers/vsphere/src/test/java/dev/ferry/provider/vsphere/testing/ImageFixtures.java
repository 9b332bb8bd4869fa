package dev.ferry.provider.vsphere.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;
import java.util.zip.Deflater;

/**
 * Writes tiny but real disk images at test time, following each format's published layout, so that no
 * image is ever committed: raw disks with an MBR or GPT, stream-optimized VMDKs (VMware's "Virtual Disk
 * Format 5.0": header, embedded descriptor, compressed grains with markers, grain tables, grain
 * directory, footer, end-of-stream), fixed and dynamic VHD footers, a VHDX region and metadata table,
 * and OVAs (ustar archives with an OVF descriptor first).
 */
public final class ImageFixtures {

    public static final int SECTOR = 512;

    private ImageFixtures() {
    }

    /** A raw disk of {@code size} bytes with an MBR boot signature and a little recognisable content. */
    public static byte[] rawDisk(int size, boolean gpt) {
        byte[] disk = new byte[size];
        disk[446] = (byte) 0x80; // bootable partition entry
        disk[450] = (byte) (gpt ? 0xEE : 0x83);
        disk[510] = 0x55;
        disk[511] = (byte) 0xAA;
        if (gpt) {
            System.arraycopy("EFI PART".getBytes(StandardCharsets.US_ASCII), 0, disk, 512, 8);
        }
        byte[] hello = "ferry test disk".getBytes(StandardCharsets.US_ASCII);
        for (int at = 4096; at + hello.length < size; at += 256 * 1024) {
            System.arraycopy(hello, 0, disk, at, hello.length);
        }
        return disk;
    }

    public static Path write(Path path, byte[] bytes) throws IOException {
        Files.write(path, bytes);
        return path;
    }

    /** A stream-optimized VMDK of {@code disk}, laid out as VMware writes them (grain directory at the end). */
    public static byte[] streamOptimizedVmdk(byte[] disk, String extentName) {
        long capacitySectors = (disk.length + SECTOR - 1) / SECTOR;
        int grainSectors = 128;
        int grainBytes = grainSectors * SECTOR;
        int entriesPerTable = 512;
        long grains = (capacitySectors + grainSectors - 1) / grainSectors;
        int tables = (int) ((grains + entriesPerTable - 1) / entriesPerTable);
        String descriptor = "# Disk DescriptorFile\nversion=1\nCID=fe77e001\nparentCID=ffffffff\ncreateType=\"streamOptimized\"\n\n"
                + "# Extent description\nRW " + capacitySectors + " SPARSE \"" + extentName + "\"\n\n"
                + "# The Disk Data Base\n#DDB\n\nddb.virtualHWVersion = \"4\"\nddb.adapterType = \"lsilogic\"\n";
        int descriptorSectors = 2;

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        writeSector(out, header(capacitySectors, grainSectors, descriptorSectors, entriesPerTable, -1L, 1 + descriptorSectors));
        byte[] descriptorBytes = new byte[descriptorSectors * SECTOR];
        byte[] text = descriptor.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(text, 0, descriptorBytes, 0, text.length);
        writeSector(out, descriptorBytes);

        long[] grainTable = new long[tables * entriesPerTable];
        for (int grain = 0; grain < grains; grain++) {
            int from = grain * grainBytes;
            byte[] data = new byte[grainBytes];
            System.arraycopy(disk, from, data, 0, Math.min(grainBytes, disk.length - from));
            if (allZero(data)) {
                continue;
            }
            byte[] compressed = deflate(data);
            grainTable[grain] = out.size() / SECTOR;
            ByteBuffer marker = le(12 + compressed.length);
            marker.putLong((long) grain * grainSectors).putInt(compressed.length).put(compressed);
            writeSector(out, marker.array());
        }
        long[] tableSectors = new long[tables];
        int tableDataSectors = entriesPerTable * 4 / SECTOR;
        for (int table = 0; table < tables; table++) {
            writeSector(out, marker(tableDataSectors, 1));
            tableSectors[table] = out.size() / SECTOR;
            ByteBuffer entries = le(entriesPerTable * 4);
            for (int i = 0; i < entriesPerTable; i++) {
                entries.putInt((int) grainTable[table * entriesPerTable + i]);
            }
            writeSector(out, entries.array());
        }
        int directorySectors = Math.max(1, (tables * 4 + SECTOR - 1) / SECTOR);
        writeSector(out, marker(directorySectors, 2));
        long directory = out.size() / SECTOR;
        ByteBuffer gd = le(directorySectors * SECTOR);
        for (long table : tableSectors) {
            gd.putInt((int) table);
        }
        writeSector(out, gd.array());
        writeSector(out, marker(1, 3));
        writeSector(out, header(capacitySectors, grainSectors, descriptorSectors, entriesPerTable, directory, 1 + descriptorSectors));
        writeSector(out, new byte[SECTOR]); // end-of-stream marker
        return out.toByteArray();
    }

    /** A stream-optimized VMDK whose last {@code cut} bytes are missing, as after an interrupted copy. */
    public static byte[] truncated(byte[] image, int cut) {
        byte[] shorter = new byte[image.length - cut];
        System.arraycopy(image, 0, shorter, 0, shorter.length);
        return shorter;
    }

    private static byte[] header(long capacitySectors, int grainSectors, int descriptorSectors, int entriesPerTable, long gdOffset,
                                 long overhead) {
        ByteBuffer header = le(SECTOR);
        header.put("KDMV".getBytes(StandardCharsets.US_ASCII));
        header.putInt(3);
        header.putInt(1 | (1 << 16) | (1 << 17));
        header.putLong(capacitySectors);
        header.putLong(grainSectors);
        header.putLong(1);
        header.putLong(descriptorSectors);
        header.putInt(entriesPerTable);
        header.putLong(0);
        header.putLong(gdOffset);
        header.putLong(overhead);
        header.put((byte) 0).put((byte) '\n').put((byte) ' ').put((byte) '\r').put((byte) '\n');
        header.putShort((short) 1);
        return header.array();
    }

    private static byte[] marker(long sectors, int type) {
        ByteBuffer marker = le(SECTOR);
        marker.putLong(sectors).putInt(0).putInt(type);
        return marker.array();
    }

    private static void writeSector(ByteArrayOutputStream out, byte[] bytes) {
        out.write(bytes, 0, bytes.length);
        int pad = (SECTOR - bytes.length % SECTOR) % SECTOR;
        out.write(new byte[pad], 0, pad);
    }

    private static byte[] deflate(byte[] data) {
        Deflater deflater = new Deflater();
        deflater.setInput(data);
        deflater.finish();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        while (!deflater.finished()) {
            out.write(buffer, 0, deflater.deflate(buffer));
        }
        deflater.end();
        return out.toByteArray();
    }

    /** A fixed VHD: the disk, then the 512-byte big-endian footer. */
    public static byte[] fixedVhd(byte[] disk) {
        byte[] image = new byte[disk.length + SECTOR];
        System.arraycopy(disk, 0, image, 0, disk.length);
        System.arraycopy(vhdFooter(disk.length, 2), 0, image, disk.length, SECTOR);
        return image;
    }

    /** A dynamic VHD's outline: footer copy, (empty) dynamic header, and the closing footer. */
    public static byte[] dynamicVhdOutline(long capacity) {
        byte[] footer = vhdFooter(capacity, 3);
        byte[] image = new byte[4 * SECTOR];
        System.arraycopy(footer, 0, image, 0, SECTOR);
        System.arraycopy("cxsparse".getBytes(StandardCharsets.US_ASCII), 0, image, SECTOR, 8);
        System.arraycopy(footer, 0, image, 3 * SECTOR, SECTOR);
        return image;
    }

    public static byte[] vhdFooter(long capacity, int diskType) {
        ByteBuffer footer = ByteBuffer.allocate(SECTOR).order(ByteOrder.BIG_ENDIAN);
        footer.put("conectix".getBytes(StandardCharsets.US_ASCII));
        footer.putInt(2).putInt(0x00010000).putLong(diskType == 2 ? -1L : SECTOR);
        footer.putInt(0).put("ferr".getBytes(StandardCharsets.US_ASCII)).putInt(0x00010000).put("Wi2k".getBytes(StandardCharsets.US_ASCII));
        footer.putLong(capacity).putLong(capacity).putInt(0).putInt(diskType);
        int sum = 0;
        for (int i = 0; i < SECTOR; i++) {
            sum += footer.get(i) & 0xFF;
        }
        footer.putInt(64, ~sum);
        return footer.array();
    }

    /** A VHDX whose region table and metadata give {@code capacity}; no data blocks (all zero). */
    public static void vhdx(Path path, long capacity) throws IOException {
        try (RandomAccessFile file = new RandomAccessFile(path.toFile(), "rw")) {
            file.setLength(2 * 1024 * 1024);
            file.write("vhdxfile".getBytes(StandardCharsets.US_ASCII));
            ByteBuffer table = le(64 * 1024);
            table.put("regi".getBytes(StandardCharsets.US_ASCII)).putInt(0).putInt(1).putInt(0);
            table.put(guid("8B7CA206-4790-4B9A-B8FE-575F050F886E")).putLong(1024 * 1024).putInt(1024 * 1024).putInt(1);
            CRC32C crc = new CRC32C();
            crc.update(table.array());
            table.putInt(4, (int) crc.getValue());
            file.seek(192 * 1024);
            file.write(table.array());
            ByteBuffer metadata = le(64);
            metadata.put("metadata".getBytes(StandardCharsets.US_ASCII)).putShort((short) 0).putShort((short) 1).put(new byte[20]);
            metadata.put(guid("2FA54224-CD1B-4876-B211-5DBED83BF4B8")).putInt(64 * 1024).putInt(8).putInt(6).putInt(0);
            file.seek(1024 * 1024);
            file.write(metadata.array());
            file.seek(1024 * 1024 + 64 * 1024);
            file.write(le(8).putLong(capacity).array());
        }
    }

    static byte[] guid(String text) {
        String hex = text.replace("-", "");
        byte[] b = new byte[16];
        for (int i = 0; i < 16; i++) {
            b[i] = (byte) Integer.parseInt(hex.substring(2 * i, 2 * i + 2), 16);
        }
        return new byte[] {b[3], b[2], b[1], b[0], b[5], b[4], b[7], b[6], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]};
    }

    /** An OVF 1.0 descriptor in the shape vCenter exports, for one VM with the given disks. */
    public static String ovf(String vmName, int cpus, long memoryMib, String osType, int cimId, String firmware, List<OvfDisk> disks) {
        StringBuilder references = new StringBuilder();
        StringBuilder diskSection = new StringBuilder();
        StringBuilder diskItems = new StringBuilder();
        int instance = 10;
        for (int i = 0; i < disks.size(); i++) {
            OvfDisk disk = disks.get(i);
            references.append("    <File ovf:href=\"").append(disk.fileName()).append("\" ovf:id=\"file").append(i + 1)
                    .append("\" ovf:size=\"").append(disk.fileSize()).append("\"/>\n");
            long capacity = disk.capacityBytes();
            String units = capacity % (1L << 30) == 0 ? "byte * 2^30" : capacity % (1L << 20) == 0 ? "byte * 2^20" : "byte";
            long quantity = capacity % (1L << 30) == 0 ? capacity >> 30 : capacity % (1L << 20) == 0 ? capacity >> 20 : capacity;
            diskSection.append("    <Disk ovf:capacity=\"").append(quantity).append("\" ovf:capacityAllocationUnits=\"").append(units).append("\" ")
                    .append("ovf:diskId=\"vmdisk").append(i + 1).append("\" ovf:fileRef=\"file").append(i + 1)
                    .append("\" ovf:format=\"http://www.vmware.com/interfaces/specifications/vmdk.html#streamOptimized\"/>\n");
            diskItems.append("      <Item>\n        <rasd:AddressOnParent>").append(i).append("</rasd:AddressOnParent>\n")
                    .append("        <rasd:ElementName>Hard disk ").append(i + 1).append("</rasd:ElementName>\n")
                    .append("        <rasd:HostResource>ovf:/disk/vmdisk").append(i + 1).append("</rasd:HostResource>\n")
                    .append("        <rasd:InstanceID>").append(instance++).append("</rasd:InstanceID>\n")
                    .append("        <rasd:Parent>3</rasd:Parent>\n        <rasd:ResourceType>17</rasd:ResourceType>\n      </Item>\n");
        }
        return """
                <?xml version="1.0" encoding="UTF-8"?>
                <Envelope vmw:buildId="build-20051473" xmlns="http://schemas.dmtf.org/ovf/envelope/1" xmlns:cim="http://schemas.dmtf.org/wbem/wscim/1/common" xmlns:ovf="http://schemas.dmtf.org/ovf/envelope/1" xmlns:rasd="http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_ResourceAllocationSettingData" xmlns:vmw="http://www.vmware.com/schema/ovf" xmlns:vssd="http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_VirtualSystemSettingData" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
                  <References>
                %s  </References>
                  <DiskSection>
                    <Info>Virtual disk information</Info>
                %s  </DiskSection>
                  <NetworkSection>
                    <Info>The list of logical networks</Info>
                    <Network ovf:name="VM Network">
                      <Description>The VM Network network</Description>
                    </Network>
                  </NetworkSection>
                  <VirtualSystem ovf:id="%s">
                    <Info>A virtual machine</Info>
                    <Name>%s</Name>
                    <OperatingSystemSection ovf:id="%d" vmw:osType="%s">
                      <Info>The kind of installed guest operating system</Info>
                      <Description>Guest OS %s</Description>
                    </OperatingSystemSection>
                    <VirtualHardwareSection>
                      <Info>Virtual hardware requirements</Info>
                      <System>
                        <vssd:ElementName>Virtual Hardware Family</vssd:ElementName>
                        <vssd:InstanceID>0</vssd:InstanceID>
                        <vssd:VirtualSystemIdentifier>%s</vssd:VirtualSystemIdentifier>
                        <vssd:VirtualSystemType>vmx-13</vssd:VirtualSystemType>
                      </System>
                      <Item>
                        <rasd:AllocationUnits>hertz * 10^6</rasd:AllocationUnits>
                        <rasd:Description>Number of Virtual CPUs</rasd:Description>
                        <rasd:ElementName>%d virtual CPU(s)</rasd:ElementName>
                        <rasd:InstanceID>1</rasd:InstanceID>
                        <rasd:ResourceType>3</rasd:ResourceType>
                        <rasd:VirtualQuantity>%d</rasd:VirtualQuantity>
                      </Item>
                      <Item>
                        <rasd:AllocationUnits>byte * 2^20</rasd:AllocationUnits>
                        <rasd:Description>Memory Size</rasd:Description>
                        <rasd:ElementName>%dMB of memory</rasd:ElementName>
                        <rasd:InstanceID>2</rasd:InstanceID>
                        <rasd:ResourceType>4</rasd:ResourceType>
                        <rasd:VirtualQuantity>%d</rasd:VirtualQuantity>
                      </Item>
                      <Item>
                        <rasd:Address>0</rasd:Address>
                        <rasd:Description>SCSI Controller</rasd:Description>
                        <rasd:ElementName>SCSI controller 0</rasd:ElementName>
                        <rasd:InstanceID>3</rasd:InstanceID>
                        <rasd:ResourceSubType>VirtualSCSI</rasd:ResourceSubType>
                        <rasd:ResourceType>6</rasd:ResourceType>
                      </Item>
                %s      <Item>
                        <rasd:AddressOnParent>7</rasd:AddressOnParent>
                        <rasd:AutomaticAllocation>true</rasd:AutomaticAllocation>
                        <rasd:Connection>VM Network</rasd:Connection>
                        <rasd:ElementName>Network adapter 1</rasd:ElementName>
                        <rasd:InstanceID>9</rasd:InstanceID>
                        <rasd:ResourceSubType>VmxNet3</rasd:ResourceSubType>
                        <rasd:ResourceType>10</rasd:ResourceType>
                      </Item>
                      <vmw:Config ovf:required="false" vmw:key="firmware" vmw:value="%s"/>
                    </VirtualHardwareSection>
                  </VirtualSystem>
                </Envelope>
                """.formatted(references, diskSection, vmName, vmName, cimId, osType, osType, vmName, cpus, cpus, memoryMib, memoryMib,
                diskItems, firmware);
    }

    /** A disk of an OVA: its file name in the archive, that file's size, and the virtual capacity in bytes. */
    public record OvfDisk(String fileName, long fileSize, long capacityBytes) {
    }

    /** An ustar archive of the given members, in order (an OVA when the first is the .ovf). */
    public static byte[] tar(Map<String, byte[]> members) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Map.Entry<String, byte[]> member : members.entrySet()) {
            byte[] header = tarHeader(member.getKey(), member.getValue().length);
            out.write(header, 0, header.length);
            out.write(member.getValue(), 0, member.getValue().length);
            int pad = (512 - member.getValue().length % 512) % 512;
            out.write(new byte[pad], 0, pad);
        }
        out.write(new byte[1024], 0, 1024);
        return out.toByteArray();
    }

    public static byte[] tarHeader(String name, long size) {
        byte[] header = new byte[512];
        put(header, 0, name);
        put(header, 100, "0000644");
        put(header, 108, "0000000");
        put(header, 116, "0000000");
        put(header, 124, String.format("%011o", size));
        put(header, 136, String.format("%011o", 1_700_000_000L));
        header[156] = '0';
        put(header, 257, "ustar");
        put(header, 263, "00");
        put(header, 265, "ferry");
        put(header, 297, "ferry");
        long sum = 0;
        for (int i = 0; i < 512; i++) {
            sum += (i >= 148 && i < 156) ? ' ' : (header[i] & 0xFF);
        }
        put(header, 148, String.format("%06o", sum));
        header[155] = ' ';
        return header;
    }

    private static void put(byte[] header, int at, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(bytes, 0, header, at, bytes.length);
    }

    /** A one-VM OVA: the descriptor, then one stream-optimized VMDK per disk. */
    public static byte[] ova(String vmName, int cpus, long memoryMib, String osType, int cimId, String firmware, List<byte[]> disks) {
        List<OvfDisk> ovfDisks = new ArrayList<>();
        Map<String, byte[]> files = new LinkedHashMap<>();
        for (int i = 0; i < disks.size(); i++) {
            String name = vmName + "-disk" + (i + 1) + ".vmdk";
            byte[] vmdk = streamOptimizedVmdk(disks.get(i), name);
            files.put(name, vmdk);
            ovfDisks.add(new OvfDisk(name, vmdk.length, disks.get(i).length));
        }
        Map<String, byte[]> members = new LinkedHashMap<>();
        members.put(vmName + ".ovf", ovf(vmName, cpus, memoryMib, osType, cimId, firmware, ovfDisks).getBytes(StandardCharsets.UTF_8));
        members.putAll(files);
        return tar(members);
    }

    private static ByteBuffer le(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static boolean allZero(byte[] bytes) {
        for (byte b : bytes) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }
}
