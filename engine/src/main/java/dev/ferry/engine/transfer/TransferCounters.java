package dev.ferry.engine.transfer;

import java.util.concurrent.atomic.AtomicLong;

/** The live counters of one upload attempt, written by the pipeline threads, read by the progress ticker. */
final class TransferCounters {

    final int attempt;
    final AtomicLong bytesRead = new AtomicLong();
    final AtomicLong bytesCompressed = new AtomicLong();
    final AtomicLong compressedBytes = new AtomicLong();
    final AtomicLong bytesSent = new AtomicLong();
    final AtomicLong rawBytesSent = new AtomicLong();

    TransferCounters(int attempt) {
        this.attempt = attempt;
    }
}
