package dev.ferry.engine.state;

import static java.util.Objects.requireNonNull;

import dev.ferry.engine.resource.ResourceAddress;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.UnaryOperator;

/**
 * State during a run, shared by the steps running in parallel. Every change is durable before
 * {@link #update} returns; changes made while a write is under way are written together by the next
 * one (group commit), so a hundred steps finishing at once cost a few writes, not a hundred. One
 * resource's record changes in place (no copy of the whole state per step).
 */
public final class LiveState {

    private final StateStore store;
    private final StateCodec.Encoder encoder = new StateCodec.Encoder();
    private final Object writing = new Object();
    private final String lineage;
    private final Optional<String> migration;
    private final TreeMap<ResourceAddress, ResourceState> resources;
    private long serial;
    private long version;
    private long written;

    public LiveState(StateStore store, State initial) {
        this.store = requireNonNull(store, "store is null");
        this.lineage = initial.lineage();
        this.migration = initial.migration();
        this.resources = new TreeMap<>(initial.byAddress());
        this.serial = initial.serial();
    }

    /** A consistent copy of the whole state (costs a copy: for the start and the end of a run). */
    public synchronized State current() {
        return new State(lineage, serial, migration, resources);
    }

    public synchronized Optional<ResourceState> get(ResourceAddress address) {
        return Optional.ofNullable(resources.get(address));
    }

    /**
     * Replaces (or with an empty result removes) the record of {@code address}, increments the serial,
     * and returns once the result is on disk.
     */
    public void update(ResourceAddress address, UnaryOperator<Optional<ResourceState>> change) {
        long mine;
        synchronized (this) {
            Optional<ResourceState> updated = change.apply(Optional.ofNullable(resources.get(address)));
            if (updated.isPresent()) {
                if (!updated.get().address().equals(address)) {
                    throw new IllegalArgumentException("a change to " + address + " produced " + updated.get().address());
                }
                resources.put(address, updated.get());
            } else {
                resources.remove(address);
            }
            serial++;
            mine = ++version;
        }
        persist(mine);
    }

    /** Applies {@code change} to the whole state (rare, bulk changes), increments the serial, writes. */
    public void updateAll(UnaryOperator<State> change) {
        long mine;
        synchronized (this) {
            State result = change.apply(new State(lineage, serial, migration, resources));
            if (!result.lineage().equals(lineage)) {
                throw new IllegalArgumentException("a change may not alter the lineage");
            }
            resources.clear();
            resources.putAll(result.byAddress());
            serial++;
            mine = ++version;
        }
        persist(mine);
    }

    private void persist(long upTo) {
        if (!store.keepsWrites()) {
            return;
        }
        synchronized (writing) {
            if (written >= upTo) {
                return;
            }
            State snapshot;
            long snapshotVersion;
            synchronized (this) {
                // A copy of a sorted map is a linear walk; encoding (and writing) happen outside the
                // lock, so steps keep recording changes meanwhile and the next write takes them all.
                snapshot = new State(lineage, serial, migration, resources);
                snapshotVersion = version;
            }
            store.writeEncoded(encoder.encode(snapshot));
            written = snapshotVersion;
        }
    }
}
