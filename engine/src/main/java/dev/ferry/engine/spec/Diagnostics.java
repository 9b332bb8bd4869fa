package dev.ferry.engine.spec;

import java.util.ArrayList;
import java.util.List;

/** Collects every problem in a file so they can all be reported at once. */
public final class Diagnostics {

    private final List<Diagnostic> items = new ArrayList<>();

    public void add(Diagnostic diagnostic) {
        items.add(diagnostic);
    }

    public void error(SourceLocation location, String message) {
        add(Diagnostic.error(location, message));
    }

    public void error(SourceLocation location, String message, String hint) {
        add(Diagnostic.error(location, message, hint));
    }

    public void warning(SourceLocation location, String message, String hint) {
        add(Diagnostic.warning(location, message, hint));
    }

    public boolean hasErrors() {
        return items.stream().anyMatch(Diagnostic::isError);
    }

    public List<Diagnostic> sorted() {
        return items.stream().distinct().sorted(Diagnostic.BY_POSITION).toList();
    }
}
