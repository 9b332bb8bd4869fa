package dev.ferry.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.Map;

/** Runs the ferry command line in-process, as a user would, capturing what it prints. */
final class CliRunner {

    record Result(int exitCode, String out, String err) {
        String all() {
            return out + err;
        }
    }

    private CliRunner() {
    }

    static Result run(Path workingDirectory, Map<String, String> environment, String... args) {
        return runWithInput(workingDirectory, environment, "", args);
    }

    static Result runWithInput(Path workingDirectory, Map<String, String> environment, String input, String... args) {
        return runWith(null, workingDirectory, environment, input, args);
    }

    /** Runs with {@code input} on a standard input that is not a terminal (a pipe: {@code echo yes | ferry apply}). */
    static Result runWith(java.util.List<com.google.inject.Module> providers, Path workingDirectory, Map<String, String> environment,
                          String input, boolean terminal, String... args) {
        if (terminal) {
            return runWith(providers, workingDirectory, environment, input, args);
        }
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CliEnvironment cli = CliEnvironment.of(environment, workingDirectory, new PrintWriter(out, true), new PrintWriter(err, true),
                new java.io.StringReader(input));
        int code = providers == null ? Main.run(cli, args) : Main.run(cli, providers, args);
        return new Result(code, out.toString(), err.toString());
    }

    /** Runs with the given provider modules instead of the built-in ones. */
    static Result runWith(java.util.List<com.google.inject.Module> providers, Path workingDirectory, Map<String, String> environment,
                          String input, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CliEnvironment cli;
        if (input.isEmpty()) {
            cli = CliEnvironment.of(environment, workingDirectory, new PrintWriter(out, true), new PrintWriter(err, true));
        } else {
            // Someone answering at a terminal (without colours, to keep the output comparable).
            java.util.Map<String, String> variables = new java.util.HashMap<>(environment);
            variables.put("NO_COLOR", "1");
            cli = new CliEnvironment(variables, workingDirectory, workingDirectory, new PrintWriter(out, true),
                    new PrintWriter(err, true), new java.io.BufferedReader(new java.io.StringReader(input)), true, false);
        }
        int code = providers == null ? Main.run(cli, args) : Main.run(cli, providers, args);
        return new Result(code, out.toString(), err.toString());
    }

    static Result run(Path workingDirectory, String... args) {
        return run(workingDirectory, Map.of(), args);
    }

    /** The repository's root, where plans/ and schemas/ are (tests run in the cli module's folder). */
    static Path repositoryRoot() {
        Path here = Path.of("").toAbsolutePath();
        return here.getFileName().toString().equals("cli") ? here.getParent() : here;
    }
}
