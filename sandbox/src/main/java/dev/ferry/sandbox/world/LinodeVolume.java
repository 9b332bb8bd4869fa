package dev.ferry.sandbox.world;

import java.time.Instant;
import java.util.List;

import static java.util.Objects.requireNonNull;

/**
 * A Block Storage volume. Its bytes live in a sparse file like a disk's ({@link LinodeMachines#volumeFile}).
 *
 * @param sizeGb   GB of 1 GiB, as the API counts them
 * @param status   {@code creating} until {@code readyAt}, then {@code active}
 * @param linodeId the Linode it is attached to, or null
 */
public record LinodeVolume(long id, String label, String region, int sizeGb, String status, Long linodeId,
                           List<String> tags, String encryption, Instant created, Instant updated, Instant readyAt) {
    public LinodeVolume {
        requireNonNull(label, "label is null");
        requireNonNull(region, "region is null");
        requireNonNull(status, "status is null");
        tags = tags == null ? List.of() : List.copyOf(tags);
        requireNonNull(encryption, "encryption is null");
        requireNonNull(created, "created is null");
        requireNonNull(updated, "updated is null");
    }

    public long sizeBytes() {
        return sizeGb * 1024L * 1024L * 1024L;
    }

    LinodeVolume withStatus(String newStatus, Instant at) {
        return new LinodeVolume(id, label, region, sizeGb, newStatus, linodeId, tags, encryption, created, at,
                readyAt);
    }

    LinodeVolume attachedTo(Long newLinodeId, Instant at) {
        return new LinodeVolume(id, label, region, sizeGb, status, newLinodeId, tags, encryption, created, at,
                readyAt);
    }
}
