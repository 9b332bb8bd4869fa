package dev.ferry.sandbox.world;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static java.util.Objects.requireNonNull;

/**
 * An ImportImage task: a disk image in S3 converted into an AMI.
 *
 * @param format          the first disk's format ({@code RAW}, {@code VMDK}, ...), as given or as read
 * @param status          {@code active}, {@code completed}, {@code deleting} or {@code deleted}
 * @param statusMessage   phase while active, the reason once deleted
 * @param failureMessage  when the image was found unusable, the message the task ends with
 * @param failAt          when that failure shows (the end of validation)
 * @param diskImageSize   bytes of the first disk's source
 * @param imageId         the registered AMI, once completed
 * @param snapshotDetails one per disk imported (an OVA may hold several), the boot disk first; states saved
 *                        before it existed get one from the fields above
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
        Map<String, String> tags,
        List<SnapshotDetail> snapshotDetails) {

    /**
     * One disk of an import: the format read, the bytes of its source, where it came from, and once the
     * import completes, its device in the AMI and its snapshot.
     */
    public record SnapshotDetail(String format, long diskImageSize, String s3Bucket, String s3Key, String deviceName,
                                 String snapshotId) {
        public SnapshotDetail {
            requireNonNull(format, "format is null");
        }

        SnapshotDetail completed(String device, String snapshot) {
            return new SnapshotDetail(format, diskImageSize, s3Bucket, s3Key, device, snapshot);
        }
    }

    public ImportImageTask {
        requireNonNull(id, "id is null");
        requireNonNull(format, "format is null");
        requireNonNull(status, "status is null");
        requireNonNull(startedAt, "startedAt is null");
        requireNonNull(completeAt, "completeAt is null");
        tags = Tags.copy(tags);
        snapshotDetails = snapshotDetails == null
                ? List.of(new SnapshotDetail(format, diskImageSize, s3Bucket, s3Key, null, snapshotId))
                : List.copyOf(snapshotDetails);
    }

    public boolean active() {
        return status.equals("active");
    }

    ImportImageTask withProgress(String newStatus, String message, int newProgress) {
        return new ImportImageTask(id, description, clientToken, format, s3Bucket, s3Key, roleName, architecture,
                platform, licenseType, bootMode, newStatus, message, newProgress, startedAt, completeAt,
                failureMessage, failAt, diskImageSize, imageId, snapshotId, tags, snapshotDetails);
    }

    ImportImageTask completed(String newImageId, List<SnapshotDetail> details) {
        return new ImportImageTask(id, description, clientToken, format, s3Bucket, s3Key, roleName, architecture,
                platform, licenseType, bootMode, "completed", null, 100, startedAt, completeAt, failureMessage, failAt,
                diskImageSize, newImageId, details.get(0).snapshotId(), tags, details);
    }

    public ImportImageTask withTags(Map<String, String> newTags) {
        return new ImportImageTask(id, description, clientToken, format, s3Bucket, s3Key, roleName, architecture,
                platform, licenseType, bootMode, status, statusMessage, progress, startedAt, completeAt,
                failureMessage, failAt, diskImageSize, imageId, snapshotId, newTags, snapshotDetails);
    }
}
