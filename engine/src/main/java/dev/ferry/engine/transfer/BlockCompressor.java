package dev.ferry.engine.transfer;

import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * Compresses one block into raw deflate data that joins onto the blocks before it (pigz's way):
 * the deflater is primed with the last 32 KiB before the block as its dictionary, and the block
 * ends with a SYNC_FLUSH (FINISH for the last), so the output is byte-aligned and the pieces
 * concatenate into one valid deflate stream. One instance per compression thread.
 *
 * <p>Disk images are mostly zeros, and zlib spends about as long on a run of zeros as on text
 * (170 MB/s at level 6 on this project's 2-core machine). Zeros are therefore never deflated
 * here in whole {@link #ZERO_UNIT}s: a block that is all zeros (never written, or written with
 * zeros) comes back as {@link Compressed#allZero()} with no bytes, for the sequencer to emit as
 * part of a zero run from {@link ZeroRuns}; a block with whole zero units among its data is cut
 * there, its data deflated (primed with the bytes before each piece) and its zero units copied in
 * from the precomputed output of zeros deflated without a dictionary, which decodes the same
 * wherever it sits after a byte boundary.
 */
final class BlockCompressor implements AutoCloseable {

    static final int DICTIONARY_SIZE = 32 * 1024;
    /** Zeros inside a block take the precomputed path in aligned units of this size; shorter runs are deflated. */
    static final int ZERO_UNIT = 64 * 1024;

    private final Deflater deflater;
    private final ZeroRuns zeroRuns;
    private final CRC32 crc = new CRC32();
    private byte[] out;
    private int produced;

    BlockCompressor(int level, ZeroRuns zeroRuns) {
        this.deflater = new Deflater(level, true);
        this.zeroRuns = zeroRuns;
    }

    /** The largest output of one block of {@code length} bytes, with room to spare. */
    static int outputBound(int length) {
        return length + (length >>> 3) + (length >>> 6) + 64;
    }

    /**
     * Compresses {@code raw[0, length)}, preceded in the stream by {@code previous[0,
     * previousLength)} (null for the first block).
     *
     * @param raw the block's bytes, or null for a block the source declared unwritten (all zeros)
     * @param pool where to take the output buffer from, unless the block is all zeros
     */
    Compressed compress(byte[] raw, int length, byte[] previous, int previousLength, boolean last, BufferPool pool) {
        if (raw == null) {
            return Compressed.zeros(length);
        }
        boolean zero = zeroRuns.isAllZero(raw, 0, unitEnd(0, length));
        int firstEnd = runEnd(raw, 0, length, zero);
        if (firstEnd == length && zero) {
            return Compressed.zeros(length);
        }
        byte[] lent = pool.take();
        out = lent;
        produced = 0;
        for (int start = 0, end = firstEnd; start < length; start = end, zero = !zero) {
            end = start == 0 ? firstEnd : runEnd(raw, start, length, zero);
            boolean finish = last && end == length;
            if (zero) {
                appendZeros(end - start);
                if (finish) {
                    append(zeroRuns.terminator());
                }
            } else if (start == 0) {
                deflate(raw, start, end, previous, previous == null ? 0 : previousLength, finish);
            } else {
                deflate(raw, start, end, raw, start, finish);
            }
        }
        crc.reset();
        crc.update(raw, 0, length);
        byte[] bytes = out;
        out = null;
        if (bytes != lent) {
            pool.give(lent);
            return new Compressed(bytes, produced, (int) crc.getValue(), false, false);
        }
        return new Compressed(lent, produced, (int) crc.getValue(), true, false);
    }

    /** The end of the run of units from {@code start} that are all zero (or all not), {@code zero} saying which. */
    private int runEnd(byte[] raw, int start, int length, boolean zero) {
        int end = unitEnd(start, length);
        while (end < length && zeroRuns.isAllZero(raw, end, unitEnd(end, length)) == zero) {
            end = unitEnd(end, length);
        }
        return end;
    }

    private static int unitEnd(int start, int length) {
        return (int) Math.min(length, (long) start + ZERO_UNIT);
    }

    /** Deflates {@code raw[from, to)} onto the output, primed with {@code dictionary[.., dictionaryEnd)}. */
    private void deflate(byte[] raw, int from, int to, byte[] dictionary, int dictionaryEnd, boolean finish) {
        deflater.reset();
        if (dictionary != null && dictionaryEnd > 0) {
            int dictionaryLength = Math.min(DICTIONARY_SIZE, dictionaryEnd);
            deflater.setDictionary(dictionary, dictionaryEnd - dictionaryLength, dictionaryLength);
        }
        deflater.setInput(raw, from, to - from);
        if (finish) {
            deflater.finish();
            while (!deflater.finished()) {
                roomFor(1);
                produced += deflater.deflate(out, produced, out.length - produced, Deflater.NO_FLUSH);
            }
        } else {
            // SYNC_FLUSH is complete once a call leaves room unused in the output.
            while (true) {
                roomFor(1);
                int room = out.length - produced;
                int n = deflater.deflate(out, produced, room, Deflater.SYNC_FLUSH);
                produced += n;
                if (n < room) {
                    break;
                }
            }
        }
    }

    private void appendZeros(long length) {
        byte[] piece = zeroRuns.piece();
        for (; length >= ZeroRuns.PIECE; length -= ZeroRuns.PIECE) {
            append(piece);
        }
        if (length > 0) {
            append(zeroRuns.deflated((int) length));
        }
    }

    private void append(byte[] bytes) {
        roomFor(bytes.length);
        System.arraycopy(bytes, 0, out, produced, bytes.length);
        produced += bytes.length;
    }

    /** outputBound makes growing unreachable in practice; a larger array outside the pool keeps it correct anyway. */
    private void roomFor(int bytes) {
        if (out.length - produced < bytes) {
            out = Arrays.copyOf(out, Math.max(out.length * 2, produced + bytes));
        }
    }

    @Override
    public void close() {
        deflater.end();
    }

    /**
     * A compressed block: {@code bytes[0, length)} and the CRC-32 of its uncompressed bytes.
     * {@code pooled} says whether {@code bytes} goes back to the output pool once sent. An
     * {@code allZero} block has no bytes of its own: the sequencer emits it within a zero run.
     */
    record Compressed(byte[] bytes, int length, int crc, boolean pooled, boolean allZero) {

        private static final byte[] NONE = new byte[0];

        static Compressed zeros(int length) {
            return new Compressed(NONE, 0, Gzip.appendZeros(0, length), false, true);
        }
    }

    /**
     * The precomputed deflate forms of zeros, shared by a transfer's threads: {@link #PIECE}
     * zeros deflated without a dictionary and sync-flushed (repeated for longer runs), shorter
     * runs computed once per length, and the empty final block that ends a stream whose last
     * bytes were a zero run. Also the shared zero buffer the raw SHA-256 is fed from.
     */
    static final class ZeroRuns {

        static final int PIECE = 1024 * 1024;
        private static final int MAX_CACHED_LENGTHS = 64;
        private static final Map<Integer, ZeroRuns> BY_LEVEL = new ConcurrentHashMap<>();

        private final int level;
        private final byte[] zeros = new byte[PIECE];
        private final byte[] piece;
        private final byte[] terminator;
        private final Map<Integer, byte[]> shorter = new ConcurrentHashMap<>();

        /**
         * The zero runs of a level, made once per process: nothing in them changes after they are made, and a disk
         * sent in many chunks (the Linode disk road) would otherwise deflate the same megabyte of zeros per chunk.
         */
        static ZeroRuns of(int level) {
            return BY_LEVEL.computeIfAbsent(level, ZeroRuns::new);
        }

        ZeroRuns(int level) {
            this.level = level;
            this.piece = deflateZeros(PIECE);
            Deflater deflater = new Deflater(level, true);
            try {
                deflater.finish();
                byte[] buffer = new byte[64];
                int n = deflater.deflate(buffer);
                if (!deflater.finished()) {
                    throw new IllegalStateException("an empty final deflate block did not fit in 64 bytes");
                }
                this.terminator = Arrays.copyOf(buffer, n);
            } finally {
                deflater.end();
            }
        }

        /** Zeros, {@link #PIECE} of them; never written to. */
        byte[] zeros() {
            return zeros;
        }

        byte[] piece() {
            return piece;
        }

        byte[] terminator() {
            return terminator;
        }

        /** Whether {@code raw[from, to)} is all zeros. */
        boolean isAllZero(byte[] raw, int from, int to) {
            for (int at = from; at < to; at += PIECE) {
                int end = Math.min(to, at + PIECE);
                if (Arrays.mismatch(raw, at, end, zeros, 0, end - at) >= 0) {
                    return false;
                }
            }
            return true;
        }

        /** {@code length} zeros deflated and sync-flushed, for a length up to {@link #PIECE}. */
        byte[] deflated(int length) {
            if (length == PIECE) {
                return piece;
            }
            byte[] known = shorter.get(length);
            if (known == null) {
                known = deflateZeros(length);
                if (shorter.size() < MAX_CACHED_LENGTHS) {
                    shorter.putIfAbsent(length, known);
                }
            }
            return known;
        }

        /** Feeds {@code length} zeros to {@code digest} from the shared buffer. */
        void feed(java.security.MessageDigest digest, long length) {
            for (; length > 0; length -= PIECE) {
                digest.update(zeros, 0, (int) Math.min(length, PIECE));
            }
        }

        private byte[] deflateZeros(int length) {
            if (length <= 0 || length > PIECE) {
                throw new IllegalArgumentException("zero runs are deflated 1 to " + PIECE + " bytes at a time, not "
                        + length);
            }
            Deflater deflater = new Deflater(level, true);
            try {
                deflater.setInput(zeros, 0, length);
                byte[] buffer = new byte[outputBound(length)];
                int produced = 0;
                while (true) {
                    if (produced == buffer.length) {
                        buffer = Arrays.copyOf(buffer, buffer.length * 2);
                    }
                    int room = buffer.length - produced;
                    int n = deflater.deflate(buffer, produced, room, Deflater.SYNC_FLUSH);
                    produced += n;
                    if (n < room) {
                        return Arrays.copyOf(buffer, produced);
                    }
                }
            } finally {
                deflater.end();
            }
        }
    }
}
