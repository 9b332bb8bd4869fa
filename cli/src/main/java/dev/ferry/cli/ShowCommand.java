package dev.ferry.cli;

import static java.util.Objects.requireNonNull;

import dev.ferry.engine.plan.Plan;
import dev.ferry.engine.plan.PlanCodec;
import dev.ferry.engine.render.PlanRenderer;
import dev.ferry.engine.render.StateRenderer;
import dev.ferry.engine.state.FileStateStore;
import dev.ferry.engine.state.State;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ferry show}: the state, or a saved plan, for people or as JSON. */
@Command(name = "show", mixinStandardHelpOptions = true,
        description = "Shows the state (every resource ferry made) or, given PLANFILE, a saved plan.")
final class ShowCommand extends StateFileCommand {

    @Parameters(index = "0", arity = "0..1", paramLabel = "PLANFILE", description = "A plan saved with 'ferry plan -out'.")
    String planFile;

    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    private final Operations operations;

    @Inject
    ShowCommand(Workspace workspace, Operations operations) {
        super(workspace);
        this.operations = requireNonNull(operations, "operations is null");
    }

    @Override
    public Integer call() {
        if (planFile != null) {
            Plan plan = workspace.savedPlan(planFile);
            out().print(json
                    ? new String(PlanCodec.encode(plan, PlanCodec.Flavour.REPORT), StandardCharsets.UTF_8) + "\n"
                    : new PlanRenderer(operations.style()).render(plan));
            return Commands.OK;
        }
        State current;
        String where;
        try (dev.ferry.engine.state.StateBackend backend = backend()) {
            current = backend.store().read().orElseGet(State::empty);
            where = backend.describe();
        }
        out().print(json
                ? new String(dev.ferry.engine.state.StateCodec.encode(current), StandardCharsets.UTF_8) + "\n"
                : StateRenderer.summary(current, where));
        return Commands.OK;
    }
}
