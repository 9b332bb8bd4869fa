package dev.ferry.cli;

import com.google.inject.ConfigurationException;
import com.google.inject.Injector;
import dev.ferry.engine.FerryException;
import dev.ferry.engine.FerryVersion;
import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;

/** The root command and the one place where failures become messages and exit codes. */
@Command(
        name = "ferry",
        mixinStandardHelpOptions = true,
        versionProvider = Commands.Version.class,
        description = {
            "Moves virtual machines between clouds from a declarative migration file.",
            "",
            "Write migration.yaml, preview with 'ferry plan', carry out with 'ferry apply'."
        },
        subcommands = {ValidateCommand.class, PlanCommand.class, ApplyCommand.class, DestroyCommand.class, GraphCommand.class,
            ShowCommand.class, PermissionsCommand.class, ImportCommand.class, StateCommand.class, ForceUnlockCommand.class, SandboxCommand.class,
            DemoCommand.class, CompletionCommand.class, FleetCommand.class},
        usageHelpAutoWidth = true)
final class Commands implements Runnable {

    /** Exit codes, as the README documents them. */
    static final int OK = 0;
    static final int ERROR = 1;
    static final int CHANGES = 2;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    static CommandLine commandLine(Injector injector) {
        CliEnvironment environment = injector.getInstance(CliEnvironment.class);
        CommandLine commandLine = new CommandLine(Commands.class, new GuiceFactory(injector));
        commandLine.setOut(environment.out());
        commandLine.setErr(environment.err());
        commandLine.setColorScheme(CommandLine.Help.defaultColorScheme(
                environment.colour() ? CommandLine.Help.Ansi.ON : CommandLine.Help.Ansi.OFF));
        commandLine.setExecutionExceptionHandler((exception, line, parsed) -> {
            report(exception, line.getErr(), environment.debug());
            return ERROR;
        });
        commandLine.setParameterExceptionHandler((exception, args) -> {
            PrintWriter err = exception.getCommandLine().getErr();
            // the same "Error: " as every other error, whatever picocli's own message starts with
            err.println("Error: " + exception.getMessage().replaceFirst("^(ferry: )?(Error: )?", ""));
            err.println("Try '" + exception.getCommandLine().getCommandSpec().qualifiedName() + " --help' for more information.");
            return ERROR;
        });
        commandLine.setExitCodeExceptionMapper(exception -> ERROR);
        return commandLine;
    }

    /** One paragraph for the user; the stack trace only under FERRY_LOG=debug. */
    static void report(Throwable exception, PrintWriter err, boolean debug) {
        if (exception instanceof FerryException) {
            err.println("Error: " + exception.getMessage());
        } else {
            err.println("Error: ferry failed unexpectedly: " + exception.getClass().getSimpleName()
                    + (exception.getMessage() == null ? "" : ": " + exception.getMessage()));
            if (!debug) {
                err.println("Run again with FERRY_LOG=debug to see the details, and report it if it persists.");
            }
        }
        if (debug) {
            StringWriter trace = new StringWriter();
            exception.printStackTrace(new PrintWriter(trace));
            err.print(trace);
        }
        err.flush();
    }

    static final class Version implements IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {FerryVersion.describe(), "Java " + System.getProperty("java.version")};
        }
    }

    /** Lets picocli build commands through Guice, so they get constructor injection. */
    private static final class GuiceFactory implements CommandLine.IFactory {
        private final Injector injector;

        GuiceFactory(Injector injector) {
            this.injector = injector;
        }

        @Override
        public <K> K create(Class<K> type) throws Exception {
            try {
                return injector.getInstance(type);
            } catch (ConfigurationException e) {
                return CommandLine.defaultFactory().create(type);
            }
        }
    }
}
