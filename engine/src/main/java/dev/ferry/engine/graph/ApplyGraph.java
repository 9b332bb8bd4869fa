package dev.ferry.engine.graph;

import dev.ferry.engine.FerryException;
import dev.ferry.engine.plan.Action;
import dev.ferry.engine.plan.Change;
import dev.ferry.engine.plan.Plan;
import dev.ferry.engine.resource.ResourceAddress;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.jgrapht.Graph;
import org.jgrapht.alg.cycle.CycleDetector;
import org.jgrapht.graph.DefaultDirectedGraph;
import org.jgrapht.graph.DefaultEdge;

/**
 * The graph apply walks, built from the plan's changes — never from the file, so apply can only do
 * what the plan showed. It is made by a short list of transformations, each adding one kind of
 * vertex or edge, then checked for cycles (terraform's graph builder, in miniature).
 */
public final class ApplyGraph {

    private final Graph<Step, DefaultEdge> graph;
    private final Map<ResourceAddress, Change> changes;

    private ApplyGraph(Graph<Step, DefaultEdge> graph, Map<ResourceAddress, Change> changes) {
        this.graph = graph;
        this.changes = changes;
    }

    public static ApplyGraph build(Plan plan) {
        Map<ResourceAddress, Change> changes = new HashMap<>();
        plan.changes().forEach(change -> changes.put(change.address(), change));
        Graph<Step, DefaultEdge> graph = new DefaultDirectedGraph<>(DefaultEdge.class);
        Builder builder = new Builder(graph, changes);
        List<Consumer<Builder>> transformers = List.of(
                // one or two steps per change: a replacement is a delete then a create
                Builder::addChangeSteps,
                // staging copies made by this apply are cleaned up by it too, when the policy says so
                Builder::addCleanupSteps,
                // a resource is created after everything it refers to, seen through unchanged resources
                Builder::addDependencyEdges,
                // deletion runs the other way: what uses a resource goes before it
                Builder::addDestroyEdges,
                // a staging copy goes only once its consumers exist and nothing still reads it
                Builder::addCleanupEdges);
        transformers.forEach(transformer -> transformer.accept(builder));
        checkAcyclic(graph);
        return new ApplyGraph(graph, changes);
    }

    public Graph<Step, DefaultEdge> graph() {
        return graph;
    }

    public Change change(Step step) {
        return changes.get(step.address());
    }

    public Set<Step> steps() {
        return graph.vertexSet();
    }

    private static void checkAcyclic(Graph<Step, DefaultEdge> graph) {
        CycleDetector<Step, DefaultEdge> detector = new CycleDetector<>(graph);
        if (detector.detectCycles()) {
            throw new FerryException("the changes depend on each other in a cycle: "
                    + detector.findCycles().stream().map(Step::toString).sorted().collect(Collectors.joining(", ")));
        }
    }

    private static final class Builder {
        private final Graph<Step, DefaultEdge> graph;
        private final Map<ResourceAddress, Change> changes;

        Builder(Graph<Step, DefaultEdge> graph, Map<ResourceAddress, Change> changes) {
            this.graph = graph;
            this.changes = changes;
        }

        void addChangeSteps() {
            for (Change change : changes.values()) {
                ResourceAddress address = change.address();
                switch (change.action()) {
                    case CREATE -> graph.addVertex(new Step(Step.Kind.CREATE, address));
                    case UPDATE -> graph.addVertex(new Step(Step.Kind.UPDATE, address));
                    case REPLACE -> {
                        Step delete = new Step(Step.Kind.DELETE, address);
                        Step create = new Step(Step.Kind.CREATE, address);
                        graph.addVertex(delete);
                        graph.addVertex(create);
                        graph.addEdge(delete, create);
                    }
                    case DELETE -> graph.addVertex(new Step(Step.Kind.DELETE, address));
                    case READ -> graph.addVertex(new Step(Step.Kind.READ, address));
                    case CLEANUP -> graph.addVertex(new Step(Step.Kind.CLEANUP, address));
                    case FORGET -> graph.addVertex(new Step(Step.Kind.FORGET, address));
                    case NOOP -> { }
                }
            }
        }

        void addCleanupSteps() {
            for (Change change : changes.values()) {
                boolean made = change.action() == Action.CREATE || change.action() == Action.REPLACE || change.action() == Action.UPDATE;
                if (made && change.lifecycle().isStagingCopy()) {
                    graph.addVertex(new Step(Step.Kind.CLEANUP, change.address()));
                }
            }
        }

        void addDependencyEdges() {
            for (Step step : Set.copyOf(graph.vertexSet())) {
                if (!step.isForward()) {
                    continue;
                }
                for (Step dependency : forwardDependencies(step.address())) {
                    graph.addEdge(dependency, step);
                }
            }
        }

        /** The forward steps {@code address} waits for, looking through resources that do not change. */
        private Set<Step> forwardDependencies(ResourceAddress address) {
            Set<Step> found = new LinkedHashSet<>();
            Set<ResourceAddress> seen = new HashSet<>();
            Deque<ResourceAddress> pending = new ArrayDeque<>(changes.get(address).dependencies());
            while (!pending.isEmpty()) {
                ResourceAddress dependency = pending.pop();
                if (!seen.add(dependency)) {
                    continue;
                }
                Optional<Step> forward = forwardStep(dependency);
                if (forward.isPresent()) {
                    found.add(forward.get());
                } else if (changes.containsKey(dependency)) {
                    pending.addAll(changes.get(dependency).dependencies());
                }
            }
            return found;
        }

        private Optional<Step> forwardStep(ResourceAddress address) {
            for (Step.Kind kind : List.of(Step.Kind.CREATE, Step.Kind.UPDATE, Step.Kind.READ)) {
                Step step = new Step(kind, address);
                if (graph.containsVertex(step)) {
                    return Optional.of(step);
                }
            }
            return Optional.empty();
        }

        void addDestroyEdges() {
            for (Step step : Set.copyOf(graph.vertexSet())) {
                if (step.kind() != Step.Kind.DELETE) {
                    continue;
                }
                for (ResourceAddress dependency : changes.get(step.address()).dependencies()) {
                    Step deleteDependency = new Step(Step.Kind.DELETE, dependency);
                    if (graph.containsVertex(deleteDependency)) {
                        graph.addEdge(step, deleteDependency);
                    }
                }
            }
        }

        void addCleanupEdges() {
            Map<ResourceAddress, Set<ResourceAddress>> dependents = new HashMap<>();
            for (Change change : changes.values()) {
                for (ResourceAddress dependency : change.dependencies()) {
                    dependents.computeIfAbsent(dependency, d -> new TreeSet<>()).add(change.address());
                }
            }
            for (Step cleanup : Set.copyOf(graph.vertexSet())) {
                if (cleanup.kind() != Step.Kind.CLEANUP) {
                    continue;
                }
                Change change = changes.get(cleanup.address());
                forwardStep(cleanup.address()).ifPresent(made -> graph.addEdge(made, cleanup));
                for (ResourceAddress consumer : change.lifecycle().cleanupAfter()) {
                    forwardStep(consumer).ifPresent(step -> graph.addEdge(step, cleanup));
                }
                for (ResourceAddress dependent : dependents.getOrDefault(cleanup.address(), Set.of())) {
                    forwardStep(dependent).ifPresent(step -> graph.addEdge(step, cleanup));
                    Step dependentCleanup = new Step(Step.Kind.CLEANUP, dependent);
                    if (graph.containsVertex(dependentCleanup)) {
                        graph.addEdge(dependentCleanup, cleanup);
                    }
                }
            }
        }
    }
}
