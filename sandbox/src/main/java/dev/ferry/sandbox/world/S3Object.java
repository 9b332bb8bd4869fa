package dev.ferry.sandbox.world;

import java.time.Instant;
import java.util.Map;

import static java.util.Objects.requireNonNull;

/**
 * An S3 object; its bytes are in {@code blob}.
 *
 * @param etag        with quotes, as S3 sends it
 * @param checksums   algorithm id ({@code crc32}) to base64 value; a multipart object's are composite
 *                    ({@code value-N})
 */
public record S3Object(String bucket, String key, long size, String etag, Instant lastModified, String contentType,
                       Map<String, String> metadata, Map<String, String> checksums, Blob blob) {
    public S3Object {
        requireNonNull(bucket, "bucket is null");
        requireNonNull(key, "key is null");
        requireNonNull(etag, "etag is null");
        requireNonNull(lastModified, "lastModified is null");
        metadata = Tags.copy(metadata);
        checksums = Tags.copy(checksums);
        requireNonNull(blob, "blob is null");
    }
}
