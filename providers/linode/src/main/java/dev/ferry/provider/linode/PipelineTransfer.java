package dev.ferry.provider.linode;

import static java.util.Objects.requireNonNull;

import dev.ferry.engine.transfer.ByteSinkFactory;
import dev.ferry.engine.transfer.RangedByteSource;
import dev.ferry.engine.transfer.StreamingTransfer;
import dev.ferry.engine.transfer.TransferException;
import dev.ferry.engine.transfer.TransferListener;
import dev.ferry.engine.transfer.TransferOptions;
import dev.ferry.engine.transfer.TransferProgress;
import dev.ferry.engine.transfer.TransferResult;
import dev.ferry.engine.transfer.TransferRetry;
import java.util.function.BooleanSupplier;

/**
 * The engine's streaming pipeline ({@link StreamingTransfer}: parallel ranged reads, pigz-style parallel gzip,
 * one body per upload attempt) behind the image resource's {@link ImageTransfer} seam. The user's request to
 * stop, which the engine reports through {@code ApplyContext.cancelled()}, aborts the transfer.
 */
final class PipelineTransfer implements ImageTransfer {

    private final TransferOptions options;

    PipelineTransfer(TransferOptions options) {
        this.options = requireNonNull(options, "options is null");
    }

    @Override
    public Report run(RangedByteSource source, ByteSinkFactory sinks, Listener listener, BooleanSupplier cancelled)
            throws Failed, Cancelled {
        StreamingTransfer transfer = new StreamingTransfer(source, sinks, options, new TransferListener() {
            @Override
            public void progress(TransferProgress progress) {
                listener.progress(progress.rawBytesSent(), progress.totalBytes());
            }

            @Override
            public void retrying(TransferRetry retry) {
                if (retry.side() == TransferRetry.Side.UPLOAD) {
                    listener.restarting(retry.attempt(), retry.reason());
                }
            }
        });
        Thread watcher = new Thread(() -> {
            try {
                while (!cancelled.getAsBoolean()) {
                    Thread.sleep(50);
                }
                transfer.abort();
            } catch (InterruptedException e) {
                // the transfer is over
            }
        }, "ferry-linode-upload-watch");
        watcher.setDaemon(true);
        watcher.start();
        try {
            TransferResult result = transfer.run();
            return new Report(result.rawBytes(), result.rawSha256(), result.compressedBytes(), result.compressedSha256(),
                    result.attempts(), result.receipt());
        } catch (TransferException e) {
            if (e.reason() == TransferException.Reason.ABORTED) {
                throw new Cancelled();
            }
            throw new Failed(e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Cancelled();
        } finally {
            watcher.interrupt();
        }
    }
}
