package dev.ferry.engine.transfer;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;

/**
 * The two processes of {@code bench/transfer/run.sh}, run with the engine's test classpath; not a
 * test. {@code serve IMAGE PORT_FILE [inline]} runs the loopback server (ranged GETs of IMAGE, PUTs
 * inflated to check them, after answering unless {@code inline}) until killed; {@code stream IMAGE_URL UPLOAD_URL
 * [key=value...]} runs one {@link StreamingTransfer} between them and prints {@code key=value}
 * figures, the JVM's peak resident set (VmHWM) among them; {@code local IMAGE [key=value...]} runs
 * the pipeline alone, from the file to nowhere (or to {@code out=FILE}), the file declaring the data
 * extents listed in {@code extents=FILE} when given; {@code sha256 FILE} prints a digest.
 */
public final class TransferBench {

    private TransferBench() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 0) {
            usage();
        }
        switch (args[0]) {
            case "serve" -> serve(Path.of(args[1]), Path.of(args[2]), args.length > 3 && args[3].equals("inline"));
            case "stream" -> stream(URI.create(args[1]), URI.create(args[2]), settings(args, 3));
            case "local" -> local(Path.of(args[1]), settings(args, 2));
            case "sha256" -> System.out.println(sha256(Path.of(args[1])));
            default -> usage();
        }
    }

    private static void usage() {
        System.err.println("usage: TransferBench serve IMAGE PORT_FILE [inline] | stream IMAGE_URL UPLOAD_URL [block=BYTES"
                + " range=BYTES threads=N connections=N buffers=N level=N progress=true] | local IMAGE [extents=FILE out=FILE key=value...]"
                + " | sha256 FILE");
        System.exit(2);
    }

    private static void serve(Path image, Path portFile, boolean verifyInline) throws IOException, InterruptedException {
        try (FileChannel file = FileChannel.open(image, StandardOpenOption.READ);
                LoopbackServer server = new LoopbackServer(LoopbackServer.Content.of(file), false, verifyInline)) {
            Path written = Files.writeString(portFile.resolveSibling(portFile.getFileName() + ".tmp"),
                    Integer.toString(server.port()));
            Files.move(written, portFile);
            // Serves until the script kills this process.
            Thread.currentThread().join();
        }
    }

    /** The pipeline alone: the image read straight from the file, the gzip counted and dropped. */
    private static void local(Path image, Map<String, String> settings) throws Exception {
        java.util.List<RangedByteSource.Extent> extents = settings.containsKey("extents")
                ? readExtents(Path.of(settings.get("extents"))) : null;
        try (FileChannel file = FileChannel.open(image, StandardOpenOption.READ)) {
            RangedByteSource source = new RangedByteSource() {
                @Override
                public long size() {
                    try {
                        return file.size();
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }

                @Override
                public InputStream openRange(long offset, long length) {
                    return new InputStream() {
                        private long position = offset;

                        @Override
                        public int read() throws IOException {
                            byte[] one = new byte[1];
                            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
                        }

                        @Override
                        public int read(byte[] buffer, int off, int len) throws IOException {
                            int want = (int) Math.min(len, offset + length - position);
                            if (want <= 0) {
                                return -1;
                            }
                            int n = file.read(java.nio.ByteBuffer.wrap(buffer, off, want), position);
                            position += Math.max(n, 0);
                            return n;
                        }
                    };
                }

                @Override
                public String description() {
                    return image.toString();
                }

                @Override
                public java.util.List<Extent> writtenExtents() throws IOException {
                    return extents == null ? RangedByteSource.super.writtenExtents() : extents;
                }
            };
            Path out = settings.containsKey("out") ? Path.of(settings.get("out")) : null;
            ByteSinkFactory discard = new ByteSinkFactory() {
                @Override
                public ByteSink attempt(int number) {
                    return body -> {
                        if (out != null) {
                            try (java.io.OutputStream file = Files.newOutputStream(out)) {
                                long n = body.transferTo(file);
                                return new SinkReceipt(200, n + " bytes written to " + out);
                            }
                        }
                        long n = body.transferTo(java.io.OutputStream.nullOutputStream());
                        return new SinkReceipt(200, n + " bytes dropped");
                    };
                }

                @Override
                public long rawLimit() {
                    return Long.MAX_VALUE;
                }

                @Override
                public long compressedLimit() {
                    return Long.MAX_VALUE;
                }
            };
            run(source, discard, settings);
        }
    }

    /** Lines of {@code OFFSET LENGTH}: the data extents of a sparse file (SEEK_DATA / SEEK_HOLE), in order. */
    private static java.util.List<RangedByteSource.Extent> readExtents(Path file) throws IOException {
        java.util.List<RangedByteSource.Extent> extents = new java.util.ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            String[] fields = line.trim().split("\\s+");
            if (fields.length == 2) {
                extents.add(new RangedByteSource.Extent(Long.parseLong(fields[0]), Long.parseLong(fields[1])));
            }
        }
        return extents;
    }

    private static void stream(URI imageUri, URI uploadUri, Map<String, String> settings) throws Exception {
        run(HttpRangedSource.open(imageUri), new HttpPutSinks(uploadUri, Long.MAX_VALUE, Long.MAX_VALUE), settings);
    }

    private static void run(RangedByteSource source, ByteSinkFactory sinks, Map<String, String> settings)
            throws Exception {
        TransferOptions defaults = TransferOptions.defaults();
        int block = Integer.parseInt(settings.getOrDefault("block", Integer.toString(defaults.blockSize())));
        long range = Long.parseLong(settings.getOrDefault("range", Long.toString(Math.max(defaults.rangeSize(),
                block))));
        TransferOptions options = defaults
                .withBlockSize(block, range)
                .withCompressionThreads(intSetting(settings, "threads", defaults.compressionThreads()))
                .withReadConnections(intSetting(settings, "connections", defaults.readConnections()))
                .withBuffers(intSetting(settings, "buffers", defaults.buffers()))
                .withCompressionLevel(intSetting(settings, "level", defaults.compressionLevel()));
        boolean showProgress = Boolean.parseBoolean(settings.getOrDefault("progress", "false"));
        long[] bytesRead = new long[1];
        TransferListener listener = new TransferListener() {
            private long lastPrinted;

            @Override
            public void progress(TransferProgress p) {
                bytesRead[0] = p.bytesRead();
                long now = System.nanoTime();
                if (showProgress && now - lastPrinted > 2_000_000_000L) {
                    lastPrinted = now;
                    System.err.printf(Locale.ROOT, "  %5.1f%%  %7.1f MiB/s  eta %s%n", p.fraction() * 100,
                            p.bytesPerSecond() / 1048576, p.eta().map(Duration::toSeconds).orElse(-1L));
                }
            }

            @Override
            public void retrying(TransferRetry retry) {
                System.err.println("  retry " + retry);
            }
        };
        long start = System.nanoTime();
        TransferResult result = new StreamingTransfer(source, sinks, options, listener).run();
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf(Locale.ROOT, "wall_seconds=%.2f raw_bytes=%d gzip_bytes=%d raw_sha256=%s gzip_sha256=%s"
                + " attempts=%d read_retries=%d vmhwm_kib=%d receipt=%d bytes_read=%d options=%s%n", seconds,
                result.rawBytes(),
                result.compressedBytes(), result.rawSha256(), result.compressedSha256(), result.attempts(),
                result.readRetries(), peakResidentKib(), result.receipt().status(), bytesRead[0],
                ("block=" + options.blockSize() + ",range=" + options.rangeSize() + ",threads="
                        + options.compressionThreads() + ",connections=" + options.readConnections() + ",buffers="
                        + options.buffers() + ",level=" + options.compressionLevel()));
    }

    private static long peakResidentKib() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmHWM:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }

    private static String sha256(Path file) throws Exception {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buffer = new byte[1024 * 1024];
            int n;
            while ((n = in.read(buffer)) > 0) {
                digest.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private static Map<String, String> settings(String[] args, int from) {
        Map<String, String> settings = new HashMap<>();
        for (int i = from; i < args.length; i++) {
            int equals = args[i].indexOf('=');
            if (equals < 1) {
                throw new IllegalArgumentException("expected key=value, got " + args[i]);
            }
            settings.put(args[i].substring(0, equals), args[i].substring(equals + 1));
        }
        return settings;
    }

    private static int intSetting(Map<String, String> settings, String key, int fallback) {
        return Integer.parseInt(settings.getOrDefault(key, Integer.toString(fallback)));
    }
}
