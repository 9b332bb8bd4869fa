package dev.ferry.sandbox.world;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import static java.util.Objects.requireNonNull;

/**
 * Writes the disk image files vCenter exports of a VM: OVA, stream-optimized VMDK or raw. A disk's VMDK is
 * built once from its content and kept in the disk image cache (keyed by the content and the capacity), so
 * an export is mostly a copy of a few MiB.
 */
final class VmImages {

    private static final String WRITER_VERSION = "1";
    private static final Instant FIXED_TIME = Instant.parse("2025-01-01T00:00:00Z");
    private static final Map<String, Object> LOCKS = new ConcurrentHashMap<>();

    private final DiskImages disks;

    VmImages(DiskImages disks) {
        this.disks = requireNonNull(disks, "disks is null");
    }

    /**
     * Writes {@code vm}'s image to {@code target} (replaced if it exists). OVA holds every disk; VMDK and RAW
     * hold disk {@code diskNumber} (1 is the boot disk).
     */
    Path export(VirtualMachine vm, int diskNumber, Path target, VmImageFormat format) {
        requireNonNull(target, "target is null");
        if (diskNumber < 1 || diskNumber > vm.disks().size()) {
            throw new IllegalArgumentException("VM " + vm.name() + " has " + vm.disks().size() + " disk(s), not a disk "
                    + diskNumber);
        }
        Path absolute = target.toAbsolutePath();
        Path partial = absolute.resolveSibling("." + absolute.getFileName() + ".partial");
        try {
            Files.createDirectories(absolute.getParent());
            switch (format) {
                case OVA -> writeOva(vm, partial);
                case VMDK -> Files.copy(vmdk(vm, diskNumber - 1), partial, StandardCopyOption.REPLACE_EXISTING);
                case RAW -> writeRaw(vm.disks().get(diskNumber - 1), partial);
            }
            move(partial, absolute);
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the " + format + " image of VM " + vm.name() + " to " + target
                    + ": " + e.getMessage(), e);
        } finally {
            try {
                Files.deleteIfExists(partial);
            } catch (IOException e) {
                // nothing more to do about a leftover partial file
            }
        }
    }

    /** The OVA: descriptor first, then the manifest, then the disks in the descriptor's order. */
    private void writeOva(VirtualMachine vm, Path target) throws IOException {
        String base = fileName(vm.name());
        List<Path> vmdks = new ArrayList<>();
        List<OvfWriter.DiskFile> files = new ArrayList<>();
        for (int i = 0; i < vm.disks().size(); i++) {
            Path vmdk = vmdk(vm, i);
            vmdks.add(vmdk);
            VirtualMachine.Disk disk = vm.disks().get(i);
            files.add(new OvfWriter.DiskFile(base + "-disk" + (i + 1) + ".vmdk", Files.size(vmdk), disk.capacityBytes(),
                    disks.blob(disk.content()).size()));
        }
        byte[] ovf = OvfWriter.descriptor(vm, files).getBytes(StandardCharsets.UTF_8);
        StringBuilder manifest = new StringBuilder("SHA256(" + base + ".ovf)= " + sha256(ovf) + "\n");
        for (int i = 0; i < vmdks.size(); i++) {
            manifest.append("SHA256(").append(files.get(i).href()).append(")= ").append(sha256(vmdks.get(i)))
                    .append('\n');
        }
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(target), 256 * 1024)) {
            TarWriter tar = new TarWriter(out, FIXED_TIME);
            tar.add(base + ".ovf", ovf);
            tar.add(base + ".mf", manifest.toString().getBytes(StandardCharsets.UTF_8));
            for (int i = 0; i < vmdks.size(); i++) {
                try (InputStream in = Files.newInputStream(vmdks.get(i))) {
                    tar.add(files.get(i).href(), Files.size(vmdks.get(i)), in);
                }
            }
            tar.finish();
        }
    }

    /** The raw disk at its full capacity, as a sparse file: the content, then a hole. */
    private void writeRaw(VirtualMachine.Disk disk, Path target) throws IOException {
        Blob content = disks.blob(disk.content());
        try (RandomAccessFile file = new RandomAccessFile(target.toFile(), "rw");
             InputStream in = content.open()) {
            file.setLength(0);
            byte[] buffer = new byte[256 * 1024];
            int n;
            while ((n = in.read(buffer)) > 0) {
                file.write(buffer, 0, n);
            }
            file.setLength(disk.capacityBytes());
        }
    }

    /** The cached stream-optimized VMDK of disk {@code index}, built now if it is not in the cache yet. */
    Path vmdk(VirtualMachine vm, int index) throws IOException {
        VirtualMachine.Disk disk = vm.disks().get(index);
        Blob content = disks.blob(disk.content());
        String extent = fileName(vm.name()) + "-disk" + (index + 1) + ".vmdk";
        int hardware = Integer.parseInt(vm.hardwareVersion().substring(4));
        String key = sha256((WRITER_VERSION + "|" + content.segments() + "|" + modified(content) + "|"
                + disk.capacityBytes() + "|" + extent + "|" + hardware).getBytes(StandardCharsets.UTF_8)).substring(0, 32);
        Path cached = disks.cacheDirectory().resolve("vm-" + extent.replace(".vmdk", "") + "-" + key + ".vmdk");
        if (Files.isRegularFile(cached)) {
            return cached;
        }
        synchronized (LOCKS.computeIfAbsent(cached.toString(), k -> new Object())) {
            if (Files.isRegularFile(cached)) {
                return cached;
            }
            Files.createDirectories(cached.getParent());
            Path partial = cached.resolveSibling(".partial-" + key + "-" + ProcessHandle.current().pid());
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(partial), 256 * 1024);
                 InputStream in = content.open()) {
                StreamOptimizedVmdk.write(in, content.size(), disk.capacityBytes(), extent, hardware, out);
            } catch (IOException | RuntimeException e) {
                Files.deleteIfExists(partial);
                throw e;
            }
            move(partial, cached);
            return cached;
        }
    }

    /** When the content's files last changed, so that a rebuilt or replaced raw file gets a new VMDK. */
    private static String modified(Blob content) throws IOException {
        StringBuilder stamps = new StringBuilder();
        for (BlobSegment segment : content.segments()) {
            if (!segment.isZeros()) {
                stamps.append(Files.getLastModifiedTime(Path.of(segment.path())).toMillis()).append(',');
            }
        }
        return stamps.toString();
    }

    /** A VM name as a file name inside the OVA. */
    static String fileName(String vmName) {
        String safe = vmName.replaceAll("[^A-Za-z0-9._-]", "_");
        return safe.length() > 80 ? safe.substring(0, 80) : safe;
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static String sha256(byte[] bytes) {
        return HexFormat.of().formatHex(digest().digest(bytes));
    }

    private static String sha256(Path file) throws IOException {
        MessageDigest sha = digest();
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), sha)) {
            in.transferTo(OutputStream.nullOutputStream());
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    private static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
