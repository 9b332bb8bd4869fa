package dev.ferry.engine.transfer;

import static dev.ferry.engine.transfer.TestData.gunzipWithJava;
import static dev.ferry.engine.transfer.TestData.gunzipWithSystem;
import static dev.ferry.engine.transfer.TestData.sha256;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.ferry.engine.transfer.RangedByteSource.Extent;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Zero runs (unwritten, declared or read as zeros) take the precomputed path and still make one correct gzip member. */
class SparseTransferTest {

    private static final int K64 = 64 * 1024;
    private static final int K256 = 256 * 1024;

    @TempDir
    Path temp;

    @AfterEach
    void noTransferThreadOutlivesItsRun() {
        assertThat(TestData.liveTransferThreads()).isEmpty();
    }

    static TransferOptions options(int block) {
        return TransferOptions.defaults()
                .withBlockSize(block, 2L * block)
                .withReadConnections(4)
                .withCompressionThreads(3)
                .withBuffers(6)
                .withRetries(5, 3, Duration.ZERO)
                .withProgressInterval(Duration.ofMillis(10));
    }

    static Stream<Arguments> layouts() {
        long size = 3L * 1024 * 1024 + 4321; // 3 MiB and change: several 1 MiB zero pieces fit
        byte[] disk = SparseSource.diskLikePattern(11);
        byte[] noZeros = SparseSource.noZeroPattern(12);
        return Stream.of(K64, K256).flatMap(block -> Stream.of(
                Arguments.of(block, "all zeros", size, List.of(), disk),
                Arguments.of(block, "no zeros", size, List.of(new Extent(0, size)), noZeros),
                Arguments.of(block, "zeros at the start", size, List.of(new Extent(2 * K256 + 100, size - 2 * K256 - 100)),
                        noZeros),
                Arguments.of(block, "zeros in the middle", size, List.of(new Extent(0, K64 + 17),
                        new Extent(size - K256 - 5, K256 + 5)), noZeros),
                Arguments.of(block, "zeros at the end", size, List.of(new Extent(0, 3 * K64 + 1)), noZeros),
                Arguments.of(block, "one zero unit inside a block", size, List.of(new Extent(0, K64),
                        new Extent(2 * K64, size - 2 * K64)), noZeros),
                Arguments.of(block, "runs at every alignment", size,
                        SparseSource.randomExtents(size, 3 * K64, 5 * K64, 13), disk),
                Arguments.of(block, "many short extents", size,
                        SparseSource.randomExtents(size, 5000, 70_000, 14), disk),
                Arguments.of(block, "1 byte", 1L, List.of(new Extent(0, 1)), noZeros),
                Arguments.of(block, "1 zero byte", 1L, List.of(), noZeros),
                Arguments.of(block, "0 bytes", 0L, List.of(), noZeros)));
    }

    @ParameterizedTest(name = "{1}, blocks of {0}, declared")
    @MethodSource("layouts")
    void declaredHolesAreNeverReadAndTheGzipRoundTrips(int block, String name, long size, List<Extent> written,
            byte[] pattern) throws Exception {
        SparseSource source = new SparseSource(size, written, pattern, true);
        roundTrip(source, block);
        assertThat(source.bytesServed.get()).as("only the written bytes are read").isEqualTo(source.writtenBytes());
    }

    @ParameterizedTest(name = "{1}, blocks of {0}, read")
    @MethodSource("layouts")
    void zerosReadFromTheStreamRoundTripToo(int block, String name, long size, List<Extent> written, byte[] pattern)
            throws Exception {
        SparseSource source = new SparseSource(size, written, pattern, false);
        roundTrip(source, block);
        assertThat(source.bytesServed.get()).as("every byte read exactly once").isEqualTo(size);
    }

    @Test
    void declaredAndReadZerosMakeTheSameGzip() throws Exception {
        long size = 5L * 1024 * 1024 + 3;
        List<Extent> written = SparseSource.randomExtents(size, 3 * K64, 5 * K64, 21);
        byte[] pattern = SparseSource.diskLikePattern(22);
        TestSinks declared = new TestSinks();
        TestSinks read = new TestSinks();
        new StreamingTransfer(new SparseSource(size, written, pattern, true), declared, options(K64),
                TransferListener.NONE).run();
        new StreamingTransfer(new SparseSource(size, written, pattern, false), read, options(K64),
                TransferListener.NONE).run();
        assertThat(sha256(declared.last().bytes())).isEqualTo(sha256(read.last().bytes()));
    }

    @Test
    void aWindowOfTwoSmallBlocksStillMovesLongZeroRuns() throws Exception {
        long size = 3L * 1024 * 1024 + 1;
        SparseSource source = new SparseSource(size, List.of(new Extent(size / 2, 100)), SparseSource.noZeroPattern(3),
                true);
        TransferOptions tiny = options(32 * 1024).withBlockSize(32 * 1024, 32 * 1024).withBuffers(2)
                .withCompressionThreads(1);
        TestSinks sinks = new TestSinks();
        TransferResult result = new StreamingTransfer(source, sinks, tiny, TransferListener.NONE).run();
        assertThat(check(source, sinks.last().bytes(), true).rawSha256).isEqualTo(result.rawSha256());
    }

    /**
     * Over 4 GiB, held in no memory: the stream is inflated and counted as it comes, the trailer's
     * length is the size mod 2^32, and only the written bytes were read.
     */
    @Test
    void aSparseSourceOver4GiBMakesOneMemberWithTheSizeModulo2To32() throws Exception {
        long size = (4L << 30) + 3 * 1024 * 1024 + 7;
        List<Extent> written = List.of(new Extent(0, 100_000), new Extent((2L << 30) + 12_345, 300_000),
                new Extent((4L << 30) - 50, 200_000), new Extent(size - 1000, 1000));
        SparseSource source = new SparseSource(size, written, SparseSource.diskLikePattern(31), true);
        TestSinks sinks = new TestSinks();
        TransferOptions options = TransferOptions.defaults().withRetries(5, 1, Duration.ZERO);

        TransferResult result = new StreamingTransfer(source, sinks, options, TransferListener.NONE).run();

        byte[] gzip = sinks.last().bytes();
        // Content and count only: the raw SHA-256 is checked on the smaller layouts, and a second
        // pass over 4 GiB would double this test's time.
        Inflated inflated = check(source, gzip, false);
        assertThat(inflated.bytes).isEqualTo(size);
        assertThat(result.rawBytes()).isEqualTo(size);
        assertThat(result.compressedSha256()).isEqualTo(sha256(gzip));
        long isize = (gzip[gzip.length - 4] & 0xffL) | (gzip[gzip.length - 3] & 0xffL) << 8
                | (gzip[gzip.length - 2] & 0xffL) << 16 | (gzip[gzip.length - 1] & 0xffL) << 24;
        assertThat(isize).isEqualTo(size & 0xffffffffL);
        assertThat((long) gzip.length).as("zeros cost about a thousandth of their size").isLessThan(size / 500);
        assertThat(source.bytesServed.get()).isEqualTo(source.writtenBytes());
        assertThat(source.badRequests).isEmpty();
        if (gunzipPresent()) {
            Path file = Files.write(temp.resolve("large.gz"), gzip);
            Process test = new ProcessBuilder("gunzip", "-t", file.toString()).redirectErrorStream(true).start();
            String output = new String(test.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(test.waitFor()).as("gunzip -t: %s", output).isZero();
            assertThat(output).isEmpty();
        }
    }

    @Test
    void extentsOutOfOrderAreTheSourcesBugNamedBeforeAnythingIsSent() {
        SparseSource source = new SparseSource(10 * K64, List.of(new Extent(5 * K64, 10), new Extent(K64, 10)),
                SparseSource.noZeroPattern(1), true);
        TestSinks sinks = new TestSinks();
        IllegalStateException e = catchThrowableOfType(
                () -> new StreamingTransfer(source, sinks, options(K64), TransferListener.NONE).run(),
                IllegalStateException.class);
        assertThat(e).hasMessageContaining("memory://sparse-test-image listed written extent 1 (bytes 65536 to 65546)"
                + " out of order or overlapping");
        assertThat(sinks.attempts).isEmpty();
    }

    @Test
    void aFailedListingFailsTheTransferAsTheSources() {
        RangedByteSource source = new SparseSource(K64, List.of(), SparseSource.noZeroPattern(1), true) {
            @Override
            public List<Extent> writtenExtents() throws IOException {
                throw new IOException("the snapshot's block list could not be read");
            }
        };
        TransferException e = catchThrowableOfType(
                () -> new StreamingTransfer(source, new TestSinks(), options(K64), TransferListener.NONE).run(),
                TransferException.class);
        assertThat(e.reason()).isEqualTo(TransferException.Reason.SOURCE_FAILED);
        assertThat(e).hasMessageContaining("Listing the written parts of memory://sparse-test-image failed: the"
                + " snapshot's block list could not be read");
    }

    private void roundTrip(SparseSource source, int block) throws Exception {
        TestSinks sinks = new TestSinks();
        TransferResult result = new StreamingTransfer(source, sinks, options(block), TransferListener.NONE).run();
        byte[] sent = sinks.last().bytes();
        byte[] expected = new byte[(int) source.size()];
        source.fill(expected, 0, 0, expected.length);
        assertThat(sha256(gunzipWithJava(sent))).isEqualTo(sha256(expected));
        if (gunzipPresent()) {
            assertThat(sha256(gunzipWithSystem(sent, temp))).isEqualTo(sha256(expected));
        }
        assertThat(result.rawSha256()).isEqualTo(sha256(expected));
        assertThat(result.compressedSha256()).isEqualTo(sha256(sent));
        assertThat(result.compressedBytes()).isEqualTo(sent.length);
        assertThat(result.rawBytes()).isEqualTo(source.size());
        assertThat(source.badRequests).isEmpty();
        assertThat(check(source, sent, true).bytes).isEqualTo(source.size());
    }

    private record Inflated(long bytes, String rawSha256) {
    }

    /** Inflates {@code gzip} as a stream, checking each byte against the source without holding it all. */
    private static Inflated check(SparseSource source, byte[] gzip, boolean digesting) throws Exception {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        byte[] buffer = new byte[1024 * 1024];
        byte[] expected = new byte[buffer.length];
        long total = 0;
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(gzip), 64 * 1024)) {
            int n;
            while ((n = in.readNBytes(buffer, 0, buffer.length)) > 0) {
                source.fill(expected, 0, total, n);
                if (java.util.Arrays.mismatch(buffer, 0, n, expected, 0, n) >= 0) {
                    throw new AssertionError("the inflated bytes differ from the source within bytes " + total + " to "
                            + (total + n));
                }
                if (digesting) {
                    digest.update(buffer, 0, n);
                }
                total += n;
            }
            assertThat(in.read()).as("one member, nothing after it").isEqualTo(-1);
        }
        return new Inflated(total, digesting ? HexFormat.of().formatHex(digest.digest()) : null);
    }

    private static boolean gunzipPresent() {
        return Stream.of(System.getenv().getOrDefault("PATH", "").split(":"))
                .anyMatch(dir -> Files.isExecutable(Path.of(dir, "gunzip")));
    }
}
