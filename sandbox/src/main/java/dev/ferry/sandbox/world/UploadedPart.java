package dev.ferry.sandbox.world;

import java.time.Instant;
import java.util.Map;

import static java.util.Objects.requireNonNull;

/** One uploaded part of a multipart upload. */
public record UploadedPart(int partNumber, long size, String etag, Instant lastModified, Map<String, String> checksums,
                           Blob blob) {
    public UploadedPart {
        requireNonNull(etag, "etag is null");
        requireNonNull(lastModified, "lastModified is null");
        checksums = Tags.copy(checksums);
        requireNonNull(blob, "blob is null");
    }
}
