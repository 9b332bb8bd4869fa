package dev.ferry.sandbox.world;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

import static java.util.Objects.requireNonNull;

/**
 * Writes a POSIX ustar archive, as OVAs are: a 512-byte header per file, the file's bytes padded to 512,
 * and two zero blocks at the end. Sizes of 8 GiB and more use the GNU base-256 size field.
 */
final class TarWriter {

    static final int BLOCK = 512;
    private static final long OCTAL_LIMIT = 077777777777L;

    private final OutputStream out;
    private final long mtime;

    TarWriter(OutputStream out, Instant mtime) {
        this.out = requireNonNull(out, "out is null");
        this.mtime = requireNonNull(mtime, "mtime is null").getEpochSecond();
    }

    void add(String name, byte[] content) throws IOException {
        add(name, content.length, new ByteArrayInputStream(content));
    }

    /** Adds a file of {@code size} bytes read from {@code content}. */
    void add(String name, long size, InputStream content) throws IOException {
        out.write(header(name, size, mtime));
        byte[] buffer = new byte[64 * 1024];
        long remaining = size;
        while (remaining > 0) {
            int n = content.read(buffer, 0, (int) Math.min(buffer.length, remaining));
            if (n < 0) {
                throw new IOException(name + " ended " + remaining + " bytes early");
            }
            out.write(buffer, 0, n);
            remaining -= n;
        }
        int pad = (int) ((BLOCK - size % BLOCK) % BLOCK);
        out.write(new byte[pad]);
    }

    /** The two zero blocks that end an archive. */
    void finish() throws IOException {
        out.write(new byte[2 * BLOCK]);
    }

    static byte[] header(String name, long size, long mtime) {
        byte[] header = new byte[BLOCK];
        byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
        if (nameBytes.length > 100) {
            throw new IllegalArgumentException("tar member name longer than 100 bytes: " + name);
        }
        System.arraycopy(nameBytes, 0, header, 0, nameBytes.length);
        octal(header, 100, 8, 0644);
        octal(header, 108, 8, 0);
        octal(header, 116, 8, 0);
        if (size > OCTAL_LIMIT) {
            header[124] = (byte) 0x80;
            for (int i = 0; i < 8; i++) {
                header[135 - i] = (byte) (size >>> (8 * i));
            }
        } else {
            octal(header, 124, 12, size);
        }
        octal(header, 136, 12, mtime);
        for (int i = 148; i < 156; i++) {
            header[i] = ' ';
        }
        header[156] = '0';
        System.arraycopy("ustar\0".getBytes(StandardCharsets.US_ASCII), 0, header, 257, 6);
        header[263] = '0';
        header[264] = '0';
        System.arraycopy("root".getBytes(StandardCharsets.US_ASCII), 0, header, 265, 4);
        System.arraycopy("root".getBytes(StandardCharsets.US_ASCII), 0, header, 297, 4);
        long sum = 0;
        for (byte b : header) {
            sum += b & 0xff;
        }
        // six digits, a NUL and a space, as tar itself writes the checksum
        String digits = String.format("%06o", sum);
        System.arraycopy(digits.getBytes(StandardCharsets.US_ASCII), 0, header, 148, 6);
        header[154] = 0;
        header[155] = ' ';
        return header;
    }

    private static void octal(byte[] header, int offset, int width, long value) {
        String text = Long.toOctalString(value);
        String padded = "0".repeat(Math.max(0, width - 1 - text.length())) + text;
        byte[] bytes = padded.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(bytes, 0, header, offset, Math.min(bytes.length, width - 1));
        header[offset + width - 1] = 0;
    }
}
