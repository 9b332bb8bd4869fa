package dev.ferry.engine.provider;

import static java.util.Objects.requireNonNull;

import dev.ferry.engine.spec.SectionKind;

/** A target section a provider owns, with the expander that turns it into resources. */
public record TargetKind(SectionKind section, TargetExpander expander) {

    public TargetKind {
        requireNonNull(section, "section is null");
        requireNonNull(expander, "expander is null");
    }

    /** Expands the target half of one migration, consuming what the source half offers. */
    @FunctionalInterface
    public interface TargetExpander {
        TargetHalf expand(ExpansionContext context, SourceHalf source);
    }
}
