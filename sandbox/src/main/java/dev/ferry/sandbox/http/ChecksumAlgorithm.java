package dev.ferry.sandbox.http;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Locale;
import java.util.Optional;
import java.util.zip.CRC32;
import java.util.zip.CRC32C;
import java.util.zip.Checksum;

/** The flexible checksums S3 accepts ({@code x-amz-checksum-ALGORITHM}), base64 of the big-endian value. */
public enum ChecksumAlgorithm {
    CRC32("crc32"),
    CRC32C("crc32c"),
    CRC64NVME("crc64nvme"),
    SHA1("sha1"),
    SHA256("sha256");

    private final String id;

    ChecksumAlgorithm(String id) {
        this.id = id;
    }

    /** Lower-case name as in {@code x-amz-checksum-crc32}. */
    public String id() {
        return id;
    }

    /** The header carrying this checksum. */
    public String header() {
        return "x-amz-checksum-" + id;
    }

    /** The element name in S3 XML ({@code ChecksumCRC32}). */
    public String xmlElement() {
        return "Checksum" + name();
    }

    public static Optional<ChecksumAlgorithm> fromId(String id) {
        for (ChecksumAlgorithm algorithm : values()) {
            if (algorithm.id.equals(id.toLowerCase(Locale.ROOT))) {
                return Optional.of(algorithm);
            }
        }
        return Optional.empty();
    }

    /** A running computation of this checksum. */
    public Running start() {
        return switch (this) {
            case CRC32 -> new CrcRunning(new CRC32(), 4);
            case CRC32C -> new CrcRunning(new CRC32C(), 4);
            case CRC64NVME -> new Crc64Running();
            case SHA1 -> new DigestRunning("SHA-1");
            case SHA256 -> new DigestRunning("SHA-256");
        };
    }

    /** A checksum being computed over a stream. */
    public interface Running {
        void update(byte[] bytes, int offset, int length);

        /** The checksum's bytes, big-endian. */
        byte[] digest();

        default String base64() {
            return Base64.getEncoder().encodeToString(digest());
        }
    }

    private static final class CrcRunning implements Running {
        private final Checksum checksum;
        private final int width;

        CrcRunning(Checksum checksum, int width) {
            this.checksum = checksum;
            this.width = width;
        }

        @Override
        public void update(byte[] bytes, int offset, int length) {
            checksum.update(bytes, offset, length);
        }

        @Override
        public byte[] digest() {
            return ByteBuffer.allocate(width).putInt((int) checksum.getValue()).array();
        }
    }

    private static final class DigestRunning implements Running {
        private final MessageDigest digest;

        DigestRunning(String algorithm) {
            try {
                this.digest = MessageDigest.getInstance(algorithm);
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public void update(byte[] bytes, int offset, int length) {
            digest.update(bytes, offset, length);
        }

        @Override
        public byte[] digest() {
            return digest.digest();
        }
    }

    /** CRC-64/NVME: reflected polynomial 0x9a6c9329ac4bc9b5, initial and final value all ones. */
    private static final class Crc64Running implements Running {
        private static final long[] TABLE = new long[256];

        static {
            long poly = 0x9a6c9329ac4bc9b5L;
            for (int i = 0; i < 256; i++) {
                long crc = i;
                for (int k = 0; k < 8; k++) {
                    crc = (crc & 1) != 0 ? (crc >>> 1) ^ poly : crc >>> 1;
                }
                TABLE[i] = crc;
            }
        }

        private long crc = -1L;

        @Override
        public void update(byte[] bytes, int offset, int length) {
            long c = crc;
            for (int i = offset; i < offset + length; i++) {
                c = TABLE[(int) ((c ^ bytes[i]) & 0xff)] ^ (c >>> 8);
            }
            crc = c;
        }

        @Override
        public byte[] digest() {
            return ByteBuffer.allocate(8).putLong(~crc).array();
        }
    }
}
