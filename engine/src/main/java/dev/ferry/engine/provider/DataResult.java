package dev.ferry.engine.provider;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/** What reading one data resource gave: its outputs (and notes for the plan), or why it failed. */
public sealed interface DataResult {

    record Found(ObjectNode outputs, List<Note> notes) implements DataResult {
        public Found {
            requireNonNull(outputs, "outputs is null");
            notes = List.copyOf(notes);
        }
    }

    /** The thing does not exist or cannot be read; {@code message} says what to do. */
    record Failed(String message) implements DataResult {
        public Failed {
            requireNonNull(message, "message is null");
        }
    }
}
