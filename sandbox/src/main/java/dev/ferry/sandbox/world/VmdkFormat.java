package dev.ferry.sandbox.world;

import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

import static dev.ferry.sandbox.world.DiskFormats.SECTOR;
import static dev.ferry.sandbox.world.DiskFormats.roundUp;
import static java.util.Objects.requireNonNull;

/**
 * VMDK: a monolithic sparse VMDK written around a raw disk without copying it, and the raw disk read out of a
 * monolithic sparse or (inflated into a new file) stream-optimized one.
 */
final class VmdkFormat {

    private static final long GRAIN_SECTORS = 128;
    private static final int GTES_PER_GT = 512;

    private final BlobStore store;

    VmdkFormat(BlobStore store) {
        this.store = requireNonNull(store, "store is null");
    }

    Blob vmdk(Blob raw, String name) {
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

    Blob vmdkRaw(Blob container) throws IOException {
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
}
