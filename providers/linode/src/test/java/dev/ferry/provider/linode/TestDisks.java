package dev.ferry.provider.linode;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.engine.machine.DiskImage;
import dev.ferry.engine.transfer.RangedByteSource;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;

/** Raw disk images made at test time (never committed), and the {@code file} disk images that point at them. */
final class TestDisks {

    private TestDisks() {
    }

    /**
     * A raw disk of {@code bytes} that compresses the way real ones do: a partition table, runs of zeros,
     * text, and random blocks (already-compressed data).
     */
    static Path raw(Path folder, String name, long bytes, long seed) {
        Path file = folder.resolve(name + ".img");
        Random random = new Random(seed);
        byte[] block = new byte[64 * 1024];
        try (OutputStream out = Files.newOutputStream(file)) {
            long written = 0;
            int index = 0;
            while (written < bytes) {
                int n = (int) Math.min(block.length, bytes - written);
                switch (index++ % 4) {
                    case 0 -> java.util.Arrays.fill(block, (byte) 0);
                    case 1 -> random.nextBytes(block);
                    case 2 -> {
                        byte[] text = ("ferry test disk line " + index + " lorem ipsum dolor sit amet\n").getBytes(StandardCharsets.US_ASCII);
                        for (int i = 0; i < block.length; i++) {
                            block[i] = text[i % text.length];
                        }
                    }
                    default -> java.util.Arrays.fill(block, (byte) (index & 0x7f));
                }
                if (written == 0) {
                    block[510] = 0x55;
                    block[511] = (byte) 0xAA;
                }
                out.write(block, 0, n);
                written += n;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }

    static String sha256(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[64 * 1024];
            int n;
            while ((n = in.read(buffer)) > 0) {
                digest.update(buffer, 0, n);
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The {@code DiskImage} JSON a source would output for {@code file}. */
    static JsonNode diskImage(Path file) {
        ObjectNode location = JsonNodeFactory.instance.objectNode();
        location.put("path", file.toAbsolutePath().toString());
        try {
            return new DiskImage("file", "raw", Files.size(file), location, file.getFileName().toString()).toJson();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Reads {@code file} by ranges; the first {@code cuts} streams opened end early, as a cut connection does. Where
     * {@code FILE.extents} exists (lines of {@code OFFSET LENGTH}), the source declares those as its only written parts,
     * as a snapshot that lists its blocks does.
     */
    static RangedByteSource source(Path file, int cuts) {
        return new RangedByteSource() {
            private int remainingCuts = cuts;

            @Override
            public java.util.List<Extent> writtenExtents() throws IOException {
                Path listed = file.resolveSibling(file.getFileName() + ".extents");
                if (!Files.exists(listed)) {
                    return RangedByteSource.super.writtenExtents();
                }
                return Files.readAllLines(listed).stream().map(line -> line.strip().split("\\s+"))
                        .map(f -> new Extent(Long.parseLong(f[0]), Long.parseLong(f[1]))).toList();
            }

            @Override
            public long size() {
                try {
                    return Files.size(file);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }

            @Override
            public synchronized InputStream openRange(long offset, long length) throws IOException {
                FileChannel channel = FileChannel.open(file, StandardOpenOption.READ).position(offset);
                InputStream stream = Channels.newInputStream(channel);
                boolean cut = remainingCuts-- > 0;
                long limit = cut ? Math.min(length, 100_000) : length;
                return new InputStream() {
                    private long left = limit;

                    @Override
                    public int read() throws IOException {
                        byte[] one = new byte[1];
                        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
                    }

                    @Override
                    public int read(byte[] b, int off, int len) throws IOException {
                        if (left <= 0) {
                            if (cut) {
                                throw new IOException("connection reset (test cut)");
                            }
                            return -1;
                        }
                        int n = stream.read(b, off, (int) Math.min(len, left));
                        if (n > 0) {
                            left -= n;
                        }
                        return n;
                    }

                    @Override
                    public void close() throws IOException {
                        stream.close();
                    }
                };
            }

            @Override
            public String description() {
                return file.getFileName().toString();
            }
        };
    }
}
