package dev.ferry.sandbox.world;

import java.time.Instant;
import java.util.Map;

import static java.util.Objects.requireNonNull;

/**
 * An EBS volume. Its {@code sizeGiB} is what the API reports; its bytes are those of {@code disk}.
 *
 * @param state {@code in-use}, {@code available} or {@code deleted}
 */
public record Volume(
        String id,
        int sizeGiB,
        String volumeType,
        Integer iops,
        Integer throughput,
        boolean encrypted,
        String kmsKeyId,
        String availabilityZone,
        Instant createTime,
        String snapshotId,
        String state,
        String instanceId,
        String device,
        boolean deleteOnTermination,
        DiskSource disk,
        Map<String, String> tags) {

    public Volume {
        requireNonNull(id, "id is null");
        requireNonNull(volumeType, "volumeType is null");
        requireNonNull(availabilityZone, "availabilityZone is null");
        requireNonNull(createTime, "createTime is null");
        requireNonNull(state, "state is null");
        requireNonNull(disk, "disk is null");
        tags = Tags.copy(tags);
    }

    public Volume withState(String newState) {
        return new Volume(id, sizeGiB, volumeType, iops, throughput, encrypted, kmsKeyId, availabilityZone, createTime,
                snapshotId, newState, newState.equals("in-use") ? instanceId : null,
                newState.equals("in-use") ? device : null, deleteOnTermination, disk, tags);
    }

    public Volume withTags(Map<String, String> newTags) {
        return new Volume(id, sizeGiB, volumeType, iops, throughput, encrypted, kmsKeyId, availabilityZone, createTime,
                snapshotId, state, instanceId, device, deleteOnTermination, disk, newTags);
    }
}
