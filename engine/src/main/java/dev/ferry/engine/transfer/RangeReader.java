package dev.ferry.engine.transfer;

import static java.util.Objects.requireNonNull;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One reader of an upload attempt: reads whole ranges, one at a time, block by block into pool
 * buffers. A read cut mid-range is reopened at its last good byte after a pause, up to
 * {@link TransferOptions#maxReadRetries()} times in a row without a new byte; then the source has
 * failed and so has the attempt.
 */
final class RangeReader {

    /** What a reader asks of its attempt. */
    interface Pipeline {
        /** Waits until block {@code index} may be read and lends it a buffer; throws {@link AttemptStopped} once stopped. */
        Block admit(int index);

        /** The block is read and may be compressed. */
        void readDone(Block block);

        boolean isStopped();

        /** Ends the attempt with the source's failure, in words for the user. */
        void sourceFailed(String reason, Throwable cause);
    }

    /** Told of every ranged read about to be reopened. */
    interface ReadRetries {
        void retrying(int retry, long offset, String reason, Duration delay);
    }

    private final RangedByteSource source;
    private final TransferOptions options;
    private final TransferCounters counters;
    private final ReadRetries readRetries;
    private final BlockLayout layout;
    private final WrittenExtents extents;
    private final AtomicInteger nextRange;
    private final Pipeline pipeline;

    private volatile InputStream open;
    private volatile boolean cancelled;

    RangeReader(RangedByteSource source, TransferOptions options, TransferCounters counters, ReadRetries readRetries,
            BlockLayout layout, WrittenExtents extents, AtomicInteger nextRange, Pipeline pipeline) {
        this.source = requireNonNull(source, "source is null");
        this.options = requireNonNull(options, "options is null");
        this.counters = requireNonNull(counters, "counters is null");
        this.readRetries = requireNonNull(readRetries, "readRetries is null");
        this.layout = requireNonNull(layout, "layout is null");
        this.extents = requireNonNull(extents, "extents is null");
        this.nextRange = requireNonNull(nextRange, "nextRange is null");
        this.pipeline = requireNonNull(pipeline, "pipeline is null");
    }

    void run() throws InterruptedException {
        int range;
        while ((range = nextRange.getAndIncrement()) < layout.rangeCount()) {
            readRange(range);
        }
    }

    void cancel() {
        cancelled = true;
        closeQuietly(open);
    }

    /**
     * Reads the written bytes of one range, block by block. One stream is opened per written
     * extent within the range (one for the whole range when everything is written); a block the
     * source declared unwritten is passed on without a buffer, and the unwritten parts of a
     * partly written block are zero-filled.
     */
    private void readRange(int range) throws InterruptedException {
        int first = range * layout.blocksPerRange();
        int end = Math.min(layout.blockCount(), first + layout.blocksPerRange());
        long rangeEnd = Math.min(layout.size(), (long) end * layout.blockSize());
        long position = (long) first * layout.blockSize(); // where the open stream, if any, stands
        long streamEnd = position; // where it ends
        int failuresInARow = 0;
        InputStream in = null;
        try {
            for (int index = first; index < end; index++) {
                Block block = pipeline.admit(index);
                if (block.raw == null) {
                    pipeline.readDone(block);
                    continue;
                }
                long blockStart = (long) index * layout.blockSize();
                long blockEnd = blockStart + block.length;
                if (!extents.allWritten(blockStart, blockEnd)) {
                    Arrays.fill(block.raw, 0, block.length, (byte) 0);
                }
                long piece = extents.nextWritten(blockStart);
                while (piece < blockEnd) {
                    long pieceEnd = Math.min(blockEnd, extents.extentEnd(piece));
                    if (in != null && position != piece) {
                        closeQuietly(in); // a hole in between: this stream has served its extent
                        in = null;
                    }
                    if (in == null) {
                        position = piece;
                        streamEnd = Math.min(rangeEnd, extents.extentEnd(piece));
                    }
                    while (position < pieceEnd) {
                        try {
                            if (in == null) {
                                in = source.openRange(position, streamEnd - position);
                                open = in;
                                if (cancelled) {
                                    throw new AttemptStopped();
                                }
                            }
                            int n = in.read(block.raw, (int) (position - blockStart), (int) (pieceEnd - position));
                            if (n < 0) {
                                throw new EOFException("the connection ended at byte " + position
                                        + " of a range that runs to byte " + streamEnd);
                            }
                            position += n;
                            counters.bytesRead.addAndGet(n);
                            if (n > 0) {
                                failuresInARow = 0;
                            }
                        } catch (IOException | RuntimeException e) {
                            if (cancelled || pipeline.isStopped()) {
                                throw new AttemptStopped();
                            }
                            closeQuietly(in);
                            in = null;
                            failuresInARow++;
                            String reason = UploadAttempt.reasonOf(e);
                            if (failuresInARow > options.maxReadRetries()) {
                                throw new SourceFailed(position, failuresInARow - 1, reason, e);
                            }
                            Duration delay = options.backoff(failuresInARow);
                            readRetries.retrying(failuresInARow, position, reason, delay);
                            Thread.sleep(delay.toMillis());
                        }
                    }
                    if (in != null && position == streamEnd) {
                        closeQuietly(in);
                        in = null;
                        open = null;
                    }
                    piece = extents.nextWritten(pieceEnd);
                }
                pipeline.readDone(block);
            }
        } catch (SourceFailed e) {
            pipeline.sourceFailed("reading " + source.description() + " failed at byte " + e.offset
                    + " of " + layout.size() + (e.retries == 0 ? "" : " after " + e.retries + " retries") + ": " + e.reason,
                    e.getCause());
            throw new AttemptStopped();
        } catch (InterruptedException e) {
            if (pipeline.isStopped()) {
                throw new AttemptStopped();
            }
            throw e;
        } finally {
            closeQuietly(in);
            open = null;
        }
    }

    private static void closeQuietly(InputStream in) {
        if (in != null) {
            try {
                in.close();
            } catch (IOException | RuntimeException ignored) {
                // Closing is only to free the connection; the read already failed or finished.
            }
        }
    }

    private static final class SourceFailed extends RuntimeException {
        final long offset;
        final int retries;
        final String reason;

        SourceFailed(long offset, int retries, String reason, Throwable cause) {
            super(reason, cause, false, false);
            this.offset = offset;
            this.retries = retries;
            this.reason = reason;
        }
    }
}
