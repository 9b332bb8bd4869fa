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

    private static int crc(byte[] bytes) {
        CRC32 crc = new CRC32();
        crc.update(bytes);
        return (int) crc.getValue();
    }
}
