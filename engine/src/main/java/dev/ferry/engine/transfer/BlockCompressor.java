package dev.ferry.engine.transfer;

import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * Compresses one block into raw deflate data that joins onto the blocks before it (pigz's way):
 * the deflater is primed with the last 32 KiB before the block as its dictionary, and the block
 * ends with a SYNC_FLUSH (FINISH for the last), so the output is byte-aligned and the pieces
 * concatenate into one valid deflate stream. One instance per compression thread.
 *
 * <p>Disk images are mostly zeros, and zlib spends as long on a run of zeros as on text. An
 * all-zero block is therefore compressed once per transfer without a dictionary (its output is
 * then the same wherever it sits) and reused; it costs a few bytes against priming it.
 */
final class BlockCompressor implements AutoCloseable {

    static final int DICTIONARY_SIZE = 32 * 1024;

    private final Deflater deflater;
    private final ZeroBlocks zeroBlocks;
    private final CRC32 crc = new CRC32();

    BlockCompressor(int level, ZeroBlocks zeroBlocks) {
        this.deflater = new Deflater(level, true);
        this.zeroBlocks = zeroBlocks;
    }

    /** The largest output of one block of {@code length} bytes, with room to spare. */
    static int outputBound(int length) {
        return length + (length >>> 3) + (length >>> 6) + 64;
    }

    /**
     * Compresses {@code raw[0, length)}, preceded in the stream by {@code previous[0,
     * previousLength)} (null for the first block).
     *
     * @param pool where to take the output buffer from, unless the block is all zeros
     */
    Compressed compress(byte[] raw, int length, byte[] previous, int previousLength, boolean last, BufferPool pool) {
        if (zeroBlocks.isAllZero(raw, length)) {
            return zeroBlocks.compressed(length, last, () -> deflate(raw, length, null, 0, last, new byte[outputBound(length)]));
        }
        byte[] lent = pool.take();
        Compressed compressed = deflate(raw, length, previous, previousLength, last, lent);
        if (compressed.bytes() != lent) {
            pool.give(lent);
            return compressed;
        }
        return new Compressed(lent, compressed.length(), compressed.crc(), true);
    }

    private Compressed deflate(byte[] raw, int length, byte[] previous, int previousLength, boolean last, byte[] out) {
        deflater.reset();
        if (previous != null) {
            int dictionaryLength = Math.min(DICTIONARY_SIZE, previousLength);
            deflater.setDictionary(previous, previousLength - dictionaryLength, dictionaryLength);
        }
        deflater.setInput(raw, 0, length);
        int produced = 0;
        if (last) {
            deflater.finish();
            while (!deflater.finished()) {
                out = roomFor(out, produced);
                produced += deflater.deflate(out, produced, out.length - produced, Deflater.NO_FLUSH);
            }
        } else {
            // SYNC_FLUSH is complete once a call leaves room unused in the output.
            while (true) {
                out = roomFor(out, produced);
                int room = out.length - produced;
                int n = deflater.deflate(out, produced, room, Deflater.SYNC_FLUSH);
                produced += n;
                if (n < room) {
                    break;
                }
            }
        }
        crc.reset();
        crc.update(raw, 0, length);
        return new Compressed(out, produced, (int) crc.getValue(), false);
    }

    /** outputBound makes this unreachable in practice; a larger array outside the pool keeps it correct anyway. */
    private static byte[] roomFor(byte[] out, int produced) {
        return produced < out.length ? out : Arrays.copyOf(out, out.length * 2);
    }

    @Override
    public void close() {
        deflater.end();
    }

    /**
     * A compressed block: {@code bytes[0, length)} and the CRC-32 of its uncompressed bytes.
     * {@code pooled} says whether {@code bytes} goes back to the output pool once sent; the
     * shared output of an all-zero block does not.
     */
    record Compressed(byte[] bytes, int length, int crc, boolean pooled) {
    }

    /** The shared outputs of all-zero blocks, by length and whether the block is the last. */
    static final class ZeroBlocks {

        private final byte[] zeros;
        private final Map<Long, Compressed> outputs = new ConcurrentHashMap<>();

        ZeroBlocks(int blockSize) {
            this.zeros = new byte[blockSize];
        }

        boolean isAllZero(byte[] raw, int length) {
            return Arrays.mismatch(raw, 0, length, zeros, 0, length) < 0;
        }

        Compressed compressed(int length, boolean last, Supplier<Compressed> compute) {
            long key = ((long) length << 1) | (last ? 1 : 0);
            Compressed known = outputs.get(key);
            if (known == null) {
                Compressed fresh = compute.get();
                known = new Compressed(Arrays.copyOf(fresh.bytes(), fresh.length()), fresh.length(), fresh.crc(), false);
                Compressed raced = outputs.putIfAbsent(key, known);
                known = raced == null ? known : raced;
            }
            return known;
        }
    }
}
