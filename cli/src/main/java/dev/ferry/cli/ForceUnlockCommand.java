package dev.ferry.cli;

import dev.ferry.engine.state.StateLock;
import jakarta.inject.Inject;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code ferry force-unlock LOCK_ID}: removes a lock whose holder is gone. */
@Command(name = "force-unlock", mixinStandardHelpOptions = true,
        description = {
            "Removes the state lock LOCK_ID, left by a ferry that is no longer running.",
            "",
            "Only do this when you are sure: two applies at once can create things twice."
        })
final class ForceUnlockCommand extends StateFileCommand {

    @Parameters(index = "0", paramLabel = "LOCK_ID", description = "The lock id, as the lock error printed it.")
    String lockId;

    @Inject
    ForceUnlockCommand(Workspace workspace) {
        super(workspace);
    }

    @Override
    public Integer call() {
        StateLock.Info removed;
        try (dev.ferry.engine.state.StateBackend backend = backend()) {
            removed = backend.forceUnlock(lockId);
        }
        out().println("Removed the lock held by " + removed.holder() + " (pid " + removed.pid() + ", 'ferry "
                + removed.operation() + "' since " + removed.created() + ").");
        return Commands.OK;
    }
}
