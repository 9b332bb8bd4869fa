package dev.ferry.cli;

import dev.ferry.engine.FerryException;
import dev.ferry.engine.render.StateRenderer;
import dev.ferry.engine.resource.ResourceAddress;
import dev.ferry.engine.state.ResourceState;
import dev.ferry.engine.state.State;
import dev.ferry.engine.spec.Spelling;
import jakarta.inject.Inject;
import picocli.CommandLine.Command;
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

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Lists every resource in the state, one address a line.")
    static final class ListCommand extends StateFileCommand {
        @Inject
        ListCommand(Workspace workspace) {
            super(workspace);
        }

        @Override
        public Integer call() {
            out().print(StateRenderer.list(recordedState()));
            return Commands.OK;
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "Shows one resource of the state: its id, arguments and outputs.")
    static final class ShowResourceCommand extends StateFileCommand {
        @Parameters(index = "0", paramLabel = "ADDRESS", description = "Such as aws_ami.web-01.")
        String address;

        @Inject
        ShowResourceCommand(Workspace workspace) {
            super(workspace);
        }

        @Override
        public Integer call() {
            State current = recordedState();
            ResourceAddress parsed;
            try {
                parsed = ResourceAddress.parse(address);
            } catch (IllegalArgumentException e) {
                throw new FerryException(e.getMessage());
            }
            ResourceState resource = current.get(parsed).orElseThrow(() -> new FerryException("no resource " + address + " in the state"
                    + Spelling.closest(address, current.byAddress().keySet().stream().map(ResourceAddress::toString).toList())
                            .map(best -> "; did you mean " + best + "?").orElse(" (ferry state list shows what there is)")));
            out().print(StateRenderer.show(resource));
            return Commands.OK;
        }
    }
}
