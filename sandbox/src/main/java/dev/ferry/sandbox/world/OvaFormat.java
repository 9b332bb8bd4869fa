package dev.ferry.sandbox.world;

import dev.ferry.sandbox.world.DiskFormats.Detected;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import static dev.ferry.sandbox.world.DiskFormats.SECTOR;
import static dev.ferry.sandbox.world.DiskFormats.roundUp;
import static java.util.Objects.requireNonNull;

/** OVA: a tar of an OVF descriptor and a VMDK written around a disk, and the disk image found inside one. */
final class OvaFormat {

    private final BlobStore store;
    private final DiskFormats formats;

    OvaFormat(BlobStore store, DiskFormats formats) {
        this.store = requireNonNull(store, "store is null");
        this.formats = requireNonNull(formats, "formats is null");
    }

    Blob ova(Blob vmdk, String name) {
        String diskFile = name + "-disk1.vmdk";
        String ovf = ovfDescriptor(name, diskFile, vmdk.size());
        byte[] ovfBytes = ovf.getBytes(StandardCharsets.UTF_8);
        List<Blob> parts = new ArrayList<>();
        ByteBuffer first = ByteBuffer.allocate((int) (SECTOR + roundUp(ovfBytes.length, SECTOR) + SECTOR));
        first.put(tarHeader(name + ".ovf", ovfBytes.length));
        first.put(ovfBytes);
        first.position((int) (SECTOR + roundUp(ovfBytes.length, SECTOR)));
        first.put(tarHeader(diskFile, vmdk.size()));
        parts.add(store.writeSmall(first.array()));
        parts.add(vmdk);
        long padding = roundUp(vmdk.size(), SECTOR) - vmdk.size();
        parts.add(new Blob(List.of(BlobSegment.zeros(padding + 2L * SECTOR))));
        return Blob.concat(parts);
    }

    private static String ovfDescriptor(String name, String diskFile, long diskBytes) {
        return """
                <?xml version="1.0" encoding="UTF-8"?>
                <Envelope xmlns="http://schemas.dmtf.org/ovf/envelope/1" \
                xmlns:ovf="http://schemas.dmtf.org/ovf/envelope/1" \
                xmlns:rasd="http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_ResourceAllocationSettingData" \
                xmlns:vssd="http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_VirtualSystemSettingData">
                  <References>
                    <File ovf:href="%s" ovf:id="file1" ovf:size="%d"/>
                  </References>
                  <DiskSection>
                    <Info>Virtual disk information</Info>
                    <Disk ovf:capacity="%d" ovf:capacityAllocationUnits="byte" ovf:diskId="vmdisk1" \
                ovf:fileRef="file1" \
                ovf:format="http://www.vmware.com/interfaces/specifications/vmdk.html#sparse"/>
                  </DiskSection>
                  <VirtualSystem ovf:id="%s">
                    <Info>A virtual machine exported by VM Import/Export</Info>
                    <Name>%s</Name>
                  </VirtualSystem>
                </Envelope>
                """.formatted(diskFile, diskBytes, diskBytes, name, name);
    }

    private static byte[] tarHeader(String name, long size) {
        byte[] header = new byte[SECTOR];
        byte[] nameBytes = name.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(nameBytes, 0, header, 0, Math.min(99, nameBytes.length));
        octal(header, 100, 8, 0644);
        octal(header, 108, 8, 0);
        octal(header, 116, 8, 0);
        octal(header, 124, 12, size);
        octal(header, 136, 12, Instant.parse("2025-01-01T00:00:00Z").getEpochSecond());
        for (int i = 148; i < 156; i++) {
            header[i] = ' ';
        }
        header[156] = '0';
        System.arraycopy("ustar\0".getBytes(StandardCharsets.US_ASCII), 0, header, 257, 6);
        header[263] = '0';
        header[264] = '0';
        long sum = 0;
        for (byte b : header) {
            sum += b & 0xff;
        }
        octal(header, 148, 7, sum);
        return header;
    }

    private static void octal(byte[] header, int offset, int width, long value) {
        String text = Long.toOctalString(value);
        String padded = "0".repeat(Math.max(0, width - 1 - text.length())) + text;
        byte[] bytes = padded.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(bytes, 0, header, offset, Math.min(bytes.length, width - 1));
        header[offset + width - 1] = 0;
    }

    Blob ovaRaw(Blob container) {
        long position = 0;
        long size = container.size();
        while (position + SECTOR <= size) {
            byte[] header = container.read(position, SECTOR);
            if (header[0] == 0) {
                break;
            }
            String name = cString(header, 0, 100);
            long entrySize = Long.parseLong(cString(header, 124, 12).trim().isEmpty() ? "0"
                    : cString(header, 124, 12).trim(), 8);
            long data = position + SECTOR;
            String lower = name.toLowerCase(Locale.ROOT);
            if (lower.endsWith(".vmdk") || lower.endsWith(".vhd") || lower.endsWith(".img")
                    || lower.endsWith(".raw")) {
                Blob disk = container.slice(data, Math.min(entrySize, size - data));
                Detected inner = formats.detect(disk);
                if (!inner.usable()) {
                    throw new IllegalArgumentException(inner.problem());
                }
                if (inner.format().equals("OVA")) {
                    throw new IllegalArgumentException("ClientError: Unsupported file format: nested OVA");
                }
                return formats.extractRaw(disk, inner.format());
            }
            position = data + roundUp(entrySize, SECTOR);
        }
        throw new IllegalArgumentException("ClientError: Unsupported OVA format: no disk image in the OVA");
    }

    private static String cString(byte[] bytes, int offset, int length) {
        int end = offset;
        while (end < offset + length && bytes[end] != 0) {
            end++;
        }
        return new String(bytes, offset, end - offset, StandardCharsets.US_ASCII);
    }
}
