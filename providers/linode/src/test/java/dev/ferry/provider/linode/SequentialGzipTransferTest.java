package dev.ferry.provider.linode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.engine.transfer.ByteSink;
import dev.ferry.engine.transfer.ByteSinkFactory;
import dev.ferry.engine.transfer.SinkReceipt;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The stand-in streaming transfer, with an in-memory receiver: gzip that inflates to the source, limits, retries. */
class SequentialGzipTransferTest {

    @TempDir
    Path folder;

    private final SequentialGzipTransfer transfer = new SequentialGzipTransfer(3, Duration.ofMillis(1));
    private final List<String> restarts = new ArrayList<>();
    private final ImageTransfer.Listener listener = new ImageTransfer.Listener() {
        @Override
        public void progress(long rawBytes, long totalBytes) {
        }

        @Override
        public void restarting(int attempt, String reason) {
            restarts.add(attempt + ": " + reason);
        }
    };

    /** Receives bodies in memory; {@code failures} attempts break after {@code failAfter} bytes. */
    private static final class MemorySinks implements ByteSinkFactory {
        final List<byte[]> bodies = new ArrayList<>();
        final long rawLimit;
        final long compressedLimit;
        int failures;
        long failAfter = 10_000;
        int attempts;
        IOException refusal;
        boolean readHalf;

        MemorySinks(long rawLimit, long compressedLimit) {
            this.rawLimit = rawLimit;
            this.compressedLimit = compressedLimit;
        }

        @Override
        public ByteSink attempt(int number) {
            attempts++;
            return body -> {
                if (refusal != null) {
                    body.readNBytes(1000);
                    throw refusal;
                }
                ByteArrayOutputStream received = new ByteArrayOutputStream();
                if (readHalf) {
                    received.write(body.readNBytes(100));
                    bodies.add(received.toByteArray());
                    return new SinkReceipt(200, "took a part");
                }
                byte[] buffer = new byte[8192];
                int n;
                while ((n = body.read(buffer)) > 0) {
                    received.write(buffer, 0, n);
                    if (failures > 0 && received.size() > failAfter) {
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
            return compressedLimit;
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
    void sendsGzipThatInflatesToTheSourceWithBothDigests() throws Exception {
        Path disk = TestDisks.raw(folder, "disk", 3 * 1024 * 1024 + 12345, 1);
        MemorySinks sinks = new MemorySinks(Long.MAX_VALUE, Long.MAX_VALUE);

        ImageTransfer.Report report = transfer.run(TestDisks.source(disk, 0), sinks, listener, () -> false);

        byte[] gzip = sinks.bodies.get(0);
        byte[] raw = Files.readAllBytes(disk);
        assertThat(gunzip(gzip)).isEqualTo(raw);
        assertThat(report.rawBytes()).isEqualTo(raw.length);
        assertThat(report.rawSha256()).isEqualTo(sha256(raw)).isEqualTo(TestDisks.sha256(disk));
        assertThat(report.gzipBytes()).isEqualTo(gzip.length).isLessThan(raw.length);
        assertThat(report.gzipSha256()).isEqualTo(sha256(gzip));
        assertThat(report.attempts()).isEqualTo(1);
        assertThat(report.receipt().detail()).isEqualTo("ETag test");
    }

    @Test
    void anEmptySourceIsAnEmptyGzipMember() throws Exception {
        Path disk = Files.write(folder.resolve("empty.img"), new byte[0]);
        MemorySinks sinks = new MemorySinks(Long.MAX_VALUE, Long.MAX_VALUE);

        ImageTransfer.Report report = transfer.run(TestDisks.source(disk, 0), sinks, listener, () -> false);

        assertThat(gunzip(sinks.bodies.get(0))).isEmpty();
        assertThat(report.rawBytes()).isZero();
    }

    @Test
    void readsResumeAtTheLastByteAfterACut() throws Exception {
        Path disk = TestDisks.raw(folder, "cut", 2 * 1024 * 1024, 2);
        MemorySinks sinks = new MemorySinks(Long.MAX_VALUE, Long.MAX_VALUE);

        ImageTransfer.Report report = transfer.run(TestDisks.source(disk, 3), sinks, listener, () -> false);

        assertThat(gunzip(sinks.bodies.get(0))).isEqualTo(Files.readAllBytes(disk));
        assertThat(report.attempts()).isEqualTo(1);
    }

    @Test
    void aBrokenUploadStartsOverFromTheFirstByteOnAFreshSink() throws Exception {
        Path disk = TestDisks.raw(folder, "retry", 1024 * 1024, 3);
        MemorySinks sinks = new MemorySinks(Long.MAX_VALUE, Long.MAX_VALUE);
        sinks.failures = 1;

        ImageTransfer.Report report = transfer.run(TestDisks.source(disk, 0), sinks, listener, () -> false);

        assertThat(sinks.attempts).isEqualTo(2);
        assertThat(report.attempts()).isEqualTo(2);
        assertThat(gunzip(sinks.bodies.get(0))).isEqualTo(Files.readAllBytes(disk));
        assertThat(report.gzipSha256()).isEqualTo(sha256(sinks.bodies.get(0)));
        assertThat(restarts).containsExactly("2: connection reset by peer");
    }

    @Test
    void givesUpAfterTheLastAttemptNamingTheLastReason() {
        Path disk = TestDisks.raw(folder, "fail", 1024 * 1024, 4);
        MemorySinks sinks = new MemorySinks(Long.MAX_VALUE, Long.MAX_VALUE);
        sinks.failures = 3;

        assertThatThrownBy(() -> transfer.run(TestDisks.source(disk, 0), sinks, listener, () -> false))
                .isInstanceOf(ImageTransfer.Failed.class)
                .hasMessage("the upload failed 3 times; the last attempt: connection reset by peer");
        assertThat(sinks.attempts).isEqualTo(3);
    }

    @Test
    void aRefusalThatWillNotPassIsNotTriedAgain() {
        Path disk = TestDisks.raw(folder, "refused", 512 * 1024, 5);
        MemorySinks sinks = new MemorySinks(Long.MAX_VALUE, Long.MAX_VALUE);
        sinks.refusal = new ImageUploadSink.Refused(403, "AccessDenied: Access Denied");

        assertThatThrownBy(() -> transfer.run(TestDisks.source(disk, 0), sinks, listener, () -> false))
                .isInstanceOf(ImageTransfer.Failed.class)
                .hasMessage("the upload URL answered 403 AccessDenied: Access Denied");
        assertThat(sinks.attempts).isEqualTo(1);
    }

    @Test
    void aSourceOverTheRawLimitSendsNothing() {
        Path disk = TestDisks.raw(folder, "big", 2 * 1024 * 1024, 6);
        MemorySinks sinks = new MemorySinks(1024 * 1024, Long.MAX_VALUE);

        assertThatThrownBy(() -> transfer.run(TestDisks.source(disk, 0), sinks, listener, () -> false))
                .isInstanceOf(ImageTransfer.Failed.class)
                .hasMessageContaining("is 2 MiB, more than the 1 MiB the receiver accepts uncompressed; nothing was sent");
        assertThat(sinks.attempts).isZero();
    }

    @Test
    void passingTheCompressedLimitStopsTheUploadRightThere() throws IOException {
        byte[] noise = new byte[4 * 1024 * 1024];
        new Random(7).nextBytes(noise);
        Path disk = Files.write(folder.resolve("noise.img"), noise);
        MemorySinks sinks = new MemorySinks(Long.MAX_VALUE, 300 * 1024);
        long[] read = new long[1];
        ImageTransfer.Listener watching = new ImageTransfer.Listener() {
            @Override
            public void progress(long rawBytes, long totalBytes) {
                read[0] = rawBytes;
            }

            @Override
            public void restarting(int attempt, String reason) {
                restarts.add(reason);
            }
        };

        assertThatThrownBy(() -> transfer.run(TestDisks.source(disk, 0), sinks, watching, () -> false))
                .isInstanceOf(ImageTransfer.Failed.class)
                .hasMessageContaining("passed the 300 KiB the receiver accepts")
                .hasMessageContaining("the upload was stopped there");
        assertThat(sinks.attempts).isEqualTo(1);
        assertThat(restarts).isEmpty();
        assertThat(read[0]).isLessThan(noise.length);
    }

    @Test
    void stopsWhenCancelled() {
        Path disk = TestDisks.raw(folder, "cancel", 8 * 1024 * 1024, 8);
        MemorySinks sinks = new MemorySinks(Long.MAX_VALUE, Long.MAX_VALUE);
        AtomicBoolean cancelled = new AtomicBoolean();
        ImageTransfer.Listener cancelling = new ImageTransfer.Listener() {
            @Override
            public void progress(long rawBytes, long totalBytes) {
                cancelled.set(true);
            }

            @Override
            public void restarting(int attempt, String reason) {
                restarts.add(reason);
            }
        };

        assertThatThrownBy(() -> transfer.run(TestDisks.source(disk, 0), sinks, cancelling, cancelled::get))
                .isInstanceOf(ImageTransfer.Cancelled.class);
        assertThat(restarts).isEmpty();
    }

    @Test
    void aReceiverThatAnswersBeforeTakingTheWholeBodyHasNotReceivedTheImage() {
        Path disk = TestDisks.raw(folder, "half", 1024 * 1024, 9);
        MemorySinks sinks = new MemorySinks(Long.MAX_VALUE, Long.MAX_VALUE);
        sinks.readHalf = true;

        assertThatThrownBy(() -> transfer.run(TestDisks.source(disk, 0), sinks, listener, () -> false))
                .isInstanceOf(ImageTransfer.Failed.class)
                .hasMessageContaining("the receiver answered 200 before taking the whole body");
    }
}
