package dev.ferry.engine.state;

import static java.util.Objects.requireNonNull;

import dev.ferry.engine.resource.ResourceAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.UnaryOperator;

/**
 * State during a run, shared by the steps running in parallel. Every change is durable before
 * {@link #update} returns, and rewrites only the object of the migration the resource belongs to
 * ({@link StatePart}): a step's write costs the size of its migration, not of the whole state. Changes
 * made while a write is under way are written together by the next one (group commit), so a hundred steps
 * finishing at once cost a few writes, not a hundred. One resource's record changes in place (no copy of
 * the whole state per step). The first write of a run whose store is not kept in parts yet (no state, or
 * an older ferry's single document) writes the whole state once, which moves it to parts.
 */
public final class LiveState {

    private final StateStore store;
    private final Object writing = new Object();
    private final String lineage;
    private final Optional<String> migration;
    private final TreeMap<ResourceAddress, ResourceState> resources;
    /** The same records, by the migration whose object holds them (empty: what migrations share). */
    private final Map<Optional<String>, TreeMap<ResourceAddress, ResourceState>> parts = new HashMap<>();
    /** Parts changed since their last write, with how many changes each, and which records. */
    private final Map<Optional<String>, Long> unwritten = new LinkedHashMap<>();
    private final Map<Optional<String>, Set<ResourceAddress>> touched = new HashMap<>();
    /** The migration each resource belongs to, as the plan says: a record written for it is kept in that part. */
    private final Map<ResourceAddress, Optional<String>> owners = new HashMap<>();
    private long serial;
    private long version;
    private long written;

    public LiveState(StateStore store, State initial) {
        this.store = requireNonNull(store, "store is null");
        this.lineage = initial.lineage();
        this.migration = initial.migration();
        this.resources = new TreeMap<>(initial.byAddress());
        this.serial = initial.serial();
        resources.values().forEach(resource -> partOf(resource.migration()).put(resource.address(), resource));
    }

    /** A consistent copy of the whole state (costs a copy: for the start and the end of a run). */
    public synchronized State current() {
        return new State(lineage, serial, migration, resources);
    }

    public synchronized Optional<ResourceState> get(ResourceAddress address) {
        return Optional.ofNullable(resources.get(address));
    }

    /**
     * Says which migration each resource belongs to (from the plan; empty: to several, shared): records are kept in
     * that migration's object from now on, and records already kept elsewhere (state of an older ferry, or a resource
     * that came to be shared) are moved there by one write.
     */
    public void belongTo(Map<ResourceAddress, Optional<String>> migrations) {
        long mine;
        synchronized (this) {
            owners.putAll(migrations);
            long before = version;
            for (Map.Entry<ResourceAddress, Optional<String>> entry : migrations.entrySet()) {
                ResourceState recorded = resources.get(entry.getKey());
                if (recorded != null && !recorded.migration().equals(entry.getValue())) {
                    record(entry.getKey(), Optional.of(recorded));
                }
            }
            if (version == before) {
                return;
            }
            mine = version;
        }
        persist(mine);
    }

    /**
     * Replaces (or with an empty result removes) the record of {@code address}, increments the serial,
     * and returns once the result is on disk.
     */
    public void update(ResourceAddress address, UnaryOperator<Optional<ResourceState>> change) {
        long mine;
        synchronized (this) {
            Optional<ResourceState> updated = change.apply(Optional.ofNullable(resources.get(address)));
            if (updated.isPresent() && !updated.get().address().equals(address)) {
                throw new IllegalArgumentException("a change to " + address + " produced " + updated.get().address());
            }
            record(address, updated);
            mine = version;
        }
        persist(mine);
    }

    /** Applies {@code change} to the whole state (rare, bulk changes); the serial counts each record changed; writes what changed. */
    public void updateAll(UnaryOperator<State> change) {
        long mine;
        synchronized (this) {
            State result = change.apply(new State(lineage, serial, migration, resources));
            if (!result.lineage().equals(lineage)) {
                throw new IllegalArgumentException("a change may not alter the lineage");
            }
            Set<ResourceAddress> addresses = new HashSet<>(resources.keySet());
            addresses.addAll(result.byAddress().keySet());
            boolean changed = false;
            for (ResourceAddress address : addresses) {
                ResourceState before = resources.get(address);
                ResourceState after = result.byAddress().get(address);
                if (before != after) {
                    record(address, Optional.ofNullable(after));
                    changed = true;
                }
            }
            if (!changed) {
                // nothing changed (the serial stays), but a store not in parts yet is still written whole, moving it to parts
                version++;
            }
            mine = version;
        }
        persist(mine);
    }

    /** One change to one record, in memory: the record goes to its migration's part, which is then due a write. */
    private void record(ResourceAddress address, Optional<ResourceState> updated) {
        ResourceState before = resources.get(address);
        if (updated.isPresent()) {
            Optional<String> owner = owners.containsKey(address) ? owners.get(address) : updated.get().migration();
            ResourceState placed = updated.get().withMigration(owner);
            resources.put(address, placed);
            // the part that gains a record is written before the one that loses it: a kill between the two leaves
            // the record twice (read back once), never nowhere
            dirty(owner, address);
            if (before != null && !before.migration().equals(owner)) {
                parts.get(before.migration()).remove(address);
                dirty(before.migration(), address);
            }
            partOf(owner).put(address, placed);
        } else {
            resources.remove(address);
            if (before != null) {
                parts.get(before.migration()).remove(address);
                dirty(before.migration(), address);
            } else {
                serial++;
            }
        }
        version++;
    }

    /** One more change for {@code part}'s object; the serial counts it (the sum of the objects' serials). */
    private void dirty(Optional<String> part, ResourceAddress address) {
        unwritten.merge(part, 1L, Long::sum);
        touched.computeIfAbsent(part, p -> new HashSet<>()).add(address);
        serial++;
    }

    private TreeMap<ResourceAddress, ResourceState> partOf(Optional<String> part) {
        return parts.computeIfAbsent(part, p -> new TreeMap<>());
    }

    private void persist(long upTo) {
        if (!store.keepsWrites()) {
            return;
        }
        synchronized (writing) {
            if (written >= upTo) {
                return;
            }
            State whole = null;
            List<StatePart> due = new ArrayList<>();
            Map<Optional<String>, Long> taken;
            Map<Optional<String>, Set<ResourceAddress>> addresses;
            long snapshotVersion;
            synchronized (this) {
                // Copies of the changed parts only; encoding and writing happen outside the lock, so steps keep
                // recording changes meanwhile and the next write takes them all.
                taken = new LinkedHashMap<>(unwritten);
                addresses = new HashMap<>(touched);
                unwritten.clear();
                touched.clear();
                snapshotVersion = version;
                if (!store.hasParts()) {
                    whole = new State(lineage, serial, migration, resources);
                } else {
                    taken.forEach((part, changes) -> due.add(new StatePart(lineage, migration, part, partOf(part).values(), changes,
                            addresses.get(part))));
                }
            }
            try {
                if (whole != null) {
                    store.write(whole);
                } else {
                    for (StatePart part : due) {
                        store.writePart(part);
                        taken.remove(part.migration());
                    }
                }
            } catch (RuntimeException e) {
                synchronized (this) {
                    // what was not written is due again with the next write
                    taken.forEach((part, changes) -> unwritten.merge(part, changes, Long::sum));
                    taken.keySet().forEach(part -> touched.computeIfAbsent(part, p -> new HashSet<>()).addAll(addresses.get(part)));
                }
                throw e;
            }
            written = snapshotVersion;
        }
    }
}
