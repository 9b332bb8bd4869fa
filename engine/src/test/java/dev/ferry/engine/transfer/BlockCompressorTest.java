package dev.ferry.engine.transfer;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.util.zip.CRC32;
import java.util.zip.Inflater;
import org.junit.jupiter.api.Test;

class BlockCompressorTest {

    private static final int BLOCK = 64 * 1024;

    @Test
    void allZeroBlocksAreLeftToTheZeroRunWithoutDeflatingOrABuffer() {
        BufferPool pool = new BufferPool("test", 2, BlockCompressor.outputBound(BLOCK));
        try (BlockCompressor compressor = new BlockCompressor(6, new BlockCompressor.ZeroRuns(6))) {
            byte[] previous = TestData.random(BLOCK, 1);
            BlockCompressor.Compressed read = compressor.compress(new byte[BLOCK], BLOCK, previous, BLOCK, false, pool);
            BlockCompressor.Compressed unwritten = compressor.compress(null, BLOCK - 3, null, 0, true, pool);

            assertThat(read.allZero()).isTrue();
            assertThat(read.length()).isZero();
            assertThat(read.pooled()).isFalse();
            assertThat(read.crc()).isEqualTo(crc(new byte[BLOCK]));
            assertThat(unwritten.allZero()).isTrue();
            assertThat(unwritten.crc()).isEqualTo(crc(new byte[BLOCK - 3]));
            assertThat(pool.allocated()).isZero();
        }
    }

    @Test
    void aBlockPrimedWithThePreviousBytesInflatesAfterThemAsOneStream() throws Exception {
        byte[] text = TestData.mixed(2 * BLOCK, 9);
        byte[] first = java.util.Arrays.copyOfRange(text, 0, BLOCK);
        byte[] second = java.util.Arrays.copyOfRange(text, BLOCK, 2 * BLOCK);
        BufferPool pool = new BufferPool("test", 2, BlockCompressor.outputBound(BLOCK));
        try (BlockCompressor compressor = new BlockCompressor(6, new BlockCompressor.ZeroRuns(6))) {
            BlockCompressor.Compressed a = compressor.compress(first, BLOCK, null, 0, false, pool);
            BlockCompressor.Compressed b = compressor.compress(second, BLOCK, first, BLOCK, true, pool);

            ByteArrayOutputStream joined = new ByteArrayOutputStream();
            joined.write(a.bytes(), 0, a.length());
            joined.write(b.bytes(), 0, b.length());
            Inflater inflater = new Inflater(true);
            inflater.setInput(joined.toByteArray());
            byte[] out = new byte[2 * BLOCK];
            int n = 0;
            while (!inflater.finished()) {
                n += inflater.inflate(out, n, out.length - n);
            }
            assertThat(n).isEqualTo(2 * BLOCK);
            assertThat(out).isEqualTo(text);
            assertThat(a.pooled()).isTrue();
            assertThat(pool.inUse()).isEqualTo(2);
        }
    }

    @Test
    void wholeZeroUnitsInsideABlockAreCopiedInAndTheBlockStillJoinsItsPredecessor() throws Exception {
        int block = 4 * BLOCK; // 256 KiB: four zero units
        byte[] first = TestData.mixed(block, 3);
        byte[] second = TestData.mixed(block, 4);
        java.util.Arrays.fill(second, BLOCK, 2 * BLOCK + 100, (byte) 0); // one whole unit, and a bit of the next
        java.util.Arrays.fill(second, 3 * BLOCK, block, (byte) 0); // the last unit: the stream ends in zeros
        BufferPool pool = new BufferPool("test", 2, BlockCompressor.outputBound(block));
        BlockCompressor.ZeroRuns zeroRuns = new BlockCompressor.ZeroRuns(6);
        try (BlockCompressor compressor = new BlockCompressor(6, zeroRuns)) {
            BlockCompressor.Compressed a = compressor.compress(first, block, null, 0, false, pool);
            BlockCompressor.Compressed b = compressor.compress(second, block, first, block, true, pool);

            ByteArrayOutputStream joined = new ByteArrayOutputStream();
            joined.write(a.bytes(), 0, a.length());
            joined.write(b.bytes(), 0, b.length());
            byte[] out = inflate(joined.toByteArray(), 2 * block);
            assertThat(java.util.Arrays.copyOfRange(out, 0, block)).isEqualTo(first);
            assertThat(java.util.Arrays.copyOfRange(out, block, 2 * block)).isEqualTo(second);
            assertThat(b.crc()).isEqualTo(crc(second));
            byte[] unit = zeroRuns.deflated(BLOCK);
            assertThat(indexOf(b.bytes(), b.length(), unit)).as("the precomputed zero unit is in the output").isNotNegative();
        }
    }

    @Test
    void precomputedZerosDecodeToZerosAfterAnyByteBoundary() throws Exception {
        BlockCompressor.ZeroRuns zeroRuns = new BlockCompressor.ZeroRuns(6);
        for (int length : new int[] {1, 100, BLOCK, BLOCK + 1, BlockCompressor.ZeroRuns.PIECE}) {
            ByteArrayOutputStream stream = new ByteArrayOutputStream();
            stream.write(zeroRuns.deflated(length));
            stream.write(zeroRuns.piece());
            stream.write(zeroRuns.terminator());
            byte[] out = inflate(stream.toByteArray(), length + BlockCompressor.ZeroRuns.PIECE);
            assertThat(out).isEqualTo(new byte[length + BlockCompressor.ZeroRuns.PIECE]);
        }
        assertThat(zeroRuns.piece().length).as("1 MiB of zeros in about a thousandth").isLessThan(1200);
    }

    private static byte[] inflate(byte[] deflate, int expectedLength) throws Exception {
        Inflater inflater = new Inflater(true);
        inflater.setInput(deflate);
        byte[] out = new byte[expectedLength];
        int n = 0;
        while (!inflater.finished()) {
            int got = inflater.inflate(out, n, out.length - n);
            if (got == 0 && inflater.needsInput()) {
                throw new AssertionError("the deflate stream ended without its final block after " + n + " bytes");
            }
            n += got;
        }
        assertThat(n).isEqualTo(expectedLength);
        assertThat(inflater.getRemaining()).isZero();
        inflater.end();
        return out;
    }

    private static int indexOf(byte[] haystack, int length, byte[] needle) {
        for (int i = 0; i + needle.length <= length; i++) {
            if (java.util.Arrays.equals(haystack, i, i + needle.length, needle, 0, needle.length)) {
                return i;
            }
        }
        return -1;
    }

    private static int crc(byte[] bytes) {
        CRC32 crc = new CRC32();
        crc.update(bytes);
        return (int) crc.getValue();
    }
}
