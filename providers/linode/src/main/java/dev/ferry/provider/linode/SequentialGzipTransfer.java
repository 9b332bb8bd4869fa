package dev.ferry.provider.linode;

import static java.util.Objects.requireNonNull;

import dev.ferry.engine.transfer.ByteSink;
import dev.ferry.engine.transfer.ByteSinkFactory;
import dev.ferry.engine.transfer.RangedByteSource;
import dev.ferry.engine.transfer.SinkReceipt;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.function.BooleanSupplier;
import java.util.zip.GZIPOutputStream;

/**
 * The simple way to stream an image: one sequential read of the source (reopened at the last byte after a
 * cut), gzip on the calling thread, pulled by the sink as it sends. Memory stays at a few buffers whatever the
 * image size, and nothing touches the local disk. It is single-threaded, so slower than the engine's parallel
 * pipeline meant to replace it; its behaviour (limits checked early, digests, a fresh sink per attempt) is the
 * same.
 */
final class SequentialGzipTransfer implements ImageTransfer {

    private static final int CHUNK = 256 * 1024;
    private static final int MAX_READ_RETRIES = 5;

    private final int maxAttempts;
    private final Duration readRetryPause;

    SequentialGzipTransfer(int maxAttempts, Duration readRetryPause) {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1");
        }
        this.maxAttempts = maxAttempts;
        this.readRetryPause = requireNonNull(readRetryPause, "readRetryPause is null");
    }

    @Override
    public Report run(RangedByteSource source, ByteSinkFactory sinks, Listener listener, BooleanSupplier cancelled)
            throws Failed, Cancelled {
        if (source.size() > sinks.rawLimit()) {
            throw new Failed("the disk image " + source.description() + " is " + Sizes.bytes(source.size()) + ", more than the "
                    + Sizes.bytes(sinks.rawLimit()) + " the receiver accepts uncompressed; nothing was sent", null);
        }
        String lastReason = null;
        for (int attempt = 1; attempt <= maxAttempts; attempt++) {
            if (cancelled.getAsBoolean()) {
                throw new Cancelled();
            }
            if (attempt > 1) {
                listener.restarting(attempt, lastReason);
            }
            ByteSink sink;
            try {
                sink = sinks.attempt(attempt);
            } catch (IOException e) {
                throw new Failed("cannot start upload attempt " + attempt + ": " + e.getMessage(), e);
            }
            GzipBody body = new GzipBody(source, sinks.compressedLimit(), listener, cancelled, readRetryPause);
            try {
                SinkReceipt receipt = sink.send(body);
                if (!body.finished()) {
                    throw new IOException("the receiver answered " + receipt.status() + " before taking the whole body");
                }
                return body.report(attempt, receipt);
            } catch (IOException e) {
                if (body.stop != null) {
                    switch (body.stop) {
                        case CANCELLED -> throw new Cancelled();
                        case TOO_LARGE -> throw new Failed("the gzip'd image passed the " + Sizes.bytes(sinks.compressedLimit())
                                + " the receiver accepts after " + Sizes.bytes(body.rawCount) + " of " + Sizes.bytes(source.size())
                                + " were read; the upload was stopped there. Shrink the file system and volume, or move data"
                                + " to a Block Storage volume", e);
                        case SOURCE -> throw new Failed("cannot read the disk image " + source.description() + ": "
                                + body.sourceFailure, e);
                    }
                }
                if (e instanceof InterruptedIOException || Thread.currentThread().isInterrupted()) {
                    throw new Cancelled();
                }
                if (e instanceof ImageUploadSink.Refused refused && !refused.retryable()) {
                    throw new Failed(refused.getMessage(), e);
                }
                lastReason = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            }
        }
        throw new Failed("the upload failed " + maxAttempts + " times; the last attempt: " + lastReason, null);
    }

    /** Why a body stopped itself (as opposed to the connection failing under it). */
    private enum Stop { CANCELLED, TOO_LARGE, SOURCE }

    /** The gzip form of the source, produced as the sink reads it. */
    private static final class GzipBody extends InputStream {
        private final RangedByteSource source;
        private final long compressedLimit;
        private final Listener listener;
        private final BooleanSupplier cancelled;
        private final Duration readRetryPause;
        private final MessageDigest rawDigest = sha256();
        private final MessageDigest gzipDigest = sha256();
        private final Pending pending = new Pending();
        private final GZIPOutputStream gzip;
        private final byte[] chunk = new byte[CHUNK];
        private InputStream open;
        private long rawCount;
        private long gzipCount;
        private boolean compressed;
        private boolean ended;
        private long lastReported = -1;
        volatile Stop stop;
        volatile String sourceFailure;

        GzipBody(RangedByteSource source, long compressedLimit, Listener listener, BooleanSupplier cancelled,
                 Duration readRetryPause) {
            this.source = source;
            this.compressedLimit = compressedLimit;
            this.listener = listener;
            this.cancelled = cancelled;
            this.readRetryPause = readRetryPause;
            try {
                this.gzip = new GZIPOutputStream(pending, 64 * 1024);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            if (length == 0) {
                return 0;
            }
            while (pending.available() == 0) {
                if (compressed) {
                    ended = true;
                    report();
                    return -1;
                }
                pump();
            }
            int n = pending.take(buffer, offset, length);
            gzipDigest.update(buffer, offset, n);
            gzipCount += n;
            if (gzipCount > compressedLimit) {
                stop = Stop.TOO_LARGE;
                throw new IOException("the compressed image passed the receiver's limit");
            }
            return n;
        }

        /** Reads one chunk of the source into the compressor (or finishes it at the end). */
        private void pump() throws IOException {
            if (cancelled.getAsBoolean() || Thread.currentThread().isInterrupted()) {
                stop = Stop.CANCELLED;
                throw new InterruptedIOException("cancelled");
            }
            if (rawCount >= source.size()) {
                gzip.finish();
                compressed = true;
                return;
            }
            int n = readSource();
            rawDigest.update(chunk, 0, n);
            gzip.write(chunk, 0, n);
            rawCount += n;
            report();
        }

        /** Some bytes at {@code rawCount}, reopening the source there after a cut (a few times in a row at most). */
        private int readSource() throws IOException {
            IOException last = null;
            for (int retry = 0; retry <= MAX_READ_RETRIES; retry++) {
                if (retry > 0) {
                    pause(retry);
                }
                try {
                    if (open == null) {
                        open = source.openRange(rawCount, source.size() - rawCount);
                    }
                    int n = open.read(chunk, 0, (int) Math.min(chunk.length, source.size() - rawCount));
                    if (n > 0) {
                        return n;
                    }
                    last = new IOException("the source ended at byte " + rawCount + " of " + source.size());
                } catch (IOException e) {
                    last = e;
                }
                closeOpen();
            }
            stop = Stop.SOURCE;
            sourceFailure = last.getMessage() + " (at byte " + rawCount + ", after " + MAX_READ_RETRIES + " retries)";
            throw last;
        }

        private void pause(int retry) throws IOException {
            try {
                Thread.sleep(readRetryPause.toMillis() << Math.min(retry - 1, 6));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                stop = Stop.CANCELLED;
                throw new InterruptedIOException("cancelled");
            }
        }

        private void report() {
            if (rawCount - lastReported >= 4L * 1024 * 1024 || rawCount == source.size() && lastReported != rawCount) {
                lastReported = rawCount;
                listener.progress(rawCount, source.size());
            }
        }

        boolean finished() {
            return ended;
        }

        Report report(int attempt, SinkReceipt receipt) {
            return new Report(rawCount, HexFormat.of().formatHex(rawDigest.digest()), gzipCount,
                    HexFormat.of().formatHex(gzipDigest.digest()), attempt, receipt);
        }

        private void closeOpen() {
            if (open != null) {
                try {
                    open.close();
                } catch (IOException ignored) {
                    // the stream was broken already
                }
                open = null;
            }
        }

        @Override
        public void close() {
            closeOpen();
        }
    }

    /** Bytes the compressor wrote and the sink has not read yet; a few chunks at most. */
    private static final class Pending extends OutputStream {
        private byte[] bytes = new byte[2 * CHUNK];
        private int start;
        private int end;

        @Override
        public void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] data, int offset, int length) {
            if (end + length > bytes.length) {
                int live = end - start;
                byte[] target = live + length > bytes.length ? new byte[Math.max(bytes.length * 2, live + length)] : bytes;
                System.arraycopy(bytes, start, target, 0, live);
                bytes = target;
                start = 0;
                end = live;
            }
            System.arraycopy(data, offset, bytes, end, length);
            end += length;
        }

        int available() {
            return end - start;
        }

        int take(byte[] into, int offset, int length) {
            int n = Math.min(length, end - start);
            System.arraycopy(bytes, start, into, offset, n);
            start += n;
            if (start == end) {
                start = 0;
                end = 0;
            }
            return n;
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
