package dev.ferry.sandbox.world;

import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32;

/**
 * A root disk laid out like a current Ubuntu AMI: a protective MBR and a GPT (backup at the end of the disk)
 * with partition 14 the BIOS boot partition (sectors 2048–10239), 15 the EFI system partition (FAT32,
 * label UEFI, 10240–227327) and 1 the ext4 root (label cloudimg-rootfs, from 227328 to the end). The image
 * file is sparse: only what was written takes space, and the ranges written are recorded beside it in
 * {@code IMAGE.extents} (from the GPT and FAT structures ferry writes and from {@code dumpe2fs}'s free
 * block lists for the ext4 part, reduced to the 512 KiB blocks that hold anything but zeros), so that
 * {@link SnapshotBlocks} lists the written blocks without reading gigabytes of holes.
 */
final class UbuntuDisk {

    static final long MIN_BYTES = 256L * 1024 * 1024;
    static final long SECTOR = 512;
    static final long BIOS_START = 2048;
    static final long ESP_START = 10240;
    static final long ROOT_START = 227328;
    static final long ESP_SECTORS = ROOT_START - ESP_START;

    private static final String LINUX_FS = "0FC63DAF-8483-4772-8E79-3D69D8477DE4";
    private static final String BIOS_BOOT = "21686148-6449-6E6F-744E-656564454649";
    private static final String EFI_SYSTEM = "C12A7328-F81F-11D2-BA4B-00A0C93EC93B";
    private static final Pattern FREE = Pattern.compile("^\\s+Free blocks: (.*)$");

    private UbuntuDisk() {
    }

    static void build(GeneratedDisk disk, String key, Path cacheDirectory, Path target) {
        Path mkfs = DiskImages.findMkfs();
        Path work = null;
        try {
            Files.createDirectories(cacheDirectory);
            work = Files.createTempDirectory(cacheDirectory, ".build-");
            Path tree = Files.createDirectory(work.resolve("tree"));
            DiskImages.writeFiles(disk, tree);
            writeUbuntuFiles(disk, tree);
            DiskImages.fixTimes(tree);
            Path image = work.resolve("disk.raw");
            long sectors = disk.imageBytes() / SECTOR;
            long lastUsable = sectors - 34;
            List<long[]> written = new ArrayList<>();
            try (RandomAccessFile file = new RandomAccessFile(image.toFile(), "rw")) {
                file.setLength(disk.imageBytes());
                writeGpt(file, sectors, key, written);
                writeEsp(file, key, written);
            }
            long rootBytes = (lastUsable - ROOT_START + 1) * SECTOR;
            String uuid = DiskImages.uuid(key);
            DiskImages.mkfs(mkfs, image, ROOT_START * SECTOR, rootBytes / 4096 * 4, uuid, "cloudimg-rootfs",
                    ",lazy_itable_init=1,lazy_journal_init=1", tree, target);
            DiskImages.pinTimes(mkfs, tree, image, work, ROOT_START * SECTOR);
            written.addAll(usedByExt4(mkfs, image, ROOT_START * SECTOR));
            List<long[]> blocks = nonZeroBlocks(image, written);
            StringBuilder extents = new StringBuilder();
            for (long[] range : blocks) {
                extents.append(range[0]).append(' ').append(range[1]).append('\n');
            }
            Path sidecar = target.resolveSibling(target.getFileName() + ".extents");
            Files.writeString(sidecar, extents.toString(), StandardCharsets.US_ASCII);
            DiskImages.publish(image, cacheDirectory, key, target);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot build disk image " + target + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while building " + target, e);
        } finally {
            if (work != null) {
                DiskImages.deleteTree(work);
            }
        }
    }

    /** What an Ubuntu root holds beyond the basics: a kernel and an initrd (incompressible), documentation (text). */
    private static void writeUbuntuFiles(GeneratedDisk disk, Path tree) throws IOException {
        Files.createDirectories(tree.resolve("home/ubuntu/.ssh"));
        Files.writeString(tree.resolve("home/ubuntu/.ssh/authorized_keys"),
                "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFerrySandboxKeyForTestsOnly0000000000000 ops@example.com\n");
        SplittableRandom random = new SplittableRandom(disk.hostname().hashCode() * 131L + 7);
        noise(tree.resolve("boot/vmlinuz-6.8.0-1015-aws"), 12 * 1024 * 1024, random);
        noise(tree.resolve("boot/initrd.img-6.8.0-1015-aws"), 6 * 1024 * 1024, random);
        Path doc = tree.resolve("usr/share/doc/ferry-sandbox/changelog");
        Files.createDirectories(doc.getParent());
        try (OutputStream out = Files.newOutputStream(doc)) {
            byte[] line = ("ferry-sandbox (1.0) noble; urgency=medium -- built for " + disk.hostname() + "\n")
                    .getBytes(StandardCharsets.UTF_8);
            for (long n = 0; n < 4L * 1024 * 1024; n += line.length) {
                out.write(line);
            }
        }
    }

    private static void noise(Path file, int bytes, SplittableRandom random) throws IOException {
        Files.createDirectories(file.getParent());
        byte[] data = new byte[bytes];
        for (int i = 0; i < data.length; i += 8) {
            long value = random.nextLong();
            for (int j = 0; j < 8 && i + j < data.length; j++) {
                data[i + j] = (byte) (value >>> (8 * j));
            }
        }
        Files.write(file, data);
    }

    private static void writeGpt(RandomAccessFile file, long sectors, String key, List<long[]> written)
            throws IOException {
        long lastUsable = sectors - 34;
        ByteBuffer entries = ByteBuffer.allocate(128 * 128).order(ByteOrder.LITTLE_ENDIAN);
        entry(entries, 0, LINUX_FS, guid(key, 1), ROOT_START, lastUsable, 0, "");
        entry(entries, 13, BIOS_BOOT, guid(key, 14), BIOS_START, ESP_START - 1, 0, "");
        entry(entries, 14, EFI_SYSTEM, guid(key, 15), ESP_START, ROOT_START - 1, 0, "");
        CRC32 crc = new CRC32();
        crc.update(entries.array());
        long entriesCrc = crc.getValue();
        byte[] mbr = new byte[512];
        // GRUB's boot.img for BIOS starts with a short jump and names itself; it loads core.img from the BIOS boot
        // partition, which is what a BIOS (and Linode's direct-disk boot) starts
        mbr[0] = (byte) 0xEB;
        mbr[1] = 0x63;
        mbr[2] = (byte) 0x90;
        byte[] grub = "GRUB \0Geom\0Hard Disk\0Read\0 Error\r\n".getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(grub, 0, mbr, 0x180, grub.length);
        mbr[446 + 1] = 0x00;
        mbr[446 + 2] = 0x02;
        mbr[446 + 4] = (byte) 0xEE;
        mbr[446 + 5] = (byte) 0xFF;
        mbr[446 + 6] = (byte) 0xFF;
        mbr[446 + 7] = (byte) 0xFF;
        ByteBuffer.wrap(mbr).order(ByteOrder.LITTLE_ENDIAN).putInt(446 + 8, 1)
                .putInt(446 + 12, (int) Math.min(sectors - 1, 0xFFFFFFFFL));
        mbr[510] = 0x55;
        mbr[511] = (byte) 0xAA;
        file.seek(0);
        file.write(mbr);
        file.seek(SECTOR);
        file.write(header(1, sectors - 1, 2, lastUsable, key, entriesCrc));
        file.seek(2 * SECTOR);
        file.write(entries.array());
        written.add(new long[] {0, 34 * SECTOR});
        file.seek((sectors - 33) * SECTOR);
        file.write(entries.array());
        file.seek((sectors - 1) * SECTOR);
        file.write(header(sectors - 1, 1, sectors - 33, lastUsable, key, entriesCrc));
        written.add(new long[] {(sectors - 33) * SECTOR, 33 * SECTOR});
    }

    private static byte[] header(long current, long backup, long entriesLba, long lastUsable, String key, long crc) {
        ByteBuffer h = ByteBuffer.allocate(512).order(ByteOrder.LITTLE_ENDIAN);
        h.put("EFI PART".getBytes(StandardCharsets.US_ASCII)).putInt(0x00010000).putInt(92).putInt(0).putInt(0);
        h.putLong(current).putLong(backup).putLong(34).putLong(lastUsable).put(guid(key, 0)).putLong(entriesLba)
                .putInt(128).putInt(128).putInt((int) crc);
        CRC32 headerCrc = new CRC32();
        headerCrc.update(h.array(), 0, 92);
        h.putInt(16, (int) headerCrc.getValue());
        return h.array();
    }

    private static void entry(ByteBuffer entries, int slot, String type, byte[] unique, long first, long last,
                              long attributes, String name) {
        int at = slot * 128;
        entries.position(at);
        entries.put(guidBytes(type)).put(unique).putLong(first).putLong(last).putLong(attributes);
        entries.put(name.getBytes(StandardCharsets.UTF_16LE));
    }

    /** A GUID in the GPT's byte order: the first three fields little-endian. */
    static byte[] guidBytes(String text) {
        byte[] b = HexFormat.of().parseHex(text.replace("-", ""));
        return new byte[] {b[3], b[2], b[1], b[0], b[5], b[4], b[7], b[6], b[8], b[9], b[10], b[11], b[12], b[13],
                b[14], b[15]};
    }

    private static byte[] guid(String key, int n) {
        String hex = Integer.toHexString(n);
        String seed = (key + "0".repeat(8)).substring(0, 32 - hex.length()) + hex;
        return guidBytes(seed);
    }

    /** An empty FAT32 filesystem labelled UEFI over the EFI system partition. */
    private static void writeEsp(RandomAccessFile file, String key, List<long[]> written) throws IOException {
        int reserved = 32;
        long fatSectors = (ESP_SECTORS - reserved + 128) / 129; // 1 sector per cluster, two FATs of 4-byte entries
        ByteBuffer boot = ByteBuffer.allocate(512).order(ByteOrder.LITTLE_ENDIAN);
        boot.put(new byte[] {(byte) 0xEB, 0x58, (byte) 0x90}).put("mkfs.fat".getBytes(StandardCharsets.US_ASCII));
        boot.putShort((short) 512).put((byte) 1).putShort((short) reserved).put((byte) 2).putShort((short) 0)
                .putShort((short) 0).put((byte) 0xF8).putShort((short) 0).putShort((short) 32).putShort((short) 64)
                .putInt((int) ESP_START).putInt((int) ESP_SECTORS).putInt((int) fatSectors).putShort((short) 0)
                .putShort((short) 0).putInt(2).putShort((short) 1).putShort((short) 6);
        boot.position(0x40);
        boot.put((byte) 0x80).put((byte) 0).put((byte) 0x29).putInt((int) Long.parseLong(key.substring(0, 8), 16))
                .put("UEFI       ".getBytes(StandardCharsets.US_ASCII))
                .put("FAT32   ".getBytes(StandardCharsets.US_ASCII));
        boot.put(510, (byte) 0x55).put(511, (byte) 0xAA);
        ByteBuffer info = ByteBuffer.allocate(512).order(ByteOrder.LITTLE_ENDIAN);
        long clusters = ESP_SECTORS - reserved - 2 * fatSectors;
        info.putInt(0, 0x41615252).putInt(0x1E4, 0x61417272).putInt(0x1E8, (int) (clusters - 1)).putInt(0x1EC, 3)
                .putInt(0x1FC, 0xAA550000);
        long base = ESP_START * SECTOR;
        for (long copy : new long[] {0, 6}) {
            file.seek(base + copy * SECTOR);
            file.write(boot.array());
            file.write(info.array());
        }
        ByteBuffer fat = ByteBuffer.allocate(512).order(ByteOrder.LITTLE_ENDIAN);
        fat.putInt(0x0FFFFFF8).putInt(0x0FFFFFFF).putInt(0x0FFFFFFF);
        for (int n = 0; n < 2; n++) {
            file.seek(base + (reserved + n * fatSectors) * SECTOR);
            file.write(fat.array());
        }
        byte[] label = new byte[32];
        System.arraycopy("UEFI       ".getBytes(StandardCharsets.US_ASCII), 0, label, 0, 11);
        label[11] = 0x08;
        long rootDir = base + (reserved + 2 * fatSectors) * SECTOR;
        file.seek(rootDir);
        file.write(label);
        written.add(new long[] {base, (reserved + 2 * fatSectors + 1) * SECTOR});
    }

    /** The byte ranges of the image that ext4 counts as in use (everything not in a free-block list). */
    private static List<long[]> usedByExt4(Path mkfs, Path image, long offset) throws IOException, InterruptedException {
        Path dumpe2fs = mkfs.resolveSibling("dumpe2fs");
        ProcessBuilder builder = new ProcessBuilder(dumpe2fs.toString(), image + "?offset=" + offset);
        builder.redirectError(ProcessBuilder.Redirect.DISCARD);
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(120, TimeUnit.SECONDS) || process.exitValue() != 0) {
            process.destroyForcibly();
            throw new IllegalStateException("dumpe2fs failed on " + image + " (it comes with mkfs.ext4 in e2fsprogs)");
        }
        long blockSize = 0;
        long blockCount = 0;
        List<long[]> free = new ArrayList<>();
        for (String line : output.split("\n")) {
            if (line.startsWith("Block size:")) {
                blockSize = Long.parseLong(line.substring(11).trim());
            } else if (line.startsWith("Block count:")) {
                blockCount = Long.parseLong(line.substring(12).trim());
            }
            Matcher m = FREE.matcher(line);
            if (m.matches() && !m.group(1).isBlank()) {
                for (String part : m.group(1).split(",")) {
                    String[] ends = part.trim().split("-");
                    long from = Long.parseLong(ends[0]);
                    long to = ends.length > 1 ? Long.parseLong(ends[1]) : from;
                    free.add(new long[] {from, to});
                }
            }
        }
        if (blockSize == 0 || blockCount == 0) {
            throw new IllegalStateException("dumpe2fs printed no block size or count for " + image);
        }
        free.sort((a, b) -> Long.compare(a[0], b[0]));
        List<long[]> used = new ArrayList<>();
        long next = 0;
        for (long[] range : free) {
            if (range[0] > next) {
                used.add(new long[] {offset + next * blockSize, (range[0] - next) * blockSize});
            }
            next = Math.max(next, range[1] + 1);
        }
        if (next < blockCount) {
            used.add(new long[] {offset + next * blockSize, (blockCount - next) * blockSize});
        }
        return used;
    }

    /** The 512 KiB blocks, as byte ranges, within {@code ranges} that hold anything but zeros. */
    private static List<long[]> nonZeroBlocks(Path image, List<long[]> ranges) throws IOException {
        int block = SnapshotBlocks.BLOCK_SIZE;
        java.util.TreeSet<Long> candidates = new java.util.TreeSet<>();
        for (long[] range : ranges) {
            for (long b = range[0] / block; b <= (range[0] + range[1] - 1) / block; b++) {
                candidates.add(b);
            }
        }
        List<long[]> result = new ArrayList<>();
        ByteBuffer buffer = ByteBuffer.allocateDirect(block);
        ByteBuffer zeros = ByteBuffer.allocateDirect(block);
        try (FileChannel channel = FileChannel.open(image, StandardOpenOption.READ)) {
            for (long b : candidates) {
                buffer.clear();
                while (buffer.hasRemaining() && channel.read(buffer, b * block + buffer.position()) >= 0) {
                    // fill the block
                }
                buffer.flip();
                if (buffer.mismatch(zeros.clear().limit(buffer.limit())) >= 0) {
                    long[] last = result.isEmpty() ? null : result.get(result.size() - 1);
                    if (last != null && last[0] + last[1] == b * block) {
                        last[1] += block;
                    } else {
                        result.add(new long[] {b * block, block});
                    }
                }
            }
        }
        return result;
    }
}
