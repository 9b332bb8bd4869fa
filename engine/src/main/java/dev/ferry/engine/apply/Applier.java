package dev.ferry.engine.apply;

import static java.util.Objects.requireNonNull;

import dev.ferry.engine.FerryException;
import dev.ferry.engine.apply.StepRunner.Removal;
import dev.ferry.engine.event.Event;
import dev.ferry.engine.event.Event.Verb;
import dev.ferry.engine.event.EventSink;
import dev.ferry.engine.graph.ApplyGraph;
import dev.ferry.engine.graph.DagWalker;
import dev.ferry.engine.graph.Step;
import dev.ferry.engine.plan.Action;
import dev.ferry.engine.plan.Change;
import dev.ferry.engine.plan.Plan;
import dev.ferry.engine.provider.Operation;
import dev.ferry.engine.provider.ResourceTypes;
import dev.ferry.engine.resource.ResourceAddress;
import dev.ferry.engine.resource.SecretResolver;
import dev.ferry.engine.state.LiveState;
import dev.ferry.engine.state.ResourceState;
import dev.ferry.engine.state.ResourceStatus;
import dev.ferry.engine.verify.Verified;
import dev.ferry.engine.state.State;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * Carries out a plan: walks the apply graph, runs each step through its provider, records every
 * change in state before going on (an operation the moment it starts, a resource the moment it is
 * done), and resumes what an earlier run left half-done instead of doing it twice: an operation
 * recorded in state is polled again, a create that was sent but never recorded is found again by
 * its identity. The walk, its failures and its summary are here; each step's work is the
 * {@link StepRunner}'s.
 */
public final class Applier {

    private final ResourceTypes types;
    private final LiveState live;
    private final EventSink events;
    private final ApplyOptions options;
    private final Cancellation cancellation;
    private final Clock clock;
    private final StepRunner steps;
    private final Set<Thread> runningSteps = ConcurrentHashMap.newKeySet();
    private final Set<Step> cancelledSteps = ConcurrentHashMap.newKeySet();
    private final Map<Step, String> failures = new ConcurrentHashMap<>();
    /** Addresses already told they were interrupted, not started or skipped: each is told once. */
    private final Set<ResourceAddress> told = ConcurrentHashMap.newKeySet();

    public Applier(ResourceTypes types, LiveState live, SecretResolver secrets, EventSink events, ApplyOptions options,
                   Cancellation cancellation, Clock clock) {
        this.types = requireNonNull(types, "types is null");
        this.live = requireNonNull(live, "live is null");
        this.events = requireNonNull(events, "events is null");
        this.options = requireNonNull(options, "options is null");
        this.cancellation = requireNonNull(cancellation, "cancellation is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.steps = new StepRunner(types, live, secrets, events, options, cancellation, clock);
    }

    public ApplyResult apply(Plan plan) {
        State current = live.current();
        if (!current.lineage().equals(plan.lineage())) {
            throw new FerryException("the plan belongs to another state (lineage " + plan.lineage() + ", the state's is "
                    + current.lineage() + "); run plan again");
        }
        live.belongTo(owners(plan));
        recordDataReadAtPlanTime(plan);
        ApplyGraph graph = ApplyGraph.build(plan);
        DagWalker<Step> walker = new DagWalker<>(graph.graph(), options.parallelism(), types.limits(),
                step -> limitsOf(graph, step), Comparator.naturalOrder(), new DagWalker.Listener<>() {
                    @Override
                    public void queued(Step step, String limit) {
                        events.accept(new Event.StepQueued(step.address(), verb(step), limit));
                    }

                    @Override
                    public void skipped(Step step, Step cause) {
                        if (step.address().equals(cause.address())) {
                            // the other half of the same resource (its clean-up, the create of a replace):
                            // what happened to the resource was said already
                            return;
                        }
                        if (!told.add(step.address())) {
                            return;
                        }
                        if (cancelledSteps.contains(cause)) {
                            events.accept(new Event.StepNotStarted(step.address(), verb(step), cause.address()));
                        } else {
                            events.accept(new Event.StepSkipped(step.address(), verb(step), cause.address()));
                        }
                    }
                });
        Thread watchdog = startGraceWatchdog();
        DagWalker.Result<Step> result;
        try {
            result = walker.walk(step -> execute(graph, plan, step), cancellation::isRequested);
        } finally {
            watchdog.interrupt();
        }
        if (result.allSucceeded()) {
            prune(plan);
        }
        return summarize(graph, result);
    }

    private Set<String> limitsOf(ApplyGraph graph, Step step) {
        if (step.kind() != Step.Kind.CREATE) {
            return Set.of();
        }
        return types.managed(step.address()).limits(graph.change(step).after());
    }

    private boolean execute(ApplyGraph graph, Plan plan, Step step) {
        Change change = graph.change(step);
        runningSteps.add(Thread.currentThread());
        Instant started = clock.instant();
        try {
            Optional<String> id = switch (step.kind()) {
                case CREATE -> steps.create(plan, change, started);
                case UPDATE -> steps.update(plan, change, started);
                case DELETE -> steps.delete(plan, change, started, Removal.of(change));
                case CLEANUP -> steps.delete(plan, change, started, Removal.CONSUME);
                case READ -> steps.read(plan, change);
                case FORGET -> steps.forget(change);
            };
            events.accept(new Event.StepFinished(step.address(), verb(step), id, Duration.between(started, clock.instant())));
            return true;
        } catch (StepCancelled e) {
            cancelledSteps.add(step);
            if (told.add(step.address())) {
                events.accept(new Event.StepInterrupted(step.address(), verb(step)));
            }
            return false;
        } catch (FerryException e) {
            fail(step, e.getMessage(), e);
            return false;
        } catch (RuntimeException e) {
            fail(step, "unexpected " + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()), e);
            throw e;
        } finally {
            runningSteps.remove(Thread.currentThread());
            Thread.interrupted();
        }
    }

    private void fail(Step step, String message, Throwable cause) {
        failures.put(step, message);
        events.accept(new Event.StepFailed(step.address(), verb(step), message, Optional.of(cause)));
        ResourceAddress address = step.address();
        // Something half-made is replaced by the next run (deleting what was made), never resumed blindly.
        live.update(address, recorded -> recorded
                .map(entry -> {
                    ResourceState failed = entry.withError(Optional.of(message), clock.instant());
                    boolean halfMade = (entry.status() == ResourceStatus.CREATING || entry.status() == ResourceStatus.UPDATING)
                            && (entry.id().isPresent() || entry.operation().isPresent());
                    if (halfMade) {
                        failed = failed.withId(entry.id().or(() -> entry.operation().flatMap(Operation::resourceId))
                                        .or(() -> entry.operation().map(Operation::id)), clock.instant())
                                .withOperation(Optional.empty(), clock.instant())
                                .withStatus(ResourceStatus.TAINTED, clock.instant());
                    }
                    return failed;
                }));
    }

    /**
     * The migration each planned resource belongs to (empty when several share it), so that its record is kept in that
     * migration's state object; a change that names no migration (a destroy of the whole file) leaves the record where it is.
     */
    private static Map<ResourceAddress, Optional<String>> owners(Plan plan) {
        Map<ResourceAddress, Optional<String>> owners = new HashMap<>();
        for (Change change : plan.changes()) {
            if (!change.migrations().isEmpty()) {
                owners.put(change.address(), change.migrations().size() == 1
                        ? Optional.of(change.migrations().iterator().next()) : Optional.empty());
            }
        }
        return owners;
    }

    /** Data read while planning goes into state first, so a resumed run has it even from a saved plan. */
    private void recordDataReadAtPlanTime(Plan plan) {
        List<Change> reads = plan.changes().stream()
                .filter(c -> c.address().isData() && c.action() == Action.NOOP)
                .toList();
        if (reads.isEmpty()) {
            return;
        }
        live.updateAll(state -> {
            State updated = state;
            for (Change read : reads) {
                updated = updated.with(steps.dataEntry(read.address(), read.after(), read.knownOutputs(), read));
            }
            return updated;
        });
    }

    /**
     * After a complete apply, state forgets what the plan no longer mentions and holds nothing of (data, consumed copies);
     * what a partial plan does not mention belongs to the part of the file it did not cover, and stays.
     */
    private void prune(Plan plan) {
        Set<ResourceAddress> planned = plan.changes().stream().map(Change::address).collect(Collectors.toSet());
        live.updateAll(state -> {
            State pruned = state;
            for (ResourceState entry : state.resources()) {
                boolean leftover = entry.address().isData() || entry.status() == ResourceStatus.CONSUMED;
                boolean gone = plan.partial() ? plan.destroy() && planned.contains(entry.address())
                        : plan.destroy() || !planned.contains(entry.address());
                if (leftover && gone) {
                    pruned = pruned.without(entry.address());
                }
            }
            return pruned;
        });
    }

    private ApplyResult summarize(ApplyGraph graph, DagWalker.Result<Step> result) {
        int added = 0;
        int changed = 0;
        int destroyed = 0;
        int cleaned = 0;
        int kept = 0;
        for (Step step : result.with(DagWalker.Status.SUCCEEDED)) {
            switch (step.kind()) {
                case CREATE -> added++;
                case UPDATE -> changed++;
                case DELETE -> destroyed++;
                case FORGET -> kept++;
                case CLEANUP -> cleaned++;
                case READ -> { }
            }
        }
        List<ApplyResult.Failure> failed = new ArrayList<>();
        Map<Step, Throwable> errors = new HashMap<>(result.errors());
        for (Step step : result.with(DagWalker.Status.FAILED)) {
            if (cancelledSteps.contains(step)) {
                continue;
            }
            String message = failures.getOrDefault(step, errors.containsKey(step) ? String.valueOf(errors.get(step).getMessage()) : "failed");
            failed.add(new ApplyResult.Failure(step.toString(), step.address() + ": " + message));
        }
        boolean cancelled = cancellation.isRequested() || !cancelledSteps.isEmpty();
        // skipped because of a failure; what waits for an interrupted step was only not started yet
        int skipped = (int) result.with(DagWalker.Status.SKIPPED).stream()
                .filter(step -> !cancelledSteps.contains(result.skippedBecause().get(step))).count();
        State now = live.current();
        List<Verified> verified = result.with(DagWalker.Status.SUCCEEDED).stream()
                .flatMap(step -> now.get(step.address()).flatMap(Verified::of).stream()).distinct().toList();
        return new ApplyResult(added, changed, destroyed, cleaned, kept, failed, skipped, cancelled, verified);
    }

    /** After Ctrl-C and the grace period, interrupts steps still running (a long upload, say). */
    private Thread startGraceWatchdog() {
        Thread watchdog = new Thread(() -> {
            try {
                while (!cancellation.isRequested()) {
                    Thread.sleep(100);
                }
                Thread.sleep(options.gracePeriod().toMillis());
                runningSteps.forEach(Thread::interrupt);
            } catch (InterruptedException e) {
                // the walk ended
            }
        }, "ferry-grace-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
        return watchdog;
    }

    private static Verb verb(Step step) {
        return switch (step.kind()) {
            case CREATE -> Verb.CREATE;
            case UPDATE -> Verb.UPDATE;
            case DELETE -> Verb.DELETE;
            case FORGET -> Verb.KEEP;
            case CLEANUP -> Verb.CLEANUP;
            case READ -> Verb.READ;
        };
    }
}
