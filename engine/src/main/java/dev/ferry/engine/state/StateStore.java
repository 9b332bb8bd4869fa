package dev.ferry.engine.state;

import java.util.Optional;

/** Where state lives between runs. */
public interface StateStore {

    /** The stored state, or empty when there is none yet. */
    Optional<State> read();

    /** Replaces the stored state, atomically: after a crash the old or the new state is there, whole. */
    void write(State state);

    /** For messages: where the state is ({@code .ferry/state.json}). */
    String describe();
}
