package dev.ferry.engine.transfer;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.Optional;

/**
 * Where a transfer stands. Counters start again from zero when the upload starts over.
 *
 * @param attempt the upload attempt these counters belong to, 1 for the first
 * @param totalBytes size of the source, uncompressed
 * @param bytesRead uncompressed bytes read from the source
 * @param bytesCompressed uncompressed bytes that went through the compressor
 * @param compressedBytes gzip bytes produced
 * @param bytesSent gzip bytes the receiver has taken
 * @param rawBytesSent uncompressed bytes whose gzip form the receiver has taken: the measure of
 *     progress, against {@code totalBytes}
 * @param bytesPerSecond rate of {@code rawBytesSent} over the last few seconds
 * @param eta time left at that rate, empty while the rate is unknown
 * @param elapsed time since the transfer started, all attempts included
 */
public record TransferProgress(
        int attempt,
        long totalBytes,
        long bytesRead,
        long bytesCompressed,
        long compressedBytes,
        long bytesSent,
        long rawBytesSent,
        double bytesPerSecond,
        Optional<Duration> eta,
        Duration elapsed) {

    public TransferProgress {
        requireNonNull(eta, "eta is null");
        requireNonNull(elapsed, "elapsed is null");
    }

    /** The share done, from 0 to 1. */
    public double fraction() {
        return totalBytes == 0 ? 1.0 : Math.min(1.0, rawBytesSent / (double) totalBytes);
    }
}
