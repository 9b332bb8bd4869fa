package dev.ferry.cli;

import static java.util.Objects.requireNonNull;

import dev.ferry.engine.spec.Migration;
import dev.ferry.engine.spec.MigrationFile;
import jakarta.inject.Inject;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code ferry validate}: checks a migration file without contacting any cloud or reading any secret. */
@Command(name = "validate", mixinStandardHelpOptions = true,
        description = {
            "Checks a migration file without contacting any cloud.",
            "",
            "Checks the YAML, the schema (schemas/migration.schema.json) and the rules a schema cannot "
                + "express; every problem is reported as FILE:LINE:COLUMN. Resolves no secret."
        })
final class ValidateCommand implements Callable<Integer> {

    @Mixin
    FileOption file = new FileOption();

    @Spec
    CommandSpec spec;

    private final MigrationFileReader reader;

    @Inject
    ValidateCommand(MigrationFileReader reader) {
        this.reader = requireNonNull(reader, "reader is null");
    }

    @Override
    public Integer call() {
        MigrationFile migrationFile = reader.read(file.file, spec.commandLine().getErr());
        int count = migrationFile.migrations().size();
        String journeys = migrationFile.migrations().stream()
                .map(ValidateCommand::describe)
                .collect(Collectors.joining(", "));
        spec.commandLine().getOut().println(file.file + " is valid: " + count + (count == 1 ? " migration" : " migrations")
                + " (" + journeys + ").");
        return Commands.OK;
    }

    private static String describe(Migration migration) {
        return migration.name() + ": " + migration.source().kind() + " → " + migration.target().kind();
    }
}
