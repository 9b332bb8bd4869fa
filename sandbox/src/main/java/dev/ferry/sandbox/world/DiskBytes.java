package dev.ferry.sandbox.world;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * The bytes of a Linode disk in a sparse file: what was never written reads as zeros, and a 1 MiB block of
 * zeros written past the file's end is not written at all, so an 8 GiB disk costs only its data.
 */
public final class DiskBytes {

    /** What {@code dd bs=1M} moves at a time. */
    public static final int BLOCK = 1024 * 1024;
    private static final byte[] ZEROS = new byte[BLOCK];

    private DiskBytes() {
    }

    /**
     * What a write did.
     *
     * @param bytes   bytes written (up to the end of the disk)
     * @param sha256  hex SHA-256 of exactly those bytes
     * @param noSpace the data went on past the end of the disk
     */
    public record Written(long bytes, String sha256, boolean noSpace) {
    }

    /**
     * Writes {@code data} at {@code offset} until it ends or the disk does, then forces it to storage
     * ({@code conv=notrunc,fsync}). An exception from {@code data} (a bad gzip stream) leaves what came before it
     * written, as {@code dd} does.
     */
    public static Written write(Path file, long diskBytes, long offset, InputStream data) throws IOException {
        MessageDigest digest = sha256();
        Files.createDirectories(file.getParent());
        byte[] buffer = new byte[BLOCK];
        long position = offset;
        long written = 0;
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            while (true) {
                int read = data.readNBytes(buffer, 0, BLOCK);
                if (read == 0) {
                    break;
                }
                long room = Math.max(0, diskBytes - position);
                int fits = (int) Math.min(read, room);
                boolean zeros = Arrays.mismatch(buffer, 0, fits, ZEROS, 0, fits) == -1;
                if (!(zeros && position >= channel.size())) {
                    ByteBuffer slice = ByteBuffer.wrap(buffer, 0, fits);
                    long at = position;
                    while (slice.hasRemaining()) {
                        at += channel.write(slice, at);
                    }
                }
                digest.update(buffer, 0, fits);
                position += fits;
                written += fits;
                if (fits < read) {
                    channel.force(false);
                    return new Written(written, HexFormat.of().formatHex(digest.digest()), true);
                }
            }
            channel.force(false);
        }
        return new Written(written, HexFormat.of().formatHex(digest.digest()), false);
    }

    /** The hex SHA-256 of {@code length} bytes from {@code offset}, cut at the end of the disk. */
    public static String sha256(Path file, long diskBytes, long offset, long length) throws IOException {
        MessageDigest digest = sha256();
        long end = Math.min(diskBytes, offset + length);
        long position = Math.min(offset, end);
        ByteBuffer buffer = ByteBuffer.allocate(BLOCK);
        FileChannel channel = null;
        try {
            channel = FileChannel.open(file, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            // never written: all zeros
        }
        try {
            long fileSize = channel == null ? 0 : channel.size();
            while (position < end) {
                int want = (int) Math.min(BLOCK, end - position);
                if (position >= fileSize) {
                    digest.update(ZEROS, 0, want);
                    position += want;
                    continue;
                }
                buffer.clear().limit((int) Math.min(want, fileSize - position));
                int read = channel.read(buffer, position);
                if (read <= 0) {
                    fileSize = position;
                    continue;
                }
                digest.update(buffer.array(), 0, read);
                position += read;
            }
        } finally {
            if (channel != null) {
                channel.close();
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    /** Whether the disk's first sector ends with the MBR boot signature 0x55 0xAA (bytes 510 and 511). */
    public static boolean hasBootSignature(Path file) {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer signature = ByteBuffer.allocate(2);
            channel.read(signature, 510);
            return signature.position() == 2 && signature.get(0) == 0x55 && signature.get(1) == (byte) 0xAA;
        } catch (IOException e) {
            return false;
        }
    }

    /** The hex SHA-256 of the first {@code length} bytes of a blob (past its end: zeros). */
    static String sha256(Blob blob, long length) {
        MessageDigest sha = sha256();
        byte[] buffer = new byte[1 << 20];
        long remaining = length;
        try (InputStream in = blob.open()) {
            int n;
            while (remaining > 0 && (n = in.read(buffer, 0, (int) Math.min(buffer.length, remaining))) > 0) {
                sha.update(buffer, 0, n);
                remaining -= n;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Arrays.fill(buffer, (byte) 0);
        while (remaining > 0) {
            int n = (int) Math.min(buffer.length, remaining);
            sha.update(buffer, 0, n);
            remaining -= n;
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
