package dev.ferry.sandbox.world;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Bytes stored on disk as a sequence of segments of files (or zeros), so that a multipart upload,
 * an exported disk or a container format wrapped around one need no copy of the data.
 */
public record Blob(List<BlobSegment> segments) {

    public Blob {
        segments = List.copyOf(segments);
    }

    public static Blob ofFile(Path file) {
        try {
            return new Blob(List.of(new BlobSegment(file.toString(), 0, Files.size(file))));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    public static Blob empty() {
        return new Blob(List.of());
    }

    public static Blob concat(List<Blob> parts) {
        List<BlobSegment> all = new ArrayList<>();
        for (Blob part : parts) {
            all.addAll(part.segments);
        }
        return new Blob(all);
    }

    public long size() {
        long size = 0;
        for (BlobSegment segment : segments) {
            size += segment.length();
        }
        return size;
    }

    /** The bytes from {@code offset}, {@code length} long, as segments. */
    public Blob slice(long offset, long length) {
        if (offset < 0 || length < 0 || offset + length > size()) {
            throw new IllegalArgumentException("slice " + offset + "+" + length + " outside blob of " + size());
        }
        List<BlobSegment> result = new ArrayList<>();
        long position = 0;
        long end = offset + length;
        for (BlobSegment segment : segments) {
            long segmentStart = position;
            long segmentEnd = position + segment.length();
            position = segmentEnd;
            long from = Math.max(offset, segmentStart);
            long to = Math.min(end, segmentEnd);
            if (from >= to) {
                continue;
            }
            long within = from - segmentStart;
            result.add(segment.isZeros()
                    ? BlobSegment.zeros(to - from)
                    : new BlobSegment(segment.path(), segment.offset() + within, to - from));
        }
        return new Blob(result);
    }

    /** Reads up to {@code length} bytes from {@code offset} (fewer at the end of the blob). */
    public byte[] read(long offset, int length) {
        long available = Math.max(0, size() - offset);
        int n = (int) Math.min(length, available);
        byte[] result = new byte[n];
        if (n == 0) {
            return result;
        }
        try (InputStream in = slice(offset, n).open()) {
            int read = in.readNBytes(result, 0, n);
            if (read != n) {
                throw new IOException("short read");
            }
            return result;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A stream of all the bytes. */
    public InputStream open() {
        return new BlobInputStream(segments);
    }

    private static final class BlobInputStream extends InputStream {
        private final List<BlobSegment> segments;
        private int index = -1;
        private FileChannel channel;
        private long remaining;
        private long position;
        private boolean zeros;

        BlobInputStream(List<BlobSegment> segments) {
            this.segments = segments;
        }

        private boolean advance() throws IOException {
            while (remaining == 0) {
                closeChannel();
                index++;
                if (index >= segments.size()) {
                    return false;
                }
                BlobSegment segment = segments.get(index);
                remaining = segment.length();
                zeros = segment.isZeros();
                position = segment.offset();
                if (!zeros && remaining > 0) {
                    channel = FileChannel.open(Path.of(segment.path()), StandardOpenOption.READ);
                }
            }
            return true;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            if (!advance()) {
                return -1;
            }
            int n = (int) Math.min(len, remaining);
            if (zeros) {
                java.util.Arrays.fill(b, off, off + n, (byte) 0);
            } else {
                int read = channel.read(ByteBuffer.wrap(b, off, n), position);
                if (read < 0) {
                    throw new IOException("file " + segments.get(index).path() + " is shorter than recorded");
                }
                n = read;
            }
            position += n;
            remaining -= n;
            return n;
        }

        private void closeChannel() throws IOException {
            if (channel != null) {
                channel.close();
                channel = null;
            }
        }

        @Override
        public void close() throws IOException {
            closeChannel();
            index = segments.size();
            remaining = 0;
        }
    }
}
