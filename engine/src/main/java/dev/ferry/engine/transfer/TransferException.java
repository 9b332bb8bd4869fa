package dev.ferry.engine.transfer;

import static java.util.Objects.requireNonNull;

/**
 * A transfer that did not complete. The message is written for the person running ferry: it says
 * what happened, with sizes and places, and what to do; it never holds credentials or upload URLs.
 */
public final class TransferException extends Exception {

    private final Reason reason;

    public TransferException(Reason reason, String message, Throwable cause) {
        super(requireNonNull(message, "message is null"), cause);
        this.reason = requireNonNull(reason, "reason is null");
    }

    public Reason reason() {
        return reason;
    }

    /** Why the transfer stopped. */
    public enum Reason {
        /** The source is larger than the receiver accepts; nothing was read. */
        RAW_SIZE_OVER_LIMIT,
        /** The gzip output outgrew the receiver's limit; the upload was stopped before passing it. */
        COMPRESSED_SIZE_OVER_LIMIT,
        /** A ranged read kept failing after its retries. */
        SOURCE_FAILED,
        /** Every upload attempt failed; the message names the last reason. */
        UPLOAD_FAILED,
        /** {@link StreamingTransfer#abort()} was called. */
        ABORTED
    }
}
