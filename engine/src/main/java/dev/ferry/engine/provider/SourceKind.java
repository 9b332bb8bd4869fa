package dev.ferry.engine.provider;

import static java.util.Objects.requireNonNull;

import dev.ferry.engine.spec.SectionKind;

/** A source section a provider owns, with the expander that turns it into resources. */
public record SourceKind(SectionKind section, SourceExpander expander) {

    public SourceKind {
        requireNonNull(section, "section is null");
        requireNonNull(expander, "expander is null");
    }

    /** Expands the source half of one migration. */
    @FunctionalInterface
    public interface SourceExpander {
        SourceHalf expand(ExpansionContext context);
    }
}
