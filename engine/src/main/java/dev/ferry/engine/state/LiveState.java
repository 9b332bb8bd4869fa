package dev.ferry.engine.state;

import static java.util.Objects.requireNonNull;

import java.util.function.UnaryOperator;

/**
 * State during a run, shared by the steps running in parallel. Every change is durable before
 * {@link #update} returns; changes made while a write is under way are written together by the next
 * one (group commit), so a hundred steps finishing at once cost a few writes, not a hundred.
 */
public final class LiveState {

    private final StateStore store;
    private final Object writing = new Object();
    private State state;
    private long version;
    private long written;

    public LiveState(StateStore store, State initial) {
        this.store = requireNonNull(store, "store is null");
        this.state = requireNonNull(initial, "initial is null");
    }

    public synchronized State current() {
        return state;
    }

    /** Applies {@code change}, increments the serial, and returns once the result is on disk. */
    public State update(UnaryOperator<State> change) {
        long mine;
        State result;
        synchronized (this) {
            result = change.apply(state);
            result = result.withSerial(state.serial() + 1);
            state = result;
            mine = ++version;
        }
        persist(mine);
        return result;
    }

    private void persist(long upTo) {
        synchronized (writing) {
            if (written >= upTo) {
                return;
            }
            State snapshot;
            long snapshotVersion;
            synchronized (this) {
                snapshot = state;
                snapshotVersion = version;
            }
            store.write(snapshot);
            written = snapshotVersion;
        }
    }
}
