package dev.ferry.cli;

import static java.util.Objects.requireNonNull;

import dev.ferry.engine.state.StateLock;
import jakarta.inject.Inject;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code ferry force-unlock LOCK_ID}: removes a lock whose holder is gone. */
@Command(name = "force-unlock", mixinStandardHelpOptions = true,
        description = {
            "Removes the state lock LOCK_ID, left by a ferry that is no longer running.",
            "",
            "Only do this when you are sure: two applies at once can create things twice."
        })
final class ForceUnlockCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "LOCK_ID", description = "The lock id, as the lock error printed it.")
    String lockId;

    @Mixin
    FileOption file = new FileOption();

    @Mixin
    StateOption state = new StateOption();

    @Spec
    CommandSpec spec;

    private final CliEnvironment environment;
    private final Workspace workspace;

    @Inject
    ForceUnlockCommand(CliEnvironment environment, Workspace workspace) {
        this.environment = requireNonNull(environment, "environment is null");
        this.workspace = requireNonNull(workspace, "workspace is null");
    }

    @Override
    public Integer call() {
        Path stateFile = workspace.statePath(file.file, state.value(), spec.commandLine().getErr());
        Path lockFile = Workspace.lockFile(stateFile);
        StateLock.Info removed = StateLock.forceUnlock(lockFile, lockId);
        spec.commandLine().getOut().println("Removed the lock held by " + removed.holder() + " (pid " + removed.pid() + ", 'ferry "
                + removed.operation() + "' since " + removed.created() + ").");
        return Commands.OK;
    }
}
