package dev.ferry.engine.state;

import java.util.Optional;

/** State kept in memory, for tests and benchmarks; still encoded and decoded on every write. */
public final class MemoryStateStore implements StateStore {

    private volatile byte[] bytes;
    private volatile int writes;

    @Override
    public Optional<State> read() {
        byte[] current = bytes;
        return current == null ? Optional.empty() : Optional.of(StateCodec.decode(current, describe()));
    }

    @Override
    public synchronized void writeEncoded(byte[] encoded) {
        bytes = encoded.clone();
        writes++;
    }

    public int writes() {
        return writes;
    }

    @Override
    public String describe() {
        return "(memory)";
    }
}
