package dev.ferry.sandbox.world;

import java.time.Instant;
import java.util.Map;

import static java.util.Objects.requireNonNull;

/**
 * An ImportImage task: a disk image in S3 converted into an AMI.
 *
 * @param format          the disk container's format as given ({@code RAW}, {@code VMDK}, ...) or detected
 * @param status          {@code active}, {@code completed}, {@code deleting} or {@code deleted}
 * @param statusMessage   phase while active, the reason once deleted
 * @param failureMessage  when the image was found unusable, the message the task ends with
 * @param failAt          when that failure shows (the end of validation)
 * @param diskImageSize   bytes of the source object
 * @param imageId         the registered AMI, once completed
 */
public record ImportImageTask(
        String id,
        String description,
        String clientToken,
        String format,
        String s3Bucket,
        String s3Key,
        String roleName,
        String architecture,
        String platform,
        String licenseType,
        String bootMode,
        String status,
        String statusMessage,
        int progress,
        Instant startedAt,
        Instant completeAt,
        String failureMessage,
        Instant failAt,
        long diskImageSize,
        String imageId,
        String snapshotId,
        Map<String, String> tags) {

    public ImportImageTask {
        requireNonNull(id, "id is null");
        requireNonNull(format, "format is null");
        requireNonNull(status, "status is null");
        requireNonNull(startedAt, "startedAt is null");
        requireNonNull(completeAt, "completeAt is null");
        tags = Tags.copy(tags);
    }

    public boolean active() {
        return status.equals("active");
    }

    ImportImageTask withProgress(String newStatus, String message, int newProgress, String newImageId,
                                 String newSnapshotId) {
        return new ImportImageTask(id, description, clientToken, format, s3Bucket, s3Key, roleName, architecture,
                platform, licenseType, bootMode, newStatus, message, newProgress, startedAt, completeAt,
                failureMessage, failAt, diskImageSize, newImageId, newSnapshotId, tags);
    }

    public ImportImageTask withTags(Map<String, String> newTags) {
        return new ImportImageTask(id, description, clientToken, format, s3Bucket, s3Key, roleName, architecture,
                platform, licenseType, bootMode, status, statusMessage, progress, startedAt, completeAt,
                failureMessage, failAt, diskImageSize, imageId, snapshotId, newTags);
    }
}
