package dev.ferry.sandbox.world;

import java.time.Instant;
import java.util.Map;

import static java.util.Objects.requireNonNull;

/**
 * A CreateInstanceExportTask task: an instance's disk written to S3 as {@code <prefix><task id>.<format>}.
 *
 * @param state {@code active}, {@code cancelling}, {@code cancelled} or {@code completed}
 */
public record InstanceExportTask(
        String id,
        String instanceId,
        String targetEnvironment,
        String diskImageFormat,
        String containerFormat,
        String s3Bucket,
        String s3Prefix,
        String s3Key,
        String description,
        String state,
        String statusMessage,
        Instant startedAt,
        Instant completeAt,
        Map<String, String> tags) {

    public InstanceExportTask {
        requireNonNull(id, "id is null");
        requireNonNull(instanceId, "instanceId is null");
        requireNonNull(diskImageFormat, "diskImageFormat is null");
        requireNonNull(s3Bucket, "s3Bucket is null");
        requireNonNull(s3Key, "s3Key is null");
        requireNonNull(state, "state is null");
        requireNonNull(startedAt, "startedAt is null");
        requireNonNull(completeAt, "completeAt is null");
        tags = Tags.copy(tags);
    }

    public boolean active() {
        return state.equals("active");
    }

    InstanceExportTask withState(String newState, String message) {
        return new InstanceExportTask(id, instanceId, targetEnvironment, diskImageFormat, containerFormat, s3Bucket,
                s3Prefix, s3Key, description, newState, message, startedAt, completeAt, tags);
    }

    public InstanceExportTask withTags(Map<String, String> newTags) {
        return new InstanceExportTask(id, instanceId, targetEnvironment, diskImageFormat, containerFormat, s3Bucket,
                s3Prefix, s3Key, description, state, statusMessage, startedAt, completeAt, newTags);
    }
}
