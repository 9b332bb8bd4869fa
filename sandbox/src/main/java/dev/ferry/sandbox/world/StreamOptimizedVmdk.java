package dev.ferry.sandbox.world;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.Deflater;

import static java.util.Objects.requireNonNull;

/**
 * Writes a stream-optimized VMDK, the layout vCenter exports disks in and VM Import/Export asks for, after
 * VMware's "Virtual Disk Format 5.0": a header whose grain directory is deferred to the end, the embedded
 * descriptor, then each non-zero grain deflated behind a grain marker, each grain table behind its
 * marker once its grains are written, the grain directory, a footer (the header again, now with the
 * directory's place) and an end-of-stream marker.
 *
 * <p>The content may be shorter than the capacity: the rest reads as zeros and takes no room, so an 8 GiB
 * disk with 32 MiB of content makes a VMDK of a few MiB. Grain tables that would hold only zeros are left
 * out (their directory entry is 0).
 */
final class StreamOptimizedVmdk {

    static final int SECTOR = 512;
    static final long GRAIN_SECTORS = 128;
    static final int GTES_PER_GT = 512;
    static final long DESCRIPTOR_OFFSET = 1;
    static final long DESCRIPTOR_SECTORS = 20;
    static final long OVERHEAD_SECTORS = 128;
    static final int FLAGS = 1 | 1 << 16 | 1 << 17; // newline test, compressed grains, markers
    static final long GD_AT_END = -1L;

    private static final int MARKER_EOS = 0;
    private static final int MARKER_GT = 1;
    private static final int MARKER_GD = 2;
    private static final int MARKER_FOOTER = 3;

    private StreamOptimizedVmdk() {
    }

    /**
     * Writes the VMDK of a disk of {@code capacityBytes} whose first {@code contentBytes} come from
     * {@code content}.
     *
     * @param extentName the file name the descriptor gives the extent ({@code app-02-disk1.vmdk})
     * @param hardware   virtual hardware version number ({@code 19})
     */
    static void write(InputStream content, long contentBytes, long capacityBytes, String extentName, int hardware,
                      OutputStream out) throws IOException {
        requireNonNull(content, "content is null");
        requireNonNull(out, "out is null");
        if (capacityBytes <= 0 || capacityBytes % SECTOR != 0 || contentBytes > capacityBytes) {
            throw new IllegalArgumentException("capacity must be whole sectors and hold the content");
        }
        long capacity = capacityBytes / SECTOR;
        long grains = (capacity + GRAIN_SECTORS - 1) / GRAIN_SECTORS;
        int tables = (int) ((grains + GTES_PER_GT - 1) / GTES_PER_GT);
        Counting sink = new Counting(out);

        sink.write(header(capacity, GD_AT_END));
        byte[] descriptor = new byte[(int) (DESCRIPTOR_SECTORS * SECTOR)];
        byte[] text = descriptor(capacity, extentName, hardware).getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(text, 0, descriptor, 0, text.length);
        sink.write(descriptor);
        sink.write(new byte[(int) ((OVERHEAD_SECTORS - DESCRIPTOR_OFFSET - DESCRIPTOR_SECTORS) * SECTOR)]);

        int grainBytes = (int) (GRAIN_SECTORS * SECTOR);
        byte[] grain = new byte[grainBytes];
        byte[] compressed = new byte[grainBytes + grainBytes / 8 + 64];
        long[] directory = new long[tables];
        long contentGrains = (contentBytes + grainBytes - 1) / grainBytes;
        Deflater deflater = new Deflater(Deflater.BEST_SPEED);
        try {
            for (int table = 0; table < tables && (long) table * GTES_PER_GT < contentGrains; table++) {
                int[] entries = new int[GTES_PER_GT];
                boolean any = false;
                for (int entry = 0; entry < GTES_PER_GT; entry++) {
                    long index = (long) table * GTES_PER_GT + entry;
                    if (index >= contentGrains) {
                        break;
                    }
                    int length = (int) Math.min(grainBytes, contentBytes - index * grainBytes);
                    int read = content.readNBytes(grain, 0, length);
                    if (read != length) {
                        throw new IOException("disk content ended at byte " + (index * grainBytes + read)
                                + " of " + contentBytes);
                    }
                    Arrays.fill(grain, length, grainBytes, (byte) 0);
                    if (allZero(grain)) {
                        continue;
                    }
                    deflater.reset();
                    deflater.setInput(grain, 0, grainBytes);
                    deflater.finish();
                    int size = 0;
                    while (!deflater.finished()) {
                        if (size == compressed.length) {
                            compressed = Arrays.copyOf(compressed, compressed.length * 2);
                        }
                        size += deflater.deflate(compressed, size, compressed.length - size);
                    }
                    entries[entry] = (int) sink.sector();
                    ByteBuffer marker = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
                    marker.putLong(index * GRAIN_SECTORS).putInt(size);
                    sink.write(marker.array());
                    sink.write(compressed, 0, size);
                    sink.padToSector();
                    any = true;
                }
                if (any) {
                    long tableSectors = (GTES_PER_GT * 4L + SECTOR - 1) / SECTOR;
                    sink.write(metadataMarker(tableSectors, MARKER_GT));
                    directory[table] = sink.sector();
                    ByteBuffer gt = ByteBuffer.allocate((int) (tableSectors * SECTOR)).order(ByteOrder.LITTLE_ENDIAN);
                    for (int e : entries) {
                        gt.putInt(e);
                    }
                    sink.write(gt.array());
                }
            }
        } finally {
            deflater.end();
        }
        long directorySectors = (tables * 4L + SECTOR - 1) / SECTOR;
        sink.write(metadataMarker(directorySectors, MARKER_GD));
        long gdOffset = sink.sector();
        ByteBuffer gd = ByteBuffer.allocate((int) (directorySectors * SECTOR)).order(ByteOrder.LITTLE_ENDIAN);
        for (long sector : directory) {
            gd.putInt((int) sector);
        }
        sink.write(gd.array());
        sink.write(metadataMarker(1, MARKER_FOOTER));
        sink.write(header(capacity, gdOffset));
        sink.write(metadataMarker(0, MARKER_EOS));
    }

    /** The sparse extent header (a footer is the same with the grain directory's real place). */
    static byte[] header(long capacitySectors, long gdOffset) {
        ByteBuffer header = ByteBuffer.allocate(SECTOR).order(ByteOrder.LITTLE_ENDIAN);
        header.put(0, "KDMV".getBytes(StandardCharsets.US_ASCII));
        header.putInt(4, 3);
        header.putInt(8, FLAGS);
        header.putLong(12, capacitySectors);
        header.putLong(20, GRAIN_SECTORS);
        header.putLong(28, DESCRIPTOR_OFFSET);
        header.putLong(36, DESCRIPTOR_SECTORS);
        header.putInt(44, GTES_PER_GT);
        header.putLong(48, 0);
        header.putLong(56, gdOffset);
        header.putLong(64, OVERHEAD_SECTORS);
        header.put(72, (byte) 0);
        header.put(73, (byte) '\n');
        header.put(74, (byte) ' ');
        header.put(75, (byte) '\r');
        header.put(76, (byte) '\n');
        header.putShort(77, (short) 1); // deflate
        return header.array();
    }

    private static byte[] metadataMarker(long sectors, int type) {
        ByteBuffer marker = ByteBuffer.allocate(SECTOR).order(ByteOrder.LITTLE_ENDIAN);
        marker.putLong(0, sectors);
        marker.putInt(8, 0);
        marker.putInt(12, type);
        return marker.array();
    }

    static String descriptor(long capacitySectors, String extentName, int hardware) {
        long cylinders = Math.min(65535, capacitySectors / (255 * 63));
        String cid = String.format("%08x", (extentName + capacitySectors).hashCode());
        return "# Disk DescriptorFile\n"
                + "version=1\n"
                + "encoding=\"UTF-8\"\n"
                + "CID=" + cid + "\n"
                + "parentCID=ffffffff\n"
                + "createType=\"streamOptimized\"\n\n"
                + "# Extent description\n"
                + "RW " + capacitySectors + " SPARSE \"" + extentName + "\"\n\n"
                + "# The Disk Data Base\n"
                + "#DDB\n\n"
                + "ddb.adapterType = \"lsilogic\"\n"
                + "ddb.geometry.cylinders = \"" + cylinders + "\"\n"
                + "ddb.geometry.heads = \"255\"\n"
                + "ddb.geometry.sectors = \"63\"\n"
                + "ddb.virtualHWVersion = \"" + hardware + "\"\n";
    }

    private static boolean allZero(byte[] bytes) {
        for (byte b : bytes) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

    /** Counts what is written, to know each marker's sector. */
    private static final class Counting {
        private final OutputStream out;
        private long bytes;

        Counting(OutputStream out) {
            this.out = out;
        }

        void write(byte[] b) throws IOException {
            write(b, 0, b.length);
        }

        void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            bytes += len;
        }

        void padToSector() throws IOException {
            int pad = (int) ((SECTOR - bytes % SECTOR) % SECTOR);
            if (pad > 0) {
                write(new byte[pad]);
            }
        }

        long sector() {
            if (bytes % SECTOR != 0) {
                throw new IllegalStateException("not at a sector boundary");
            }
            return bytes / SECTOR;
        }
    }
}
