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

    /** The bytes the file system holds for the file ({@code stat %b} blocks of 512). */
    private static long allocated(Path file) throws IOException, InterruptedException {
        Process stat = new ProcessBuilder("stat", "-c", "%b", file.toString()).redirectErrorStream(true).start();
        String blocks = new String(stat.getInputStream().readAllBytes()).trim();
        assertThat(stat.waitFor()).as(blocks).isZero();
        return Long.parseLong(blocks) * 512;
    }
}
