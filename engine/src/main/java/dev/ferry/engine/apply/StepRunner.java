package dev.ferry.engine.apply;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.engine.FerryException;
import dev.ferry.engine.event.Event;
import dev.ferry.engine.event.Event.Verb;
import dev.ferry.engine.event.EventSink;
import dev.ferry.engine.plan.Action;
import dev.ferry.engine.plan.Change;
import dev.ferry.engine.plan.Plan;
import dev.ferry.engine.provider.DataRequest;
import dev.ferry.engine.provider.DataResult;
import dev.ferry.engine.provider.DataSourceType;
import dev.ferry.engine.provider.ManagedResourceType;
import dev.ferry.engine.provider.Observation;
import dev.ferry.engine.provider.Operation;
import dev.ferry.engine.provider.Outcome;
import dev.ferry.engine.provider.PriorState;
import dev.ferry.engine.provider.RefreshRequest;
import dev.ferry.engine.provider.ResourceTypes;
import dev.ferry.engine.resource.Attributes;
import dev.ferry.engine.resource.Identity;
import dev.ferry.engine.resource.ResourceAddress;
import dev.ferry.engine.resource.SecretResolver;
import dev.ferry.engine.state.LiveState;
import dev.ferry.engine.state.ResourceState;
import dev.ferry.engine.state.ResourceStatus;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The work of one step on its resource, recorded in state as it goes: create, or resume a create
 * an earlier run left half-done (poll again the operation recorded in state, or find by its
 * identity what was sent but never recorded and adopt it); update; delete or clean up; read a data
 * source; forget. Each follows its provider's operation until it is done.
 */
final class StepRunner {

    private final ResourceTypes types;
    private final LiveState live;
    private final SecretResolver secrets;
    private final EventSink events;
    private final ApplyOptions options;
    private final Cancellation cancellation;
    private final Clock clock;
    private final ArgumentEvaluator evaluator;

    StepRunner(ResourceTypes types, LiveState live, SecretResolver secrets, EventSink events, ApplyOptions options,
               Cancellation cancellation, Clock clock) {
        this.types = requireNonNull(types, "types is null");
        this.live = requireNonNull(live, "live is null");
        this.secrets = requireNonNull(secrets, "secrets is null");
        this.events = requireNonNull(events, "events is null");
        this.options = requireNonNull(options, "options is null");
        this.cancellation = requireNonNull(cancellation, "cancellation is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.evaluator = new ArgumentEvaluator(live);
    }

    Optional<String> create(Plan plan, Change change, Instant started) {
        ResourceAddress address = change.address();
        ManagedResourceType type = types.managed(address);
        Attributes arguments = evaluator.finalArguments(plan, change, type, Optional.empty());
        Identity identity = new Identity(address, plan.lineage(), change.generation());
        StepContext context = context(address, Verb.CREATE, identity, arguments, Optional.empty(), started);
        Optional<ResourceState> entry = live.get(address)
                .filter(e -> e.status() == ResourceStatus.CREATING && e.generation() == change.generation());
        Outcome outcome;
        if (entry.isPresent() && entry.get().operation().isPresent()) {
            Operation operation = entry.get().operation().get();
            events.accept(new Event.StepStarted(address, Verb.CREATE, Optional.of("resuming operation " + operation.id())));
            outcome = type.poll(context, operation);
        } else if (entry.isPresent()) {
            events.accept(new Event.StepStarted(address, Verb.CREATE, Optional.of("looking for what an interrupted run may have made")));
            outcome = adoptOrCreate(type, context, identity, arguments);
        } else {
            events.accept(new Event.StepStarted(address, Verb.CREATE, Optional.empty()));
            live.update(address, recorded -> Optional.of(applied(ResourceState.creating(address, change.generation(), clock.instant()),
                    change, arguments)));
            outcome = type.create(context);
        }
        Outcome.Done done = expectDone(drive(type, context, outcome, ResourceStatus.CREATING), address);
        live.update(address, recorded -> Optional.of(finished(recorded.orElseGet(
                () -> ResourceState.creating(address, change.generation(), clock.instant())), change, arguments, done)));
        return Optional.of(done.id());
    }

    private Outcome adoptOrCreate(ManagedResourceType type, StepContext context, Identity identity, Attributes arguments) {
        Optional<ManagedResourceType.Found> found = type.findExisting(identity, arguments);
        if (found.isEmpty()) {
            return type.create(context);
        }
        ResourceAddress address = identity.address();
        live.update(address, recorded -> recorded.map(entry -> entry.withId(Optional.of(found.get().id()), clock.instant())));
        if (found.get().pending().isPresent()) {
            return type.poll(context, found.get().pending().get());
        }
        Observation observation = type.refresh(List.of(new RefreshRequest(address, found.get().id(), arguments.knownValues(),
                JsonNodeFactory.instance.objectNode()))).get(address);
        if (observation instanceof Observation.Exists exists) {
            return new Outcome.Done(found.get().id(), exists.outputs());
        }
        return type.create(context);
    }

    Optional<String> update(Plan plan, Change change, Instant started) {
        ResourceAddress address = change.address();
        ManagedResourceType type = types.managed(address);
        ResourceState entry = live.get(address).orElseThrow(() -> new FerryException(address + " is not in the state any more; run plan again"));
        PriorState prior = new PriorState(entry.id().orElseThrow(), entry.arguments(), entry.outputs());
        Attributes arguments = evaluator.finalArguments(plan, change, type, Optional.of(prior));
        StepContext context = context(address, Verb.UPDATE, new Identity(address, plan.lineage(), entry.generation()),
                arguments, Optional.of(prior), started);
        Outcome outcome;
        if (entry.operation().filter(op -> op.kind().equals(Operation.UPDATE)).isPresent()) {
            events.accept(new Event.StepStarted(address, Verb.UPDATE, Optional.of("resuming operation " + entry.operation().get().id())));
            outcome = type.poll(context, entry.operation().get());
        } else {
            events.accept(new Event.StepStarted(address, Verb.UPDATE, Optional.empty()));
            live.update(address, recorded -> Optional.of(entry.withStatus(ResourceStatus.UPDATING, clock.instant())));
            outcome = type.update(context);
        }
        Outcome.Done done = expectDone(drive(type, context, outcome, ResourceStatus.UPDATING), address);
        live.update(address, recorded -> Optional.of(finished(recorded.orElseThrow(), change, arguments, done)));
        return Optional.of(done.id());
    }

    /** What deleting leaves in state. */
    enum Removal {
        /** The resource is gone and forgotten. */
        FORGET,
        /** A staging copy that served: keep its record (consumed) so references to it still resolve. */
        CONSUME,
        /** The first half of a replacement: the record becomes the next incarnation, about to be created. */
        REPLACE;

        static Removal of(Change change) {
            return change.action() == Action.REPLACE ? REPLACE : FORGET;
        }
    }

    Optional<String> delete(Plan plan, Change change, Instant started, Removal removal) {
        ResourceAddress address = change.address();
        Verb verb = removal == Removal.CONSUME ? Verb.CLEANUP : Verb.DELETE;
        Optional<ResourceState> recorded = live.get(address);
        if (recorded.isEmpty() || recorded.get().status() == ResourceStatus.CONSUMED) {
            events.accept(new Event.StepStarted(address, verb, Optional.of("already gone")));
            return Optional.empty();
        }
        ManagedResourceType type = types.managed(address);
        ResourceState entry = recorded.get();
        Identity identity = new Identity(address, plan.lineage(), entry.generation());
        Attributes recordedArguments = Attributes.of(entry.arguments());
        StepContext context = context(address, verb, identity, recordedArguments,
                entry.id().map(id -> new PriorState(id, entry.arguments(), entry.outputs())), started);
        Outcome outcome;
        Optional<Operation> operation = entry.operation();
        if (operation.isPresent() && operation.get().kind().equals(Operation.DELETE)) {
            events.accept(new Event.StepStarted(address, verb, Optional.of("resuming operation " + operation.get().id())));
            outcome = type.poll(context, operation.get());
        } else {
            events.accept(new Event.StepStarted(address, verb, Optional.empty()));
            Optional<String> id = entry.id();
            if (operation.isPresent()) {
                // A create or update still in flight: let it finish, then delete what it made.
                try {
                    Outcome made = drive(type, context, type.poll(context, operation.get()), entry.status());
                    if (made instanceof Outcome.Done done) {
                        id = Optional.of(done.id());
                    }
                } catch (FerryException e) {
                    id = id.or(() -> operation.get().resourceId());
                }
            }
            if (id.isEmpty()) {
                id = type.findExisting(identity, recordedArguments).map(ManagedResourceType.Found::id);
            }
            if (id.isEmpty()) {
                finishDelete(address, removal, change);
                return Optional.empty();
            }
            String knownId = id.get();
            live.update(address, current -> Optional.of(entry.withId(Optional.of(knownId), clock.instant())
                    .withOperation(Optional.empty(), clock.instant())
                    .withStatus(ResourceStatus.DELETING, clock.instant())));
            context = context(address, verb, identity, recordedArguments,
                    Optional.of(new PriorState(knownId, entry.arguments(), entry.outputs())), started);
            outcome = type.delete(context);
        }
        Outcome last = drive(type, context, outcome, ResourceStatus.DELETING);
        if (!(last instanceof Outcome.Deleted)) {
            throw new IllegalStateException(type.name() + " delete ended with " + last.getClass().getSimpleName());
        }
        finishDelete(address, removal, change);
        return entry.id();
    }

    private void finishDelete(ResourceAddress address, Removal removal, Change change) {
        live.update(address, recorded -> switch (removal) {
            case FORGET -> Optional.empty();
            case CONSUME -> recorded.map(entry -> entry.withStatus(ResourceStatus.CONSUMED, clock.instant())
                    .withOperation(Optional.empty(), clock.instant()));
            case REPLACE -> Optional.of(ResourceState.creating(address, change.generation(), clock.instant()));
        });
    }

    Optional<String> read(Plan plan, Change change) {
        ResourceAddress address = change.address();
        events.accept(new Event.StepStarted(address, Verb.READ, Optional.empty()));
        DataSourceType type = types.data(address);
        Attributes arguments = evaluator.evaluate(plan, change.expressions());
        DataResult result = type.read(List.of(new DataRequest(address, arguments))).get(address);
        if (result instanceof DataResult.Found found) {
            live.update(address, recorded -> Optional.of(dataEntry(address, arguments, found.outputs(), change)));
            return Optional.empty();
        }
        throw new FerryException(result instanceof DataResult.Failed failed ? failed.message() : "no result from " + type.name());
    }

    Optional<String> forget(Change change) {
        events.accept(new Event.StepStarted(change.address(), Verb.KEEP, Optional.of("in the cloud; only removed from state")));
        live.update(change.address(), recorded -> Optional.empty());
        return change.id();
    }

    private StepContext context(ResourceAddress address, Verb verb, Identity identity, Attributes arguments,
                                Optional<PriorState> prior, Instant started) {
        return new StepContext(types, live, secrets, events, cancellation, clock, address, verb, identity, arguments, prior, started);
    }

    /**
     * Follows an operation until it is done, recording it in state the moment it appears, showing its
     * progress, and saying every few seconds that it is still running. Polls come at the operation's pace
     * ({@link PollPace}), unless the provider asks for a set wait.
     */
    private Outcome drive(ManagedResourceType type, StepContext context, Outcome outcome, ResourceStatus status) {
        Instant lastStillRunning = clock.instant();
        Optional<Operation> recorded = Optional.empty();
        PollPace pace = PollPace.standard();
        while (outcome instanceof Outcome.InProgress progress) {
            Operation operation = progress.operation();
            if (recorded.isEmpty() || !recorded.get().equals(operation)) {
                context.record(operation, status);
                recorded = Optional.of(operation);
            }
            Duration pause = switch (progress.pace()) {
                case FOLLOW -> pace.next(progress.status(), progress.percent(), min(progress.pollAfter(), options.maxPollInterval()));
                case WAIT -> min(progress.pollAfter(), options.maxPollInterval());
                case QUEUED -> min(progress.pollAfter(), options.maxQueuedWait());
            };
            context.progress(progress.queued() ? progress.status() + "; retrying in " + shortly(pause) : progress.status(),
                    progress.percent());
            Instant wakeUp = clock.instant().plus(pause);
            while (clock.instant().isBefore(wakeUp)) {
                if (cancellation.isRequested()) {
                    throw new StepCancelled();
                }
                sleep(min(Duration.between(clock.instant(), wakeUp), Duration.ofMillis(100)));
                if (Duration.between(lastStillRunning, clock.instant()).compareTo(options.stillRunningEvery()) >= 0) {
                    lastStillRunning = clock.instant();
                    events.accept(new Event.StillRunning(context.identity().address(), context.verb,
                            Duration.between(context.started, clock.instant()), Optional.of(progress.status())));
                }
            }
            if (cancellation.isRequested()) {
                throw new StepCancelled();
            }
            outcome = type.poll(context, operation);
        }
        return outcome;
    }

    private static Outcome.Done expectDone(Outcome outcome, ResourceAddress address) {
        if (outcome instanceof Outcome.Done done) {
            return done;
        }
        throw new IllegalStateException(address + ": the provider ended a create or update with " + outcome.getClass().getSimpleName());
    }

    /** The entry of a resource a create or update has just made: what was applied, and what the cloud answered. */
    private ResourceState finished(ResourceState entry, Change change, Attributes arguments, Outcome.Done done) {
        return applied(entry, change, arguments)
                .withStatus(ResourceStatus.CREATED, clock.instant())
                .withId(Optional.of(done.id()), clock.instant())
                .withOutputs(done.outputs(), clock.instant())
                .withOperation(Optional.empty(), clock.instant())
                .withError(Optional.empty(), clock.instant());
    }

    private ResourceState applied(ResourceState entry, Change change, Attributes arguments) {
        return entry.withApplied(arguments.knownValues(), arguments.secrets(), change.dependencies(),
                List.copyOf(change.lifecycle().cleanupAfter()), change.lifecycle().retainOnDestroy(), clock.instant());
    }

    ResourceState dataEntry(ResourceAddress address, Attributes arguments, ObjectNode outputs, Change change) {
        return new ResourceState(address, ResourceStatus.READ, Optional.empty(), 1, arguments.knownValues(), arguments.secrets(),
                outputs, change.dependencies(), List.of(), false, Optional.empty(), Optional.empty(), clock.instant());
    }

    /** {@code 40s}, or {@code 20ms} under a second. */
    private static String shortly(Duration pause) {
        return pause.compareTo(Duration.ofSeconds(1)) < 0 ? pause.toMillis() + "ms" : Math.round(pause.toMillis() / 1000.0) + "s";
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private void sleep(Duration duration) {
        try {
            Thread.sleep(Math.max(1, duration.toMillis()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StepCancelled();
        }
    }
}
