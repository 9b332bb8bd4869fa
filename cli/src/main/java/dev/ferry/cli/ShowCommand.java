package dev.ferry.cli;

import static java.util.Objects.requireNonNull;

import dev.ferry.engine.FerryException;
import dev.ferry.engine.plan.Plan;
import dev.ferry.engine.plan.PlanCodec;
import dev.ferry.engine.render.PlanRenderer;
import dev.ferry.engine.render.StateRenderer;
import dev.ferry.engine.state.FileStateStore;
import dev.ferry.engine.state.State;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code ferry show}: the state, or a saved plan, for people or as JSON. */
@Command(name = "show", mixinStandardHelpOptions = true,
        description = "Shows the state (every resource ferry made) or, given PLANFILE, a saved plan.")
final class ShowCommand implements Callable<Integer> {

    @Parameters(index = "0", arity = "0..1", paramLabel = "PLANFILE", description = "A plan saved with 'ferry plan -out'.")
    String planFile;

    @Mixin
    FileOption file = new FileOption();

    @Mixin
    StateOption state = new StateOption();

    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    @Spec
    CommandSpec spec;

    private final CliEnvironment environment;
    private final Workspace workspace;
    private final Operations operations;

    @Inject
    ShowCommand(CliEnvironment environment, Workspace workspace, Operations operations) {
        this.environment = requireNonNull(environment, "environment is null");
        this.workspace = requireNonNull(workspace, "workspace is null");
        this.operations = requireNonNull(operations, "operations is null");
    }

    @Override
    public Integer call() throws IOException {
        if (planFile != null) {
            Plan plan;
            try {
                plan = PlanCodec.decode(Files.readAllBytes(environment.resolve(planFile)), planFile);
            } catch (NoSuchFileException e) {
                throw new FerryException(planFile + ": no such saved plan");
            }
            spec.commandLine().getOut().print(json
                    ? new String(PlanCodec.encode(plan, PlanCodec.Flavour.REPORT), StandardCharsets.UTF_8) + "\n"
                    : new PlanRenderer(operations.style()).render(plan));
            return Commands.OK;
        }
        Path statePath = workspace.statePath(file.file, state.value(), spec.commandLine().getErr());
        FileStateStore store = new FileStateStore(statePath);
        State current = store.read().orElseGet(State::empty);
        spec.commandLine().getOut().print(json
                ? new String(dev.ferry.engine.state.StateCodec.encode(current), StandardCharsets.UTF_8) + "\n"
                : StateRenderer.summary(current, statePath.toString()));
        return Commands.OK;
    }
}
