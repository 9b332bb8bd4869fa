package dev.ferry.engine.spec;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A migration file, read and checked: the file's name and folder (secret files and disk images are
 * relative to it), the provider blocks, the staging bucket and the migrations, each keeping its place
 * in the file for later messages; and where its state is kept when not on the local disk ({@code state: {s3: …}}).
 */
public record MigrationFile(
        String displayName,
        Path directory,
        String name,
        Map<String, Section> providers,
        Optional<Staging> staging,
        List<Migration> migrations,
        LocatedDocument document,
        Optional<dev.ferry.engine.state.RemoteStateLocation> remoteState) {

    public MigrationFile {
        requireNonNull(displayName, "displayName is null");
        requireNonNull(directory, "directory is null");
        requireNonNull(name, "name is null");
        providers = Map.copyOf(providers);
        requireNonNull(staging, "staging is null");
        migrations = List.copyOf(migrations);
        requireNonNull(document, "document is null");
        remoteState = remoteState == null ? Optional.empty() : remoteState;
    }

    public MigrationFile(String displayName, Path directory, String name, Map<String, Section> providers,
                         Optional<Staging> staging, List<Migration> migrations, LocatedDocument document) {
        this(displayName, directory, name, providers, staging, migrations, document, Optional.empty());
    }

    public Optional<Section> provider(String name) {
        return Optional.ofNullable(providers.get(name));
    }
}
