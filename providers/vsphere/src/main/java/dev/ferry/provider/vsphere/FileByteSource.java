package dev.ferry.provider.vsphere;

import static java.util.Objects.requireNonNull;

import dev.ferry.engine.transfer.RangedByteSource;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A disk image file read by ranges, each range with positional reads on its own channel, so that the
 * transfer pipeline can read many parts at once and re-open any of them after a failure.
 */
public final class FileByteSource implements RangedByteSource {

    private final Path path;
    private final long size;

    public FileByteSource(Path path, long size) {
        this.path = requireNonNull(path, "path is null");
        if (size < 0) {
            throw new IllegalArgumentException("size " + size + " is negative");
        }
        this.size = size;
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public InputStream openRange(long offset, long length) throws IOException {
        if (offset < 0 || length < 0 || offset > size - length) {
            throw new IllegalArgumentException("range [" + offset + ", " + offset + "+" + length + ") lies outside " + path + " (" + size + " bytes)");
        }
        return new RangeStream(FileChannel.open(path, StandardOpenOption.READ), offset, length);
    }

    @Override
    public String description() {
        return path.toString();
    }

    @Override
    public String toString() {
        return "file " + path + " (" + size + " bytes)";
    }

    /** Bytes {@code [position, position + remaining)} of the file; an early end means the file shrank. */
    private final class RangeStream extends InputStream {
        private final FileChannel channel;
        private long position;
        private long remaining;

        RangeStream(FileChannel channel, long position, long remaining) {
            this.channel = channel;
            this.position = position;
            this.remaining = remaining;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int read = read(one, 0, 1);
            return read < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            if (length == 0) {
                return 0;
            }
            if (remaining == 0) {
                return -1;
            }
            int wanted = (int) Math.min(length, remaining);
            int read = channel.read(ByteBuffer.wrap(buffer, offset, wanted), position);
            if (read < 0) {
                throw new IOException(path + " ended at byte " + position + " although it was " + size
                        + " bytes when planned: the file changed while ferry read it; run ferry plan again");
            }
            position += read;
            remaining -= read;
            return read;
        }

        @Override
        public long skip(long n) {
            long skipped = Math.max(0, Math.min(n, remaining));
            position += skipped;
            remaining -= skipped;
            return skipped;
        }

        @Override
        public int available() {
            return (int) Math.min(Integer.MAX_VALUE, remaining);
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }
    }
}
