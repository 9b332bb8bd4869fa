package dev.ferry.engine.transfer;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.zip.GZIPInputStream;

/** Inputs and checks shared by the transfer tests. */
final class TestData {

    private TestData() {
    }

    static byte[] zeros(int length) {
        return new byte[length];
    }

    static byte[] random(int length, long seed) {
        byte[] bytes = new byte[length];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    /**
     * Something like a small disk image: runs of zeros (free space), text (configuration and
     * logs), random bytes (already-compressed files), repetitive binary tables, in uneven pieces
     * that do not line up with blocks.
     */
    static byte[] mixed(int length, long seed) {
        Random random = new Random(seed);
        ByteArrayOutputStream out = new ByteArrayOutputStream(length);
        String[] words = {"kernel", "ferry", "volume", "the", "of", "config", "systemd", "eth0", "=", "\n", "ssh",
            "/usr/lib", "error", "0x7f3a", "mount", "ext4", "journal"};
        while (out.size() < length) {
            int piece = 1 + random.nextInt(200_000);
            switch (random.nextInt(4)) {
                case 0 -> out.write(new byte[piece], 0, piece);
                case 1 -> {
                    StringBuilder text = new StringBuilder();
                    while (text.length() < piece) {
                        text.append(words[random.nextInt(words.length)]).append(' ');
                    }
                    out.writeBytes(text.toString().getBytes(StandardCharsets.US_ASCII));
                }
                case 2 -> {
                    byte[] noise = new byte[piece];
                    random.nextBytes(noise);
                    out.writeBytes(noise);
                }
                default -> {
                    for (int i = 0; i < piece / 8; i++) {
                        long entry = (i * 4096L) | (random.nextInt(4) << 1);
                        for (int b = 0; b < 8; b++) {
                            out.write((int) (entry >>> (8 * b)));
                        }
                    }
                }
            }
        }
        byte[] all = out.toByteArray();
        return java.util.Arrays.copyOf(all, length);
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    static byte[] gunzipWithJava(byte[] gzip) throws IOException {
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(gzip))) {
            return in.readAllBytes();
        }
    }

    /** Decompresses with the system's gunzip, which checks the CRC and length in the trailer. */
    static byte[] gunzipWithSystem(byte[] gzip, Path directory) throws IOException, InterruptedException {
        Path file = Files.createTempFile(directory, "transfer", ".gz");
        Files.write(file, gzip);
        Path output = directory.resolve(file.getFileName() + ".out");
        Process process = new ProcessBuilder("gunzip", "-c", file.toString())
                .redirectOutput(output.toFile())
                .redirectError(ProcessBuilder.Redirect.PIPE)
                .start();
        String errors = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        int exit = process.waitFor();
        assertThat(exit).as("gunzip exit status; stderr: %s", errors).isZero();
        assertThat(errors).as("gunzip warnings").isEmpty();
        byte[] raw = Files.readAllBytes(output);
        Files.delete(file);
        Files.delete(output);
        return raw;
    }

    /** The names of this JVM's live transfer threads. */
    static Set<String> liveTransferThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(Thread::isAlive)
                .map(Thread::getName)
                .filter(name -> name.startsWith("ferry-transfer-"))
                .collect(Collectors.toSet());
    }
}
