package dev.ferry.cli.e2e;

import static java.util.Objects.requireNonNull;

import dev.ferry.cli.CliEnvironment;
import dev.ferry.cli.Main;
import dev.ferry.sandbox.Sandbox;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The {@code ferry} command line run in-process in one folder, as a user at a shell pointed at a sandbox
 * would run it: the sandbox's environment, a root password, a short poll interval, no colours.
 */
final class Ferry {

    /** What one command printed and returned. */
    record Result(int exitCode, String out, String err) {
        String all() {
            return out + err;
        }

        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    private final Path folder;
    private final Map<String, String> variables;

    Ferry(Path folder, Map<String, String> variables) {
        this.folder = requireNonNull(folder, "folder is null");
        this.variables = Map.copyOf(variables);
    }

    /** A shell in {@code folder} with the sandbox's environment and the given root password. */
    static Ferry in(Path folder, Sandbox sandbox, String rootPassword) {
        return new Ferry(folder, environment(sandbox, rootPassword));
    }

    static Map<String, String> environment(Sandbox sandbox, String rootPassword) {
        Map<String, String> variables = new HashMap<>(sandbox.environment());
        variables.put("ROOT_PASSWORD", rootPassword);
        variables.put("FERRY_POLL_INTERVAL", "20ms");
        variables.put("NO_COLOR", "1");
        return variables;
    }

    /** The same shell with one more variable set. */
    Ferry with(String name, String value) {
        Map<String, String> more = new HashMap<>(variables);
        more.put(name, value);
        return new Ferry(folder, more);
    }

    Map<String, String> variables() {
        return variables;
    }

    Path folder() {
        return folder;
    }

    Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CliEnvironment cli = CliEnvironment.of(variables, folder, new PrintWriter(out, true), new PrintWriter(err, true));
        int code = Main.run(cli, args);
        return new Result(code, out.toString(), err.toString());
    }
}
