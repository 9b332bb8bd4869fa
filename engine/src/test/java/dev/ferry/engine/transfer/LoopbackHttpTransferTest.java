package dev.ferry.engine.transfer;

import static dev.ferry.engine.transfer.TestData.sha256;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The pipeline over real sockets: ranged GETs from, and one chunked PUT to, a JDK HttpServer on loopback. */
@Timeout(120)
class LoopbackHttpTransferTest {

    private static TransferOptions options() {
        return TransferOptions.defaults()
                .withBlockSize(128 * 1024, 512 * 1024)
                .withBuffers(12)
                .withRetries(5, 3, Duration.ZERO);
    }

    @AfterEach
    void noTransferThreadOutlivesItsRun() {
        assertThat(TestData.liveTransferThreads()).isEmpty();
    }

    @Test
    void streamsRangedGetsIntoOneChunkedPutThatInflatesToTheSource() throws Exception {
        byte[] image = TestData.mixed(12 * 1024 * 1024 + 4321, 41);
        try (LoopbackServer server = new LoopbackServer(LoopbackServer.Content.of(image), true, true)) {
            HttpRangedSource source = HttpRangedSource.open(server.imageUri());
            HttpPutSinks sinks = new HttpPutSinks(server.uploadUri(), Long.MAX_VALUE, Long.MAX_VALUE);

            TransferResult result = new StreamingTransfer(source, sinks, options(), TransferListener.NONE).run();

            assertThat(server.uploads()).hasSize(1);
            LoopbackServer.Upload upload = server.uploads().get(0);
            assertThat(upload.error()).isNull();
            assertThat(upload.chunked()).as("length unknown in advance, so chunked").isTrue();
            assertThat(upload.contentType()).isEqualTo("application/octet-stream");
            assertThat(upload.rawSha256()).isEqualTo(sha256(image)).isEqualTo(result.rawSha256());
            assertThat(upload.rawBytes()).isEqualTo(image.length);
            assertThat(upload.gzipSha256()).isEqualTo(result.compressedSha256());
            assertThat(upload.gzipBytes()).isEqualTo(result.compressedBytes());
            assertThat(result.receipt().status()).isEqualTo(200);
            assertThat(server.rangeRequests.get()).as("one GET per 512 KiB range").isEqualTo(25);
        }
    }

    @Test
    void survivesCutRangesAndARefusedUploadOverSockets() throws Exception {
        byte[] image = TestData.mixed(6 * 1024 * 1024, 42);
        try (LoopbackServer server = new LoopbackServer(LoopbackServer.Content.of(image), true, false)) {
            server.cutRanges(3, 200_000);
            server.refuseUploads(1, 50_000);
            HttpRangedSource source = HttpRangedSource.open(server.imageUri());
            HttpPutSinks sinks = new HttpPutSinks(server.uploadUri(), Long.MAX_VALUE, Long.MAX_VALUE);
            StreamingTransferTest.RecordingListener listener = new StreamingTransferTest.RecordingListener();

            TransferResult result = new StreamingTransfer(source, sinks, options(), listener).run();

            assertThat(result.attempts()).isEqualTo(2);
            assertThat(result.readRetries()).isGreaterThanOrEqualTo(3);
            assertThat(listener.retries).anySatisfy(retry -> {
                assertThat(retry.side()).isEqualTo(TransferRetry.Side.UPLOAD);
                assertThat(retry.reason()).satisfiesAnyOf(
                        reason -> assertThat(reason).contains("HTTP 500"),
                        reason -> assertThat(reason).contains("IOException"));
            });
            LoopbackServer.Upload last = server.uploads().get(server.uploads().size() - 1);
            assertThat(last.status()).isEqualTo(200);
            assertThat(last.rawSha256()).isEqualTo(sha256(image));
            assertThat(last.gzipSha256()).isEqualTo(result.compressedSha256());
        }
    }
}
