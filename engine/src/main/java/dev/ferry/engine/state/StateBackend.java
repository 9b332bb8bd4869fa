package dev.ferry.engine.state;

import java.util.List;
import java.util.Optional;

/**
 * Where one migration file's state and its lock live: the local file store ({@code .ferry/NAME/state.json}
 * and its {@code .lock}), or a remote one a provider offers (S3). One backend is opened per command run, so
 * its store may remember what it read (an S3 ETag) to guard what it writes.
 */
public interface StateBackend extends AutoCloseable {

    /** A held lock; closing it releases it (when it is still this run's). */
    interface Lock extends AutoCloseable {
        StateLock.Info info();

        /** The stale lock this one replaced, if any (the caller says so to the user). */
        default Optional<StateLock.Info> takenOver() {
            return Optional.empty();
        }

        @Override
        void close();
    }

    StateStore store();

    /**
     * Takes the lock for {@code operation} ({@code "apply"}).
     *
     * @throws dev.ferry.engine.FerryException naming the holder when another run holds it
     */
    default Lock lock(String operation) {
        return lock(operation, LockScope.WHOLE);
    }

    /**
     * Takes the lock of {@code scope} for {@code operation}: the whole state, or one shard of it, so the shards of one
     * state run at once (see {@link LockScope} for what excludes what).
     *
     * @throws StateLock.Held naming the holders when a conflicting run holds a lock
     */
    Lock lock(String operation, LockScope scope);

    /** Removes the lock with {@code id} (the whole-state lock or a shard lock), whoever holds it; returns what it said. */
    StateLock.Info forceUnlock(String id);

    /** Things the user should know about where the state is kept (a bucket without versioning). */
    default List<String> warnings() {
        return List.of();
    }

    /** For messages: {@code .ferry/NAME/state.json}, {@code s3://bucket/key}. */
    default String describe() {
        return store().describe();
    }

    @Override
    default void close() {
    }

    /** The state file at {@code stateFile} with its lock beside it ({@code state.lock} for {@code state.json}). */
    static StateBackend file(java.nio.file.Path stateFile) {
        FileStateStore store = new FileStateStore(stateFile);
        java.nio.file.Path lockFile = lockFile(stateFile);
        return new StateBackend() {
            @Override
            public StateStore store() {
                return store;
            }

            @Override
            public Lock lock(String operation, LockScope scope) {
                return StateLock.acquire(lockFile, operation, scope);
            }

            @Override
            public StateLock.Info forceUnlock(String id) {
                return StateLock.forceUnlockAny(lockFile, id);
            }
        };
    }

    /** The lock beside the state: {@code .ferry/NAME/state.lock} for {@code .ferry/NAME/state.json}. */
    static java.nio.file.Path lockFile(java.nio.file.Path stateFile) {
        return stateFile.resolveSibling(stateFile.getFileName().toString().replaceAll("\\.json$", "") + ".lock");
    }
}
