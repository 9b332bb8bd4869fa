package dev.ferry.engine.diff;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.engine.FerryException;
import dev.ferry.engine.event.EventSink;
import dev.ferry.engine.expand.Configuration;
import dev.ferry.engine.plan.Action;
import dev.ferry.engine.plan.Change;
import dev.ferry.engine.plan.Drift;
import dev.ferry.engine.plan.Plan;
import dev.ferry.engine.provider.DataRequest;
import dev.ferry.engine.provider.DataResult;
import dev.ferry.engine.provider.DataSourceType;
import dev.ferry.engine.provider.ManagedResourceType;
import dev.ferry.engine.provider.Note;
import dev.ferry.engine.provider.Observation;
import dev.ferry.engine.provider.PlanRequest;
import dev.ferry.engine.provider.PlanResult;
import dev.ferry.engine.provider.PriorState;
import dev.ferry.engine.provider.ResourceTypes;
import dev.ferry.engine.resource.Attributes;
import dev.ferry.engine.resource.Expression;
import dev.ferry.engine.resource.JsonValues;
import dev.ferry.engine.resource.Lifecycle;
import dev.ferry.engine.resource.ResourceAddress;
import dev.ferry.engine.resource.ResourceDeclaration;
import dev.ferry.engine.state.ResourceState;
import dev.ferry.engine.state.ResourceStatus;
import dev.ferry.engine.state.State;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Computes a plan: refreshes what state records, evaluates the declarations level by level (a
 * resource after everything it refers to, data reads batched per type within a level), asks each
 * provider to complete its resources' arguments, and classifies every resource as create, update in
 * place, replace, delete, read, no-op, clean up or forget.
 */
public final class Planner {

    /** What to plan: a normal plan or a destroy plan, with or without refreshing first, of the whole file or a part. */
    public record Options(boolean destroy, boolean refresh, String file, String fileDigest, Selection selection) {
        public Options {
            requireNonNull(file, "file is null");
            requireNonNull(fileDigest, "fileDigest is null");
            requireNonNull(selection, "selection is null");
        }

        public Options(boolean destroy, boolean refresh, String file, String fileDigest) {
            this(destroy, refresh, file, fileDigest, Selection.ALL);
        }
    }

    /** Every problem found while planning, each naming its resource and where the file declares it. */
    public static final class PlanFailedException extends FerryException {
        private final List<String> problems;

        PlanFailedException(List<String> problems) {
            super(problems.size() == 1 ? problems.get(0) : problems.size() + " problems stop the plan:\n  " + String.join("\n  ", problems));
            this.problems = List.copyOf(problems);
        }

        public List<String> problems() {
            return problems;
        }
    }

    private final ResourceTypes types;
    private final EventSink events;

    public Planner(ResourceTypes types, EventSink events) {
        this.types = requireNonNull(types, "types is null");
        this.events = requireNonNull(events, "events is null");
    }

    /** A destroy plan reads {@code configuration} only to know which migrations a selection names. */
    public Plan plan(Configuration whole, State all, Options options) {
        Targeting.Narrowed part = Targeting.narrow(options.selection(), whole, all, options.destroy(), options.file());
        State state = part.state();
        Refresh.Result refreshed = options.refresh() ? new Refresh(types, events).run(state) : new Refresh.Result(Map.of(), List.of());
        List<Change> changes = options.destroy()
                ? destroyChanges(state, refreshed.observations())
                : new Evaluation(part.configuration(), state, refreshed.observations()).run();
        return new Plan(state.lineage(), state.serial(), options.destroy(), options.file(), options.fileDigest(),
                changes, refreshed.drift(), part.warnings(), Instant.now());
    }

    /** Everything state holds, deleted in reverse dependency order; what the file keeps is forgotten instead. */
    private List<Change> destroyChanges(State state, Map<ResourceAddress, Observation> observations) {
        List<Change> changes = new ArrayList<>();
        for (ResourceState resource : state.resources()) {
            if (resource.address().isData() || resource.status() == ResourceStatus.CONSUMED) {
                continue;
            }
            if (observations.get(resource.address()) instanceof Observation.Gone) {
                continue;
            }
            if (resource.id().isEmpty() && resource.operation().isEmpty() && resource.status() != ResourceStatus.CREATING) {
                continue;
            }
            Action action = resource.retainOnDestroy() ? Action.FORGET : Action.DELETE;
            changes.add(new Change(resource.address(), action, resource.id(), resource.arguments(), resource.secrets(),
                    null, null, resource.outputs(), null, null, lifecycleOf(resource), resource.dependencies(), null,
                    resource.id().isEmpty() ? Optional.of("its creation was interrupted; ferry looks for it by its tags") : Optional.empty(),
                    resource.generation()));
        }
        return changes;
    }

    private static Lifecycle lifecycleOf(ResourceState resource) {
        return new Lifecycle(Set.copyOf(resource.cleanupAfter()), resource.retainOnDestroy());
    }

    /** One evaluation of the whole configuration, repeated while staging copies turn out to be needed again. */
    private final class Evaluation {
        private final Configuration configuration;
        private final State state;
        private final Map<ResourceAddress, Observation> observations;
        private final Map<ResourceAddress, Integer> levels = new HashMap<>();
        private final Set<ResourceAddress> neededAgain = new HashSet<>();

        private Map<ResourceAddress, Change> changes;
        private Map<ResourceAddress, ObjectNode> outputs;
        private Set<ResourceAddress> blocked;
        private List<String> problems;

        Evaluation(Configuration configuration, State state, Map<ResourceAddress, Observation> observations) {
            this.configuration = configuration;
            this.state = state;
            this.observations = observations;
            for (ResourceDeclaration declaration : configuration.declarations()) {
                level(declaration.address());
            }
        }

        List<Change> run() {
            for (int round = 0; round <= configuration.size(); round++) {
                evaluateAll();
                if (!problems.isEmpty()) {
                    throw new PlanFailedException(problems);
                }
                Set<ResourceAddress> more = consumedButNeeded();
                if (more.isEmpty()) {
                    break;
                }
                neededAgain.addAll(more);
            }
            addCleanups();
            addOrphans();
            return List.copyOf(changes.values());
        }

        private int level(ResourceAddress address) {
            Integer known = levels.get(address);
            if (known != null) {
                return known;
            }
            int level = 0;
            for (ResourceAddress dependency : configuration.get(address).orElseThrow().dependencies()) {
                level = Math.max(level, level(dependency) + 1);
            }
            levels.put(address, level);
            return level;
        }

        private void evaluateAll() {
            changes = new LinkedHashMap<>();
            outputs = new HashMap<>();
            blocked = new HashSet<>();
            problems = new ArrayList<>();
            Map<Integer, List<ResourceDeclaration>> byLevel = new TreeMap<>();
            for (ResourceDeclaration declaration : configuration.declarations()) {
                byLevel.computeIfAbsent(levels.get(declaration.address()), l -> new ArrayList<>()).add(declaration);
            }
            for (List<ResourceDeclaration> level : byLevel.values()) {
                level.sort((a, b) -> a.address().compareTo(b.address()));
                Map<String, List<DataRequest>> reads = new TreeMap<>();
                Map<ResourceAddress, ResourceDeclaration> deferred = new LinkedHashMap<>();
                for (ResourceDeclaration declaration : level) {
                    if (isBlocked(declaration)) {
                        blocked.add(declaration.address());
                        continue;
                    }
                    Attributes arguments = resolve(declaration);
                    if (declaration.address().isData()) {
                        if (arguments.fullyKnown()) {
                            reads.computeIfAbsent(declaration.address().type(), t -> new ArrayList<>())
                                    .add(new DataRequest(declaration.address(), arguments));
                        } else {
                            deferred.put(declaration.address(), declaration);
                            changes.put(declaration.address(), change(declaration, Action.READ, arguments, null, null, List.of(),
                                    Optional.of("it reads values known only during apply"), 1));
                        }
                    } else {
                        planManaged(declaration, arguments);
                    }
                }
                for (Map.Entry<String, List<DataRequest>> batch : reads.entrySet()) {
                    read(batch.getValue());
                }
            }
        }

        private boolean isBlocked(ResourceDeclaration declaration) {
            return declaration.dependencies().stream().anyMatch(blocked::contains);
        }

        private Attributes resolve(ResourceDeclaration declaration) {
            Attributes.Builder builder = Attributes.builder();
            for (Map.Entry<String, Expression> argument : declaration.arguments().entrySet()) {
                Expression expression = argument.getValue();
                if (expression instanceof Expression.Literal literal) {
                    builder.known(argument.getKey(), literal.value());
                } else if (expression instanceof Expression.Secret secret) {
                    builder.secret(argument.getKey(), secret.reference());
                } else if (expression instanceof Expression.Reference reference) {
                    ObjectNode available = outputs.get(reference.address());
                    JsonNode value = available == null ? null : available.get(reference.output());
                    if (value != null) {
                        builder.known(argument.getKey(), value);
                    } else {
                        builder.unknown(argument.getKey());
                    }
                }
            }
            return builder.build();
        }

        private void read(List<DataRequest> requests) {
            DataSourceType type = types.data(requests.get(0).address());
            Map<ResourceAddress, DataResult> results = type.read(requests);
            for (DataRequest request : requests) {
                ResourceDeclaration declaration = configuration.get(request.address()).orElseThrow();
                DataResult result = results.get(request.address());
                if (result instanceof DataResult.Found found) {
                    outputs.put(request.address(), found.outputs());
                    changes.put(request.address(), change(declaration, Action.NOOP, request.arguments(), found.outputs(), null,
                            found.notes(), Optional.empty(), 1));
                } else if (result instanceof DataResult.Failed failed) {
                    problems.add(declaration.origin() + ": " + request.address() + ": " + failed.message());
                    blocked.add(request.address());
                } else {
                    throw new IllegalStateException(type.name() + " gave no result for " + request.address());
                }
            }
        }

        private void planManaged(ResourceDeclaration declaration, Attributes desired) {
            ResourceAddress address = declaration.address();
            ManagedResourceType type = types.managed(address);
            Optional<ResourceState> prior = state.get(address).filter(r -> !r.address().isData());
            Observation observation = observations.get(address);
            Optional<PriorState> priorState = prior.filter(r -> r.id().isPresent() && r.status() != ResourceStatus.CONSUMED)
                    .map(r -> new PriorState(r.id().get(), effectiveArguments(r, observation), r.outputs()));
            PlanResult result;
            try {
                result = type.plan(new PlanRequest(address, desired, priorState));
            } catch (FerryException e) {
                problems.add(declaration.origin() + ": " + address + ": " + e.getMessage());
                blocked.add(address);
                return;
            }
            for (String error : result.errors()) {
                problems.add(declaration.origin() + ": " + address + ": " + error);
            }
            if (!result.errors().isEmpty()) {
                blocked.add(address);
                return;
            }
            Attributes planned = result.planned();
            Classification classification = classify(type, prior, observation, planned);
            ObjectNode available = JsonNodeFactory.instance.objectNode();
            if (classification.action() == Action.NOOP || classification.action() == Action.UPDATE) {
                prior.ifPresent(r -> available.setAll(r.outputs()));
                if (observation instanceof Observation.Exists exists) {
                    available.setAll(exists.outputs());
                }
            }
            available.setAll(result.knownOutputs());
            outputs.put(address, available);
            Change change = change(declaration, classification.action(), planned, available, prior.orElse(null), result.notes(),
                    classification.reason(), classification.generation(), classification.replaceBecause());
            if (prior.isPresent() && observation instanceof Observation.Exists) {
                // show the diff against what is there now, drift included
                change = change.withBefore(effectiveArguments(prior.get(), observation));
            }
            changes.put(address, change);
        }

        private record Classification(Action action, Optional<String> reason, int generation, Set<String> replaceBecause) {
        }

        private Classification classify(ManagedResourceType type, Optional<ResourceState> prior, Observation observation, Attributes planned) {
            if (prior.isEmpty()) {
                return new Classification(Action.CREATE, Optional.empty(), freshGeneration(), Set.of());
            }
            ResourceState recorded = prior.get();
            int generation = recorded.generation();
            switch (recorded.status()) {
                case CREATING -> {
                    return new Classification(Action.CREATE, Optional.of(recorded.operation()
                            .map(op -> "resuming the interrupted create (operation " + op.id() + ")")
                            .orElse("resuming the interrupted create")), generation, Set.of());
                }
                case CONSUMED -> {
                    if (neededAgain.contains(recorded.address())) {
                        return new Classification(Action.CREATE, Optional.of("this staging copy is needed again"), generation + 1, Set.of());
                    }
                    return new Classification(Action.NOOP, Optional.empty(), generation, Set.of());
                }
                case DELETING -> {
                    if (cleanupUnderway(recorded) && !neededAgain.contains(recorded.address())) {
                        // a clean-up cut short: addCleanups finishes it; what the copy fed stays as it is
                        return new Classification(Action.NOOP, Optional.empty(), generation, Set.of());
                    }
                    return new Classification(recorded.id().isPresent() ? Action.REPLACE : Action.CREATE,
                            Optional.of("resuming the interrupted replacement"), generation + 1, Set.of());
                }
                case TAINTED -> {
                    String why = recorded.error().map(e -> "the last attempt failed: " + e).orElse("the last attempt failed");
                    return recorded.id().isPresent() && !type.schema().recordOnly()
                            ? new Classification(Action.REPLACE, Optional.of(why), generation + 1, Set.of())
                            : new Classification(Action.CREATE, Optional.of(why), generation + 1, Set.of());
                }
                case UPDATING -> {
                    return new Classification(Action.UPDATE, Optional.of("resuming the interrupted update"), generation, Set.of());
                }
                case READ, CREATED -> {
                    // compared below
                }
            }
            if (observation instanceof Observation.Gone) {
                return new Classification(Action.CREATE, Optional.of("it was deleted outside ferry"), generation + 1, Set.of());
            }
            if (observation instanceof Observation.Broken broken) {
                return new Classification(Action.REPLACE, Optional.of("it is broken: " + broken.reason()), generation + 1, Set.of());
            }
            ObjectNode before = effectiveArguments(recorded, observation);
            Set<String> changed = new TreeSet<>();
            for (String name : planned.names()) {
                if (planned.isUnknown(name)) {
                    changed.add(name);
                } else if (planned.isSecret(name)) {
                    if (!planned.secret(name).equals(Optional.ofNullable(recorded.secrets().get(name)))) {
                        changed.add(name);
                    }
                } else if (!JsonValues.equal(planned.get(name), before.get(name))) {
                    changed.add(name);
                }
            }
            before.fieldNames().forEachRemaining(name -> {
                if (!planned.has(name)) {
                    changed.add(name);
                }
            });
            if (changed.isEmpty()) {
                return new Classification(Action.NOOP, Optional.empty(), generation, Set.of());
            }
            Set<String> forcing = new TreeSet<>(changed);
            forcing.removeAll(type.schema().updatable());
            if (forcing.isEmpty()) {
                return new Classification(Action.UPDATE, Optional.empty(), generation, Set.of());
            }
            return new Classification(Action.REPLACE, Optional.empty(), generation + 1, forcing);
        }

        /**
         * The generation of something not in the state: above any this address had before in this lineage
         * (it may have been destroyed, or dropped from the file, and made again), so that its identity token,
         * an AWS ClientToken among others, is new. Every generation is at most the serial it was planned at
         * plus one, and applying writes the state, so the serial now is above all of them.
         */
        private int freshGeneration() {
            return (int) Math.min(Integer.MAX_VALUE, state.serial() + 1);
        }

        /**
         * Whether a staging copy being deleted was being cleaned up (everything it fed exists) rather than
         * replaced or removed.
         */
        private boolean cleanupUnderway(ResourceState recorded) {
            return recorded.status() == ResourceStatus.DELETING && !recorded.cleanupAfter().isEmpty()
                    && recorded.cleanupAfter().stream().allMatch(consumer -> state.get(consumer)
                            .map(r -> r.status() == ResourceStatus.CREATED).orElse(false));
        }

        /** The recorded arguments with what refresh observed laid over them. */
        private ObjectNode effectiveArguments(ResourceState recorded, Observation observation) {
            ObjectNode before = recorded.arguments().deepCopy();
            if (observation instanceof Observation.Exists exists) {
                exists.arguments().fields().forEachRemaining(field -> {
                    if (before.has(field.getKey())) {
                        before.set(field.getKey(), field.getValue());
                    }
                });
            }
            return before;
        }

        /** Staging copies already cleaned up whose consumer must be made again: they must be made again too. */
        private Set<ResourceAddress> consumedButNeeded() {
            Set<ResourceAddress> needed = new TreeSet<>();
            for (ResourceDeclaration declaration : configuration.declarations()) {
                Change change = changes.get(declaration.address());
                if (change == null || !(change.action() == Action.CREATE || change.action() == Action.REPLACE
                        || change.action() == Action.READ)) {
                    continue;
                }
                for (ResourceAddress dependency : declaration.dependencies()) {
                    boolean consumed = state.get(dependency).map(r -> r.status() == ResourceStatus.CONSUMED || cleanupUnderway(r))
                            .orElse(false);
                    if (consumed && !neededAgain.contains(dependency)) {
                        needed.add(dependency);
                    }
                }
            }
            return needed;
        }

        /**
         * A staging copy that exists now and will not be replaced is deleted by this apply once what it
         * fed exists (an earlier apply stopped before its clean-up, or made it again).
         */
        private void addCleanups() {
            for (ResourceDeclaration declaration : configuration.declarations()) {
                Change change = changes.get(declaration.address());
                if (change == null || change.action() != Action.NOOP || !declaration.lifecycle().isStagingCopy()) {
                    continue;
                }
                boolean exists = state.get(declaration.address())
                        .map(r -> r.status() == ResourceStatus.CREATED || cleanupUnderway(r)).orElse(false);
                boolean consumersWillExist = declaration.lifecycle().cleanupAfter().stream()
                        .allMatch(consumer -> changes.containsKey(consumer) && changes.get(consumer).action() != Action.DELETE);
                if (exists && consumersWillExist) {
                    changes.put(declaration.address(), change.withAction(Action.CLEANUP));
                }
            }
        }

        /** What state holds that the file no longer declares. */
        private void addOrphans() {
            for (ResourceState resource : state.resources()) {
                if (configuration.contains(resource.address()) || resource.address().isData()
                        || resource.status() == ResourceStatus.CONSUMED) {
                    continue;
                }
                if (observations.get(resource.address()) instanceof Observation.Gone) {
                    continue;
                }
                if (resource.id().isEmpty() && resource.operation().isEmpty() && resource.status() != ResourceStatus.CREATING) {
                    continue;
                }
                if (types.find(resource.address().type()).isEmpty()) {
                    throw new FerryException(resource.address() + " is in the state but no longer in the file, and its provider is not"
                            + " declared under 'providers:', so ferry cannot delete it. Declare that provider again to let ferry remove it");
                }
                Action action = resource.retainOnDestroy() ? Action.FORGET : Action.DELETE;
                changes.put(resource.address(), new Change(resource.address(), action, resource.id(), resource.arguments(),
                        resource.secrets(), null, null, resource.outputs(), null, null, lifecycleOf(resource), resource.dependencies(),
                        null, Optional.of("it is no longer in the file"), resource.generation()));
            }
        }

        private Change change(ResourceDeclaration declaration, Action action, Attributes after, ObjectNode knownOutputs,
                              ResourceState prior, List<Note> notes, Optional<String> reason, int generation) {
            return change(declaration, action, after, knownOutputs, prior, notes, reason, generation, Set.of());
        }

        private Change change(ResourceDeclaration declaration, Action action, Attributes after, ObjectNode knownOutputs,
                              ResourceState prior, List<Note> notes, Optional<String> reason, int generation, Set<String> replaceBecause) {
            return new Change(declaration.address(), action,
                    prior == null ? Optional.empty() : prior.id(),
                    prior == null ? null : prior.arguments(),
                    prior == null ? null : prior.secrets(),
                    after, declaration.arguments(), knownOutputs, replaceBecause, notes, declaration.lifecycle(),
                    List.copyOf(declaration.dependencies()), configuration.migrationsOf(declaration.address()), reason, generation);
        }
    }
}
