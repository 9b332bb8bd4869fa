package dev.ferry.provider.vsphere.image;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Positional reads of a disk image file: only headers and footers are read, never the whole file. */
final class ImageFile implements AutoCloseable {

    private final Path path;
    private final FileChannel channel;
    private final long size;

    ImageFile(Path path) throws IOException {
        this.path = path;
        this.channel = FileChannel.open(path, StandardOpenOption.READ);
        this.size = channel.size();
    }

    Path path() {
        return path;
    }

    long size() {
        return size;
    }

    /** Up to {@code length} bytes at {@code offset}, fewer when the file ends first; little-endian. */
    ByteBuffer read(long offset, int length) throws IOException {
        int available = (int) Math.max(0, Math.min(length, size - offset));
        ByteBuffer buffer = ByteBuffer.allocate(available).order(ByteOrder.LITTLE_ENDIAN);
        while (buffer.hasRemaining()) {
            int read = channel.read(buffer, offset + buffer.position());
            if (read < 0) {
                break;
            }
        }
        buffer.flip();
        return buffer;
    }

    /** Exactly {@code length} bytes at {@code offset}, or empty when the file is too short. */
    byte[] bytes(long offset, int length) throws IOException {
        ByteBuffer buffer = read(offset, length);
        if (buffer.remaining() < length) {
            return new byte[0];
        }
        byte[] bytes = new byte[length];
        buffer.get(bytes);
        return bytes;
    }

    boolean startsWith(long offset, String ascii) throws IOException {
        byte[] expected = ascii.getBytes(StandardCharsets.ISO_8859_1);
        byte[] actual = bytes(offset, expected.length);
        return java.util.Arrays.equals(expected, actual);
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
