package dev.ferry.engine.testing;

import dev.ferry.engine.state.MemoryStateStore;
import dev.ferry.engine.state.State;
import dev.ferry.engine.state.StateStore;
import java.util.Optional;

/** A state store that can "die": after {@link #freeze()}, writes are lost, as when the process is killed. */
public final class FreezableStateStore implements StateStore {

    private final MemoryStateStore delegate = new MemoryStateStore();
    private volatile boolean frozen;

    public void freeze() {
        frozen = true;
    }

    public void thaw() {
        frozen = false;
    }

    @Override
    public Optional<State> read() {
        return delegate.read();
    }

    @Override
    public void writeEncoded(byte[] encoded) {
        if (!frozen) {
            delegate.writeEncoded(encoded);
        }
    }

    @Override
    public String describe() {
        return "(freezable memory)";
    }
}
