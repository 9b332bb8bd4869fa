package dev.ferry.engine.transfer;

import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One pass of the pipeline, from byte 0 of the source to the end of one upload body. Threads:
 * readers ({@link RangeReader}s: one ranged read each, reopened from the last good byte after a cut), compressors
 * (blocks in any order, each as soon as it and the block before it are read), one sequencer
 * (in order: SHA-256 of the raw and gzip bytes, CRC, the compressed limit, the body) and one
 * uploader (the sink's {@code send}).
 *
 * <p>Flow control: block {@code i} may be read only while {@code i < released + buffers}, where
 * {@code released} counts the blocks, from the first, whose raw and compressed buffers are both
 * back. So at most {@code buffers} blocks are in flight, and the lowest unreleased block can
 * always get a buffer, which keeps the pipeline from deadlocking however the readers race.
 */
final class UploadAttempt implements RangeReader.Pipeline {

    /** How an attempt ended. */
    sealed interface Outcome permits Succeeded, Failed {
    }

    record Succeeded(SinkReceipt receipt, long compressedBytes, String rawSha256, String compressedSha256)
            implements Outcome {
    }

    record Failed(Failure failure, String reason, Throwable cause) implements Outcome {
    }

    enum Failure {
        UPLOAD, SOURCE, COMPRESSED_LIMIT, ABORTED, INTERNAL
    }

    private static final String THREAD_PREFIX = "ferry-transfer-";
    private static final long JOIN_GRACE_NANOS = TimeUnit.SECONDS.toNanos(30);

    private final RangedByteSource source;
    private final ByteSink sink;
    private final TransferOptions options;
    private final long compressedLimit;
    private final BlockCompressor.ZeroRuns zeroRuns;
    private final WrittenExtents extents;
    private final TransferCounters counters;
    private final RangeReader.ReadRetries readRetries;

    private final BlockLayout layout;
    private final int window;
    private final BufferPool rawPool;
    private final BufferPool outPool;
    private final BodyStream body;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition admissionOpened = lock.newCondition();
    private final Condition workQueued = lock.newCondition();
    private final Condition blockCompressed = lock.newCondition();
    private final Block[] ring;
    private final PriorityQueue<Block> readyToCompress =
            new PriorityQueue<>((a, b) -> Integer.compare(a.index, b.index));
    private int released;
    private boolean stopped;
    private Outcome outcome;

    private final CountDownLatch ended = new CountDownLatch(1);
    private final AtomicInteger nextRange = new AtomicInteger();
    private final List<Thread> threads = new CopyOnWriteArrayList<>();
    private final List<RangeReader> readers = new CopyOnWriteArrayList<>();
    private final List<Thread> interruptOnStop = new CopyOnWriteArrayList<>();
    private volatile String rawSha256;
    private volatile String compressedSha256;
    private volatile long compressedTotal;

    UploadAttempt(RangedByteSource source, ByteSink sink, TransferOptions options, long compressedLimit,
            BlockCompressor.ZeroRuns zeroRuns, WrittenExtents extents, TransferCounters counters,
            RangeReader.ReadRetries readRetries) {
        this.source = source;
        this.sink = sink;
        this.options = options;
        this.compressedLimit = compressedLimit;
        this.zeroRuns = zeroRuns;
        this.extents = extents;
        this.counters = counters;
        this.readRetries = readRetries;
        this.layout = BlockLayout.of(source.size(), options);
        this.window = options.buffers();
        this.ring = new Block[window];
        this.rawPool = new BufferPool("raw block", window, layout.blockSize());
        this.outPool = new BufferPool("compressed block", window, BlockCompressor.outputBound(layout.blockSize()));
        this.body = new BodyStream(counters);
    }

    /** Runs the attempt to its end; on interruption, stops it, waits for its threads and rethrows. */
    Outcome run() throws InterruptedException {
        int readerCount = Math.min(options.readConnections(), layout.rangeCount());
        for (int i = 1; i <= readerCount; i++) {
            RangeReader reader = new RangeReader(source, options, counters, readRetries, layout, extents, nextRange,
                    this);
            readers.add(reader);
            interruptOnStop.add(start("read-" + i, reader::run));
        }
        for (int i = 1; i <= options.compressionThreads(); i++) {
            start("deflate-" + i, this::compressBlocks);
        }
        start("sequence", this::sequence);
        interruptOnStop.add(start("upload", this::upload));
        try {
            ended.await();
        } catch (InterruptedException e) {
            stop(new Failed(Failure.ABORTED, "the transfer was interrupted", e));
            joinThreads();
            throw e;
        }
        joinThreads();
        lock.lock();
        try {
            return outcome;
        } finally {
            lock.unlock();
        }
    }

    /** Stops the attempt from outside: it ends as aborted, unless it has already ended otherwise. */
    void abort(String reason) {
        stop(new Failed(Failure.ABORTED, reason, null));
    }

    int peakBuffersInUse() {
        return Math.max(rawPool.peakInUse(), outPool.peakInUse());
    }

    int buffersAllocated() {
        return Math.max(rawPool.allocated(), outPool.allocated());
    }

    // ---- threads

    private Thread start(String name, ThrowingRunnable work) {
        Thread thread = new Thread(() -> {
            try {
                work.run();
            } catch (AttemptStopped e) {
                // The attempt ended elsewhere; nothing to add.
            } catch (Throwable e) {
                stop(new Failed(Failure.INTERNAL, "internal error in the transfer (" + name + "): " + reasonOf(e), e));
            }
        }, THREAD_PREFIX + name);
        thread.setDaemon(true);
        threads.add(thread);
        thread.start();
        return thread;
    }

    private void joinThreads() throws InterruptedException {
        // Our own threads end as soon as they see the stop; a reader or the uploader inside foreign
        // code gets a closed stream and an interrupt, and a bounded wait.
        long deadline = System.nanoTime() + JOIN_GRACE_NANOS;
        for (Thread thread : threads) {
            long left = deadline - System.nanoTime();
            if (left > 0) {
                TimeUnit.NANOSECONDS.timedJoin(thread, left);
            }
        }
    }

    private void stop(Outcome end) {
        lock.lock();
        try {
            if (outcome == null) {
                outcome = end;
            }
            if (stopped) {
                return;
            }
            stopped = true;
            admissionOpened.signalAll();
            workQueued.signalAll();
            blockCompressed.signalAll();
        } finally {
            lock.unlock();
        }
        if (end instanceof Failed failed) {
            body.fail(failed.reason());
            for (RangeReader reader : readers) {
                reader.cancel();
            }
            // Wakes a reader pausing before a retry, and a sink blocked somewhere other than our body.
            for (Thread thread : interruptOnStop) {
                if (thread != Thread.currentThread()) {
                    thread.interrupt();
                }
            }
        }
        ended.countDown();
    }

    // ---- flow control

    @Override
    public Block admit(int index) {
        lock.lock();
        try {
            while (!stopped && index >= released + window) {
                admissionOpened.awaitUninterruptibly();
            }
            if (stopped) {
                throw new AttemptStopped();
            }
            Block block = new Block(index, layout.blockLength(index), index == layout.blockCount() - 1);
            long start = (long) index * layout.blockSize();
            if (extents.anyWritten(start, start + block.length)) {
                block.raw = rawPool.take();
            } else {
                block.references = 1; // nothing to read: no raw buffer, only the compressed form to send
            }
            ring[index % window] = block;
            return block;
        } finally {
            lock.unlock();
        }
    }

    private Block blockAt(int index) {
        if (index < 0 || index >= layout.blockCount()) {
            return null;
        }
        Block block = ring[index % window];
        return block != null && block.index == index ? block : null;
    }

    @Override
    public void readDone(Block block) {
        lock.lock();
        try {
            block.read = true;
            Block previous = blockAt(block.index - 1);
            // A predecessor already released was never read (unwritten) and is sent already.
            if (block.index == 0 || block.index - 1 < released || (previous != null && previous.read)) {
                readyToCompress.add(block);
            }
            Block next = blockAt(block.index + 1);
            if (next != null && next.read) {
                readyToCompress.add(next);
            }
            workQueued.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void releaseRaw(Block block) {
        lock.lock();
        try {
            if (block.raw != null) {
                rawPool.give(block.raw);
                block.raw = null;
                dropReference(block);
            }
        } finally {
            lock.unlock();
        }
    }

    private void releaseCompressed(Block block) {
        lock.lock();
        try {
            if (block.compressed.pooled()) {
                outPool.give(block.compressed.bytes());
            }
            dropReference(block);
        } finally {
            lock.unlock();
        }
    }

    private void dropReference(Block block) {
        block.references--;
        while (released < layout.blockCount()) {
            Block lowest = blockAt(released);
            if (lowest == null || lowest.references > 0) {
                break;
            }
            ring[released % window] = null;
            released++;
        }
        admissionOpened.signalAll();
    }

    @Override
    public boolean isStopped() {
        lock.lock();
        try {
            return stopped;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void sourceFailed(String reason, Throwable cause) {
        stop(new Failed(Failure.SOURCE, reason, cause));
    }

    // ---- compressors

    private void compressBlocks() {
        try (BlockCompressor compressor = new BlockCompressor(options.compressionLevel(), zeroRuns)) {
            while (true) {
                Block block;
                Block previous;
                boolean previousReleased;
                lock.lock();
                try {
                    while (!stopped && readyToCompress.isEmpty()) {
                        workQueued.awaitUninterruptibly();
                    }
                    if (stopped) {
                        return;
                    }
                    block = readyToCompress.poll();
                    previous = blockAt(block.index - 1);
                    previousReleased = block.index > 0 && previous == null;
                } finally {
                    lock.unlock();
                }
                // The block and its predecessor stay put: the predecessor's raw buffer is released
                // only once this block is compressed. A predecessor without one (unwritten, perhaps
                // released already) was zeros.
                byte[] dictionary = null;
                int dictionaryEnd = 0;
                if (previous != null && previous.raw != null) {
                    dictionary = previous.raw;
                    dictionaryEnd = previous.length;
                } else if (previous != null || previousReleased) {
                    dictionary = zeroRuns.zeros();
                    dictionaryEnd = BlockCompressor.DICTIONARY_SIZE;
                }
                BlockCompressor.Compressed compressed = compressor.compress(block.raw, block.length, dictionary,
                        dictionaryEnd, block.last, outPool);
                counters.bytesCompressed.addAndGet(block.length);
                lock.lock();
                try {
                    block.compressed = compressed;
                    blockCompressed.signalAll();
                } finally {
                    lock.unlock();
                }
            }
        }
    }

    // ---- sequencer

    private void sequence() {
        Sequencer sequencer = new Sequencer();
        if (!sequencer.emit(Gzip.header(options.compressionLevel()), 0, List.of())) { // the header
            return;
        }
        Block previous = null;
        for (int index = 0; index < layout.blockCount(); index++) {
            Block block;
            lock.lock();
            try {
                while (!stopped && ((block = blockAt(index)) == null || block.compressed == null)) {
                    blockCompressed.awaitUninterruptibly();
                }
                if (stopped) {
                    return;
                }
                block = blockAt(index);
            } finally {
                lock.unlock();
            }
            if (!sequencer.add(block)) {
                return;
            }
            // The previous block's raw bytes were its successor's dictionary; this block is compressed.
            if (previous != null) {
                releaseRaw(previous);
            }
            if (block.last) {
                releaseRaw(block);
            }
            previous = block;
        }
        if (!sequencer.finish()) {
            return;
        }
        rawSha256 = HexFormat.of().formatHex(sequencer.rawDigest.digest());
        compressedSha256 = HexFormat.of().formatHex(sequencer.gzipDigest.digest());
        compressedTotal = sequencer.produced;
        body.finish();
    }

    /**
     * The sequencer's state: the digests, the running CRC, the bytes produced, and the zero run
     * not yet emitted. All-zero blocks are not sent one by one: their run is emitted as repeated
     * precomputed {@link BlockCompressor.ZeroRuns#PIECE}s and a shorter remainder, each chunk
     * releasing the blocks it completes once the receiver has taken it (so zero runs hold the
     * window like any block). The raw SHA-256 is fed the zeros from a shared buffer; the CRC takes
     * them by a shift.
     */
    private final class Sequencer {
        final MessageDigest rawDigest = sha256();
        final MessageDigest gzipDigest = sha256();
        long produced;
        private int crc;
        private long rawPosition; // raw bytes sequenced
        private long rawEmitted; // raw bytes whose gzip form is in the body
        private final java.util.ArrayDeque<Block> zeroBlocks = new java.util.ArrayDeque<>();
        private boolean endsWithZeros;

        boolean add(Block block) {
            BlockCompressor.Compressed compressed = block.compressed;
            if (compressed.allZero()) {
                zeroRuns.feed(rawDigest, block.length);
                crc = Gzip.appendZeros(crc, block.length);
                rawPosition += block.length;
                zeroBlocks.addLast(block);
                endsWithZeros = true;
                while (rawPosition - rawEmitted >= BlockCompressor.ZeroRuns.PIECE) {
                    if (!emitZeros(BlockCompressor.ZeroRuns.PIECE)) {
                        return false;
                    }
                }
                // Pending zero blocks hold the window; emit before they could fill it.
                return zeroBlocks.size() < window - 1 || flushZeros();
            }
            if (!flushZeros()) {
                return false;
            }
            rawDigest.update(block.raw, 0, block.length);
            crc = Gzip.combine(crc, compressed.crc(), block.length);
            rawPosition += block.length;
            endsWithZeros = false;
            if (!fits(compressed.length())) {
                return false;
            }
            gzipDigest.update(compressed.bytes(), 0, compressed.length());
            produced += compressed.length();
            counters.compressedBytes.set(produced);
            rawEmitted = rawPosition;
            body.offer(new BodyStream.Chunk(compressed.bytes(), compressed.length(), block.length,
                    () -> releaseCompressed(block)));
            return true;
        }

        /** Emits what is left of the zero run, the end of the deflate stream if it ends in zeros, and the trailer. */
        boolean finish() {
            if (!flushZeros()) {
                return false;
            }
            if (endsWithZeros && !emit(zeroRuns.terminator(), 0, List.of())) {
                return false;
            }
            byte[] trailer = Gzip.trailer(crc, layout.size());
            gzipDigest.update(trailer);
            produced += trailer.length;
            counters.compressedBytes.set(produced);
            body.offer(new BodyStream.Chunk(trailer, trailer.length, 0, () -> { }));
            return true;
        }

        private boolean flushZeros() {
            while (rawPosition > rawEmitted) {
                if (!emitZeros((int) Math.min(BlockCompressor.ZeroRuns.PIECE, rawPosition - rawEmitted))) {
                    return false;
                }
            }
            return true;
        }

        private boolean emitZeros(int length) {
            rawEmitted += length;
            List<Block> completed = new java.util.ArrayList<>();
            while (!zeroBlocks.isEmpty() && blockEnd(zeroBlocks.peekFirst()) <= rawEmitted) {
                completed.add(zeroBlocks.pollFirst());
            }
            return emit(zeroRuns.deflated(length), length, completed);
        }

        private long blockEnd(Block block) {
            return (long) block.index * layout.blockSize() + block.length;
        }

        /** Offers shared bytes standing for {@code rawLength} raw bytes; once taken, they release {@code completed}. */
        private boolean emit(byte[] bytes, long rawLength, List<Block> completed) {
            if (!fits(bytes.length)) {
                completed.forEach(UploadAttempt.this::releaseCompressed);
                return false;
            }
            gzipDigest.update(bytes);
            produced += bytes.length;
            counters.compressedBytes.set(produced);
            Runnable release = completed.isEmpty() ? () -> { } : () -> completed.forEach(UploadAttempt.this::releaseCompressed);
            body.offer(new BodyStream.Chunk(bytes, bytes.length, rawLength, release));
            return true;
        }

        /** Whether {@code length} more bytes and the trailer stay within the limit; if not, stops the attempt. */
        private boolean fits(int length) {
            long after = produced + length + Gzip.TRAILER_SIZE;
            if (after > compressedLimit) {
                overLimit(after);
                return false;
            }
            return true;
        }
    }

    private void overLimit(long compressedSoFar) {
        long read = counters.bytesCompressed.get();
        stop(new Failed(Failure.COMPRESSED_LIMIT, "the gzip of " + source.description() + " reached "
                + Sizes.describe(compressedSoFar) + " after compressing " + Sizes.describe(read) + " of "
                + Sizes.describe(layout.size()) + ", over the receiver's limit of " + Sizes.describe(compressedLimit)
                + " of compressed data", null));
    }

    // ---- uploader

    private void upload() {
        SinkReceipt receipt;
        try {
            receipt = sink.send(body);
        } catch (IOException | RuntimeException e) {
            stop(new Failed(Failure.UPLOAD, reasonOf(e), e));
            return;
        }
        if (receipt == null) {
            stop(new Failed(Failure.UPLOAD, "the receiver gave no answer", null));
        } else if (receipt.status() < 200 || receipt.status() > 299) {
            stop(new Failed(Failure.UPLOAD, "the receiver answered HTTP " + receipt.status()
                    + (receipt.detail() == null || receipt.detail().isBlank() ? "" : " (" + receipt.detail() + ")"),
                    null));
        } else if (!body.endReached()) {
            stop(new Failed(Failure.UPLOAD, "the receiver answered HTTP " + receipt.status()
                    + " before the whole body was sent", null));
        } else {
            stop(new Succeeded(receipt, compressedTotal, rawSha256, compressedSha256));
        }
    }

    // ---- helpers

    static String reasonOf(Throwable e) {
        String message = e.getMessage();
        String type = e.getClass().getSimpleName();
        return message == null || message.isBlank() ? type : message + " (" + type + ")";
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    @FunctionalInterface
    private interface ThrowingRunnable {
        void run() throws Exception;
    }
}
