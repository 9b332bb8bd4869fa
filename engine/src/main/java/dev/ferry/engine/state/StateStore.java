package dev.ferry.engine.state;

import java.util.Optional;

/** Where state lives between runs. */
public interface StateStore {

    /** The stored state, or empty when there is none yet. */
    Optional<State> read();

    /** Replaces the stored state, atomically: after a crash the old or the new state is there, whole. */
    default void write(State state) {
        writeEncoded(StateCodec.encode(state));
    }

    /** Replaces the stored state with state already encoded by a {@link StateCodec.Encoder}, atomically. */
    void writeEncoded(byte[] encoded);

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
            public void writeEncoded(byte[] encoded) {
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
