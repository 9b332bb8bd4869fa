package dev.ferry.sandbox.world;

import java.time.Instant;
import java.util.List;

import static java.util.Objects.requireNonNull;

/**
 * A private Linode image made by upload.
 *
 * @param number        the numeric part of the id {@code private/NUMBER}
 * @param status        {@code pending_upload}, {@code creating}, {@code available}, or {@code failed}
 *                      (a failed upload; the API no longer shows the image, the event says why)
 * @param availableAt   when a {@code creating} image becomes available
 * @param sizeMb        the raw image size in MB, once known
 * @param uploadToken   the secret part of its {@code upload_to} URL
 * @param upload        measurements of the received upload, once complete
 * @param failureReason why the upload failed
 */
public record LinodeImage(long number, String label, String description, String region, String status,
                          Instant created, Instant updated, Instant availableAt, long sizeMb, List<String> tags,
                          boolean cloudInit, String uploadToken, UploadDigest upload, String failureReason) {
    public LinodeImage {
        requireNonNull(label, "label is null");
        requireNonNull(region, "region is null");
        requireNonNull(status, "status is null");
        requireNonNull(created, "created is null");
        requireNonNull(updated, "updated is null");
        tags = List.copyOf(tags);
        requireNonNull(uploadToken, "uploadToken is null");
    }

    public String id() {
        return "private/" + number;
    }

    public LinodeImage withStatus(String newStatus, Instant at, Instant newAvailableAt, long newSizeMb,
                                  UploadDigest newUpload, String reason) {
        return new LinodeImage(number, label, description, region, newStatus, created, at, newAvailableAt,
                newSizeMb, tags, cloudInit, uploadToken, newUpload, reason);
    }

    public LinodeImage withLabel(String newLabel, String newDescription, List<String> newTags, Instant at) {
        return new LinodeImage(number, newLabel, newDescription, region, status, created, at, availableAt, sizeMb,
                newTags, cloudInit, uploadToken, upload, failureReason);
    }
}
