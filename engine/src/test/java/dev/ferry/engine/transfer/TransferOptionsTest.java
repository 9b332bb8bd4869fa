package dev.ferry.engine.transfer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class TransferOptionsTest {

    @Test
    void defaultsUseEveryProcessorAndLevelSix() {
        TransferOptions defaults = TransferOptions.defaults();
        assertThat(defaults.compressionThreads()).isEqualTo(Runtime.getRuntime().availableProcessors());
        assertThat(defaults.compressionLevel()).isEqualTo(6);
        assertThat(defaults.readConnections()).isEqualTo(4);
        assertThat(defaults.maxUploadAttempts()).isEqualTo(3);
        assertThat(defaults.rangeSize() % defaults.blockSize()).isZero();
    }

    @Test
    void rejectsARangeThatIsNotAWholeNumberOfBlocks() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> TransferOptions.defaults().withBlockSize(128 * 1024, 200 * 1024))
                .withMessage("rangeSize must be a positive multiple of blockSize 131072, not 204800");
    }

    @Test
    void rejectsBlocksSmallerThanTheDeflateWindow() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> TransferOptions.defaults().withBlockSize(16 * 1024, 16 * 1024))
                .withMessageContaining("blockSize must be 32 KiB to 64 MiB");
    }

    @Test
    void rejectsFewerThanTwoBuffersAndNoUploadAttempt() {
        assertThatIllegalArgumentException().isThrownBy(() -> TransferOptions.defaults().withBuffers(1))
                .withMessageStartingWith("buffers must be at least 2");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> TransferOptions.defaults().withRetries(5, 0, Duration.ZERO))
                .withMessage("maxUploadAttempts must be at least 1, not 0");
    }

    @Test
    void backoffDoublesAndStopsGrowingAt32Times() {
        TransferOptions options = TransferOptions.defaults().withRetries(5, 3, Duration.ofMillis(100));
        assertThat(options.backoff(1)).isEqualTo(Duration.ofMillis(100));
        assertThat(options.backoff(2)).isEqualTo(Duration.ofMillis(200));
        assertThat(options.backoff(6)).isEqualTo(Duration.ofMillis(3200));
        assertThat(options.backoff(40)).isEqualTo(Duration.ofMillis(3200));
    }
}
