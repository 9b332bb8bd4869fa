package dev.ferry.provider.aws.target;

import dev.ferry.engine.FerryException;
import java.util.Locale;
import software.amazon.awssdk.services.s3.model.ChecksumAlgorithm;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.MultipartUpload;
import software.amazon.awssdk.services.s3.model.Part;
import software.amazon.awssdk.services.s3.model.UploadPartResponse;

/**
 * The checksum S3 verifies on each part of a multipart upload, declared once with CreateMultipartUpload (S3 refuses
 * a part checksummed with another algorithm); the SDK computes it as a part's bytes go and sends it after them. New
 * uploads use CRC32C: the CPU computes it with one instruction per 8 bytes from the JVM's first second on, where
 * SHA-256 runs in plain Java until the JIT compiles it, which in a short-lived process is most of an upload. Uploads
 * begun by an earlier ferry with SHA-256 go on with SHA-256.
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
        if (name == null || name.isEmpty()) {
            return EARLIER;
        }
        try {
            return valueOf(name.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new FerryException("the state records the upload's part checksum as '" + name + "', which this ferry does not"
                    + " know (it knows " + java.util.Arrays.toString(values()) + "); was the state written by a newer ferry?");
        }
    }

    /** The algorithm an upload was created with, as ListMultipartUploads says; {@link #EARLIER} when it names none. */
    static PartChecksum of(MultipartUpload upload) {
        return upload.checksumAlgorithm() == ChecksumAlgorithm.CRC32_C ? CRC32C : EARLIER;
    }

    CompletedPart completed(int number, String etag, String checksum) {
        CompletedPart.Builder part = CompletedPart.builder().partNumber(number).eTag(etag);
        return (this == CRC32C ? part.checksumCRC32C(checksum) : part.checksumSHA256(checksum)).build();
    }

    /** The checksum S3 holds for a part already sent, or null when it holds none of this algorithm. */
    String in(Part part) {
        return this == CRC32C ? part.checksumCRC32C() : part.checksumSHA256();
    }

    /** The checksum S3 verified for the part it just took, or null when it answered none of this algorithm. */
    String in(UploadPartResponse response) {
        return this == CRC32C ? response.checksumCRC32C() : response.checksumSHA256();
    }
}
