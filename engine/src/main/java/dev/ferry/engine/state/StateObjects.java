package dev.ferry.engine.state;

import java.util.List;
import java.util.Optional;

/**
 * Where the objects of a state are kept, by name: {@link PartitionedStateStore#MANIFEST} (the state's own path or key)
 * and the parts below it ({@code _shared.json}, {@code migrations/NAME.json}). Each write replaces one object whole and
 * atomically (a file: temporary file, fsync, rename; S3: a conditional PUT on the version last seen).
 */
public interface StateObjects {

    /** The object's bytes, or empty when there is none. */
    Optional<byte[]> read(String name);

    /** The names of the parts there are (not the manifest), in any order. */
    List<String> parts();

    /** Replaces the object {@code name} with {@code bytes}, whole or not at all. */
    void write(String name, byte[] bytes);

    /**
     * Keeps {@code bytes} (the whole state as this run found it) as the backup beside the state
     * ({@code state.json.backup}); a store that keeps versions itself (a versioned bucket) does nothing.
     */
    default void backUp(byte[] bytes) {
    }

    /**
     * Holds the object {@code name} for a read-merge-write by this run alone (the object of what migrations share, which
     * shards write at once), waiting while another run holds it; closing releases it. Objects whose writes are
     * conditional ({@link ChangedMeanwhile}) need no lock: the merge is tried again instead.
     */
    default AutoCloseable hold(String name) {
        return () -> { };
    }

    /** A write refused because another run wrote the object since this one read it; nothing was overwritten. */
    final class ChangedMeanwhile extends dev.ferry.engine.FerryException {
        public ChangedMeanwhile(String message) {
            super(message);
        }
    }

    /** For messages: the path or URI of the object {@code name}. */
    String describe(String name);
}
