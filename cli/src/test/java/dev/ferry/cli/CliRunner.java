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
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CliEnvironment cli = new CliEnvironment(environment, workingDirectory,
                new PrintWriter(out, true), new PrintWriter(err, true), false);
        int code = Main.run(cli, args);
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
