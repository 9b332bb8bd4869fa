package dev.ferry.cli;

import picocli.CommandLine.Option;

/** {@code -f FILE}: the migration file a command works on. */
final class FileOption {

    static final String DEFAULT = "migration.yaml";

    @Option(names = {"-f", "--file"}, paramLabel = "FILE", defaultValue = DEFAULT,
            description = "The migration file (default: ${DEFAULT-VALUE} in the current directory).")
    String file = DEFAULT;
}
