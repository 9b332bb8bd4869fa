package dev.ferry.provider.linode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.engine.transfer.ByteSink;
import dev.ferry.engine.transfer.ByteSinkFactory;
import dev.ferry.engine.transfer.SinkReceipt;
import dev.ferry.engine.transfer.TransferOptions;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The engine's pipeline as the image resource uses it: the report, restarts, limits and the user's stop. */
class PipelineTransferTest {

    @TempDir
    Path folder;

    private final PipelineTransfer transfer = new PipelineTransfer(TransferOptions.defaults()
            .withRetries(3, 3, Duration.ofMillis(1)).withProgressInterval(Duration.ofMillis(10)));
    private final List<String> restarts = new CopyOnWriteArrayList<>();
    private final List<long[]> progress = new CopyOnWriteArrayList<>();
    private final ImageTransfer.Listener listener = new ImageTransfer.Listener() {
        @Override
        public void progress(long rawBytes, long totalBytes) {
            progress.add(new long[] {rawBytes, totalBytes});
        }

        @Override
        public void restarting(int attempt, String reason) {
            restarts.add(attempt + ": " + reason);
        }
    };

    /** Receives bodies in memory; the first {@code failures} attempts break part-way. */
    private static final class MemorySinks implements ByteSinkFactory {
        final List<byte[]> bodies = new CopyOnWriteArrayList<>();
        final long rawLimit;
        volatile int failures;
        volatile int attempts;

        MemorySinks(long rawLimit, int failures) {
            this.rawLimit = rawLimit;
            this.failures = failures;
        }

        @Override
        public ByteSink attempt(int number) {
            attempts++;
            return body -> {
                ByteArrayOutputStream received = new ByteArrayOutputStream();
                byte[] buffer = new byte[8192];
                int n;
                while ((n = body.read(buffer)) > 0) {
                    received.write(buffer, 0, n);
                    if (failures > 0 && received.size() > 10_000) {
                        failures--;
                        throw new IOException("connection reset by peer");
                    }
                }
                bodies.add(received.toByteArray());
                return new SinkReceipt(200, "ETag test");
            };
        }

        @Override
        public long rawLimit() {
            return rawLimit;
        }

        @Override
        public long compressedLimit() {
            return Long.MAX_VALUE;
        }
    }

    private static byte[] gunzip(byte[] gzip) throws IOException {
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(gzip))) {
            return in.readAllBytes();
        }
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    @Test
    void reportsSizesAndDigestsOfWhatTheReceiverTook() throws Exception {
        Path disk = TestDisks.raw(folder, "disk", 3 * 1024 * 1024 + 12345, 1);
        MemorySinks sinks = new MemorySinks(Long.MAX_VALUE, 0);

        ImageTransfer.Report report = transfer.run(TestDisks.source(disk, 2), sinks, listener, () -> false);

        byte[] gzip = sinks.bodies.get(0);
        byte[] raw = Files.readAllBytes(disk);
        assertThat(gunzip(gzip)).isEqualTo(raw);
        assertThat(report.rawBytes()).isEqualTo(raw.length);
        assertThat(report.rawSha256()).isEqualTo(sha256(raw));
        assertThat(report.gzipBytes()).isEqualTo(gzip.length);
        assertThat(report.gzipSha256()).isEqualTo(sha256(gzip));
        assertThat(report.attempts()).isEqualTo(1);
        assertThat(progress).last().satisfies(last -> assertThat(last).containsExactly(raw.length, raw.length));
    }

    @Test
    void aBrokenUploadStartsOverOnAFreshSinkAndSaysWhy() throws Exception {
        Path disk = TestDisks.raw(folder, "retry", 1024 * 1024, 3);
        MemorySinks sinks = new MemorySinks(Long.MAX_VALUE, 1);

        ImageTransfer.Report report = transfer.run(TestDisks.source(disk, 0), sinks, listener, () -> false);

        assertThat(sinks.attempts).isEqualTo(2);
        assertThat(report.attempts()).isEqualTo(2);
        assertThat(gunzip(sinks.bodies.get(0))).isEqualTo(Files.readAllBytes(disk));
        assertThat(restarts).singleElement().asString().startsWith("2: ").contains("connection reset by peer");
    }

    @Test
    void aSourceOverTheLimitFailsWithNothingSent() {
        Path disk = TestDisks.raw(folder, "big", 2 * 1024 * 1024, 6);
        MemorySinks sinks = new MemorySinks(1024 * 1024, 0);

        assertThatThrownBy(() -> transfer.run(TestDisks.source(disk, 0), sinks, listener, () -> false))
                .isInstanceOf(ImageTransfer.Failed.class)
                .hasMessageContaining("nothing was sent");
        assertThat(sinks.attempts).isZero();
    }

    @Test
    void theUsersStopAbortsTheTransfer() {
        Path disk = TestDisks.raw(folder, "cancel", 16 * 1024 * 1024, 8);
        MemorySinks sinks = new MemorySinks(Long.MAX_VALUE, 0);
        AtomicBoolean cancelled = new AtomicBoolean(true);

        assertThatThrownBy(() -> transfer.run(TestDisks.source(disk, 0), sinks, listener, cancelled::get))
                .isInstanceOf(ImageTransfer.Cancelled.class);
    }
}
