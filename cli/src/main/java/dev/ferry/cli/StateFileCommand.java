package dev.ferry.cli;

import static java.util.Objects.requireNonNull;

import dev.ferry.engine.state.StateBackend;
import dev.ferry.engine.state.State;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * What the commands that read the state without planning share ({@code show}, {@code state list|show},
 * {@code force-unlock}): {@code -f} and {@code --state}, and finding the state the way plan and apply do.
 */
abstract class StateFileCommand implements Callable<Integer> {

    @Mixin
    FileOption file = new FileOption();

    @Mixin
    StateOption state = new StateOption();

    @Spec
    CommandSpec spec;

    final Workspace workspace;

    StateFileCommand(Workspace workspace) {
        this.workspace = requireNonNull(workspace, "workspace is null");
    }

    /** The state of the migration file (or the one --state names) and its lock. */
    StateBackend backend() {
        return workspace.backend(file.file, state.value(), err());
    }

    /** The state as recorded; empty when nothing was applied yet. */
    State recordedState() {
        try (StateBackend backend = backend()) {
            return backend.store().read().orElseGet(State::empty);
        }
    }

    /** Says so when taking {@code lock} removed a lock left by a ferry that is gone. */
    void warnTakenOver(StateBackend.Lock lock) {
        lock.takenOver().ifPresent(stale -> err().println("Warning: removed a stale lock left by pid " + stale.pid() + " (" + stale.holder() + ")"));
    }

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    PrintWriter err() {
        return spec.commandLine().getErr();
    }
}
