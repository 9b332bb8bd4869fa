package dev.ferry.cli;

import static java.util.Objects.requireNonNull;

import dev.ferry.engine.diff.Selection;
import dev.ferry.engine.event.EventSink;
import dev.ferry.engine.graph.ApplyGraph;
import dev.ferry.engine.plan.Plan;
import dev.ferry.engine.render.GraphRenderer;
import dev.ferry.engine.state.StateBackend;
import jakarta.inject.Inject;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ferry graph}: the resources and their references, or the steps apply would take, as DOT or Mermaid. */
@Command(name = "graph", mixinStandardHelpOptions = true,
        description = {
            "Prints the dependency graph of the migration file's resources (DOT by default).",
            "",
            "With --plan, prints the steps 'ferry apply' would take instead (this reads the clouds).",
            "Render DOT with: ferry graph | dot -Tsvg > graph.svg"
        })
final class GraphCommand implements Callable<Integer> {

    @Mixin
    FileOption file = new FileOption();

    @Mixin
    StateOption state = new StateOption();

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "dot", description = "dot or mermaid (default: dot).")
    String format = "dot";

    @Option(names = "--plan", description = "Graph the steps of a plan instead of the resources.")
    boolean plan;

    @Spec
    CommandSpec spec;

    private final Workspace workspace;
    private final Operations operations;

    @Inject
    GraphCommand(Workspace workspace, Operations operations) {
        this.workspace = requireNonNull(workspace, "workspace is null");
        this.operations = requireNonNull(operations, "operations is null");
    }

    @Override
    public Integer call() {
        GraphRenderer.Format chosen = switch (format.toLowerCase(java.util.Locale.ROOT)) {
            case "dot" -> GraphRenderer.Format.DOT;
            case "mermaid" -> GraphRenderer.Format.MERMAID;
            default -> throw new dev.ferry.engine.FerryException("--format must be dot or mermaid, not '" + format + "'");
        };
        Workspace.Opened opened = workspace.open(file.file, state.value(), spec.commandLine().getErr());
        if (!plan) {
            spec.commandLine().getOut().print(GraphRenderer.resources(workspace.expand(opened.file()), chosen));
            return Commands.OK;
        }
        workspace.checkSecrets(opened.file(), spec.commandLine().getErr());
        Plan computed;
        try (StateBackend.Lock lock = opened.lock("graph");
             Workspace.Sessions sessions = workspace.connect(opened.file())) {
            computed = operations.plan(opened, Workspace.readState(opened, spec.commandLine().getErr()), sessions, false, true, Selection.ALL, EventSink.NONE);
        }
        spec.commandLine().getOut().print(GraphRenderer.steps(ApplyGraph.build(computed), chosen));
        return Commands.OK;
    }
}
