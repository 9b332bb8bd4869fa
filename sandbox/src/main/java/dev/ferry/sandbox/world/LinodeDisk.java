package dev.ferry.sandbox.world;

import java.time.Instant;
import java.util.List;

import static java.util.Objects.requireNonNull;

/**
 * A disk of a Linode. Its bytes live in a sparse file of the sandbox's storage ({@link LinodeMachines#file});
 * the root password of a disk made from an image is not kept, its authorized keys are (the helper's SSH
 * server admits them).
 *
 * @param status     {@code not ready} until {@code readyAt}, then {@code ready}
 * @param sizeMb     MB of 1 MiB, as the API counts them
 * @param filesystem {@code raw}, {@code swap}, {@code ext3}, {@code ext4} or {@code initrd}
 * @param image      the image it was deployed from, or null for an empty disk
 */
public record LinodeDisk(long id, long linodeId, String label, String status, int sizeMb, String filesystem,
                         String image, Instant created, Instant updated, Instant readyAt,
                         List<String> authorizedKeys) {
    public LinodeDisk {
        requireNonNull(label, "label is null");
        requireNonNull(status, "status is null");
        requireNonNull(filesystem, "filesystem is null");
        requireNonNull(created, "created is null");
        requireNonNull(updated, "updated is null");
        authorizedKeys = authorizedKeys == null ? List.of() : List.copyOf(authorizedKeys);
    }

    /** The disk's size in bytes ({@code blockdev --getsize64}). */
    public long sizeBytes() {
        return sizeMb * 1024L * 1024L;
    }

    LinodeDisk withStatus(String newStatus, Instant at) {
        return new LinodeDisk(id, linodeId, label, newStatus, sizeMb, filesystem, image, created, at, readyAt,
                authorizedKeys);
    }
}
