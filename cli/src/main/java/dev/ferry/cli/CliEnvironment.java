package dev.ferry.cli;

import static java.util.Objects.requireNonNull;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * What a command may read of the world it runs in: environment variables, the working directory,
 * the output streams and whether they are a terminal. Tests build their own.
 */
public record CliEnvironment(Map<String, String> variables, Path workingDirectory, PrintWriter out, PrintWriter err,
                             boolean interactive) {

    public CliEnvironment {
        variables = Map.copyOf(variables);
        requireNonNull(workingDirectory, "workingDirectory is null");
        requireNonNull(out, "out is null");
        requireNonNull(err, "err is null");
    }

    public static CliEnvironment system() {
        return new CliEnvironment(System.getenv(), Path.of("").toAbsolutePath(),
                new PrintWriter(System.out, true), new PrintWriter(System.err, true), System.console() != null);
    }

    public Optional<String> variable(String name) {
        return Optional.ofNullable(variables.get(name)).filter(value -> !value.isEmpty());
    }

    /** Whether stack traces are wanted ({@code FERRY_LOG=debug}). */
    public boolean debug() {
        return variable("FERRY_LOG").map(value -> value.equalsIgnoreCase("debug")).orElse(false);
    }

    /** Colour only on a terminal, never under NO_COLOR (https://no-color.org). */
    public boolean colour() {
        return interactive && !variables.containsKey("NO_COLOR") && !"dumb".equals(variables.get("TERM"));
    }

    /** A path the user typed, relative to the working directory. */
    public Path resolve(String path) {
        return workingDirectory.resolve(path).normalize();
    }
}
