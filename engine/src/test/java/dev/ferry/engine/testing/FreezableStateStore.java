package dev.ferry.engine.testing;

import dev.ferry.engine.state.MemoryStateStore;
import dev.ferry.engine.state.State;
import dev.ferry.engine.state.StatePart;
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
    public void write(State state) {
        if (!frozen) {
            delegate.write(state);
        }
    }

    @Override
    public void writePart(StatePart part) {
        if (!frozen) {
            delegate.writePart(part);
        }
    }

    @Override
    public boolean hasParts() {
        return delegate.hasParts();
    }

    @Override
    public String describe() {
        return "(freezable memory)";
    }
}
