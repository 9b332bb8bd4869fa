package dev.ferry.cli;

import static java.util.Objects.requireNonNull;

import jakarta.inject.Inject;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ferry destroy}: removes everything ferry made for this file, except what the file says to keep. */
@Command(name = "destroy", mixinStandardHelpOptions = true,
        description = {
            "Destroys everything ferry made for the migration file.",
            "",
            "What the file says to keep (staging.cleanup: keep) stays in the cloud and leaves the "
                + "state. Sources are never touched: ferry only reads them."
        })
final class DestroyCommand implements Callable<Integer> {

    @Mixin
    FileOption file = new FileOption();

    @Mixin
    StateOption state = new StateOption();

    @Mixin
    SelectionOptions selection = new SelectionOptions();

    @Option(names = "--auto-approve", description = "Destroy without asking for approval.")
    boolean autoApprove;

    @Option(names = "--parallelism", paramLabel = "N", defaultValue = "10", description = "How many steps run at once.")
    int parallelism = 10;

    @Option(names = "--json", description = "Print every event as one JSON object per line (schemas/events.schema.json);"
            + " needs --auto-approve.")
    boolean json;

    @Spec
    CommandSpec spec;

    private final Workspace workspace;
    private final ApplyCommand apply;

    @Inject
    DestroyCommand(Workspace workspace, ApplyCommand apply) {
        this.workspace = requireNonNull(workspace, "workspace is null");
        this.apply = requireNonNull(apply, "apply is null");
    }

    @Override
    public Integer call() {
        apply.autoApprove = autoApprove;
        apply.parallelism = parallelism;
        apply.json = json;
        apply.selection = selection;
        return apply.reportingErrors(spec.commandLine().getOut(), () -> apply.run(
                workspace.open(file.file, state.value(), spec.commandLine().getErr()), Optional.empty(), true,
                spec.commandLine().getOut(), spec.commandLine().getErr()));
    }
}
