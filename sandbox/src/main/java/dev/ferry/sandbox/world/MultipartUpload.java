package dev.ferry.sandbox.world;

import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

import static java.util.Objects.requireNonNull;

/**
 * A multipart upload in progress.
 *
 * @param checksumAlgorithm declared with CreateMultipartUpload ({@code crc32}, ...), or null
 * @param checksumType      {@code COMPOSITE} or {@code FULL_OBJECT}, or null
 */
public record MultipartUpload(String uploadId, String bucket, String key, Instant initiated, String contentType,
                              Map<String, String> metadata, String checksumAlgorithm, String checksumType,
                              SortedMap<Integer, UploadedPart> parts) {
    public MultipartUpload {
        requireNonNull(uploadId, "uploadId is null");
        requireNonNull(bucket, "bucket is null");
        requireNonNull(key, "key is null");
        requireNonNull(initiated, "initiated is null");
        metadata = Tags.copy(metadata);
        parts = Collections.unmodifiableSortedMap(new TreeMap<>(parts));
    }

    public MultipartUpload withPart(UploadedPart part) {
        TreeMap<Integer, UploadedPart> newParts = new TreeMap<>(parts);
        newParts.put(part.partNumber(), part);
        return new MultipartUpload(uploadId, bucket, key, initiated, contentType, metadata, checksumAlgorithm,
                checksumType, newParts);
    }
}
