package dev.ferry.engine.spec;

import static java.util.Objects.requireNonNull;

/** A place in a file, as a user's editor shows it: 1-based line and column. */
public record SourceLocation(String file, int line, int column) {

    public SourceLocation {
        requireNonNull(file, "file is null");
        if (line < 1 || column < 1) {
            throw new IllegalArgumentException("line and column are 1-based: " + line + ":" + column);
        }
    }

    public static SourceLocation startOf(String file) {
        return new SourceLocation(file, 1, 1);
    }

    @Override
    public String toString() {
        return file + ":" + line + ":" + column;
    }
}
