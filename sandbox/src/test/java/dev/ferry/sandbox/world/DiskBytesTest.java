package dev.ferry.sandbox.world;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.SequenceInputStream;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;

import static org.assertj.core.api.Assertions.assertThat;

class DiskBytesTest {

    private static final int MIB = 1024 * 1024;

    @Test
    void zeroBlocksPastTheEndOfTheFileAreNotWrittenButReadAsZeros(@TempDir Path directory) throws Exception {
        Path file = directory.resolve("disk.raw");
        byte[] tail = new byte[MIB];
        Arrays.fill(tail, (byte) 7);
        byte[] zeros = new byte[32 * MIB];
        DiskBytes.Written written = DiskBytes.write(file, 64L * MIB, 0, new SequenceInputStream(
                new ByteArrayInputStream(zeros), new ByteArrayInputStream(tail)));

        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        digest.update(zeros);
        digest.update(tail);
        String expected = HexFormat.of().formatHex(digest.digest());
        assertThat(written.bytes()).isEqualTo(33L * MIB);
        assertThat(written.noSpace()).isFalse();
        assertThat(written.sha256()).isEqualTo(expected);
        assertThat(DiskBytes.sha256(file, 64L * MIB, 0, 33L * MIB)).isEqualTo(expected);
        assertThat(allocated(file)).as("bytes on disk").isLessThan(4L * MIB);
    }

    @Test
    void zerosOverWrittenDataAreWritten(@TempDir Path directory) throws Exception {
        Path file = directory.resolve("disk.raw");
        byte[] ones = new byte[2 * MIB];
        Arrays.fill(ones, (byte) 1);
        DiskBytes.write(file, 8L * MIB, 0, new ByteArrayInputStream(ones));
        DiskBytes.write(file, 8L * MIB, 0, new ByteArrayInputStream(new byte[MIB]));
        assertThat(DiskBytes.sha256(file, 8L * MIB, 0, MIB))
                .isEqualTo(DiskBytes.sha256(directory.resolve("never-written"), 8L * MIB, 0, MIB));
    }

    @Test
    void digestsOfRangesOverHolesInsideTheFileMatchItsBytes(@TempDir Path directory) throws Exception {
        Path file = directory.resolve("disk.raw");
        long disk = 16L * MIB;
        DiskBytes.write(file, disk, 12L * MIB, new ByteArrayInputStream(filled(MIB, 3)));
        DiskBytes.write(file, disk, 2L * MIB + 100, new ByteArrayInputStream(filled(MIB / 2, 4)));
        byte[] bytes = java.nio.file.Files.readAllBytes(file);

        for (long[] range : new long[][] {{0, 16L * MIB}, {0, 2L * MIB}, {3L * MIB, 9L * MIB}, {2L * MIB, MIB},
                {5L * MIB, 8L * MIB}, {12L * MIB + 7, 2L * MIB}, {15L * MIB, 4L * MIB}}) {
            assertThat(DiskBytes.sha256(file, disk, range[0], range[1]))
                    .as("%d+%d", range[0], range[1]).isEqualTo(sha256(bytes, disk, range[0], range[1]));
        }
    }

    @Test
    void aFileTheSandboxDidNotSeeMadeIsReadInFull(@TempDir Path directory) throws Exception {
        Path file = directory.resolve("kept.raw");
        byte[] earlier = new byte[8 * MIB];
        Arrays.fill(earlier, 4 * MIB, 5 * MIB, (byte) 9);
        java.nio.file.Files.write(file, earlier);
        DiskBytes.write(file, 8L * MIB, 0, new ByteArrayInputStream(filled(MIB, 1)));

        byte[] bytes = java.nio.file.Files.readAllBytes(file);
        assertThat(DiskBytes.sha256(file, 8L * MIB, 2L * MIB, 6L * MIB)).isEqualTo(sha256(bytes, 8L * MIB, 2L * MIB, 6L * MIB));

        // deleted and made again by the sandbox: known from then on, and still right
        DiskBytes.deleted(file);
        DiskBytes.write(file, 8L * MIB, 6L * MIB, new ByteArrayInputStream(filled(MIB, 2)));
        byte[] again = java.nio.file.Files.readAllBytes(file);
        assertThat(DiskBytes.sha256(file, 8L * MIB, 0, 8L * MIB)).isEqualTo(sha256(again, 8L * MIB, 0, 8L * MIB));
        assertThat(DiskBytes.sha256(file, 8L * MIB, 4L * MIB, MIB))
                .isEqualTo(DiskBytes.sha256(directory.resolve("never-written"), 8L * MIB, 0, MIB));
    }

    private static byte[] filled(int length, int value) {
        byte[] bytes = new byte[length];
        Arrays.fill(bytes, (byte) value);
        return bytes;
    }

    /** The SHA-256 of {@code [offset, offset + length)} of a disk whose file holds {@code bytes} (zeros after). */
    private static String sha256(byte[] bytes, long disk, long offset, long length) throws Exception {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        for (long at = offset; at < Math.min(disk, offset + length); at++) {
            digest.update(at < bytes.length ? bytes[(int) at] : 0);
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    /** The bytes the file system holds for the file ({@code stat %b} blocks of 512). */
    private static long allocated(Path file) throws IOException, InterruptedException {
        Process stat = new ProcessBuilder("stat", "-c", "%b", file.toString()).redirectErrorStream(true).start();
        String blocks = new String(stat.getInputStream().readAllBytes()).trim();
        assertThat(stat.waitFor()).as(blocks).isZero();
        return Long.parseLong(blocks) * 512;
    }
}
