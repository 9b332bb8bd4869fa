package dev.ferry.sandbox.world;

import static java.util.Objects.requireNonNull;

/** One EBS block device mapping of an AMI. */
public record BlockDevice(String deviceName, String snapshotId, int volumeSizeGiB, String volumeType,
                          boolean encrypted, boolean deleteOnTermination) {
    public BlockDevice {
        requireNonNull(deviceName, "deviceName is null");
        requireNonNull(snapshotId, "snapshotId is null");
        requireNonNull(volumeType, "volumeType is null");
    }
}
