package dev.ferry.cli;

import static java.util.Objects.requireNonNull;

import dev.ferry.engine.FerryException;
import dev.ferry.engine.provider.Provider;
import dev.ferry.engine.spec.Diagnostic;
import dev.ferry.engine.spec.MigrationFile;
import dev.ferry.engine.spec.MigrationFiles;
import dev.ferry.engine.spec.YamlReader;
import jakarta.inject.Inject;
import java.io.PrintWriter;
import java.util.Map;

/** Reads the migration file a command names, printing every diagnostic; fails when there are errors. */
final class MigrationFileReader {

    private final CliEnvironment environment;
    private final MigrationFiles files;

    @Inject
    MigrationFileReader(CliEnvironment environment, Map<String, Provider> providers) {
        this.environment = requireNonNull(environment, "environment is null");
        this.files = new MigrationFiles(providers.values().stream().flatMap(p -> p.sectionKinds().stream()).toList());
    }

    /** The checked file; diagnostics go to {@code err}. Throws with a summary when it has errors. */
    MigrationFile read(String path, PrintWriter err) {
        MigrationFiles.Loaded loaded;
        try {
            loaded = files.load(environment.resolve(path), path);
        } catch (YamlReader.UnreadableFileException e) {
            throw new FerryException(e.getMessage());
        }
        for (Diagnostic diagnostic : loaded.diagnostics()) {
            err.println(diagnostic.render());
        }
        err.flush();
        if (loaded.file().isEmpty()) {
            long errors = loaded.diagnostics().stream().filter(Diagnostic::isError).count();
            throw new FerryException(path + " has " + errors + (errors == 1 ? " error" : " errors")
                    + "; nothing was changed.");
        }
        return loaded.file().get();
    }
}
