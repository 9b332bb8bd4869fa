package dev.ferry.engine.transfer;

/**
 * Hears how a transfer is going. Calls come from the transfer's own threads, one at a time, never
 * concurrently; they should return quickly. A listener that throws is not allowed to fail the
 * transfer: its exception is dropped.
 */
public interface TransferListener {

    /** A listener that ignores everything. */
    TransferListener NONE = new TransferListener() {
    };

    /** A snapshot of the counters, at most once per {@link TransferOptions#progressInterval()}, and a last one at the end. */
    default void progress(TransferProgress progress) {
    }

    /** A read is reopened after a cut, or the upload starts over. */
    default void retrying(TransferRetry retry) {
    }
}
