package dev.ferry.provider.linode;

import dev.ferry.engine.transfer.ByteSinkFactory;
import dev.ferry.engine.transfer.RangedByteSource;
import dev.ferry.engine.transfer.SinkReceipt;
import java.util.function.BooleanSupplier;

/**
 * Moves a raw disk image, gzipped on the way, into one request body per attempt. The seam between the Linode
 * image resource and what streams the bytes: the engine's pipeline ({@link PipelineTransfer}), or a stand-in in
 * tests.
 */
interface ImageTransfer {

    /**
     * Streams {@code source} into sinks from {@code sinks}, a fresh one per attempt, until one accepts the whole
     * body.
     *
     * @throws Failed when the source is over a limit, cannot be read, or every attempt failed (the message says
     *     what happened, without credentials or upload URLs)
     * @throws Cancelled when {@code cancelled} turned true: the upload was abandoned part-way
     */
    Report run(RangedByteSource source, ByteSinkFactory sinks, Listener listener, BooleanSupplier cancelled)
            throws Failed, Cancelled;

    /** What arrived: sizes and SHA-256 digests (lower-case hex) of the raw and the gzip bytes. */
    record Report(long rawBytes, String rawSha256, long gzipBytes, String gzipSha256, int attempts, SinkReceipt receipt) {
    }

    /** Hears how the transfer goes; called from the transfer's threads. */
    interface Listener {
        /** {@code rawBytes} of {@code totalBytes} have been read, compressed and handed to the receiver. */
        void progress(long rawBytes, long totalBytes);

        /** Attempt {@code attempt} starts over from the first byte because the previous one failed. */
        void restarting(int attempt, String reason);
    }

    /** The transfer stopped for good. */
    final class Failed extends Exception {
        Failed(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** The transfer was abandoned because the user asked ferry to stop. */
    final class Cancelled extends Exception {
        Cancelled() {
            super("cancelled", null, false, false);
        }
    }
}
