package dev.ferry.provider.vsphere.bench;

import dev.ferry.provider.vsphere.FileByteSource;
import dev.ferry.provider.vsphere.image.DiskImageInspector;
import dev.ferry.provider.vsphere.image.InspectedImage;
import dev.ferry.provider.vsphere.testing.ImageFixtures;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Prints how long ferry takes to inspect a large OVA (headers and footers only) and how fast the
 * file opener streams a disk image in parallel ranges. Asserts nothing.
 *
 * <pre>java -cp ... dev.ferry.provider.vsphere.bench.ImageBenchmark [STREAM_MIB=1024] [PARTS_MIB=64] [THREADS=4]</pre>
 */
public final class ImageBenchmark {

    private ImageBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        long streamMib = args.length > 0 ? Long.parseLong(args[0]) : 1024;
        int partMib = args.length > 1 ? Integer.parseInt(args[1]) : 64;
        int threads = args.length > 2 ? Integer.parseInt(args[2]) : 4;
        Path dir = Files.createTempDirectory("ferry-image-bench");
        try {
            Path ova = sparseOva(dir.resolve("big.ova"), 100L << 30);
            DiskImageInspector.inspect(ova); // warm up
            int rounds = 200;
            long start = System.nanoTime();
            InspectedImage image = null;
            for (int i = 0; i < rounds; i++) {
                image = DiskImageInspector.inspect(ova);
            }
            double perInspect = (System.nanoTime() - start) / 1e6 / rounds;
            System.out.printf(Locale.ROOT, "inspect an %s (100 GiB disk member, sparse): %.2f ms per inspection over %d rounds%n",
                    image.describe(), perInspect, rounds);

            Path disk = dir.resolve("disk.img");
            byte[] block = new byte[1 << 20];
            new java.util.Random(1).nextBytes(block);
            try (var out = Files.newOutputStream(disk)) {
                for (long i = 0; i < streamMib; i++) {
                    out.write(block);
                }
            }
            FileByteSource source = new FileByteSource(disk, Files.size(disk));
            for (int round = 1; round <= 2; round++) {
                long began = System.nanoTime();
                long read = readAll(source, (long) partMib << 20, threads);
                double seconds = (System.nanoTime() - began) / 1e9;
                System.out.printf(Locale.ROOT, "stream %d MiB in %d MiB ranges on %d threads (round %d, page cache %s): %.0f MiB/s%n",
                        read >> 20, partMib, threads, round, round == 1 ? "as written" : "warm", (read >> 20) / seconds);
            }
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            }
        }
    }

    private static long readAll(FileByteSource source, long part, int threads) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<Long>> parts = new ArrayList<>();
            for (long offset = 0; offset < source.size(); offset += part) {
                long from = offset;
                long length = Math.min(part, source.size() - offset);
                parts.add(pool.submit(() -> {
                    long total = 0;
                    byte[] buffer = new byte[1 << 16];
                    try (InputStream in = source.openRange(from, length)) {
                        for (int n; (n = in.read(buffer)) > 0; ) {
                            total += n;
                        }
                    }
                    return total;
                }));
            }
            long total = 0;
            for (Future<Long> future : parts) {
                total += future.get();
            }
            return total;
        } finally {
            pool.shutdown();
        }
    }

    /** An OVA whose one disk member is {@code diskBytes} long, its VMDK head and tail real, the middle a hole. */
    private static Path sparseOva(Path path, long diskBytes) throws Exception {
        byte[] vmdk = ImageFixtures.streamOptimizedVmdk(ImageFixtures.rawDisk(1 << 20, false), "big-disk1.vmdk");
        byte[] ovf = ImageFixtures.ovf("big", 4, 8192, "rhel8_64Guest", 80, "bios",
                List.of(new ImageFixtures.OvfDisk("big-disk1.vmdk", diskBytes, 1 << 20))).getBytes(StandardCharsets.UTF_8);
        try (RandomAccessFile file = new RandomAccessFile(path.toFile(), "rw")) {
            file.write(ImageFixtures.tarHeader("big.ovf", ovf.length));
            file.write(ovf);
            long header = (512 + ovf.length + 511) / 512 * 512;
            byte[] member = ImageFixtures.tarHeader("big-disk1.vmdk", 0);
            java.util.Arrays.fill(member, 124, 136, (byte) 0);
            member[124] = (byte) 0x80;
            for (int i = 0; i < 8; i++) {
                member[135 - i] = (byte) (diskBytes >>> (8 * i));
            }
            long sum = 0;
            for (int i = 0; i < 512; i++) {
                sum += (i >= 148 && i < 156) ? ' ' : (member[i] & 0xFF);
            }
            System.arraycopy(String.format("%06o", sum).getBytes(StandardCharsets.US_ASCII), 0, member, 148, 6);
            member[154] = 0;
            member[155] = ' ';
            file.seek(header);
            file.write(member);
            file.seek(header + 512);
            file.write(vmdk, 0, vmdk.length - 1536);
            file.seek(header + 512 + diskBytes - 1536);
            file.write(vmdk, vmdk.length - 1536, 1536);
            file.setLength(header + 512 + diskBytes + 1024);
        }
        return path;
    }
}
