package dev.ferry.engine.transfer;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The upload body handed to {@link ByteSink#send}: the gzip header, the compressed blocks in
 * order and the trailer, read straight out of the pipeline's buffers (no copy). A buffer goes back
 * to its pool once the sink has read it all. When the pipeline stops, reads fail at once, so the
 * sink abandons its request.
 */
final class BodyStream extends InputStream {

    /** {@code bytes[0, length)} of gzip, standing for {@code rawLength} uncompressed bytes. */
    record Chunk(byte[] bytes, int length, long rawLength, Runnable release) {
    }

    private final TransferCounters counters;
    private final ArrayDeque<Chunk> queued = new ArrayDeque<>();
    private Chunk current;
    private int position;
    private boolean finished;
    private boolean endReached;
    private boolean closed;
    private String failure;

    BodyStream(TransferCounters counters) {
        this.counters = counters;
    }

    void offer(Chunk chunk) {
        synchronized (this) {
            if (failure == null && !closed) {
                queued.addLast(chunk);
                notifyAll();
                return;
            }
        }
        chunk.release().run();
    }

    /** No chunk follows those offered: the sink reads the end of the body next. */
    synchronized void finish() {
        finished = true;
        notifyAll();
    }

    /** Makes the sink's next read fail with {@code reason}, and gives back the buffers it had not read. */
    void fail(String reason) {
        List<Chunk> dropped;
        synchronized (this) {
            if (failure == null) {
                failure = reason;
            }
            dropped = drain();
            notifyAll();
        }
        dropped.forEach(chunk -> chunk.release().run());
    }

    /** Whether the sink read up to the end of the body. */
    synchronized boolean endReached() {
        return endReached;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        if (length == 0) {
            return 0;
        }
        Chunk consumed = null;
        int n;
        synchronized (this) {
            while (current == null && queued.isEmpty() && !finished && failure == null && !closed) {
                try {
                    wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("the upload was interrupted");
                }
            }
            if (failure != null) {
                throw new IOException("the transfer stopped: " + failure);
            }
            if (closed) {
                throw new IOException("the upload body is closed");
            }
            if (current == null) {
                current = queued.pollFirst();
                position = 0;
                if (current == null) {
                    endReached = true;
                    return -1;
                }
            }
            n = Math.min(length, current.length() - position);
            System.arraycopy(current.bytes(), position, buffer, offset, n);
            position += n;
            counters.bytesSent.addAndGet(n);
            if (position == current.length()) {
                consumed = current;
                current = null;
            }
        }
        if (consumed != null) {
            counters.rawBytesSent.addAndGet(consumed.rawLength());
            consumed.release().run();
        }
        return n;
    }

    @Override
    public synchronized int available() {
        return current == null ? 0 : current.length() - position;
    }

    @Override
    public void close() {
        List<Chunk> dropped;
        synchronized (this) {
            closed = true;
            dropped = drain();
            notifyAll();
        }
        dropped.forEach(chunk -> chunk.release().run());
    }

    private List<Chunk> drain() {
        List<Chunk> dropped = new ArrayList<>(queued);
        queued.clear();
        if (current != null) {
            dropped.add(current);
            current = null;
        }
        return dropped;
    }
}
