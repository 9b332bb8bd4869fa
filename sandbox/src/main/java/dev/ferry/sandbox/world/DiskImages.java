package dev.ferry.sandbox.world;

import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static java.util.Objects.requireNonNull;

/**
 * Builds the disk images behind the sandbox's volumes: a raw disk with an MBR partition table and one
 * Linux partition at 1 MiB holding an ext4 filesystem made by {@code mkfs.ext4 -d} from a few files.
 * Images are built on first use and cached by content spec; the same spec gives the same bytes.
 */
public final class DiskImages {

    private static final String GENERATOR_VERSION = "1";
    private static final long PARTITION_OFFSET = 1024 * 1024;
    private static final Instant FIXED_TIME = Instant.parse("2025-01-01T00:00:00Z");
    private static final Map<String, Object> LOCKS = new ConcurrentHashMap<>();

    private final Path cacheDirectory;

    public DiskImages(Path cacheDirectory) {
        this.cacheDirectory = requireNonNull(cacheDirectory, "cacheDirectory is null").toAbsolutePath();
    }

    public Path cacheDirectory() {
        return cacheDirectory;
    }

    /** The bytes of a disk source, building the image first if needed. */
    public Blob blob(DiskSource source) {
        if (source.blob() != null) {
            return source.blob();
        }
        if (source.file() != null) {
            Path file = Path.of(source.file());
            if (!Files.isRegularFile(file)) {
                throw new IllegalStateException("disk image file " + file + " does not exist");
            }
            return Blob.ofFile(file);
        }
        return Blob.ofFile(path(source.generated()));
    }

    /** The cached image file for {@code disk}, built now if it is not in the cache yet. */
    public Path path(GeneratedDisk disk) {
        String key = key(disk);
        Path target = cacheDirectory.resolve(disk.kind() + "-" + sanitize(disk.hostname()) + "-"
                + (disk.distribution() == null ? "" : disk.distribution() + "-")
                + (disk.layout() == null ? "" : disk.layout() + "-")
                + disk.imageBytes() / (1024 * 1024) + "MiB-" + key + ".raw");
        if (Files.isRegularFile(target)) {
            return target;
        }
        synchronized (LOCKS.computeIfAbsent(target.toString(), k -> new Object())) {
            if (Files.isRegularFile(target)) {
                return target;
            }
            build(disk, key, target);
            return target;
        }
    }

    private void build(GeneratedDisk disk, String key, Path target) {
        if (GeneratedDisk.UBUNTU_GPT.equals(disk.layout())) {
            UbuntuDisk.build(disk, key, cacheDirectory, target);
            return;
        }
        Path mkfs = findMkfs();
        Path work = null;
        try {
            Files.createDirectories(cacheDirectory);
            work = Files.createTempDirectory(cacheDirectory, ".build-");
            Path tree = Files.createDirectory(work.resolve("tree"));
            writeFiles(disk, tree);
            Path image = work.resolve("disk.raw");
            try (RandomAccessFile file = new RandomAccessFile(image.toFile(), "rw")) {
                file.setLength(disk.imageBytes());
                file.seek(0);
                file.write(masterBootRecord(disk.imageBytes(), key));
            }
            String uuid = uuid(key);
            long filesystemKiB = (disk.imageBytes() - PARTITION_OFFSET) / 1024;
            mkfs(mkfs, image, PARTITION_OFFSET, filesystemKiB, uuid, disk.kind().equals("root") ? "rootfs" : "data",
                    "", tree, target);
            pinTimes(mkfs, tree, image, work, PARTITION_OFFSET);
            publish(image, cacheDirectory, key, target);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot build disk image " + target + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while building " + target, e);
        } finally {
            if (work != null) {
                deleteTree(work);
            }
        }
    }

    static String uuid(String key) {
        return key.substring(0, 8) + "-" + key.substring(8, 12) + "-4" + key.substring(13, 16) + "-8"
                + key.substring(17, 20) + "-" + key.substring(20, 32);
    }

    /** Runs mkfs.ext4 -d over {@code tree} into {@code image} at {@code offset}, {@code kib} KiB long. */
    static void mkfs(Path mkfs, Path image, long offset, long kib, String uuid, String label, String extended,
                     Path tree, Path target) throws IOException, InterruptedException {
        List<String> command = List.of(mkfs.toString(), "-F", "-q",
                "-E", "offset=" + offset + ",nodiscard,hash_seed=" + uuid + extended,
                "-U", uuid, "-L", label, "-d", tree.toString(), image.toString(), kib + "k");
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("E2FSPROGS_FAKE_TIME", Long.toString(FIXED_TIME.getEpochSecond()));
        // e2fsprogs 1.47.1 and later clamp the inodes' times to it; 1.47.0 copies each file's ctime as it is
        builder.environment().put("SOURCE_DATE_EPOCH", Long.toString(FIXED_TIME.getEpochSecond()));
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("mkfs.ext4 did not finish within 2 minutes building " + target);
        }
        if (process.exitValue() != 0) {
            throw new IllegalStateException("mkfs.ext4 failed (exit " + process.exitValue() + ") building "
                    + target + ": " + output.trim());
        }
    }

    /**
     * Sets every copied file's times to {@link #FIXED_TIME} with debugfs (beside mkfs.ext4, in e2fsprogs):
     * mke2fs 1.47.0 copies each file's change time, which no program can set, so without this two builds of
     * one spec in different seconds differ. Later versions clamp the times themselves; this is then a no-op.
     */
    static void pinTimes(Path mkfs, Path tree, Path image, Path work, long offset)
            throws IOException, InterruptedException {
        Path debugfs = mkfs.resolveSibling("debugfs");
        if (!Files.isExecutable(debugfs)) {
            return;
        }
        List<String> commands = new ArrayList<>();
        try (Stream<Path> paths = Files.walk(tree)) {
            for (Path path : paths.filter(p -> !p.equals(tree)).sorted().toList()) {
                String inside = "/" + tree.relativize(path).toString().replace('\\', '/');
                for (String field : List.of("atime", "mtime", "ctime")) {
                    commands.add("sif " + inside + " " + field + " @" + FIXED_TIME.getEpochSecond());
                }
            }
        }
        Path script = work.resolve("pin-times");
        Files.write(script, commands);
        ProcessBuilder builder = new ProcessBuilder(debugfs.toString(), "-w", "-f", script.toString(),
                image + "?offset=" + offset).redirectErrorStream(true);
        builder.environment().put("E2FSPROGS_FAKE_TIME", Long.toString(FIXED_TIME.getEpochSecond()));
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("debugfs did not finish within 2 minutes pinning the times of " + image);
        }
        if (process.exitValue() != 0) {
            throw new IllegalStateException("debugfs failed (exit " + process.exitValue() + ") on " + image + ": " + output.trim());
        }
    }

    /** Locates mkfs.ext4, which is often in /usr/sbin even when that is not on the PATH. */
    static Path findMkfs() {
        List<Path> candidates = new ArrayList<>();
        String pathVariable = System.getenv("PATH");
        if (pathVariable != null) {
            for (String dir : pathVariable.split(java.io.File.pathSeparator)) {
                if (!dir.isEmpty()) {
                    candidates.add(Path.of(dir, "mkfs.ext4"));
                }
            }
        }
        candidates.add(Path.of("/usr/sbin/mkfs.ext4"));
        candidates.add(Path.of("/sbin/mkfs.ext4"));
        return findMkfs(candidates);
    }

    static Path findMkfs(List<Path> candidates) {
        for (Path candidate : candidates) {
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("mkfs.ext4 was not found (looked on the PATH, in /usr/sbin and /sbin): "
                + "the sandbox builds its disk images with it; install the e2fsprogs package "
                + "(e.g. apt-get install e2fsprogs) or give the volume a disk_image file");
    }

    static void writeFiles(GeneratedDisk disk, Path tree) throws IOException {
        String host = disk.hostname();
        if (disk.kind().equals("root")) {
            write(tree, "etc/hostname", host + "\n");
            write(tree, "etc/os-release", osRelease(disk.distribution()));
            write(tree, "etc/fstab", "LABEL=rootfs  /  ext4  defaults,noatime  1 1\n");
            write(tree, "etc/motd", "Welcome to " + host + ". This disk was built by the ferry sandbox.\n");
            write(tree, "home/ec2-user/.bash_profile", "export PATH=$PATH:$HOME/bin\n");
            write(tree, "home/ec2-user/.ssh/authorized_keys",
                    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFerrySandboxKeyForTestsOnly0000000000000 ops@example.com\n");
            write(tree, "var/www/html/index.html", "<!doctype html>\n<title>" + host + "</title>\n<h1>Hello from "
                    + host + "</h1>\n");
            StringBuilder log = new StringBuilder();
            for (int i = 0; i < 400; i++) {
                log.append("Nov  2 09:").append(String.format("%02d:%02d", (i / 60) % 60, i % 60)).append(' ')
                        .append(host).append(" systemd[1]: Started session ").append(i).append(" of user ec2-user.\n");
            }
            write(tree, "var/log/messages", log.toString());
        } else {
            write(tree, "README", "Data volume of " + host + ", built by the ferry sandbox.\n");
            StringBuilder rows = new StringBuilder("id,name,created\n");
            for (int i = 0; i < 2000; i++) {
                rows.append(i).append(",customer-").append(i).append(",2024-11-0").append(1 + i % 9).append('\n');
            }
            write(tree, "db/customers.csv", rows.toString());
        }
        // Incompressible bytes as well, so compressed sizes and transfer rates mean something.
        int randomBytes = (int) Math.min(1024 * 1024, disk.imageBytes() / 16);
        byte[] noise = new byte[randomBytes];
        SplittableRandom random = new SplittableRandom(host.hashCode() * 31L + disk.kind().hashCode());
        for (int i = 0; i < noise.length; i += 8) {
            long value = random.nextLong();
            for (int j = 0; j < 8 && i + j < noise.length; j++) {
                noise[i + j] = (byte) (value >>> (8 * j));
            }
        }
        Path blob = tree.resolve(disk.kind().equals("root") ? "var/lib/app/state.bin" : "db/pages.bin");
        Files.createDirectories(blob.getParent());
        try (OutputStream out = Files.newOutputStream(blob)) {
            out.write(noise);
        }
        fixTimes(tree);
    }

    /** {@code /etc/os-release} as each distribution ships it (the lines that identify it). */
    static String osRelease(String distribution) {
        if (distribution == null) {
            return """
                    NAME="Amazon Linux"
                    VERSION="2"
                    ID="amzn"
                    ID_LIKE="centos rhel fedora"
                    VERSION_ID="2"
                    PRETTY_NAME="Amazon Linux 2"
                    HOME_URL="https://amazonlinux.com/"
                    """;
        }
        return switch (distribution) {
            case "amzn" -> osRelease(null);
            case "amzn2023" -> release("Amazon Linux", "amzn", "fedora", "2023", "Amazon Linux 2023");
            case "ubuntu" -> release("Ubuntu", "ubuntu", "debian", "22.04", "Ubuntu 22.04.4 LTS");
            case "debian" -> release("Debian GNU/Linux", "debian", null, "12", "Debian GNU/Linux 12 (bookworm)");
            case "rhel" -> release("Red Hat Enterprise Linux", "rhel", "fedora", "8.9",
                    "Red Hat Enterprise Linux 8.9 (Ootpa)");
            case "centos" -> release("CentOS Linux", "centos", "rhel fedora", "7", "CentOS Linux 7 (Core)");
            case "ol" -> release("Oracle Linux Server", "ol", "fedora", "8.9", "Oracle Linux Server 8.9");
            case "sles" -> release("SLES", "sles", "suse", "15-SP5", "SUSE Linux Enterprise Server 15 SP5");
            default -> throw new IllegalArgumentException("unknown distribution " + distribution);
        };
    }

    private static String release(String name, String id, String like, String version, String pretty) {
        return "NAME=\"" + name + "\"\nID=\"" + id + "\"\n" + (like == null ? "" : "ID_LIKE=\"" + like + "\"\n")
                + "VERSION_ID=\"" + version + "\"\nPRETTY_NAME=\"" + pretty + "\"\n";
    }

    private static void write(Path tree, String relative, String content) throws IOException {
        Path file = tree.resolve(relative);
        Files.createDirectories(file.getParent());
        Files.writeString(file, content);
    }

    static void fixTimes(Path tree) throws IOException {
        FileTime time = FileTime.from(FIXED_TIME);
        Files.walkFileTree(tree, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.getFileAttributeView(file, BasicFileAttributeView.class).setTimes(time, time, null);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
                Files.getFileAttributeView(dir, BasicFileAttributeView.class).setTimes(time, time, null);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    /** An MBR with one Linux (0x83) partition from sector 2048 to the end of the disk. */
    static byte[] masterBootRecord(long diskBytes, String key) {
        byte[] sector = new byte[512];
        long signature = Long.parseLong(key.substring(0, 8), 16);
        putInt(sector, 440, (int) signature);
        int entry = 446;
        sector[entry] = (byte) 0x80; // bootable
        sector[entry + 1] = (byte) 0xFE; // CHS start: beyond CHS range, use LBA
        sector[entry + 2] = (byte) 0xFF;
        sector[entry + 3] = (byte) 0xFF;
        sector[entry + 4] = (byte) 0x83;
        sector[entry + 5] = (byte) 0xFE;
        sector[entry + 6] = (byte) 0xFF;
        sector[entry + 7] = (byte) 0xFF;
        long start = PARTITION_OFFSET / 512;
        long count = diskBytes / 512 - start;
        putInt(sector, entry + 8, (int) start);
        putInt(sector, entry + 12, (int) count);
        sector[510] = 0x55;
        sector[511] = (byte) 0xAA;
        return sector;
    }

    private static void putInt(byte[] bytes, int offset, int value) {
        bytes[offset] = (byte) value;
        bytes[offset + 1] = (byte) (value >>> 8);
        bytes[offset + 2] = (byte) (value >>> 16);
        bytes[offset + 3] = (byte) (value >>> 24);
    }

    static String key(GeneratedDisk disk) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            // Amazon Linux 2 disks keep the key they had before distributions existed, and with it their cache.
            sha.update((GENERATOR_VERSION + "|" + disk.kind() + "|" + disk.hostname() + "|" + disk.imageBytes()
                    + (disk.distribution() == null ? "" : "|" + disk.distribution())
                    + (disk.layout() == null ? "" : "|" + disk.layout())
                    // the Ubuntu layout's second revision has GRUB's boot code in its protective MBR
                    + (GeneratedDisk.UBUNTU_GPT.equals(disk.layout()) ? "|r2" : "")).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(sha.digest()).substring(0, 32);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String sanitize(String name) {
        return name.replaceAll("[^A-Za-z0-9._-]", "_");
    }

    /**
     * Moves a finished {@code image} into the cache as {@code target}: beside it first, then atomically into
     * place, so a reader never sees half an image and two builders of the same key never clash.
     */
    static void publish(Path image, Path cacheDirectory, String key, Path target) throws IOException {
        Path partial = cacheDirectory.resolve(".partial-" + key + "-" + ProcessHandle.current().pid());
        Files.move(image, partial, StandardCopyOption.REPLACE_EXISTING);
        try {
            Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    static void deleteTree(Path root) {
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
                    Files.deleteIfExists(dir);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            // leftovers in the cache's temporary directory are harmless
        }
    }
}
