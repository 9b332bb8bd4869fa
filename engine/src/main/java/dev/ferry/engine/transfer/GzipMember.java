package dev.ferry.engine.transfer;

import java.security.MessageDigest;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.LongConsumer;

/**
 * One gzip member assembled in order from an attempt's compressed blocks, for the upload's body: the
 * header, each block's deflate output, the zero runs, the trailer, with the digests, the running CRC and
 * the bytes produced. All-zero blocks are not sent one by one: their run is emitted as repeated
 * precomputed {@link BlockCompressor.ZeroRuns#PIECE}s and a shorter remainder, each chunk
 * releasing the blocks it completes once the receiver has taken it (so zero runs hold the
 * window like any block). The raw SHA-256 is fed the zeros from a shared buffer; the CRC takes
 * them by a shift.
 */
final class GzipMember {

    private final BlockCompressor.ZeroRuns zeroRuns;
    private final BodyStream body;
    private final TransferCounters counters;
    private final BlockLayout layout;
    private final long compressedLimit;
    private final int window;
    private final Consumer<Block> releaseCompressed;
    private final LongConsumer overLimit;
    private final MessageDigest rawDigest = UploadAttempt.sha256();
    private final MessageDigest gzipDigest = UploadAttempt.sha256();
    private long produced;
    private int crc;
    private long rawPosition; // raw bytes sequenced
    private long rawEmitted; // raw bytes whose gzip form is in the body
    private final ArrayDeque<Block> zeroBlocks = new ArrayDeque<>();
    private boolean endsWithZeros;

    GzipMember(BlockCompressor.ZeroRuns zeroRuns, BodyStream body, TransferCounters counters, BlockLayout layout,
               long compressedLimit, int window, Consumer<Block> releaseCompressed, LongConsumer overLimit) {
        this.zeroRuns = zeroRuns;
        this.body = body;
        this.counters = counters;
        this.layout = layout;
        this.compressedLimit = compressedLimit;
        this.window = window;
        this.releaseCompressed = releaseCompressed;
        this.overLimit = overLimit;
    }

    MessageDigest rawDigest() {
        return rawDigest;
    }

    MessageDigest gzipDigest() {
        return gzipDigest;
    }

    /** Gzip bytes handed to the body so far. */
    long produced() {
        return produced;
    }

    /** Emits the member's header. Stops on false. */
    boolean header(int compressionLevel) {
        return emit(Gzip.header(compressionLevel), 0, List.of());
    }

    /** Sequences the next block (in order): its gzip form, or its zeros into the pending run. Stops on false. */
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
                () -> releaseCompressed.accept(block)));
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
        List<Block> completed = new ArrayList<>();
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
            completed.forEach(releaseCompressed);
            return false;
        }
        gzipDigest.update(bytes);
        produced += bytes.length;
        counters.compressedBytes.set(produced);
        Runnable release = completed.isEmpty() ? () -> { } : () -> completed.forEach(releaseCompressed);
        body.offer(new BodyStream.Chunk(bytes, bytes.length, rawLength, release));
        return true;
    }

    /** Whether {@code length} more bytes and the trailer stay within the limit; if not, stops the attempt. */
    private boolean fits(int length) {
        long after = produced + length + Gzip.TRAILER_SIZE;
        if (after > compressedLimit) {
            overLimit.accept(after);
            return false;
        }
        return true;
    }
}
