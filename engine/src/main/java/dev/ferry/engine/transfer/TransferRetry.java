package dev.ferry.engine.transfer;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * A retry the transfer is about to make.
 *
 * @param side which end failed
 * @param attempt for {@link Side#READ}, the retry number in a row for this range (1 for the
 *     first); for {@link Side#UPLOAD}, the number of the upload attempt about to start (2 for the
 *     first restart)
 * @param offset for {@link Side#READ}, the source offset the read resumes from; for
 *     {@link Side#UPLOAD}, always 0
 * @param reason what went wrong, in words fit for a user
 * @param delay the pause before the retry
 */
public record TransferRetry(Side side, int attempt, long offset, String reason, Duration delay) {

    public TransferRetry {
        requireNonNull(side, "side is null");
        requireNonNull(reason, "reason is null");
        requireNonNull(delay, "delay is null");
    }

    /** The end of the transfer that failed. */
    public enum Side {
        /** A ranged read was cut; it resumes at the last byte received, the upload goes on. */
        READ,
        /** The upload failed; it starts over from byte 0 on a fresh destination. */
        UPLOAD
    }
}
