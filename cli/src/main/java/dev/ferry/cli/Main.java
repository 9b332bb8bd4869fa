package dev.ferry.cli;

import com.google.inject.Guice;
import com.google.inject.Injector;

/** The {@code ferry} command. */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(CliEnvironment.system(), args));
    }

    /** Runs one command line in {@code environment}; returns the exit code. */
    public static int run(CliEnvironment environment, String... args) {
        Injector injector = Guice.createInjector(new FerryModule(environment));
        return Commands.commandLine(injector).execute(args);
    }
}
