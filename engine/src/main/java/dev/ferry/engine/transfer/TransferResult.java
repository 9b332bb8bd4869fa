package dev.ferry.engine.transfer;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.regex.Pattern;

/**
 * What a finished transfer moved, for the state to record.
 *
 * @param rawBytes uncompressed bytes read, the source's size
 * @param compressedBytes gzip bytes the receiver took
 * @param rawSha256 SHA-256 of the uncompressed bytes, lower-case hex
 * @param compressedSha256 SHA-256 of the gzip bytes sent, lower-case hex
 * @param attempts upload attempts made, 1 when the first one succeeded
 * @param readRetries ranged reads reopened after a cut, all attempts together
 * @param elapsed wall time, all attempts together
 * @param receipt what the receiver answered to the successful attempt
 */
public record TransferResult(
        long rawBytes,
        long compressedBytes,
        String rawSha256,
        String compressedSha256,
        int attempts,
        int readRetries,
        Duration elapsed,
        SinkReceipt receipt) {

    private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-f]{64}");

    public TransferResult {
        requireNonNull(rawSha256, "rawSha256 is null");
        requireNonNull(compressedSha256, "compressedSha256 is null");
        requireNonNull(elapsed, "elapsed is null");
        requireNonNull(receipt, "receipt is null");
        if (!SHA256_HEX.matcher(rawSha256).matches() || !SHA256_HEX.matcher(compressedSha256).matches()) {
            throw new IllegalArgumentException("digests must be 64 lower-case hex digits");
        }
    }
}
