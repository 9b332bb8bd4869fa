package dev.ferry.engine.transfer;

/**
 * The gzip member around the joined deflate blocks (RFC 1952): a 10-byte header, and a trailer of
 * the CRC-32 and the length mod 2^32 of all the uncompressed bytes. Per-block CRCs are combined
 * here, as pigz does, so that no thread has to run the CRC over the whole stream.
 */
final class Gzip {

    static final int HEADER_SIZE = 10;
    static final int TRAILER_SIZE = 8;

    private static final int POLYNOMIAL = 0xedb88320; // CRC-32, reflected
    /** X2N[k] = x^(2^k) mod p(x), as a reflected polynomial. */
    private static final int[] X2N = new int[32];

    static {
        int p = 1 << 30; // x^1
        X2N[0] = p;
        for (int k = 1; k < 32; k++) {
            p = multiplyModP(p, p);
            X2N[k] = p;
        }
    }

    private Gzip() {
    }

    /** Header: no name, no time stamp, extra flags from the level, operating system unknown. */
    static byte[] header(int level) {
        byte extraFlags = level == 9 ? (byte) 2 : level == 1 ? (byte) 4 : (byte) 0;
        return new byte[] {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, extraFlags, (byte) 0xff};
    }

    static byte[] trailer(int crc, long length) {
        byte[] trailer = new byte[TRAILER_SIZE];
        putIntLittleEndian(trailer, 0, crc);
        putIntLittleEndian(trailer, 4, (int) length);
        return trailer;
    }

    /** CRC-32 of A followed by B, from crc(A), crc(B) and the length of B (zlib's crc32_combine). */
    static int combine(int crcA, int crcB, long lengthB) {
        if (lengthB <= 0) {
            return crcA;
        }
        return multiplyModP(xToThe8nModP(lengthB), crcA) ^ crcB;
    }

    /**
     * CRC-32 of A followed by {@code length} zero bytes, from crc(A) alone: the register shifted
     * by x^(8 length) mod p(x), with CRC-32's pre- and post-inversion around it. Costs a few
     * hundred operations whatever the length, where feeding the zeros would cost the length.
     */
    static int appendZeros(int crcA, long length) {
        if (length <= 0) {
            return crcA;
        }
        return multiplyModP(xToThe8nModP(length), ~crcA) ^ ~0;
    }

    /** x^(8n) mod p(x): the shift that appending n bytes applies to a CRC. */
    private static int xToThe8nModP(long n) {
        int p = 1 << 31; // x^0
        int k = 3; // 8n = n * 2^3
        while (n != 0) {
            if ((n & 1) != 0) {
                p = multiplyModP(X2N[k & 31], p);
            }
            n >>>= 1;
            k++;
        }
        return p;
    }

    /** a(x) * b(x) mod p(x), bits reflected as CRC-32 keeps them. */
    private static int multiplyModP(int a, int b) {
        int m = 1 << 31;
        int product = 0;
        while (true) {
            if ((a & m) != 0) {
                product ^= b;
                if ((a & (m - 1)) == 0) {
                    return product;
                }
            }
            m >>>= 1;
            b = (b & 1) != 0 ? (b >>> 1) ^ POLYNOMIAL : b >>> 1;
        }
    }

    private static void putIntLittleEndian(byte[] bytes, int offset, int value) {
        bytes[offset] = (byte) value;
        bytes[offset + 1] = (byte) (value >>> 8);
        bytes[offset + 2] = (byte) (value >>> 16);
        bytes[offset + 3] = (byte) (value >>> 24);
    }
}
