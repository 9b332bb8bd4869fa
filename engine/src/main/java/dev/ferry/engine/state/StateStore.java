package dev.ferry.engine.state;

import java.util.Optional;

/**
 * Where state lives between runs: kept one object per migration plus one for what migrations share
 * ({@link PartitionedStateStore}), so that a step rewrites only the object of its own migration.
 */
public interface StateStore {

    /** The stored state, or empty when there is none yet. */
    Optional<State> read();

    /**
     * Replaces the whole stored state (import, {@code state rm|mv}, the first write of a run): every object whose
     * content changes is rewritten, each atomically (after a crash each object is the old or the new one, whole).
     */
    void write(State state);

    /** Replaces one part of the stored state (one migration's object, or the shared one), atomically. */
    void writePart(StatePart part);

    /**
     * Whether the stored state is already kept one object per migration. Until it is (nothing written yet, or a state
     * of an older ferry in one document), the next write must be a whole one, which moves it to that layout.
     */
    boolean hasParts();

    /**
     * Whether writes are kept at all. A store that keeps nothing (benchmarks measuring the engine
     * alone) lets the engine skip encoding.
     */
    default boolean keepsWrites() {
        return true;
    }

    /** A store that keeps nothing: for measuring the engine without persistence. */
    static StateStore discarding() {
        return new StateStore() {
            @Override
            public Optional<State> read() {
                return Optional.empty();
            }

            @Override
            public void write(State state) {
            }

            @Override
            public void writePart(StatePart part) {
            }

            @Override
            public boolean hasParts() {
                return true;
            }

            @Override
            public boolean keepsWrites() {
                return false;
            }

            @Override
            public String describe() {
                return "(discarded)";
            }
        };
    }

    /** For messages: where the state is ({@code .ferry/NAME/state.json}). */
    String describe();
}
