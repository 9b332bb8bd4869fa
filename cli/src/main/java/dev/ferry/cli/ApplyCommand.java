package dev.ferry.cli;

import static java.util.Objects.requireNonNull;

import dev.ferry.engine.FerryException;
import dev.ferry.engine.apply.ApplyOptions;
import dev.ferry.engine.apply.ApplyResult;
import dev.ferry.engine.apply.Cancellation;
import dev.ferry.engine.event.Event;
import dev.ferry.engine.event.EventSink;
import dev.ferry.engine.plan.Plan;
import dev.ferry.engine.render.PlanRenderer;
import dev.ferry.engine.resource.SecretResolver;
import dev.ferry.engine.state.LockScope;
import dev.ferry.engine.state.State;
import dev.ferry.engine.state.StateBackend;
import dev.ferry.engine.state.StateLock;
import jakarta.inject.Inject;
import java.io.PrintWriter;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code ferry apply}: plans, asks, and carries the plan out; or applies a saved plan exactly. */
@Command(name = "apply", mixinStandardHelpOptions = true,
        description = {
            "Carries out the migration file (or a saved plan), saving progress after every step.",
            "",
            "Without PLANFILE, plans first and asks for approval. An apply that was interrupted "
                + "(Ctrl-C, a crash, kill -9) resumes where it stopped when run again."
        })
final class ApplyCommand implements Callable<Integer> {

    @Parameters(index = "0", arity = "0..1", paramLabel = "PLANFILE", description = "A plan saved with 'ferry plan -out'.")
    String planFile;

    @Mixin
    FileOption file = new FileOption();

    @Mixin
    StateOption state = new StateOption();

    @Mixin
    SelectionOptions selection = new SelectionOptions();

    @Option(names = "--auto-approve", description = "Apply without asking for approval.")
    boolean autoApprove;

    @Option(names = "--parallelism", paramLabel = "N", defaultValue = "10",
            description = "How many steps run at once (default: ${DEFAULT-VALUE}).")
    int parallelism = ApplyOptions.DEFAULT_PARALLELISM;

    @Option(names = "--json", description = "Print every event as one JSON object per line (schemas/events.schema.json);"
            + " needs --auto-approve or PLANFILE.")
    boolean json;

    @Spec
    CommandSpec spec;

    private final CliEnvironment environment;
    private final Workspace workspace;
    private final Operations operations;

    @Inject
    ApplyCommand(CliEnvironment environment, Workspace workspace, Operations operations) {
        this.environment = requireNonNull(environment, "environment is null");
        this.workspace = requireNonNull(workspace, "workspace is null");
        this.operations = requireNonNull(operations, "operations is null");
    }

    @Override
    public Integer call() {
        if (parallelism < 1) {
            throw new FerryException("--parallelism must be at least 1");
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        selection.selection(); // a malformed --shard, or one with --migration, is refused before anything is read
        if (planFile != null && selection.given()) {
            throw new FerryException("a saved plan holds exactly the changes to make, so " + selection.flags() + " cannot narrow it;"
                    + " give them when planning instead: ferry plan " + selection.flags() + " -out " + planFile + ", then ferry apply "
                    + planFile);
        }
        Optional<Plan> saved = reportingErrors(out, () -> Optional.ofNullable(planFile).map(workspace::savedPlan));
        String migrationFile = saved.isPresent() && spec.commandLine().getParseResult().expandedArgs().stream()
                .noneMatch(arg -> arg.equals("-f") || arg.equals("--file") || arg.startsWith("--file="))
                ? saved.get().file() : file.file;
        return reportingErrors(out, () -> run(workspace.open(migrationFile, state.value(), err), saved, false, out, err));
    }

    /**
     * Under --json a failure outside any step also becomes an {@code error} line, so a reader of the
     * stream learns why it ended; the text goes to stderr as always.
     */
    <T> T reportingErrors(PrintWriter out, java.util.function.Supplier<T> command) {
        if (json && !autoApprove && planFile == null) {
            throw new FerryException("--json needs --auto-approve (or a saved plan): a stream of JSON has no way to answer the"
                    + " approval prompt. Review the plan first (ferry plan -out FILE), then run ferry apply --json FILE.");
        }
        try {
            return command.get();
        } catch (FerryException e) {
            if (json) {
                new JsonEventPrinter(out, Clock.systemUTC()).error(e.getMessage());
            }
            throw e;
        }
    }

    /**
     * Shards of one state write only their own migrations' objects and the shared one (merged under its own hold), never
     * the manifest; so before a shard's lock, the state must be kept in parts already. A state there is not yet (or an
     * older ferry's single document) is moved to parts under the whole-state lock, briefly; a shard that finds another
     * doing the same (shards started together) waits for it, and goes on once the state is in parts. Any other holder
     * of the whole state refuses the shard at once, as its own lock would.
     */
    private void prepareForShards(Workspace.Opened opened, PrintWriter err) {
        long deadline = System.nanoTime() + SHARD_PREPARE_WAIT.toNanos();
        while (true) {
            opened.store().read();
            if (opened.store().hasParts()) {
                return;
            }
            try (StateBackend.Lock whole = opened.lock(MOVING_TO_PARTS, LockScope.WHOLE)) {
                whole.takenOver().ifPresent(stale -> err.println("Warning: removed a stale lock left by pid " + stale.pid()
                        + " (" + stale.holder() + "), which is no longer running"));
                Optional<State> stored = Workspace.readOwnState(opened, err);
                if (!opened.store().hasParts()) {
                    opened.store().write(stored.orElseGet(() -> State.empty().withMigration(opened.file().name())));
                }
                return;
            } catch (StateLock.Held e) {
                opened.store().read();
                if (opened.store().hasParts()) {
                    return; // another shard moved it meanwhile, and its shard lock is what refused this one's whole lock
                }
                boolean anotherShardMovesIt = movingToParts(e);
                if (!anotherShardMovesIt || System.nanoTime() > deadline) {
                    throw new FerryException("the state " + opened.stateName() + " is not kept in parts yet, and a shard run writes"
                            + " only its part; moving it needs the whole-state lock for a moment"
                            + (anotherShardMovesIt ? ", which stayed held for " + SHARD_PREPARE_WAIT.toSeconds() + " s" : "") + ": "
                            + e.getMessage());
                }
            }
            pause(opened);
        }
    }

    /**
     * The shard's own lock; while the shard that moved the state to parts still holds the whole-state lock it is about
     * to release, this one waits for it (shards started together) instead of being refused.
     */
    private StateBackend.Lock lockShard(Workspace.Opened opened, String operation, LockScope scope) {
        long deadline = System.nanoTime() + SHARD_PREPARE_WAIT.toNanos();
        while (true) {
            try {
                return opened.lock(operation, scope);
            } catch (StateLock.Held e) {
                if (!movingToParts(e) || System.nanoTime() > deadline) {
                    throw e;
                }
            }
            pause(opened);
        }
    }

    /** Whether the whole-state lock that refused a run is that of a shard moving the state to parts, for a moment. */
    private static boolean movingToParts(StateLock.Held refusal) {
        return refusal.wholeHolder().map(holder -> holder.operation().equals(MOVING_TO_PARTS)).orElse(false);
    }

    private static void pause(Workspace.Opened opened) {
        try {
            Thread.sleep(100 + java.util.concurrent.ThreadLocalRandom.current().nextInt(200));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FerryException("interrupted while waiting to move the state " + opened.stateName() + " to parts");
        }
    }

    private static final String MOVING_TO_PARTS = "apply (moving the state to parts)";
    private static final java.time.Duration SHARD_PREPARE_WAIT = java.time.Duration.ofSeconds(60);

    /** Shared with destroy: lock, plan (or check the saved plan), confirm, apply, report. */
    int run(Workspace.Opened opened, Optional<Plan> saved, boolean destroy, PrintWriter out, PrintWriter err) {
        Cancellation cancellation = new Cancellation();
        // Every secret is resolved before the lock, the clouds and the first step: a missing one fails here, at its line.
        boolean destroying = destroy || saved.map(Plan::destroy).orElse(false);
        SecretResolver secrets = destroying ? workspace.secrets(opened.file()) : workspace.checkSecrets(opened.file(), err);
        // A destroy may remove what the shards share (the staging bucket, the role): it keeps the whole state to itself.
        LockScope scope = destroying ? LockScope.WHOLE : selection.lockScope();
        if (!scope.whole()) {
            prepareForShards(opened, err);
        }
        try (StateBackend.Lock lock = scope.whole() ? opened.lock(destroy ? "destroy" : "apply") : lockShard(opened, "apply", scope);
             Workspace.Sessions sessions = workspace.connect(opened.file());
             Interrupts interrupts = Interrupts.install(environment.handleSignals(), cancellation, err)) {
            lock.takenOver().ifPresent(stale -> err.println("Warning: removed a stale lock left by pid " + stale.pid()
                    + " (" + stale.holder() + "), which is no longer running"));
            Optional<State> stored = Workspace.readOwnState(opened, err);
            JsonEventPrinter stream = json ? new JsonEventPrinter(out, Clock.systemUTC()) : null;
            EventSink printer = json ? stream : operations.printer(out);
            Plan plan;
            State current;
            if (saved.isPresent()) {
                plan = saved.get();
                current = checkSavedPlan(plan, opened, stored);
            } else {
                current = stored.orElseGet(() -> State.empty().withMigration(opened.file().name()));
                plan = operations.plan(opened, current, sessions, destroy, true, selection.selection(), printer);
                if (json) {
                    stream.planned(plan);
                } else {
                    out.println();
                    out.print(new PlanRenderer(operations.style()).render(plan));
                }
                if (!plan.hasChanges()) {
                    return report(ApplyResult.nothingToDo(), destroy, stream, out, err);
                }
                if (!json) {
                    out.println();
                }
                if (!autoApprove) {
                    boolean approved = operations.confirm(destroy ? (plan.partial() ? "Do you really want to destroy these resources?"
                            : "Do you really want to destroy all resources?") : "Do you want to perform these actions?",
                            destroy ? "ferry will destroy everything it made, as shown above. There is no undo."
                                    : "ferry will perform the actions described above.", destroy, out);
                    if (!approved) {
                        err.println("Error: " + (destroy ? "destroy" : "apply") + " cancelled: nothing was changed.");
                        return Commands.ERROR;
                    }
                }
            }
            if (saved.isPresent() && json) {
                stream.planned(plan);
            }
            if (!plan.hasChanges()) {
                if (!json) {
                    out.println("No changes. Nothing to do.");
                }
                return report(ApplyResult.nothingToDo(), destroy || plan.destroy(), stream, out, err);
            }
            ApplyResult result = operations.apply(opened, current, sessions, plan, secrets, parallelism, printer, cancellation);
            String partial = (plan.destroy() ? "destroyed" : "applied") + " a partial plan (--migration, --target or --shard), so what"
                    + " the file asks of the rest may still be pending; run 'ferry plan' to see whether anything is.";
            if (plan.partial() && json) {
                stream.accept(new Event.Warning(partial)); // before the summary, which stays the last line
            }
            int code = report(result, destroy || plan.destroy(), stream, out, err);
            if (plan.partial() && !json) {
                err.println("Warning: " + partial);
            }
            return code;
        }
    }

    private int report(ApplyResult result, boolean destroy, JsonEventPrinter stream, PrintWriter out, PrintWriter err) {
        if (stream == null) {
            return operations.report(result, destroy, out, err);
        }
        stream.summary(result, destroy);
        return result.succeeded() ? Commands.OK : Commands.ERROR;
    }

    /** A saved plan applies only to the state and file it was made from. */
    private State checkSavedPlan(Plan plan, Workspace.Opened opened, Optional<State> stored) {
        if (!plan.fileDigest().equals(opened.digest())) {
            throw new FerryException("the saved plan was made from a different version of " + opened.file().displayName()
                    + " (the file changed since); run 'ferry plan -out' again");
        }
        if (stored.isEmpty()) {
            if (plan.serial() != 0) {
                throw new FerryException("the saved plan is stale: it was made from state serial " + plan.serial()
                        + ", and there is no state at " + opened.stateName() + " now; run 'ferry plan -out' again");
            }
            return new State(plan.lineage(), 0, Optional.of(opened.file().name()), Map.of());
        }
        State state = stored.get();
        if (!state.lineage().equals(plan.lineage()) && plan.serial() == 0) {
            throw new FerryException("the saved plan is stale: it was made when there was no state yet, and the state has been"
                    + " written since (serial " + state.serial() + " now); run 'ferry plan -out' again");
        }
        if (!state.lineage().equals(plan.lineage())) {
            throw new FerryException("the saved plan belongs to another state (lineage " + plan.lineage() + "; this state's is "
                    + state.lineage() + "); run 'ferry plan -out' again");
        }
        if (state.serial() != plan.serial()) {
            throw new FerryException("the saved plan is stale: the state has changed since it was made (serial " + plan.serial()
                    + " then, " + state.serial() + " now); run 'ferry plan -out' again");
        }
        return state;
    }
}
