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
 * history is refused); {@code serial} grows with every write.
 */
public final class State {

    public static final int FORMAT_VERSION = 1;

    private final String lineage;
    private final long serial;
    private final Map<ResourceAddress, ResourceState> resources;

    public State(String lineage, long serial, Map<ResourceAddress, ResourceState> resources) {
        this(lineage, serial, Collections.unmodifiableMap(new TreeMap<>(resources)), true);
    }

    private State(String lineage, long serial, Map<ResourceAddress, ResourceState> resources, boolean owned) {
        this.lineage = requireNonNull(lineage, "lineage is null");
        this.serial = serial;
        this.resources = resources;
    }

    /** A read-only view over a sorted map the caller keeps unchanged while the view is used (no copy). */
    static State view(String lineage, long serial, java.util.SortedMap<ResourceAddress, ResourceState> resources) {
        return new State(lineage, serial, Collections.unmodifiableMap(resources), false);
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
        return new State(lineage, serial, copy);
    }

    public State without(ResourceAddress address) {
        Map<ResourceAddress, ResourceState> copy = new TreeMap<>(resources);
        copy.remove(address);
        return new State(lineage, serial, copy);
    }

    public State withSerial(long newSerial) {
        return new State(lineage, newSerial, resources);
    }
}
