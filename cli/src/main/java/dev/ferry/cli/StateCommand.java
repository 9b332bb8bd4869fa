package dev.ferry.cli;

import dev.ferry.engine.FerryException;
import dev.ferry.engine.render.StateRenderer;
import dev.ferry.engine.resource.ResourceAddress;
import dev.ferry.engine.state.ResourceState;
import dev.ferry.engine.state.State;
import dev.ferry.engine.state.StateBackend;
import java.util.List;
import java.util.Optional;
import dev.ferry.engine.spec.Spelling;
import jakarta.inject.Inject;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code ferry state list|show|rm|mv}: what the state holds, and changing it by hand. */
@Command(name = "state", mixinStandardHelpOptions = true,
        description = "Reads or edits the state: 'list' names every resource, 'show ADDRESS' details one,"
                + " 'rm ADDRESS' forgets one, 'mv FROM TO' renames one.",
        subcommands = {StateCommand.ListCommand.class, StateCommand.ShowResourceCommand.class, StateCommand.RemoveCommand.class,
            StateCommand.MoveCommand.class})
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
            ResourceState resource = recorded(current, address);
            out().print(StateRenderer.show(resource));
            return Commands.OK;
        }
    }

    /** The resource at {@code address} in {@code state}, or an error naming the closest address there is. */
    static ResourceState recorded(State state, String address) {
        ResourceAddress parsed = parse(address);
        return state.get(parsed).orElseThrow(() -> new FerryException("no resource " + address + " in the state"
                + Spelling.closest(address, state.byAddress().keySet().stream().map(ResourceAddress::toString).toList())
                        .map(best -> "; did you mean " + best + "?").orElse(" (ferry state list shows what there is)")));
    }

    static ResourceAddress parse(String address) {
        try {
            return ResourceAddress.parse(address);
        } catch (IllegalArgumentException e) {
            throw new FerryException(e.getMessage());
        }
    }

    @Command(name = "rm", mixinStandardHelpOptions = true,
            description = {
                "Forgets a resource: ferry no longer manages it, and the cloud keeps it.",
                "",
                "The state is locked meanwhile, and the previous state is kept as state.json.backup.",
                "'ferry import ADDRESS ID' adopts it again."
            })
    static final class RemoveCommand extends StateFileCommand {
        @Parameters(index = "0", paramLabel = "ADDRESS", description = "Such as linode_instance.web-01.")
        String address;

        @Inject
        RemoveCommand(Workspace workspace) {
            super(workspace);
        }

        @Override
        public Integer call() {
            try (StateBackend backend = backend(); StateBackend.Lock lock = backend.lock("state rm")) {
                warnTakenOver(lock);
                State current = backend.store().read().orElseGet(State::empty);
                ResourceState resource = recorded(current, address);
                Optional<String> backup = Workspace.writeState(backend, current.without(resource.address()));
                out().println("Removed " + resource.address() + resource.id().map(id -> " (id " + id + ")").orElse("") + " from the state.");
                if (resource.address().isData()) {
                    out().println("It is a data source: the next plan reads it again.");
                } else if (resource.id().isPresent()) {
                    out().println("ferry no longer manages it, and nothing was deleted: it still exists in the cloud. If the file still"
                            + " declares it, the next plan creates a new one; 'ferry import " + resource.address() + " "
                            + resource.id().get() + "' adopts this one again.");
                } else {
                    out().println("It had no id (its creation never finished); if the cloud has it, delete it there.");
                }
                backup.ifPresent(path -> out().println("The previous state is kept as " + path + "."));
            }
            return Commands.OK;
        }
    }

    @Command(name = "mv", mixinStandardHelpOptions = true,
            description = {
                "Renames a resource in the state (after renaming a migration, say); nothing in the cloud changes.",
                "",
                "The state is locked meanwhile, and the previous state is kept as state.json.backup."
            })
    static final class MoveCommand extends StateFileCommand {
        @Parameters(index = "0", paramLabel = "FROM", description = "The address in the state, such as linode_instance.web-01.")
        String from;

        @Parameters(index = "1", paramLabel = "TO", description = "Its new address, of the same type: linode_instance.web-02.")
        String to;

        @Inject
        MoveCommand(Workspace workspace) {
            super(workspace);
        }

        @Override
        public Integer call() {
            try (StateBackend backend = backend(); StateBackend.Lock lock = backend.lock("state mv")) {
                warnTakenOver(lock);
                State current = backend.store().read().orElseGet(State::empty);
                ResourceState resource = recorded(current, from);
                ResourceAddress target = parse(to);
                if (target.equals(resource.address())) {
                    throw new FerryException(from + " and " + to + " are the same address; nothing was moved");
                }
                if (!target.type().equals(resource.address().type()) || target.isData() != resource.address().isData()) {
                    throw new FerryException("cannot move " + resource.address() + " to " + target + ": an address keeps its type ("
                            + (resource.address().isData() ? "data." : "") + resource.address().type() + "." + target.name()
                            + " would do); nothing was moved");
                }
                Optional<ResourceState> taken = current.get(target);
                if (taken.isPresent()) {
                    throw new FerryException(target + " is already in the state" + taken.get().id().map(id -> " (id " + id + ")").orElse("")
                            + "; nothing was moved. Remove it first with 'ferry state rm " + target + "' or choose another address");
                }
                Optional<String> backup = Workspace.writeState(backend, moved(current, resource, target));
                out().println("Moved " + resource.address() + " to " + target + resource.id().map(id -> " (id " + id + ")").orElse("") + ".");
                backup.ifPresent(path -> out().println("The previous state is kept as " + path + "."));
            }
            return Commands.OK;
        }

        /** The state with {@code resource} under {@code target}, and what referred to it referring to the new address. */
        private static State moved(State state, ResourceState resource, ResourceAddress target) {
            ResourceAddress source = resource.address();
            State result = state.without(source).with(new ResourceState(target, resource.status(), resource.id(), resource.generation(),
                    resource.arguments(), resource.secrets(), resource.outputs(), resource.dependencies(), resource.cleanupAfter(),
                    resource.retainOnDestroy(), resource.operation(), resource.error(), resource.updatedAt()));
            for (ResourceState other : result.resources()) {
                if (other.dependencies().contains(source) || other.cleanupAfter().contains(source)) {
                    result = result.with(new ResourceState(other.address(), other.status(), other.id(), other.generation(),
                            other.arguments(), other.secrets(), other.outputs(), renamed(other.dependencies(), source, target),
                            renamed(other.cleanupAfter(), source, target), other.retainOnDestroy(), other.operation(), other.error(),
                            other.updatedAt()));
                }
            }
            return result;
        }

        private static List<ResourceAddress> renamed(List<ResourceAddress> addresses, ResourceAddress from, ResourceAddress to) {
            return addresses.stream().map(a -> a.equals(from) ? to : a).toList();
        }
    }
}
