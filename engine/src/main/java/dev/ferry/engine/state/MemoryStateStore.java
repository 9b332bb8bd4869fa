package dev.ferry.engine.state;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** State kept in memory, for tests and benchmarks; still encoded and decoded, object by object, as a file store does. */
public final class MemoryStateStore implements StateStore {

    private final Map<String, byte[]> objects = new ConcurrentHashMap<>();
    private final AtomicInteger writes = new AtomicInteger();
    private final PartitionedStateStore store = new PartitionedStateStore(new StateObjects() {
        @Override
        public Optional<byte[]> read(String name) {
            return Optional.ofNullable(objects.get(name)).map(byte[]::clone);
        }

        @Override
        public List<String> parts() {
            List<String> names = new ArrayList<>(objects.keySet());
            names.remove(PartitionedStateStore.MANIFEST);
            return names;
        }

        @Override
        public void write(String name, byte[] bytes) {
            objects.put(name, bytes.clone());
            writes.incrementAndGet();
        }

        @Override
        public String describe(String name) {
            return "(memory) " + name;
        }
    }, "state.d/", "(memory)");

    @Override
    public Optional<State> read() {
        return store.read();
    }

    @Override
    public void write(State state) {
        store.write(state);
    }

    @Override
    public void writePart(StatePart part) {
        store.writePart(part);
    }

    @Override
    public boolean hasParts() {
        return store.hasParts();
    }

    /** How many objects were written (the manifest and the parts). */
    public int writes() {
        return writes.get();
    }

    /** The stored objects by name, as they are now: to see which ones a write touched. */
    public Map<String, byte[]> objects() {
        return Map.copyOf(objects);
    }

    @Override
    public String describe() {
        return "(memory)";
    }
}
