package dev.ferry.engine.spec;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A migration file, read and checked: the file's name and folder (secret files and disk images are
 * relative to it), the provider blocks, the staging bucket and the migrations, each keeping its place
 * in the file for later messages.
 */
public record MigrationFile(
        String displayName,
        Path directory,
        String name,
        Map<String, Section> providers,
        Optional<Staging> staging,
        List<Migration> migrations,
        LocatedDocument document) {

    public MigrationFile {
        requireNonNull(displayName, "displayName is null");
        requireNonNull(directory, "directory is null");
        requireNonNull(name, "name is null");
        providers = Map.copyOf(providers);
        requireNonNull(staging, "staging is null");
        migrations = List.copyOf(migrations);
        requireNonNull(document, "document is null");
    }

    public Optional<Section> provider(String name) {
        return Optional.ofNullable(providers.get(name));
    }
}
