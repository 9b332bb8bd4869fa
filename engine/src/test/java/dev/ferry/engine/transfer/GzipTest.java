package dev.ferry.engine.transfer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class GzipTest {

    @ParameterizedTest
    @CsvSource({"0,0", "0,1", "1,0", "1,1", "5,3", "1000,1", "32768,32768", "100000,65537", "1,1048576"})
    void combinedCrcEqualsTheCrcOfTheJoinedBytes(int lengthA, int lengthB) {
        Random random = new Random(lengthA * 31L + lengthB);
        byte[] a = new byte[lengthA];
        byte[] b = new byte[lengthB];
        random.nextBytes(a);
        random.nextBytes(b);

        int combined = Gzip.combine(crc(a), crc(b), lengthB);

        CRC32 whole = new CRC32();
        whole.update(a);
        whole.update(b);
        assertThat(combined).isEqualTo((int) whole.getValue());
    }

    @ParameterizedTest
    @CsvSource({"0,0", "0,1", "7,1", "1000,31", "5,65536", "3,1048577", "1,4294967296", "11,4294967301"})
    void appendingZerosByShiftEqualsRunningTheCrcOverThem(int prefixLength, long zeros) {
        byte[] prefix = new byte[prefixLength];
        new Random(prefixLength).nextBytes(prefix);
        CRC32 whole = new CRC32();
        whole.update(prefix);
        byte[] buffer = new byte[1 << 20];
        for (long left = zeros; left > 0; left -= buffer.length) {
            whole.update(buffer, 0, (int) Math.min(left, buffer.length));
        }

        assertThat(Gzip.appendZeros(crc(prefix), zeros)).isEqualTo((int) whole.getValue());
        assertThat(Gzip.combine(crc(prefix), Gzip.appendZeros(0, zeros), zeros)).isEqualTo((int) whole.getValue());
    }

    @Test
    void combinesManyPiecesInOrder() {
        Random random = new Random(7);
        CRC32 whole = new CRC32();
        int running = 0;
        for (int piece = 0; piece < 200; piece++) {
            byte[] bytes = new byte[random.nextInt(5000)];
            random.nextBytes(bytes);
            whole.update(bytes);
            running = Gzip.combine(running, crc(bytes), bytes.length);
        }
        assertThat(running).isEqualTo((int) whole.getValue());
    }

    @Test
    void headerIsAPlainGzipMemberHeaderWithoutNameOrTime() {
        assertThat(Gzip.header(6)).containsExactly(0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff);
        assertThat(Gzip.header(9)[8]).isEqualTo((byte) 2);
        assertThat(Gzip.header(1)[8]).isEqualTo((byte) 4);
    }

    @Test
    void trailerHoldsCrcAndLengthModulo2To32LittleEndian() {
        long length = (1L << 32) + 0x01020304L;
        assertThat(Gzip.trailer(0xAABBCCDD, length)).containsExactly(0xDD, 0xCC, 0xBB, 0xAA, 0x04, 0x03, 0x02, 0x01);
    }

    private static int crc(byte[] bytes) {
        CRC32 crc = new CRC32();
        crc.update(bytes);
        return (int) crc.getValue();
    }
}
