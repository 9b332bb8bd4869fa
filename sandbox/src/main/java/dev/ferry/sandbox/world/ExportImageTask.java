package dev.ferry.sandbox.world;

import java.time.Instant;
import java.util.Map;

import static java.util.Objects.requireNonNull;

/**
 * An ExportImage task: an AMI's root disk written to S3 as {@code <prefix><task id>.<format>}.
 *
 * @param diskImageFormat {@code raw}, {@code vmdk} or {@code vhd}
 * @param status          {@code active}, {@code completed}, {@code deleting} or {@code deleted}
 * @param statusMessage   phase while active ({@code validating}, {@code converting}, {@code uploading})
 * @param objectKey       the key of the written object once completed
 */
public record ExportImageTask(
        String id,
        String imageId,
        String diskImageFormat,
        String s3Bucket,
        String s3Prefix,
        String roleName,
        String description,
        String clientToken,
        String status,
        String statusMessage,
        int progress,
        Instant startedAt,
        Instant completeAt,
        String objectKey,
        Map<String, String> tags) {

    public ExportImageTask {
        requireNonNull(id, "id is null");
        requireNonNull(imageId, "imageId is null");
        requireNonNull(diskImageFormat, "diskImageFormat is null");
        requireNonNull(s3Bucket, "s3Bucket is null");
        requireNonNull(status, "status is null");
        requireNonNull(startedAt, "startedAt is null");
        requireNonNull(completeAt, "completeAt is null");
        tags = Tags.copy(tags);
    }

    public boolean active() {
        return status.equals("active");
    }

    ExportImageTask withProgress(String newStatus, String message, int newProgress, String key) {
        return new ExportImageTask(id, imageId, diskImageFormat, s3Bucket, s3Prefix, roleName, description,
                clientToken, newStatus, message, newProgress, startedAt, completeAt, key, tags);
    }

    public ExportImageTask withTags(Map<String, String> newTags) {
        return new ExportImageTask(id, imageId, diskImageFormat, s3Bucket, s3Prefix, roleName, description,
                clientToken, status, statusMessage, progress, startedAt, completeAt, objectKey, newTags);
    }
}
