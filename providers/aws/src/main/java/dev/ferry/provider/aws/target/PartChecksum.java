package dev.ferry.provider.aws.target;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Locale;
import java.util.zip.CRC32C;
import software.amazon.awssdk.services.s3.model.ChecksumAlgorithm;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.MultipartUpload;
import software.amazon.awssdk.services.s3.model.Part;
import software.amazon.awssdk.services.s3.model.UploadPartRequest;

/**
 * The checksum S3 verifies on each part of a multipart upload, declared once with CreateMultipartUpload (S3 refuses
 * a part checksummed with another algorithm). New uploads use CRC32C: the CPU computes it with one instruction per
 * 8 bytes from the JVM's first second on, where SHA-256 runs in plain Java until the JIT compiles it, which in a
 * short-lived process is most of an upload. Uploads begun by an earlier ferry with SHA-256 go on with SHA-256.
 */
enum PartChecksum {
    CRC32C(ChecksumAlgorithm.CRC32_C),
    SHA256(ChecksumAlgorithm.SHA256);

    /** For uploads that began before the algorithm was recorded in the step's data. */
    static final PartChecksum EARLIER = SHA256;

    private final ChecksumAlgorithm algorithm;

    PartChecksum(ChecksumAlgorithm algorithm) {
        this.algorithm = algorithm;
    }

    ChecksumAlgorithm algorithm() {
        return algorithm;
    }

    /** The algorithm named in a step's data ({@link #name()}), or {@link #EARLIER} when none is. */
    static PartChecksum named(String name) {
        return name == null || name.isEmpty() ? EARLIER : valueOf(name.toUpperCase(Locale.ROOT));
    }

    /** The algorithm an upload was created with, as ListMultipartUploads says; {@link #EARLIER} when it names none. */
    static PartChecksum of(MultipartUpload upload) {
        return upload.checksumAlgorithm() == ChecksumAlgorithm.CRC32_C ? CRC32C : EARLIER;
    }

    /** The base64 checksum of {@code bytes[0, length)}, as S3 expects it in {@code x-amz-checksum-*}. */
    String of(byte[] bytes, int length) {
        return switch (this) {
            case CRC32C -> {
                CRC32C crc = new CRC32C();
                crc.update(bytes, 0, length);
                yield Base64.getEncoder().encodeToString(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
            }
            case SHA256 -> {
                try {
                    MessageDigest sha = MessageDigest.getInstance("SHA-256");
                    sha.update(bytes, 0, length);
                    yield Base64.getEncoder().encodeToString(sha.digest());
                } catch (NoSuchAlgorithmException e) {
                    throw new IllegalStateException("this Java cannot digest with SHA-256: " + e.getMessage(), e);
                }
            }
        };
    }

    UploadPartRequest.Builder on(UploadPartRequest.Builder request, String checksum) {
        return this == CRC32C ? request.checksumCRC32C(checksum) : request.checksumSHA256(checksum);
    }

    CompletedPart completed(int number, String etag, String checksum) {
        CompletedPart.Builder part = CompletedPart.builder().partNumber(number).eTag(etag);
        return (this == CRC32C ? part.checksumCRC32C(checksum) : part.checksumSHA256(checksum)).build();
    }

    /** The checksum S3 holds for a part already sent, or null when it holds none of this algorithm. */
    String in(Part part) {
        return this == CRC32C ? part.checksumCRC32C() : part.checksumSHA256();
    }
}
