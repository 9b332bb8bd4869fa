package dev.ferry.engine.provider;

import static java.util.Objects.requireNonNull;

/** A line the plan shows under a resource: why a choice was made, or a warning to read. */
public record Note(Level level, String text) {

    public enum Level { INFO, WARNING }

    public Note {
        requireNonNull(level, "level is null");
        requireNonNull(text, "text is null");
    }

    public static Note info(String text) {
        return new Note(Level.INFO, text);
    }

    public static Note warning(String text) {
        return new Note(Level.WARNING, text);
    }
}
