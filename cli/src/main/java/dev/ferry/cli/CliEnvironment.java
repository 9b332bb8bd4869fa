package dev.ferry.cli;

import static java.util.Objects.requireNonNull;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.Reader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * What a command may read of the world it runs in: environment variables, the working directory,
 * the user's home, the input and output streams and whether they are a terminal. Tests build their own.
 */
public record CliEnvironment(Map<String, String> variables, Path workingDirectory, Path home, PrintWriter out, PrintWriter err,
                             BufferedReader in, boolean interactive, boolean handleSignals) {

    public CliEnvironment {
        variables = Map.copyOf(variables);
        requireNonNull(workingDirectory, "workingDirectory is null");
        requireNonNull(home, "home is null");
        requireNonNull(out, "out is null");
        requireNonNull(err, "err is null");
        requireNonNull(in, "in is null");
    }

    /** The real process: its environment, streams and terminal; Ctrl-C handled. */
    public static CliEnvironment system() {
        return new CliEnvironment(System.getenv(), Path.of("").toAbsolutePath(), Path.of(System.getProperty("user.home")),
                new PrintWriter(System.out, true, StandardCharsets.UTF_8), new PrintWriter(System.err, true, StandardCharsets.UTF_8),
                new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)), System.console() != null, true);
    }

    /** A test's environment: no terminal, no signal handling, input from {@code input}. */
    public static CliEnvironment of(Map<String, String> variables, Path workingDirectory, PrintWriter out, PrintWriter err,
                                    Reader input) {
        return new CliEnvironment(variables, workingDirectory, workingDirectory, out, err, new BufferedReader(input), false, false);
    }

    public static CliEnvironment of(Map<String, String> variables, Path workingDirectory, PrintWriter out, PrintWriter err) {
        return of(variables, workingDirectory, out, err, new StringReader(""));
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
