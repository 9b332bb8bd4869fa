package dev.ferry.engine.transfer;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Streams a {@link RangedByteSource} into a {@link ByteSinkFactory}'s single-request upload as one
 * gzip member, with no local copy: parallel ranged reads, reassembled in order, compressed in
 * parallel blocks (pigz's scheme, readable by any gunzip), hashed on the way (SHA-256 of the raw
 * and of the gzip bytes) and handed to the sink as one body whose length is not known in advance.
 *
 * <p>Memory stays within {@link TransferOptions#buffers()} blocks whatever the size. A read cut
 * mid-range resumes at its last good byte; an upload that fails starts over from byte 0 on a fresh
 * {@link ByteSinkFactory#attempt}, up to {@link TransferOptions#maxUploadAttempts()} times. Sizes
 * are checked against the receiver's limits: the raw size before anything is read, the compressed
 * size as soon as it goes over.
 *
 * <p>One instance runs one transfer: call {@link #run()} once, from any thread; {@link #abort()}
 * or interrupting that thread stops it promptly. All its threads have ended when {@code run}
 * returns or throws.
 */
public final class StreamingTransfer {

    private static final long RATE_WINDOW_NANOS = TimeUnit.SECONDS.toNanos(5);

    private final RangedByteSource source;
    private final ByteSinkFactory sinks;
    private final TransferOptions options;
    private final TransferListener listener;

    private final AtomicBoolean started = new AtomicBoolean();
    private final CountDownLatch abortRequested = new CountDownLatch(1);
    private final AtomicInteger readRetries = new AtomicInteger();
    private volatile UploadAttempt current;
    private volatile TransferCounters counters;
    private volatile long startNanos;
    private int peakBuffersInUse;
    private int buffersAllocated;

    public StreamingTransfer(RangedByteSource source, ByteSinkFactory sinks, TransferOptions options,
            TransferListener listener) {
        this.source = requireNonNull(source, "source is null");
        this.sinks = requireNonNull(sinks, "sinks is null");
        this.options = requireNonNull(options, "options is null");
        this.listener = new SerializedListener(requireNonNull(listener, "listener is null"));
    }

    /**
     * Moves every byte, or throws.
     *
     * @throws TransferException when a limit is exceeded, the source keeps failing, every upload
     *     attempt failed, or {@link #abort()} was called; its message is for the user
     * @throws InterruptedException when the calling thread is interrupted; the transfer is stopped
     */
    public TransferResult run() throws TransferException, InterruptedException {
        if (!started.compareAndSet(false, true)) {
            throw new IllegalStateException("a StreamingTransfer runs once");
        }
        startNanos = System.nanoTime();
        long size = source.size();
        if (size < 0) {
            throw new IllegalArgumentException(source.description() + " reports a negative size: " + size);
        }
        long rawLimit = sinks.rawLimit();
        if (size > rawLimit) {
            throw new TransferException(TransferException.Reason.RAW_SIZE_OVER_LIMIT, source.description() + " is "
                    + Sizes.describe(size) + " uncompressed, over the receiver's limit of " + Sizes.describe(rawLimit)
                    + "; nothing was sent. Shrink the source disk below the limit, or choose a target that"
                    + " accepts larger images.", null);
        }
        WrittenExtents extents = writtenExtents(size);
        BlockCompressor.ZeroRuns zeroRuns = BlockCompressor.ZeroRuns.of(options.compressionLevel());
        ProgressTicker ticker = new ProgressTicker(size);
        ticker.start();
        try {
            for (int attempt = 1; ; attempt++) {
                if (abortRequested.getCount() == 0) {
                    throw aborted(attempt);
                }
                TransferCounters attemptCounters = new TransferCounters(attempt);
                counters = attemptCounters;
                UploadAttempt.Outcome outcome = runAttempt(attempt, attemptCounters, zeroRuns, extents);
                if (outcome instanceof UploadAttempt.Succeeded succeeded) {
                    ticker.stopTicking();
                    listener.progress(finalSnapshot(attemptCounters, size));
                    return new TransferResult(size, succeeded.compressedBytes(), succeeded.rawSha256(),
                            succeeded.compressedSha256(), attempt, readRetries.get(), elapsed(), succeeded.receipt());
                }
                UploadAttempt.Failed failed = (UploadAttempt.Failed) outcome;
                switch (failed.failure()) {
                    case UPLOAD -> {
                        if (attempt >= options.maxUploadAttempts()) {
                            throw new TransferException(TransferException.Reason.UPLOAD_FAILED, "Uploading "
                                    + source.description() + " failed " + times(attempt) + "; the last attempt: "
                                    + failed.reason() + ". Check that the receiver is reachable and accepts the upload,"
                                    + " then run the transfer again.", failed.cause());
                        }
                        Duration delay = options.backoff(attempt);
                        listener.retrying(new TransferRetry(TransferRetry.Side.UPLOAD, attempt + 1, 0,
                                failed.reason(), delay));
                        if (abortRequested.await(delay.toNanos(), TimeUnit.NANOSECONDS)) {
                            throw aborted(attempt + 1);
                        }
                    }
                    case SOURCE -> throw new TransferException(TransferException.Reason.SOURCE_FAILED,
                            capitalized(failed.reason()) + ". Check that the source still exists and is readable,"
                                    + " then run the transfer again.", failed.cause());
                    case COMPRESSED_LIMIT -> throw new TransferException(
                            TransferException.Reason.COMPRESSED_SIZE_OVER_LIMIT, capitalized(failed.reason())
                                    + "; the upload was stopped before passing it. The disk does not compress enough:"
                                    + " zero its free space (for example with fstrim, or zerofree on an unmounted"
                                    + " ext4 filesystem) or shrink it, then export it again.", failed.cause());
                    case ABORTED -> throw aborted(attempt);
                    case INTERNAL -> throw new IllegalStateException(failed.reason(), failed.cause());
                }
            }
        } finally {
            ticker.stopTicking();
            ticker.join();
        }
    }

    /**
     * Stops the transfer from another thread: reads and the upload are cut, and {@link #run()}
     * throws a {@link TransferException} with {@link TransferException.Reason#ABORTED} once its
     * threads have ended. Does nothing once the transfer is over.
     */
    public void abort() {
        abortRequested.countDown();
        UploadAttempt attempt = current;
        if (attempt != null) {
            attempt.abort("the transfer was aborted");
        }
    }

    /** The most buffers of one kind that were lent at once, across attempts (for tests). */
    synchronized int peakBuffersInUse() {
        return peakBuffersInUse;
    }

    /** The most buffers of one kind allocated by one attempt (for tests). */
    synchronized int buffersAllocated() {
        return buffersAllocated;
    }

    private UploadAttempt.Outcome runAttempt(int number, TransferCounters attemptCounters,
            BlockCompressor.ZeroRuns zeroRuns, WrittenExtents extents) throws InterruptedException {
        ByteSink sink;
        try {
            sink = requireNonNull(sinks.attempt(number), "the sink factory returned no sink");
        } catch (IOException | RuntimeException e) {
            return new UploadAttempt.Failed(UploadAttempt.Failure.UPLOAD,
                    "could not start the upload: " + UploadAttempt.reasonOf(e), e);
        }
        UploadAttempt attempt = new UploadAttempt(source, sink, options, sinks.compressedLimit(), zeroRuns, extents,
                attemptCounters, this::readRetrying);
        current = attempt;
        if (abortRequested.getCount() == 0) {
            attempt.abort("the transfer was aborted");
        }
        try {
            return attempt.run();
        } finally {
            current = null;
            synchronized (this) {
                peakBuffersInUse = Math.max(peakBuffersInUse, attempt.peakBuffersInUse());
                buffersAllocated = Math.max(buffersAllocated, attempt.buffersAllocated());
            }
        }
    }

    /** What the source declares written, checked; a listing that fails or makes no sense fails the transfer. */
    private WrittenExtents writtenExtents(long size) throws TransferException {
        List<RangedByteSource.Extent> declared;
        try {
            declared = source.writtenExtents();
        } catch (IOException | RuntimeException e) {
            throw new TransferException(TransferException.Reason.SOURCE_FAILED, "Listing the written parts of "
                    + source.description() + " failed: " + UploadAttempt.reasonOf(e) + "; nothing was sent. Check that"
                    + " the source still exists and is readable, then run the transfer again.", e);
        }
        try {
            return WrittenExtents.of(declared, size, source.description());
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(e.getMessage() + "; this is a bug in the source, not in the disk", e);
        }
    }

    private void readRetrying(int retry, long offset, String reason, Duration delay) {
        readRetries.incrementAndGet();
        listener.retrying(new TransferRetry(TransferRetry.Side.READ, retry, offset, reason, delay));
    }

    private TransferException aborted(int attempt) {
        TransferCounters last = counters;
        long sent = last == null ? 0 : last.bytesSent.get();
        return new TransferException(TransferException.Reason.ABORTED, "The transfer of " + source.description()
                + " was aborted during upload attempt " + attempt + ", after sending " + Sizes.describe(sent)
                + "; the receiver has an incomplete upload, which a new transfer replaces.", null);
    }

    private Duration elapsed() {
        return Duration.ofNanos(System.nanoTime() - startNanos);
    }

    private TransferProgress snapshot(TransferCounters c, long total, double rate) {
        long rawSent = c.rawBytesSent.get();
        Optional<Duration> eta = rate > 0
                ? Optional.of(Duration.ofMillis((long) ((total - rawSent) * 1000 / rate)))
                : Optional.empty();
        return new TransferProgress(c.attempt, total, c.bytesRead.get(), c.bytesCompressed.get(),
                c.compressedBytes.get(), c.bytesSent.get(), rawSent, rate, eta, elapsed());
    }

    private TransferProgress finalSnapshot(TransferCounters c, long total) {
        double seconds = Math.max(1e-9, (System.nanoTime() - startNanos) / 1e9);
        return new TransferProgress(c.attempt, total, c.bytesRead.get(), c.bytesCompressed.get(),
                c.compressedBytes.get(), c.bytesSent.get(), c.rawBytesSent.get(), total / seconds,
                Optional.of(Duration.ZERO), elapsed());
    }

    private static String times(int n) {
        return n == 1 ? "once" : n + " times";
    }

    private static String capitalized(String text) {
        return text.isEmpty() ? text : Character.toUpperCase(text.charAt(0)) + text.substring(1);
    }

    /** Sends a snapshot every progress interval, from its own thread, until stopped. */
    private final class ProgressTicker {

        private final long total;
        private final RateMeter rate = new RateMeter(RATE_WINDOW_NANOS);
        private final Thread thread;
        private boolean ticking = true;

        ProgressTicker(long total) {
            this.total = total;
            this.thread = new Thread(this::tick, "ferry-transfer-progress");
            this.thread.setDaemon(true);
        }

        void start() {
            thread.start();
        }

        synchronized void stopTicking() {
            ticking = false;
            notifyAll();
        }

        void join() throws InterruptedException {
            thread.join();
        }

        private void tick() {
            long intervalNanos = options.progressInterval().toNanos();
            int lastAttempt = 0;
            while (true) {
                synchronized (this) {
                    long deadline = System.nanoTime() + intervalNanos;
                    long left;
                    while (ticking && (left = deadline - System.nanoTime()) > 0) {
                        try {
                            TimeUnit.NANOSECONDS.timedWait(this, left);
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                    if (!ticking) {
                        return;
                    }
                }
                TransferCounters c = counters;
                if (c == null) {
                    continue;
                }
                if (c.attempt != lastAttempt) {
                    lastAttempt = c.attempt;
                    rate.reset(); // a new attempt counts from zero again
                }
                rate.record(System.nanoTime(), c.rawBytesSent.get());
                listener.progress(snapshot(c, total, rate.perSecond()));
            }
        }
    }

    /** Delivers to the caller's listener one call at a time, and keeps its failures out of the transfer. */
    private static final class SerializedListener implements TransferListener {

        private final TransferListener delegate;

        SerializedListener(TransferListener delegate) {
            this.delegate = delegate;
        }

        @Override
        public synchronized void progress(TransferProgress progress) {
            try {
                delegate.progress(progress);
            } catch (RuntimeException ignored) {
                // A broken progress display must not cost a multi-gigabyte upload.
            }
        }

        @Override
        public synchronized void retrying(TransferRetry retry) {
            try {
                delegate.retrying(retry);
            } catch (RuntimeException ignored) {
                // Same as above.
            }
        }
    }
}
