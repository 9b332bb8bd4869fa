package dev.ferry.engine.transfer;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * How a {@link StreamingTransfer} uses the machine and the network. Memory in use is about
 * {@code buffers × 2 × blockSize} whatever the image size, plus one deflate state per compression
 * thread.
 *
 * @param readConnections ranged reads open at once against the source
 * @param rangeSize bytes asked for by one ranged read; a multiple of {@code blockSize}
 * @param blockSize bytes compressed as one unit (32 KiB to 64 MiB)
 * @param compressionThreads threads running the deflate compressor
 * @param compressionLevel deflate level, 1 (fastest) to 9 (smallest)
 * @param buffers blocks in flight at once, from the read to the upload (at least 2)
 * @param maxReadRetries times one ranged read is reopened in a row without getting a new byte
 *     before the transfer fails
 * @param retryBackoff pause before the first retry; doubled for each further one, up to 32 times
 *     this
 * @param maxUploadAttempts upload attempts in all, the first included; each starts from byte 0
 * @param progressInterval time between two progress snapshots (at least 10 ms)
 */
public record TransferOptions(
        int readConnections,
        long rangeSize,
        int blockSize,
        int compressionThreads,
        int compressionLevel,
        int buffers,
        int maxReadRetries,
        Duration retryBackoff,
        int maxUploadAttempts,
        Duration progressInterval) {

    static final int MIN_BLOCK_SIZE = 32 * 1024;
    static final int MAX_BLOCK_SIZE = 64 * 1024 * 1024;

    public TransferOptions {
        requireNonNull(retryBackoff, "retryBackoff is null");
        requireNonNull(progressInterval, "progressInterval is null");
        check(readConnections >= 1 && readConnections <= 64, "readConnections must be 1 to 64, not " + readConnections);
        check(blockSize >= MIN_BLOCK_SIZE && blockSize <= MAX_BLOCK_SIZE,
                "blockSize must be 32 KiB to 64 MiB (the deflate window is 32 KiB), not " + blockSize);
        check(rangeSize >= blockSize && rangeSize % blockSize == 0,
                "rangeSize must be a positive multiple of blockSize " + blockSize + ", not " + rangeSize);
        check(compressionThreads >= 1 && compressionThreads <= 256,
                "compressionThreads must be 1 to 256, not " + compressionThreads);
        check(compressionLevel >= 1 && compressionLevel <= 9, "compressionLevel must be 1 to 9, not " + compressionLevel);
        check(buffers >= 2, "buffers must be at least 2 (a block and the one it takes its dictionary from), not " + buffers);
        check(maxReadRetries >= 0, "maxReadRetries must not be negative, not " + maxReadRetries);
        check(!retryBackoff.isNegative(), "retryBackoff must not be negative, not " + retryBackoff);
        check(maxUploadAttempts >= 1, "maxUploadAttempts must be at least 1, not " + maxUploadAttempts);
        check(progressInterval.compareTo(Duration.ofMillis(10)) >= 0,
                "progressInterval must be at least 10 ms, not " + progressInterval);
    }

    /**
     * Defaults tuned on a 2-core machine streaming a 2 GiB disk image over loopback (see
     * {@code bench/transfer}): 4 connections reading 4 MiB ranges, 256 KiB blocks compressed at
     * level 6 on every processor, 64 blocks in flight (16 MiB of raw window, about 35 MiB of
     * buffers in all, enough for all 4 connections to read at once), 5 read retries starting at
     * 250 ms, 3 upload attempts, a progress snapshot every 100 ms. Block size barely changes the CPU
     * time (1 MiB blocks save 0.05% of output); smaller blocks keep memory low and each buffer
     * under the size the G1 collector treats as humongous.
     */
    public static TransferOptions defaults() {
        return new TransferOptions(
                4,
                4L * 1024 * 1024,
                256 * 1024,
                Runtime.getRuntime().availableProcessors(),
                6,
                64,
                5,
                Duration.ofMillis(250),
                3,
                Duration.ofMillis(100));
    }

    public TransferOptions withReadConnections(int readConnections) {
        return new TransferOptions(readConnections, rangeSize, blockSize, compressionThreads, compressionLevel, buffers,
                maxReadRetries, retryBackoff, maxUploadAttempts, progressInterval);
    }

    /** Block and range sizes change together, since a range is a whole number of blocks. */
    public TransferOptions withBlockSize(int blockSize, long rangeSize) {
        return new TransferOptions(readConnections, rangeSize, blockSize, compressionThreads, compressionLevel, buffers,
                maxReadRetries, retryBackoff, maxUploadAttempts, progressInterval);
    }

    public TransferOptions withCompressionThreads(int compressionThreads) {
        return new TransferOptions(readConnections, rangeSize, blockSize, compressionThreads, compressionLevel, buffers,
                maxReadRetries, retryBackoff, maxUploadAttempts, progressInterval);
    }

    public TransferOptions withCompressionLevel(int compressionLevel) {
        return new TransferOptions(readConnections, rangeSize, blockSize, compressionThreads, compressionLevel, buffers,
                maxReadRetries, retryBackoff, maxUploadAttempts, progressInterval);
    }

    public TransferOptions withBuffers(int buffers) {
        return new TransferOptions(readConnections, rangeSize, blockSize, compressionThreads, compressionLevel, buffers,
                maxReadRetries, retryBackoff, maxUploadAttempts, progressInterval);
    }

    public TransferOptions withRetries(int maxReadRetries, int maxUploadAttempts, Duration retryBackoff) {
        return new TransferOptions(readConnections, rangeSize, blockSize, compressionThreads, compressionLevel, buffers,
                maxReadRetries, retryBackoff, maxUploadAttempts, progressInterval);
    }

    public TransferOptions withProgressInterval(Duration progressInterval) {
        return new TransferOptions(readConnections, rangeSize, blockSize, compressionThreads, compressionLevel, buffers,
                maxReadRetries, retryBackoff, maxUploadAttempts, progressInterval);
    }

    /** The pause before retry number {@code retry} (1 for the first). */
    Duration backoff(int retry) {
        int doublings = Math.min(Math.max(retry - 1, 0), 5);
        return retryBackoff.multipliedBy(1L << doublings);
    }

    private static void check(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException(message);
        }
    }
}
