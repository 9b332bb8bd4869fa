package dev.ferry.engine.state;

import static java.util.Objects.requireNonNull;

import dev.ferry.engine.resource.ResourceAddress;
import java.util.Collection;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;

/**
 * What ferry knows it has made: every resource with its id, arguments, outputs and any operation in
 * flight. {@code lineage} names this state's history (a saved plan or a cloud tag from another
 * history is refused); {@code serial} grows with every write; {@code migration} is the
 * {@code metadata.name} of the migration file the state belongs to (empty in state written before
 * ferry recorded it), so a state is never used for another file's resources.
 */
public final class State {

    /** The newest state format: a manifest and one object per migration (format 1, one document, is still read). */
    public static final int FORMAT_VERSION = 2;

    private final String lineage;
    private final long serial;
    private final Optional<String> migration;
    private final Map<ResourceAddress, ResourceState> resources;

    public State(String lineage, long serial, Map<ResourceAddress, ResourceState> resources) {
        this(lineage, serial, Optional.empty(), resources);
    }

    public State(String lineage, long serial, Optional<String> migration, Map<ResourceAddress, ResourceState> resources) {
        this(lineage, serial, migration, Collections.unmodifiableMap(new TreeMap<>(resources)), true);
    }

    private State(String lineage, long serial, Optional<String> migration, Map<ResourceAddress, ResourceState> resources, boolean owned) {
        this.lineage = requireNonNull(lineage, "lineage is null");
        this.serial = serial;
        this.migration = requireNonNull(migration, "migration is null");
        this.resources = resources;
    }

    /** A read-only view over a sorted map the caller keeps unchanged while the view is used (no copy). */
    static State view(String lineage, long serial, Optional<String> migration, java.util.SortedMap<ResourceAddress, ResourceState> resources) {
        return new State(lineage, serial, migration, Collections.unmodifiableMap(resources), false);
    }

    public static State empty() {
        return new State(UUID.randomUUID().toString(), 0, Map.of());
    }

    public String lineage() {
        return lineage;
    }

    public long serial() {
        return serial;
    }

    /** The {@code metadata.name} of the migration file this state belongs to; empty in state from an older ferry. */
    public Optional<String> migration() {
        return migration;
    }

    /** The same state, recorded as belonging to the migration {@code name} (same lineage and serial). */
    public State withMigration(String name) {
        return new State(lineage, serial, Optional.of(requireNonNull(name, "name is null")), resources, false);
    }

    public Collection<ResourceState> resources() {
        return resources.values();
    }

    public Map<ResourceAddress, ResourceState> byAddress() {
        return resources;
    }

    public Optional<ResourceState> get(ResourceAddress address) {
        return Optional.ofNullable(resources.get(address));
    }

    public boolean isEmpty() {
        return resources.isEmpty();
    }

    public State with(ResourceState resource) {
        Map<ResourceAddress, ResourceState> copy = new TreeMap<>(resources);
        copy.put(resource.address(), resource);
        return new State(lineage, serial, migration, copy);
    }

    public State without(ResourceAddress address) {
        Map<ResourceAddress, ResourceState> copy = new TreeMap<>(resources);
        copy.remove(address);
        return new State(lineage, serial, migration, copy);
    }

    public State withSerial(long newSerial) {
        return new State(lineage, newSerial, migration, resources, false);
    }
}
