package dev.ferry.engine.transfer;

import java.io.IOException;

/** Makes one {@link ByteSink} per attempt, and states the limits the receiver enforces. */
public interface ByteSinkFactory {

    /** A fresh destination for attempt {@code number} (1 for the first). */
    ByteSink attempt(int number) throws IOException;

    /** Largest uncompressed size the receiver accepts, or {@link Long#MAX_VALUE}. */
    long rawLimit();

    /** Largest compressed size the receiver accepts, or {@link Long#MAX_VALUE}. */
    long compressedLimit();
}
