package dev.ferry.engine.transfer;

import static dev.ferry.engine.transfer.TestData.gunzipWithJava;
import static dev.ferry.engine.transfer.TestData.gunzipWithSystem;
import static dev.ferry.engine.transfer.TestData.sha256;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class StreamingTransferTest {

    static final int BLOCK = 64 * 1024;

    @TempDir
    Path temp;

    /** Small blocks and ranges, more compressors than cores, few buffers: many blocks in flight out of order. */
    static TransferOptions options() {
        return TransferOptions.defaults()
                .withBlockSize(BLOCK, 2L * BLOCK)
                .withReadConnections(4)
                .withCompressionThreads(3)
                .withBuffers(6)
                .withRetries(5, 3, Duration.ZERO)
                .withProgressInterval(Duration.ofMillis(10));
    }

    static Stream<Arguments> inputs() {
        return Stream.of(
                Arguments.of("0 bytes", new byte[0]),
                Arguments.of("1 byte", new byte[] {42}),
                Arguments.of("exactly one block", TestData.mixed(BLOCK, 1)),
                Arguments.of("one block and 1 byte", TestData.mixed(BLOCK + 1, 2)),
                Arguments.of("many blocks", TestData.mixed(37 * BLOCK + 123, 3)),
                Arguments.of("all zeros", TestData.zeros(20 * BLOCK)),
                Arguments.of("random", TestData.random(9 * BLOCK + 5, 4)),
                Arguments.of("mixed, like a disk image", TestData.mixed(6 * 1024 * 1024 + 77, 5)));
    }

    @AfterEach
    void noTransferThreadOutlivesItsRun() {
        assertThat(TestData.liveTransferThreads()).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("inputs")
    void gzipSentIsReadableByJavaAndByGunzipAndRoundTripsByteForByte(String name, byte[] input) throws Exception {
        TestSource source = new TestSource(input);
        TestSinks sinks = new TestSinks();

        TransferResult result = new StreamingTransfer(source, sinks, options(), TransferListener.NONE).run();

        byte[] sent = sinks.last().bytes();
        assertThat(sha256(gunzipWithJava(sent))).isEqualTo(sha256(input));
        assertThat(sha256(gunzipWithSystem(sent, temp))).isEqualTo(sha256(input));
        assertThat(result.rawSha256()).isEqualTo(sha256(input));
        assertThat(result.compressedSha256()).isEqualTo(sha256(sent));
        assertThat(result.rawBytes()).isEqualTo(input.length);
        assertThat(result.compressedBytes()).isEqualTo(sent.length);
        assertThat(result.attempts()).isEqualTo(1);
        assertThat(result.receipt().status()).isEqualTo(200);
        assertThat(source.bytesServed.get()).as("every byte read exactly once").isEqualTo(input.length);
        assertThat(source.badRequests).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("inputs")
    void compressesWithinOnePercentOfOneSingleThreadedGzipStream(String name, byte[] input) throws Exception {
        TestSinks sinks = new TestSinks();

        new StreamingTransfer(new TestSource(input), sinks, options(), TransferListener.NONE).run();

        ByteArrayOutputStream reference = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(reference)) {
            gzip.write(input);
        }
        // Each block boundary costs a few bytes (an empty stored block, fresh code tables).
        long blocks = Math.max(1, (input.length + BLOCK - 1) / BLOCK);
        assertThat((long) sinks.last().bytes().length).isLessThanOrEqualTo(
                (long) (reference.size() * 1.01) + 32 * blocks);
    }

    @Test
    void cutReadsResumeAtTheLastGoodByteWhileTheUploadGoesOn() throws Exception {
        byte[] input = TestData.mixed(3 * 1024 * 1024, 11);
        TestSource source = new TestSource(input).withFaults(TestSource.randomCuts(12, 0.5, 25));
        TestSinks sinks = new TestSinks();
        RecordingListener listener = new RecordingListener();

        TransferResult result = new StreamingTransfer(source, sinks, options(), listener).run();

        assertThat(source.faultsInjected.get()).isGreaterThan(5);
        assertThat(result.readRetries()).isEqualTo(source.faultsInjected.get());
        assertThat(listener.retries).hasSize(source.faultsInjected.get())
                .allSatisfy(retry -> assertThat(retry.side()).isEqualTo(TransferRetry.Side.READ));
        assertThat(source.bytesServed.get()).as("no byte read twice").isEqualTo(input.length);
        assertThat(sinks.attempts).hasSize(1);
        assertThat(result.attempts()).isEqualTo(1);
        assertThat(sha256(gunzipWithJava(sinks.last().bytes()))).isEqualTo(sha256(input));
        assertThat(source.badRequests).isEmpty();
    }

    @Test
    void refusedConnectionsAreRetriedLikeCuts() throws Exception {
        byte[] input = TestData.mixed(1024 * 1024, 13);
        TestSource source = new TestSource(input)
                .withFaults((open, offset, length) -> open % 3 == 1 ? new TestSource.Fault.RefuseOpen() : null);

        TransferResult result = new StreamingTransfer(source, new TestSinks(), options(), TransferListener.NONE).run();

        assertThat(result.rawSha256()).isEqualTo(sha256(input));
        assertThat(result.readRetries()).isPositive();
    }

    @Test
    void aReadThatKeepsFailingFailsTheTransferNamingTheSourceAndTheOffset() {
        byte[] input = TestData.mixed(1024 * 1024, 14);
        long brokenFrom = 4L * BLOCK + 1000;
        TestSource source = new TestSource(input, "s3://bucket/exports/web-01.raw").withFaults((open, offset, length) ->
                offset <= brokenFrom && brokenFrom < offset + length
                        ? new TestSource.Fault.Throw(brokenFrom - offset) : null);
        TestSinks sinks = new TestSinks();
        RecordingListener listener = new RecordingListener();

        TransferException failure = catchThrowableOfType(TransferException.class,
                () -> new StreamingTransfer(source, sinks, options(), listener).run());

        assertThat(failure.reason()).isEqualTo(TransferException.Reason.SOURCE_FAILED);
        assertThat(failure.getMessage())
                .startsWith("Reading s3://bucket/exports/web-01.raw failed at byte " + brokenFrom + " of " + input.length)
                .contains("after 5 retries", "connection reset (injected)", "run the transfer again");
        assertThat(listener.retries).extracting(TransferRetry::offset).containsOnly(brokenFrom);
        assertThat(listener.retries).extracting(TransferRetry::attempt).containsExactly(1, 2, 3, 4, 5);
        assertThat(sinks.attempts).as("a source failure is not retried as an upload").hasSize(1);
    }

    @Test
    void aFailedUploadStartsOverFromByteZeroOnAFreshSink() throws Exception {
        byte[] input = TestData.mixed(2 * 1024 * 1024, 15);
        TestSource source = new TestSource(input);
        TestSinks sinks = TestSinks.failingFirst(2, new TestSinks.Behaviour.Break(100_000));
        RecordingListener listener = new RecordingListener();

        TransferResult result = new StreamingTransfer(source, sinks, options(), listener).run();

        assertThat(result.attempts()).isEqualTo(3);
        assertThat(sinks.attempts).extracting(a -> a.number).containsExactly(1, 2, 3);
        assertThat(sinks.attempts.get(0).bytes()).hasSize(100_000);
        assertThat(listener.retries).extracting(TransferRetry::side, TransferRetry::attempt).containsExactly(
                org.assertj.core.groups.Tuple.tuple(TransferRetry.Side.UPLOAD, 2),
                org.assertj.core.groups.Tuple.tuple(TransferRetry.Side.UPLOAD, 3));
        assertThat(listener.retries.get(0).reason()).contains("broken pipe (injected)");
        assertThat(sha256(gunzipWithJava(sinks.last().bytes()))).isEqualTo(sha256(input));
        assertThat(result.rawSha256()).isEqualTo(sha256(input));
        assertThat(result.compressedSha256()).isEqualTo(sha256(sinks.last().bytes()));
        assertThat(listener.lastProgress().attempt()).isEqualTo(3);
    }

    @Test
    void aRefusingAnswerIsAFailedUploadAndIsRetried() throws Exception {
        byte[] input = TestData.mixed(1024 * 1024, 16);
        TestSinks sinks = TestSinks.failingFirst(1, new TestSinks.Behaviour.Answer(5000, 503));
        RecordingListener listener = new RecordingListener();

        TransferResult result = new StreamingTransfer(new TestSource(input), sinks, options(), listener).run();

        assertThat(result.attempts()).isEqualTo(2);
        assertThat(listener.retries.get(0).reason()).isEqualTo("the receiver answered HTTP 503 (injected answer)");
    }

    @Test
    void anOkBeforeTheWholeBodyWasSentIsNotASuccess() {
        byte[] input = TestData.mixed(1024 * 1024, 17);
        TestSinks sinks = new TestSinks(Long.MAX_VALUE, Long.MAX_VALUE, n -> new TestSinks.Behaviour.Answer(5000, 200));

        TransferException failure = catchThrowableOfType(TransferException.class,
                () -> new StreamingTransfer(new TestSource(input), sinks, options(), TransferListener.NONE).run());

        assertThat(failure.reason()).isEqualTo(TransferException.Reason.UPLOAD_FAILED);
        assertThat(failure.getMessage()).contains("answered HTTP 200 before the whole body was sent");
    }

    @Test
    void uploadFailsAfterTheConfiguredAttemptsNamingTheLastReason() {
        byte[] input = TestData.mixed(512 * 1024, 18);
        TestSinks sinks = new TestSinks(Long.MAX_VALUE, Long.MAX_VALUE, n -> n < 3
                ? new TestSinks.Behaviour.Answer(100, 500) : new TestSinks.Behaviour.Break(2000));

        TransferException failure = catchThrowableOfType(TransferException.class,
                () -> new StreamingTransfer(new TestSource(input, "file:///images/app-02.raw"), sinks, options(),
                        TransferListener.NONE).run());

        assertThat(failure.reason()).isEqualTo(TransferException.Reason.UPLOAD_FAILED);
        assertThat(failure.getMessage())
                .startsWith("Uploading file:///images/app-02.raw failed 3 times; the last attempt: broken pipe (injected)");
        assertThat(sinks.attempts).hasSize(3);
    }

    @Test
    void theRawSizeOverTheLimitIsRefusedBeforeAnythingIsReadOrSent() {
        byte[] input = TestData.mixed(300_000, 19);
        TestSource source = new TestSource(input, "s3://bucket/big.raw");
        TestSinks sinks = new TestSinks(299_999, Long.MAX_VALUE, n -> new TestSinks.Behaviour.Accept());

        TransferException failure = catchThrowableOfType(TransferException.class,
                () -> new StreamingTransfer(source, sinks, options(), TransferListener.NONE).run());

        assertThat(failure.reason()).isEqualTo(TransferException.Reason.RAW_SIZE_OVER_LIMIT);
        assertThat(failure.getMessage()).isEqualTo("s3://bucket/big.raw is 292.97 KiB (300000 bytes) uncompressed,"
                + " over the receiver's limit of 292.97 KiB (299999 bytes); nothing was sent. Shrink the source disk"
                + " below the limit, or choose a target that accepts larger images.");
        assertThat(source.opens.get()).isZero();
        assertThat(sinks.attempts).isEmpty();
    }

    @Test
    void theCompressedLimitStopsTheUploadAsSoonAsItIsExceeded() {
        byte[] input = TestData.random(8 * 1024 * 1024, 20); // does not compress
        long limit = 1024 * 1024;
        TestSource source = new TestSource(input, "s3://bucket/noise.raw");
        TestSinks sinks = new TestSinks(Long.MAX_VALUE, limit, n -> new TestSinks.Behaviour.Accept());
        TransferOptions options = options();

        TransferException failure = catchThrowableOfType(TransferException.class,
                () -> new StreamingTransfer(source, sinks, options, TransferListener.NONE).run());

        assertThat(failure.reason()).isEqualTo(TransferException.Reason.COMPRESSED_SIZE_OVER_LIMIT);
        assertThat(failure.getMessage()).startsWith("The gzip of s3://bucket/noise.raw reached ")
                .contains("over the receiver's limit of 1.00 MiB (1048576 bytes)", "stopped before passing it");
        assertThat(sinks.attempts).as("not retried").hasSize(1);
        assertThat((long) sinks.last().bytes().length).isLessThanOrEqualTo(limit);
        // Reading never runs more than the window ahead of what was sent.
        assertThat(source.bytesServed.get()).isLessThanOrEqualTo(limit + (long) (options.buffers() + 1) * BLOCK);
    }

    @Test
    void buffersInFlightNeverExceedTheConfiguredCount() throws Exception {
        byte[] input = TestData.mixed(200 * BLOCK, 21);
        TestSinks sinks = new TestSinks();
        TransferOptions options = options().withBuffers(4);
        StreamingTransfer transfer = new StreamingTransfer(new TestSource(input), sinks, options, TransferListener.NONE);

        TransferResult result = transfer.run();

        assertThat(result.rawSha256()).isEqualTo(sha256(input));
        assertThat(transfer.peakBuffersInUse()).isBetween(2, 4);
        assertThat(transfer.buffersAllocated()).as("200 blocks moved through at most 4 buffers").isBetween(2, 4);
    }

    @Test
    void theSmallestWindowStillMakesProgress() throws Exception {
        byte[] input = TestData.mixed(50 * BLOCK + 3, 22);
        StreamingTransfer transfer = new StreamingTransfer(new TestSource(input), new TestSinks(),
                options().withBuffers(2).withReadConnections(8), TransferListener.NONE);

        assertThat(transfer.run().rawSha256()).isEqualTo(sha256(input));
        assertThat(transfer.buffersAllocated()).isLessThanOrEqualTo(2);
    }

    @Test
    void progressCountsEveryByteAndEndsAtTheTotal() throws Exception {
        byte[] input = TestData.mixed(4 * 1024 * 1024, 23);
        RecordingListener listener = new RecordingListener();

        TransferResult result = new StreamingTransfer(new TestSource(input), new TestSinks(), options(), listener).run();

        TransferProgress last = listener.lastProgress();
        assertThat(last.totalBytes()).isEqualTo(input.length);
        assertThat(last.bytesRead()).isEqualTo(input.length);
        assertThat(last.bytesCompressed()).isEqualTo(input.length);
        assertThat(last.compressedBytes()).isEqualTo(result.compressedBytes());
        assertThat(last.bytesSent()).isEqualTo(result.compressedBytes());
        assertThat(last.rawBytesSent()).isEqualTo(input.length);
        assertThat(last.fraction()).isEqualTo(1.0);
        assertThat(last.eta()).contains(Duration.ZERO);
        TransferProgress previous = null;
        for (TransferProgress progress : listener.progress) {
            assertThat(progress.bytesRead()).isBetween(progress.bytesCompressed(), progress.totalBytes());
            assertThat(progress.bytesSent()).isLessThanOrEqualTo(progress.compressedBytes());
            if (previous != null) {
                assertThat(progress.rawBytesSent()).isGreaterThanOrEqualTo(previous.rawBytesSent());
                assertThat(progress.bytesRead()).isGreaterThanOrEqualTo(previous.bytesRead());
                assertThat(progress.elapsed()).isGreaterThanOrEqualTo(previous.elapsed());
            }
            previous = progress;
        }
    }

    @Test
    void aListenerThatThrowsCannotFailTheTransfer() throws Exception {
        byte[] input = TestData.mixed(1024 * 1024, 24);
        TestSource source = new TestSource(input).withFaults(TestSource.randomCuts(25, 0.5, 5));
        TransferListener broken = new TransferListener() {
            @Override
            public void progress(TransferProgress progress) {
                throw new IllegalStateException("display broke");
            }

            @Override
            public void retrying(TransferRetry retry) {
                throw new IllegalStateException("display broke");
            }
        };

        TransferResult result = new StreamingTransfer(source, new TestSinks(), options(), broken).run();

        assertThat(result.rawSha256()).isEqualTo(sha256(input));
    }

    @Test
    void aTransferRunsOnlyOnce() throws Exception {
        StreamingTransfer transfer = new StreamingTransfer(new TestSource(new byte[10]), new TestSinks(), options(),
                TransferListener.NONE);
        transfer.run();

        assertThat(catchThrowableOfType(IllegalStateException.class, transfer::run)).hasMessageContaining("runs once");
    }

    /** Keeps everything it hears. */
    static final class RecordingListener implements TransferListener {
        final List<TransferProgress> progress = new CopyOnWriteArrayList<>();
        final List<TransferRetry> retries = new CopyOnWriteArrayList<>();

        @Override
        public void progress(TransferProgress snapshot) {
            progress.add(snapshot);
        }

        @Override
        public void retrying(TransferRetry retry) {
            retries.add(retry);
        }

        TransferProgress lastProgress() {
            return progress.get(progress.size() - 1);
        }
    }

}
