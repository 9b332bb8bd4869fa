package dev.ferry.engine.spec;

import static java.util.Objects.requireNonNull;

import java.util.Comparator;
import java.util.Optional;

/**
 * One problem found in a migration file: where, what, and (when one helps) what to do.
 * Rendered as {@code FILE:LINE:COLUMN: message} with the hint on the next line.
 */
public record Diagnostic(Severity severity, SourceLocation location, String message, Optional<String> hint) {

    public enum Severity { ERROR, WARNING }

    /** Orders diagnostics as an editor lists them: by position, errors before warnings. */
    public static final Comparator<Diagnostic> BY_POSITION = Comparator
            .comparing((Diagnostic d) -> d.location().file())
            .thenComparingInt(d -> d.location().line())
            .thenComparingInt(d -> d.location().column())
            .thenComparing(Diagnostic::severity);

    public Diagnostic {
        requireNonNull(severity, "severity is null");
        requireNonNull(location, "location is null");
        requireNonNull(message, "message is null");
        requireNonNull(hint, "hint is null");
    }

    public static Diagnostic error(SourceLocation location, String message) {
        return new Diagnostic(Severity.ERROR, location, message, Optional.empty());
    }

    public static Diagnostic error(SourceLocation location, String message, String hint) {
        return new Diagnostic(Severity.ERROR, location, message, Optional.ofNullable(hint));
    }

    public static Diagnostic warning(SourceLocation location, String message, String hint) {
        return new Diagnostic(Severity.WARNING, location, message, Optional.ofNullable(hint));
    }

    public boolean isError() {
        return severity == Severity.ERROR;
    }

    /** The one-paragraph form users see. */
    public String render() {
        StringBuilder text = new StringBuilder().append(location).append(": ");
        if (severity == Severity.WARNING) {
            text.append("warning: ");
        }
        text.append(message);
        hint.ifPresent(h -> text.append(System.lineSeparator()).append("  hint: ").append(h));
        return text.toString();
    }
}
