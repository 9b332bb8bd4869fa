package dev.ferry.sandbox.world;

import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

import static java.util.Objects.requireNonNull;

/**
 * Disk image containers as VM Import/Export reads and writes them: RAW, VHD (fixed and dynamic),
 * VMDK (monolithic sparse and stream-optimized) and OVA (a tar holding an OVF descriptor and a VMDK).
 * Writing wraps the raw bytes without copying them; reading finds the raw bytes inside.
 */
public final class DiskFormats {

    private static final int SECTOR = 512;
    private static final long GRAIN_SECTORS = 128;
    private static final int GTES_PER_GT = 512;
    private static final Instant VHD_EPOCH = Instant.parse("2000-01-01T00:00:00Z");

    private final BlobStore store;

    public DiskFormats(BlobStore store) {
        this.store = requireNonNull(store, "store is null");
    }

    /** What {@link #detect} found: a container format, and the reason it cannot be used, if any. */
    public record Detected(String format, String problem) {
        public boolean usable() {
            return problem == null;
        }
    }

    // ---- writing ----

    /**
     * The raw disk in {@code format} ({@code raw}, {@code vhd}, {@code vmdk}) or, with container
     * {@code ova}, a VMDK inside an OVA named after {@code name}.
     */
    public Blob wrap(Blob raw, String format, String container, String name) {
        String f = format.toLowerCase(Locale.ROOT);
        Blob disk = switch (f) {
            case "raw" -> raw;
            case "vhd" -> Blob.concat(List.of(raw, store.writeSmall(vhdFooter(raw.size(), name))));
            case "vmdk" -> vmdk(raw, name);
            default -> throw new IllegalArgumentException("unsupported disk image format " + format);
        };
        if (container != null && container.equalsIgnoreCase("ova")) {
            return ova(disk, name);
        }
        return disk;
    }

    private Blob vmdk(Blob raw, String name) {
        long capacity = (raw.size() + SECTOR - 1) / SECTOR;
        long grains = (capacity + GRAIN_SECTORS - 1) / GRAIN_SECTORS;
        long tables = (grains + GTES_PER_GT - 1) / GTES_PER_GT;
        long descriptorOffset = 1;
        long descriptorSectors = 20;
        long gdOffset = descriptorOffset + descriptorSectors;
        long gdSectors = (tables * 4 + SECTOR - 1) / SECTOR;
        long gtOffset = gdOffset + gdSectors;
        long overhead = roundUp(gtOffset + tables * 4, GRAIN_SECTORS);

        ByteBuffer meta = ByteBuffer.allocate((int) (overhead * SECTOR)).order(ByteOrder.LITTLE_ENDIAN);
        meta.put(0, "KDMV".getBytes(StandardCharsets.US_ASCII));
        meta.putInt(4, 1);
        meta.putInt(8, 1);
        meta.putLong(12, capacity);
        meta.putLong(20, GRAIN_SECTORS);
        meta.putLong(28, descriptorOffset);
        meta.putLong(36, descriptorSectors);
        meta.putInt(44, GTES_PER_GT);
        meta.putLong(48, 0);
        meta.putLong(56, gdOffset);
        meta.putLong(64, overhead);
        meta.put(72, (byte) 0);
        meta.put(73, (byte) '\n');
        meta.put(74, (byte) ' ');
        meta.put(75, (byte) '\r');
        meta.put(76, (byte) '\n');
        byte[] descriptor = vmdkDescriptor(capacity, name).getBytes(StandardCharsets.US_ASCII);
        if (descriptor.length > descriptorSectors * SECTOR) {
            throw new IllegalStateException("VMDK descriptor too long");
        }
        meta.put((int) (descriptorOffset * SECTOR), descriptor);
        for (long t = 0; t < tables; t++) {
            meta.putInt((int) (gdOffset * SECTOR + t * 4), (int) (gtOffset + t * 4));
        }
        for (long g = 0; g < grains; g++) {
            meta.putInt((int) (gtOffset * SECTOR + g * 4), (int) (overhead + g * GRAIN_SECTORS));
        }
        long padded = grains * GRAIN_SECTORS * SECTOR;
        List<Blob> parts = new ArrayList<>();
        parts.add(store.writeSmall(meta.array()));
        parts.add(raw);
        if (padded > raw.size()) {
            parts.add(new Blob(List.of(BlobSegment.zeros(padded - raw.size()))));
        }
        return Blob.concat(parts);
    }

    private static String vmdkDescriptor(long capacity, String name) {
        long cylinders = Math.min(16383, capacity / (16 * 63));
        return "# Disk DescriptorFile\n"
                + "version=1\n"
                + "CID=7e5c1d2a\n"
                + "parentCID=ffffffff\n"
                + "createType=\"monolithicSparse\"\n\n"
                + "# Extent description\n"
                + "RW " + capacity + " SPARSE \"" + name + ".vmdk\"\n\n"
                + "# The Disk Data Base\n"
                + "#DDB\n\n"
                + "ddb.virtualHWVersion = \"4\"\n"
                + "ddb.geometry.cylinders = \"" + cylinders + "\"\n"
                + "ddb.geometry.heads = \"16\"\n"
                + "ddb.geometry.sectors = \"63\"\n"
                + "ddb.adapterType = \"lsilogic\"\n";
    }

    static byte[] vhdFooter(long size, String name) {
        ByteBuffer footer = ByteBuffer.allocate(SECTOR).order(ByteOrder.BIG_ENDIAN);
        footer.put(0, "conectix".getBytes(StandardCharsets.US_ASCII));
        footer.putInt(8, 2);
        footer.putInt(12, 0x00010000);
        footer.putLong(16, -1L);
        footer.putInt(24, (int) Duration.between(VHD_EPOCH, Instant.parse("2025-01-01T00:00:00Z")).toSeconds());
        footer.put(28, "ferr".getBytes(StandardCharsets.US_ASCII));
        footer.putInt(32, 0x00010000);
        footer.put(36, "Wi2k".getBytes(StandardCharsets.US_ASCII));
        footer.putLong(40, size);
        footer.putLong(48, size);
        int[] chs = vhdGeometry(size / SECTOR);
        footer.putShort(56, (short) chs[0]);
        footer.put(58, (byte) chs[1]);
        footer.put(59, (byte) chs[2]);
        footer.putInt(60, 2);
        byte[] id = java.util.UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.UTF_8)).toString()
                .replace("-", "").getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < 16; i++) {
            footer.put(68 + i, (byte) Integer.parseInt(new String(id, i * 2, 2, StandardCharsets.US_ASCII), 16));
        }
        footer.putInt(64, checksum(footer.array()));
        return footer.array();
    }

    private static int checksum(byte[] footer) {
        int sum = 0;
        for (int i = 0; i < footer.length; i++) {
            if (i >= 64 && i < 68) {
                continue;
            }
            sum += footer[i] & 0xff;
        }
        return ~sum;
    }

    /** Cylinders, heads, sectors per track, by the algorithm of the VHD specification. */
    private static int[] vhdGeometry(long totalSectors) {
        long sectors = Math.min(totalSectors, 65535L * 16 * 255);
        long spt;
        long heads;
        long cylinderTimesHeads;
        if (sectors >= 65535L * 16 * 63) {
            spt = 255;
            heads = 16;
            cylinderTimesHeads = sectors / spt;
        } else {
            spt = 17;
            cylinderTimesHeads = sectors / spt;
            heads = Math.max(4, (cylinderTimesHeads + 1023) / 1024);
            if (cylinderTimesHeads >= heads * 1024 || heads > 16) {
                spt = 31;
                heads = 16;
                cylinderTimesHeads = sectors / spt;
            }
            if (cylinderTimesHeads >= heads * 1024) {
                spt = 63;
                heads = 16;
                cylinderTimesHeads = sectors / spt;
            }
        }
        return new int[]{(int) (cylinderTimesHeads / heads), (int) heads, (int) spt};
    }

    private Blob ova(Blob vmdk, String name) {
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

    private static long roundUp(long value, long multiple) {
        return (value + multiple - 1) / multiple * multiple;
    }

    // ---- reading ----

    /** Recognises the container by its magic numbers. */
    public Detected detect(Blob blob) {
        long size = blob.size();
        if (size < SECTOR) {
            return new Detected("unknown", "ClientError: Unsupported file format: the disk image is too small");
        }
        byte[] head = blob.read(0, 1024);
        String magic = new String(head, 0, 8, StandardCharsets.ISO_8859_1);
        if (magic.startsWith("KDMV")) {
            return new Detected("VMDK", null);
        }
        if (magic.startsWith("# Disk D")) {
            return new Detected("VMDK", "ClientError: Unsupported VMDK File Format: a descriptor file without its "
                    + "extent (use a monolithic sparse or stream-optimized VMDK)");
        }
        if (magic.startsWith("vhdxfile")) {
            return new Detected("VHDX", "ClientError: Unsupported file format: VHDX is not supported by the sandbox");
        }
        if (head.length >= 262 && new String(head, 257, 5, StandardCharsets.ISO_8859_1).equals("ustar")) {
            return new Detected("OVA", null);
        }
        byte[] tail = blob.read(size - SECTOR, SECTOR);
        if (new String(tail, 0, 8, StandardCharsets.ISO_8859_1).equals("conectix") || magic.equals("conectix")) {
            return new Detected("VHD", null);
        }
        if ((head[510] & 0xff) == 0x55 && (head[511] & 0xff) == 0xAA
                || head.length >= 520 && new String(head, 512, 8, StandardCharsets.ISO_8859_1).equals("EFI PART")) {
            return new Detected("RAW", null);
        }
        return new Detected("unknown", "ClientError: Unsupported file format");
    }

    /**
     * The raw disk inside a container of {@code format} (as {@link #detect} names it).
     *
     * @throws IllegalArgumentException with an import-style {@code ClientError: ...} message when the
     *                                  container cannot be read
     */
    public Blob extractRaw(Blob container, String format) {
        try {
            return switch (format) {
                case "RAW" -> container;
                case "VHD" -> vhdRaw(container);
                case "VMDK" -> vmdkRaw(container);
                case "OVA" -> ovaRaw(container);
                default -> throw new IllegalArgumentException("ClientError: Unsupported file format");
            };
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Blob vhdRaw(Blob container) {
        long size = container.size();
        ByteBuffer footer = ByteBuffer.wrap(container.read(size - SECTOR, SECTOR)).order(ByteOrder.BIG_ENDIAN);
        int type = footer.getInt(60);
        long currentSize = footer.getLong(48);
        if (type == 2) {
            if (currentSize > size - SECTOR) {
                throw new IllegalArgumentException("ClientError: Disk validation failed [Invalid VHD: truncated]");
            }
            return container.slice(0, currentSize);
        }
        if (type != 3) {
            throw new IllegalArgumentException("ClientError: Unsupported VHD disk type " + type);
        }
        long headerOffset = footer.getLong(16);
        ByteBuffer dyn = ByteBuffer.wrap(container.read(headerOffset, 1024)).order(ByteOrder.BIG_ENDIAN);
        if (!new String(dyn.array(), 0, 8, StandardCharsets.ISO_8859_1).equals("cxsparse")) {
            throw new IllegalArgumentException("ClientError: Disk validation failed [Invalid VHD dynamic header]");
        }
        long tableOffset = dyn.getLong(16);
        int entries = dyn.getInt(28);
        int blockSize = dyn.getInt(32);
        int bitmapBytes = (int) roundUp((blockSize / SECTOR + 7) / 8, SECTOR);
        ByteBuffer bat = ByteBuffer.wrap(container.read(tableOffset, entries * 4)).order(ByteOrder.BIG_ENDIAN);
        List<BlobSegment> segments = new ArrayList<>();
        long remaining = currentSize;
        for (int i = 0; i < entries && remaining > 0; i++) {
            long length = Math.min(blockSize, remaining);
            long sector = bat.getInt(i * 4) & 0xffffffffL;
            if (sector == 0xffffffffL) {
                segments.add(BlobSegment.zeros(length));
            } else {
                segments.addAll(container.slice(sector * SECTOR + bitmapBytes, length).segments());
            }
            remaining -= length;
        }
        return new Blob(segments);
    }

    private Blob vmdkRaw(Blob container) throws IOException {
        ByteBuffer header = ByteBuffer.wrap(container.read(0, SECTOR)).order(ByteOrder.LITTLE_ENDIAN);
        int flags = header.getInt(8);
        long capacity = header.getLong(12);
        long grainSize = header.getLong(20);
        int gtesPerGt = header.getInt(44);
        long gdOffset = header.getLong(56);
        long overhead = header.getLong(64);
        int compression = header.getShort(77) & 0xffff;
        if (grainSize <= 0 || gtesPerGt <= 0 || capacity <= 0) {
            throw new IllegalArgumentException("ClientError: Unsupported VMDK File Format: bad sparse header");
        }
        boolean compressed = (flags & (1 << 16)) != 0;
        if (compressed) {
            if (compression != 1) {
                throw new IllegalArgumentException("ClientError: Unsupported VMDK File Format: compression "
                        + compression);
            }
            return streamOptimizedRaw(container, capacity, grainSize, overhead);
        }
        long grainBytes = grainSize * SECTOR;
        long grains = (capacity + grainSize - 1) / grainSize;
        long tables = (grains + gtesPerGt - 1) / gtesPerGt;
        ByteBuffer gd = ByteBuffer.wrap(container.read(gdOffset * SECTOR, (int) (tables * 4)))
                .order(ByteOrder.LITTLE_ENDIAN);
        List<BlobSegment> segments = new ArrayList<>();
        long remaining = capacity * SECTOR;
        for (long t = 0; t < tables; t++) {
            long gtSector = gd.getInt((int) (t * 4)) & 0xffffffffL;
            ByteBuffer gt = gtSector == 0 ? null
                    : ByteBuffer.wrap(container.read(gtSector * SECTOR, gtesPerGt * 4)).order(ByteOrder.LITTLE_ENDIAN);
            for (int e = 0; e < gtesPerGt && remaining > 0; e++) {
                long length = Math.min(grainBytes, remaining);
                long grainSector = gt == null ? 0 : gt.getInt(e * 4) & 0xffffffffL;
                if (grainSector <= 1) {
                    segments.add(BlobSegment.zeros(length));
                } else {
                    if (grainSector * SECTOR + length > container.size()) {
                        throw new IllegalArgumentException("ClientError: Disk validation failed "
                                + "[Invalid VMDK: grain beyond the end of the file]");
                    }
                    segments.addAll(container.slice(grainSector * SECTOR, length).segments());
                }
                remaining -= length;
            }
        }
        return new Blob(merge(segments));
    }

    /** Stream-optimized VMDKs hold deflated grains behind markers; they are inflated into a new file. */
    private Blob streamOptimizedRaw(Blob container, long capacity, long grainSize, long overhead) throws IOException {
        Path out = store.newFile();
        long grainBytes = grainSize * SECTOR;
        try (RandomAccessFile file = new RandomAccessFile(out.toFile(), "rw");
             InputStream in = container.slice(overhead * SECTOR, container.size() - overhead * SECTOR).open()) {
            file.setLength(capacity * SECTOR);
            byte[] marker = new byte[SECTOR];
            byte[] grain = new byte[(int) grainBytes];
            while (true) {
                if (in.readNBytes(marker, 0, 12) < 12) {
                    break;
                }
                ByteBuffer m = ByteBuffer.wrap(marker).order(ByteOrder.LITTLE_ENDIAN);
                long value = m.getLong(0);
                int size = m.getInt(8);
                if (size > 0) {
                    byte[] compressed = in.readNBytes(size);
                    skip(in, roundUp(12 + size, SECTOR) - 12 - size);
                    Inflater inflater = new Inflater();
                    inflater.setInput(compressed);
                    int n;
                    try {
                        n = inflater.inflate(grain);
                    } catch (DataFormatException e) {
                        throw new IllegalArgumentException("ClientError: Disk validation failed "
                                + "[Invalid VMDK: corrupt compressed grain]");
                    } finally {
                        inflater.end();
                    }
                    long position = value * SECTOR;
                    if (position + n > capacity * SECTOR) {
                        n = (int) Math.max(0, capacity * SECTOR - position);
                    }
                    file.seek(position);
                    file.write(grain, 0, n);
                } else {
                    if (in.readNBytes(marker, 12, 4) < 4) {
                        break;
                    }
                    int type = m.getInt(12);
                    skip(in, SECTOR - 16);
                    if (type == 0) {
                        break;
                    }
                    skip(in, value * SECTOR);
                }
            }
        } catch (IOException | RuntimeException e) {
            store.discard(out);
            throw e;
        }
        return Blob.ofFile(out);
    }

    private static void skip(InputStream in, long bytes) throws IOException {
        long remaining = bytes;
        while (remaining > 0) {
            long n = in.skip(remaining);
            if (n <= 0) {
                if (in.read() < 0) {
                    return;
                }
                n = 1;
            }
            remaining -= n;
        }
    }

    private Blob ovaRaw(Blob container) {
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
                Detected inner = detect(disk);
                if (!inner.usable()) {
                    throw new IllegalArgumentException(inner.problem());
                }
                if (inner.format().equals("OVA")) {
                    throw new IllegalArgumentException("ClientError: Unsupported file format: nested OVA");
                }
                return extractRaw(disk, inner.format());
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

    /** Joins neighbouring segments of the same file so a contiguous run is one segment. */
    private static List<BlobSegment> merge(List<BlobSegment> segments) {
        List<BlobSegment> merged = new ArrayList<>();
        for (BlobSegment segment : segments) {
            if (!merged.isEmpty()) {
                BlobSegment last = merged.get(merged.size() - 1);
                boolean bothZeros = last.isZeros() && segment.isZeros();
                boolean contiguous = !last.isZeros() && !segment.isZeros() && last.path().equals(segment.path())
                        && last.offset() + last.length() == segment.offset();
                if (bothZeros || contiguous) {
                    merged.set(merged.size() - 1, new BlobSegment(last.path(), last.offset(),
                            last.length() + segment.length()));
                    continue;
                }
            }
            merged.add(segment);
        }
        return merged;
    }

    /** Whether a raw disk looks bootable: an MBR with a partition, or a GPT. */
    public static boolean looksPartitioned(Blob raw) {
        if (raw.size() < 1024) {
            return false;
        }
        byte[] head = raw.read(0, 1024);
        boolean mbr = (head[510] & 0xff) == 0x55 && (head[511] & 0xff) == 0xAA && head[446 + 4] != 0;
        boolean gpt = new String(head, 512, 8, StandardCharsets.ISO_8859_1).equals("EFI PART");
        return mbr || gpt;
    }
}
