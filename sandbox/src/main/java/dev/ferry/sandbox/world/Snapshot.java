package dev.ferry.sandbox.world;

import java.time.Instant;
import java.util.Map;

import static java.util.Objects.requireNonNull;

/**
 * An EBS snapshot.
 *
 * @param state      {@code pending}, {@code completed} or {@code error}
 * @param progress   percent, 0–100
 * @param completeAt when a pending snapshot completes
 */
public record Snapshot(
        String id,
        String volumeId,
        int volumeSizeGiB,
        boolean encrypted,
        String kmsKeyId,
        String state,
        int progress,
        Instant startTime,
        Instant completeAt,
        String description,
        String ownerId,
        DiskSource disk,
        Map<String, String> tags) {

    public Snapshot {
        requireNonNull(id, "id is null");
        requireNonNull(state, "state is null");
        requireNonNull(startTime, "startTime is null");
        requireNonNull(ownerId, "ownerId is null");
        requireNonNull(disk, "disk is null");
        tags = Tags.copy(tags);
    }

    public Snapshot withProgress(String newState, int newProgress) {
        return new Snapshot(id, volumeId, volumeSizeGiB, encrypted, kmsKeyId, newState, newProgress, startTime,
                completeAt, description, ownerId, disk, tags);
    }

    public Snapshot withTags(Map<String, String> newTags) {
        return new Snapshot(id, volumeId, volumeSizeGiB, encrypted, kmsKeyId, state, progress, startTime, completeAt,
                description, ownerId, disk, newTags);
    }
}
