package dev.ferry.sandbox.world;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.security.MessageDigest;
import java.util.HexFormat;

import static org.assertj.core.api.Assertions.assertThat;

class DiskImagesTest {

    @TempDir
    Path first;
    @TempDir
    Path second;

    @Test
    void buildsAPartitionedDiskWithAnExt4FilesystemAtOneMebibyte() throws IOException {
        GeneratedDisk spec = new GeneratedDisk("root", "web-01", 16L * 1024 * 1024);
        Path image = new DiskImages(first).path(spec);
        assertThat(Files.size(image)).isEqualTo(16L * 1024 * 1024);
        try (RandomAccessFile file = new RandomAccessFile(image.toFile(), "r")) {
            byte[] mbr = new byte[512];
            file.readFully(mbr);
            assertThat(mbr[510] & 0xff).isEqualTo(0x55);
            assertThat(mbr[511] & 0xff).isEqualTo(0xAA);
            assertThat(mbr[446 + 4] & 0xff).isEqualTo(0x83);
            int start = (mbr[454] & 0xff) | (mbr[455] & 0xff) << 8 | (mbr[456] & 0xff) << 16;
            assertThat(start).isEqualTo(2048);
            file.seek(1024 * 1024 + 1024 + 56);
            int magic = file.readUnsignedByte() | file.readUnsignedByte() << 8;
            assertThat(magic).isEqualTo(0xEF53);
        }
        String contents = new String(Files.readAllBytes(image), StandardCharsets.ISO_8859_1);
        assertThat(contents).contains("Hello from web-01").contains("Amazon Linux 2");
    }

    @Test
    void theSameSpecGivesTheSameBytesAndIsBuiltOnce() throws Exception {
        GeneratedDisk spec = new GeneratedDisk("data", "db-01", 8L * 1024 * 1024);
        Path a = new DiskImages(first).path(spec);
        long built = Files.getLastModifiedTime(a).toMillis();
        assertThat(new DiskImages(first).path(spec)).isEqualTo(a);
        assertThat(Files.getLastModifiedTime(a).toMillis()).isEqualTo(built);
        // in another second: the files' times must not leak into the image (e2fsprogs 1.47.0 copies them)
        long second0 = Instant.now().getEpochSecond();
        while (Instant.now().getEpochSecond() == second0) {
            Thread.sleep(20);
        }
        Path b = new DiskImages(second).path(spec);
        assertThat(sha256(b)).isEqualTo(sha256(a));
        assertThat(sha256(new DiskImages(second).path(new GeneratedDisk("data", "db-02", 8L * 1024 * 1024))))
                .isNotEqualTo(sha256(a));
    }

    @Test
    void namesThePackageToInstallWhenMkfsIsMissing() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> DiskImages.findMkfs(
                java.util.List.of(first.resolve("mkfs.ext4"))))
                .hasMessageContaining("mkfs.ext4 was not found").hasMessageContaining("e2fsprogs");
    }

    private static String sha256(Path file) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }
}
