package dev.ferry.sandbox.world;

import dev.ferry.sandbox.TestSandboxes;
import org.junit.jupiter.api.Test;

import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The realistic root disk: 8 GiB, GPT like an Ubuntu AMI, sparse, its written blocks known without reading holes. */
class UbuntuDiskTest {

    static final long GIB = 1L << 30;

    @Test
    void anUbuntuAmiLayoutStoredSparse() throws Exception {
        GeneratedDisk disk = new GeneratedDisk("root", "ubuntu-01", 8 * GIB, "ubuntu", GeneratedDisk.UBUNTU_GPT);
        Path image = new DiskImages(TestSandboxes.CACHE).path(disk);
        assertThat(Files.size(image)).isEqualTo(8 * GIB);
        try (RandomAccessFile file = new RandomAccessFile(image.toFile(), "r")) {
            byte[] mbr = read(file, 0, 512);
            assertThat(mbr[446 + 4] & 0xff).isEqualTo(0xEE);
            byte[] header = read(file, 512, 92);
            assertThat(new String(header, 0, 8, StandardCharsets.US_ASCII)).isEqualTo("EFI PART");
            ByteBuffer h = ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN);
            assertThat(h.getLong(32)).as("backup header LBA").isEqualTo(8 * GIB / 512 - 1);
            byte[] backup = read(file, 8 * GIB - 512, 8);
            assertThat(new String(backup, StandardCharsets.US_ASCII)).isEqualTo("EFI PART");
            ByteBuffer entries = ByteBuffer.wrap(read(file, 1024, 128 * 128)).order(ByteOrder.LITTLE_ENDIAN);
            assertThat(entries.getLong(32)).as("partition 1 (root) start").isEqualTo(UbuntuDisk.ROOT_START);
            assertThat(entries.getLong(13 * 128 + 32)).as("partition 14 (BIOS boot)").isEqualTo(2048);
            assertThat(entries.getLong(14 * 128 + 32)).as("partition 15 (ESP)").isEqualTo(10240);
            byte[] esp = read(file, UbuntuDisk.ESP_START * 512, 512);
            assertThat(new String(esp, 0x52, 8, StandardCharsets.US_ASCII)).isEqualTo("FAT32   ");
            byte[] superblock = read(file, UbuntuDisk.ROOT_START * 512 + 1024, 136);
            assertThat(ByteBuffer.wrap(superblock).order(ByteOrder.LITTLE_ENDIAN).getShort(0x38) & 0xffff)
                    .as("ext4 magic").isEqualTo(0xEF53);
            assertThat(new String(superblock, 0x78, 15, StandardCharsets.US_ASCII)).isEqualTo("cloudimg-rootfs");
        }
        int[] written = SnapshotBlocks.writtenBlocks(Blob.ofFile(image));
        long writtenBytes = (long) written.length * SnapshotBlocks.BLOCK_SIZE;
        System.out.println("ubuntu-gpt 8 GiB: " + written.length + " written blocks (" + writtenBytes / (1024 * 1024)
                + " MiB)");
        assertThat(writtenBytes).isBetween(22L << 20, 128L << 20);
        assertThat(written[0]).isZero();
        assertThat(written[written.length - 1]).as("the backup GPT").isEqualTo((int) (8 * GIB / (512 * 1024)) - 1);
        // the filesystem is sound
        Path e2fsck = DiskImages.findMkfs().resolveSibling("e2fsck");
        if (Files.isExecutable(e2fsck)) {
            Process check = new ProcessBuilder(e2fsck.toString(), "-fn", image + "?offset=" + UbuntuDisk.ROOT_START * 512)
                    .redirectErrorStream(true).start();
            String output = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(check.waitFor(120, TimeUnit.SECONDS)).isTrue();
            assertThat(check.exitValue()).as(output).isZero();
        }
        List<String> extents = Files.readAllLines(image.resolveSibling(image.getFileName() + ".extents"));
        assertThat(extents).isNotEmpty();
    }

    private static byte[] read(RandomAccessFile file, long offset, int length) throws Exception {
        byte[] bytes = new byte[length];
        file.seek(offset);
        file.readFully(bytes);
        return bytes;
    }
}
