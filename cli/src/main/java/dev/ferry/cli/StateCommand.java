package dev.ferry.cli;

import static java.util.Objects.requireNonNull;

import dev.ferry.engine.FerryException;
import dev.ferry.engine.render.StateRenderer;
import dev.ferry.engine.resource.ResourceAddress;
import dev.ferry.engine.state.FileStateStore;
import dev.ferry.engine.state.ResourceState;
import dev.ferry.engine.state.State;
import dev.ferry.engine.spec.Spelling;
import jakarta.inject.Inject;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code ferry state list|show}: what the state holds. */
@Command(name = "state", mixinStandardHelpOptions = true,
        description = "Reads the state: 'list' names every resource, 'show ADDRESS' details one.",
        subcommands = {StateCommand.ListCommand.class, StateCommand.ShowResourceCommand.class})
final class StateCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Loads the state a migration file's commands use. */
    static State load(Workspace workspace, FileOption file, StateOption state, java.io.PrintWriter err) {
        FileStateStore store = new FileStateStore(workspace.statePath(file.file, state.value(), err));
        return store.read().orElseGet(State::empty);
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Lists every resource in the state, one address a line.")
    static final class ListCommand implements Callable<Integer> {
        @Mixin
        FileOption file = new FileOption();

        @Mixin
        StateOption state = new StateOption();

        @Spec
        CommandSpec spec;

        private final CliEnvironment environment;
        private final Workspace workspace;

        @Inject
        ListCommand(CliEnvironment environment, Workspace workspace) {
            this.environment = requireNonNull(environment, "environment is null");
            this.workspace = requireNonNull(workspace, "workspace is null");
        }

        @Override
        public Integer call() {
            spec.commandLine().getOut().print(StateRenderer.list(load(workspace, file, state, spec.commandLine().getErr())));
            return Commands.OK;
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "Shows one resource of the state: its id, arguments and outputs.")
    static final class ShowResourceCommand implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "ADDRESS", description = "Such as aws_ami.web-01.")
        String address;

        @Mixin
        FileOption file = new FileOption();

        @Mixin
        StateOption state = new StateOption();

        @Spec
        CommandSpec spec;

        private final CliEnvironment environment;
        private final Workspace workspace;

        @Inject
        ShowResourceCommand(CliEnvironment environment, Workspace workspace) {
            this.environment = requireNonNull(environment, "environment is null");
            this.workspace = requireNonNull(workspace, "workspace is null");
        }

        @Override
        public Integer call() {
            State current = load(workspace, file, state, spec.commandLine().getErr());
            ResourceAddress parsed;
            try {
                parsed = ResourceAddress.parse(address);
            } catch (IllegalArgumentException e) {
                throw new FerryException(e.getMessage());
            }
            ResourceState resource = current.get(parsed).orElseThrow(() -> new FerryException("no resource " + address + " in the state"
                    + Spelling.closest(address, current.byAddress().keySet().stream().map(ResourceAddress::toString).toList())
                            .map(best -> "; did you mean " + best + "?").orElse(" (ferry state list shows what there is)")));
            spec.commandLine().getOut().print(StateRenderer.show(resource));
            return Commands.OK;
        }
    }
}
