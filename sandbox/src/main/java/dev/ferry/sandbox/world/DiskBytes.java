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
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The bytes of a Linode disk in a sparse file: what was never written reads as zeros, and a 1 MiB block of
 * zeros written past the file's end is not written at all, so an 8 GiB disk costs only its data.
 */
public final class DiskBytes {

    /** What {@code dd bs=1M} moves at a time. */
    public static final int BLOCK = 1024 * 1024;
    private static final byte[] ZEROS = new byte[BLOCK];
    private static final Map<Long, String> ZERO_DIGESTS = new ConcurrentHashMap<>();

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
        if (!Files.exists(file)) {
            WrittenRanges.created(file);
        }
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
                    WrittenRanges.written(file, position, at);
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

    /**
     * The hex SHA-256 of {@code length} bytes from {@code offset}, cut at the end of the disk. What this sandbox knows it
     * never wrote ({@link WrittenRanges}) is taken as the zeros it reads as, without reading it.
     */
    public static String sha256(Path file, long diskBytes, long offset, long length) throws IOException {
        long end = Math.min(diskBytes, offset + length);
        long position = Math.min(offset, end);
        if (WrittenRanges.nextWritten(file, position).orElse(position) >= end) {
            return zeroSha256(end - position);
        }
        MessageDigest digest = sha256();
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
                // where the next bytes that may not be zeros start: past the file's end, none
                long data = position >= fileSize ? end : WrittenRanges.nextWritten(file, position).orElse(position);
                if (data > position) {
                    int zeros = (int) Math.min(want, data - position);
                    digest.update(ZEROS, 0, zeros);
                    position += zeros;
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

    /**
     * Whether {@code length} bytes from {@code offset} are all zeros, as {@code cmp} against {@code /dev/zero} says:
     * false when the disk ends before. What this sandbox never wrote is zeros without a read.
     */
    public static boolean zeros(Path file, long diskBytes, long offset, long length) throws IOException {
        long end = offset + length;
        if (end > diskBytes) {
            return false;
        }
        long position = offset;
        ByteBuffer buffer = ByteBuffer.allocate(BLOCK);
        FileChannel channel;
        try {
            channel = FileChannel.open(file, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            return true;
        }
        try (channel) {
            long fileSize = channel.size();
            while (position < Math.min(end, fileSize)) {
                long data = WrittenRanges.nextWritten(file, position).orElse(position);
                if (data > position) {
                    position = Math.min(end, data);
                    continue;
                }
                buffer.clear().limit((int) Math.min(BLOCK, Math.min(end, fileSize) - position));
                int read = channel.read(buffer, position);
                if (read <= 0) {
                    break;
                }
                if (Arrays.mismatch(buffer.array(), 0, read, ZEROS, 0, read) >= 0) {
                    return false;
                }
                position += read;
            }
        }
        return true;
    }

    /** The file of a deleted disk or volume is gone: what is made in its place is read in full until seen created. */
    static void deleted(Path file) throws IOException {
        WrittenRanges.forget(file);
        Files.deleteIfExists(file);
    }

    /** The SHA-256 of {@code length} zeros, kept per length (the helper asks for the same few lengths). */
    private static String zeroSha256(long length) {
        return ZERO_DIGESTS.computeIfAbsent(length, n -> {
            MessageDigest digest = sha256();
            for (long left = n; left > 0; left -= BLOCK) {
                digest.update(ZEROS, 0, (int) Math.min(BLOCK, left));
            }
            return HexFormat.of().formatHex(digest.digest());
        });
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
