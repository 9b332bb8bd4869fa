package dev.ferry.cli.e2e;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The built {@code ferry.jar} run as its own process in one folder, as a user runs it from a shell:
 * what it printed is what reached the process's stdout and stderr before it exited, nothing more.
 * The in-process {@link Ferry} cannot see output a command failed to flush; this can.
 */
final class FerryJar {

    private final List<String> launcher;
    private final Path folder;
    private final Map<String, String> variables;

    FerryJar(Path folder, Map<String, String> variables) {
        this(List.of(), folder, variables);
    }

    /** Runs {@code launcher} (such as the release archive's {@code bin/ferry}) instead of {@code java -jar ferry.jar}. */
    FerryJar(List<String> launcher, Path folder, Map<String, String> variables) {
        this.launcher = List.copyOf(launcher);
        this.folder = requireNonNull(folder, "folder is null");
        this.variables = Map.copyOf(variables);
    }

    /** The jar {@code mvn package} built; failsafe runs the *IT classes after it. */
    static Path jar() {
        Path jar = Journeys.repositoryRoot().resolve("cli/target/ferry.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: these tests run after 'mvn package' (mvn verify runs them)");
        }
        return jar;
    }

    Ferry.Result run(String... args) throws IOException, InterruptedException {
        Path out = folder.resolve(".jar-out.log");
        Path err = folder.resolve(".jar-err.log");
        Process process = builder(args).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!process.waitFor(2, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new IllegalStateException("ferry " + String.join(" ", args) + " did not finish in two minutes");
        }
        return new Ferry.Result(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
    }

    /**
     * Starts a command that runs until stopped (such as {@code ferry sandbox}), its stdout a pipe to read and its
     * stderr in {@code .jar-ERR_NAME.log}; the caller stops it.
     */
    Process start(String errName, String... args) throws IOException {
        return builder(args).redirectError(folder.resolve(".jar-" + errName + ".log").toFile()).start();
    }

    /** The command in the folder, with no standard input and none of the shell's AWS, Linode or ferry variables. */
    private ProcessBuilder builder(String... args) {
        List<String> command = new ArrayList<>(launcher.isEmpty()
                ? List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", jar().toString())
                : launcher);
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).directory(folder.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        builder.environment().keySet().removeIf(name -> name.startsWith("AWS_") || name.startsWith("LINODE_") || name.startsWith("FERRY_"));
        builder.environment().putAll(variables);
        return builder;
    }
}
