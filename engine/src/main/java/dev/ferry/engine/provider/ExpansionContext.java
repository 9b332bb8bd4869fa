package dev.ferry.engine.provider;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.engine.resource.Expression.Reference;
import dev.ferry.engine.spec.Migration;
import dev.ferry.engine.spec.MigrationFile;
import dev.ferry.engine.spec.Section;
import dev.ferry.engine.spec.SourceLocation;
import dev.ferry.engine.spec.Staging;
import java.util.Optional;

/**
 * What an expander sees: the migration it expands, the file around it, and what can be known of the clouds and the
 * state before the plan ({@link Lookahead#NONE} for commands that connect to nothing).
 */
public record ExpansionContext(MigrationFile file, Migration migration, Lookahead lookahead) {

    public ExpansionContext {
        requireNonNull(file, "file is null");
        requireNonNull(migration, "migration is null");
        requireNonNull(lookahead, "lookahead is null");
    }

    /** A context that knows nothing beyond the file. */
    public ExpansionContext(MigrationFile file, Migration migration) {
        this(file, migration, Lookahead.NONE);
    }

    /** The value of one of {@code source}'s outputs, when it can be read before the plan (see {@link Lookahead#value}). */
    public Optional<JsonNode> lookAhead(SourceHalf source, Reference output) {
        return lookahead.value(output, source.declarations());
    }

    public String name() {
        return migration.name();
    }

    public Section source() {
        return migration.source();
    }

    public Section target() {
        return migration.target();
    }

    public Optional<Staging> staging() {
        return file.staging();
    }

    /** Where a declaration made from the source section is written. */
    public SourceLocation sourceLocation() {
        return migration.source().location();
    }

    public SourceLocation targetLocation() {
        return migration.target().location();
    }
}
