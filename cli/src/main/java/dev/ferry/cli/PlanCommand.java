package dev.ferry.cli;

import static java.util.Objects.requireNonNull;

import dev.ferry.engine.diff.Selection;
import dev.ferry.engine.event.EventSink;
import dev.ferry.engine.plan.Plan;
import dev.ferry.engine.plan.PlanCodec;
import dev.ferry.engine.render.MarkdownRenderer;
import dev.ferry.engine.render.PlanRenderer;
import dev.ferry.engine.state.StateBackend;
import jakarta.inject.Inject;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ferry plan}: shows every change apply would make, and can save it for a later apply. */
@Command(name = "plan", mixinStandardHelpOptions = true,
        description = {
            "Shows every change 'ferry apply' would make, without making any.",
            "",
            "Reads what exists through the providers, compares it with the migration file and prints "
                + "each resource to create, update in place, replace or destroy. Exit code 0 on success and 1 "
                + "on an error; with --detailed-exitcode, 0 no changes, 1 error, 2 changes present."
        })
final class PlanCommand implements Callable<Integer> {

    @Mixin
    FileOption file = new FileOption();

    @Mixin
    StateOption state = new StateOption();

    @Mixin
    SelectionOptions selection = new SelectionOptions();

    @Option(names = {"-out", "--out"}, paramLabel = "PLANFILE", description = "Save the plan, for 'ferry apply PLANFILE'.")
    String out;

    @ArgGroup(exclusive = true)
    Format format = new Format();

    static final class Format {
        @Option(names = "--json", description = "Print the plan as JSON (schemas/plan.schema.json).")
        boolean json;

        @Option(names = "--markdown", description = "Print the plan as Markdown, for a pull-request comment.")
        boolean markdown;
    }

    @Option(names = "--detailed-exitcode", description = "Exit 2 when there are changes, 0 when there are none.")
    boolean detailedExitCode;

    @Option(names = "--destroy", description = "Plan to destroy everything in the state.")
    boolean destroy;

    @Option(names = "--refresh", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Read what exists before planning (default: true).")
    boolean refresh = true;

    @Spec
    CommandSpec spec;

    private final Workspace workspace;
    private final Operations operations;

    @Inject
    PlanCommand(Workspace workspace, Operations operations) {
        this.workspace = requireNonNull(workspace, "workspace is null");
        this.operations = requireNonNull(operations, "operations is null");
    }

    @Override
    public Integer call() {
        PrintWriter stdout = spec.commandLine().getOut();
        PrintWriter stderr = spec.commandLine().getErr();
        Selection part = selection.selection();
        Workspace.Opened opened = workspace.open(file.file, state.value(), stderr);
        boolean human = !format.json && !format.markdown;
        EventSink events = human ? operations.printer(stdout) : EventSink.NONE;
        if (!destroy) {
            workspace.checkSecrets(opened.file(), stderr);
        }
        Plan plan;
        try (StateBackend.Lock lock = opened.lock("plan");
             Workspace.Sessions sessions = workspace.connect(opened.file())) {
            opened.backend().warnings().forEach(warning -> stderr.println("Warning: " + warning));
            lock.takenOver().ifPresent(stale -> stderr.println("Warning: removed a stale lock left by pid " + stale.pid() + " (" + stale.holder() + ")"));
            plan = operations.plan(opened, Workspace.readState(opened, stderr), sessions, destroy, refresh, part, events);
        }
        if (format.json) {
            stdout.println(new String(PlanCodec.encode(plan, PlanCodec.Flavour.REPORT), StandardCharsets.UTF_8));
        } else if (format.markdown) {
            stdout.print(new MarkdownRenderer().render(plan, workspace.permissions(opened.file(), state.value())));
        } else {
            if (!plan.changes().isEmpty() || !plan.drift().isEmpty()) {
                stdout.println();
            }
            stdout.print(new PlanRenderer(operations.style()).render(plan));
        }
        if (out != null) {
            workspace.savePlan(plan, out);
            if (human) {
                stdout.println();
                stdout.println("Saved the plan to: " + out);
                stdout.println("To perform exactly these actions, run: ferry apply " + out);
            }
        }
        stdout.flush();
        return detailedExitCode && plan.hasChanges() ? Commands.CHANGES : Commands.OK;
    }
}
