package dev.ferry.engine.provider;

import static java.util.Objects.requireNonNull;

import dev.ferry.engine.spec.Migration;
import dev.ferry.engine.spec.MigrationFile;
import dev.ferry.engine.spec.Section;
import dev.ferry.engine.spec.SourceLocation;
import dev.ferry.engine.spec.Staging;
import java.util.Optional;

/** What an expander sees: the migration it expands, and the file around it. */
public record ExpansionContext(MigrationFile file, Migration migration) {

    public ExpansionContext {
        requireNonNull(file, "file is null");
        requireNonNull(migration, "migration is null");
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
