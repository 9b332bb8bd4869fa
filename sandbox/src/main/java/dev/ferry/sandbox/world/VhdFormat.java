package dev.ferry.sandbox.world;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static dev.ferry.sandbox.world.DiskFormats.SECTOR;
import static dev.ferry.sandbox.world.DiskFormats.roundUp;

/** VHD: the footer written after a raw disk (a fixed VHD), and the raw disk read out of a fixed or dynamic one. */
final class VhdFormat {

    private static final Instant VHD_EPOCH = Instant.parse("2000-01-01T00:00:00Z");

    private VhdFormat() {
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

    static Blob vhdRaw(Blob container) {
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
}
