package dev.ferry.cli;

import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Module;
import java.util.List;

/** The {@code ferry} command. */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(CliEnvironment.system(), args));
    }

    /** Runs one command line in {@code environment}; returns the exit code. */
    public static int run(CliEnvironment environment, String... args) {
        return run(environment, FerryModule.PROVIDERS, args);
    }

    /** Runs one command line with the given provider modules (tests use in-memory providers). */
    public static int run(CliEnvironment environment, List<Module> providers, String... args) {
        try {
            Injector injector = Guice.createInjector(new FerryModule(environment, providers));
            return Commands.commandLine(injector).execute(args);
        } finally {
            // The one place output leaves: commands print with print() as well as println(), and a
            // PrintWriter flushes by itself only on println. Without this, whatever was printed last
            // (a whole `show`, the tail of a large one, a debug trace) was lost at exit.
            environment.out().flush();
            environment.err().flush();
        }
    }
}
