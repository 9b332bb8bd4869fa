package dev.ferry.engine.transfer;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A source of any logical size held in no memory: the bytes of its written extents repeat a
 * pattern (by absolute offset), everything else is zero. It may declare its extents, and then
 * records any read that touches a hole; or not, and then serves the zeros when asked.
 */
class SparseSource implements RangedByteSource {

    private final long size;
    private final List<Extent> written;
    private final byte[] pattern;
    private final boolean declared;
    final AtomicLong bytesServed = new AtomicLong();
    final List<String> badRequests = new CopyOnWriteArrayList<>();

    SparseSource(long size, List<Extent> written, byte[] pattern, boolean declared) {
        this.size = size;
        this.written = List.copyOf(written);
        this.pattern = pattern;
        this.declared = declared;
    }

    /** A pattern like written disk data: text, tables, noise, and zero runs of its own. */
    static byte[] diskLikePattern(long seed) {
        return TestData.mixed(1024 * 1024 + 7, seed);
    }

    /** Random bytes with no zero among them. */
    static byte[] noZeroPattern(long seed) {
        byte[] bytes = TestData.random(1024 * 1024 + 7, seed);
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == 0) {
                bytes[i] = 1;
            }
        }
        return bytes;
    }

    /** Extents of random lengths (1 byte to {@code maxLength}) with random gaps, none aligned on purpose. */
    static List<Extent> randomExtents(long size, int maxLength, int maxGap, long seed) {
        Random random = new Random(seed);
        List<Extent> extents = new ArrayList<>();
        long at = random.nextInt(maxGap);
        while (at < size) {
            long length = Math.min(size - at, 1 + random.nextInt(maxLength));
            extents.add(new Extent(at, length));
            at += length + 1 + random.nextInt(maxGap);
        }
        return extents;
    }

    long writtenBytes() {
        return written.stream().mapToLong(Extent::length).sum();
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public List<Extent> writtenExtents() throws IOException {
        return declared ? written : RangedByteSource.super.writtenExtents();
    }

    @Override
    public String description() {
        return "memory://sparse-test-image";
    }

    @Override
    public InputStream openRange(long offset, long length) throws IOException {
        if (offset < 0 || length <= 0 || offset + length > size) {
            badRequests.add("range " + offset + "+" + length + " of " + size);
            throw new IOException("bad range " + offset + "+" + length);
        }
        if (declared && !insideOneExtent(offset, offset + length)) {
            badRequests.add("range " + offset + "+" + length + " reaches outside the written extents");
        }
        return new InputStream() {
            private long position = offset;

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] buffer, int off, int len) {
                int n = (int) Math.min(len, offset + length - position);
                if (n <= 0) {
                    return -1;
                }
                fill(buffer, off, position, n);
                position += n;
                bytesServed.addAndGet(n);
                return n;
            }
        };
    }

    /** Writes the source's bytes {@code [position, position + length)} into {@code buffer} at {@code off}. */
    void fill(byte[] buffer, int off, long position, int length) {
        java.util.Arrays.fill(buffer, off, off + length, (byte) 0);
        long end = position + length;
        for (Extent extent : written) {
            long from = Math.max(position, extent.offset());
            long to = Math.min(end, extent.end());
            for (long p = from; p < to; p++) {
                buffer[off + (int) (p - position)] = pattern[(int) (p % pattern.length)];
            }
        }
    }

    private boolean insideOneExtent(long from, long to) {
        return written.stream().anyMatch(e -> e.offset() <= from && to <= e.end());
    }
}
