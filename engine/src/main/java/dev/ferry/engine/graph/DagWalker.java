package dev.ferry.engine.graph;

import static java.util.Objects.requireNonNull;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import org.jgrapht.Graph;
import org.jgrapht.Graphs;
import org.jgrapht.traverse.TopologicalOrderIterator;

/**
 * Walks a DAG: a vertex runs only after all its predecessors succeeded; at most {@code parallelism}
 * run at once; a vertex naming a limit runs only while that limit has a free slot (others wait in a
 * queue without holding a worker); a vertex whose predecessor failed is
 * skipped, and so is everything after it, while independent branches go on. When cancelled, nothing
 * new starts and the walk ends once the running vertices return.
 *
 * <p>Of the vertices ready to run, those that need a limited slot go first while the limit has room (a
 * limit is what a cloud rations, so a free slot left idle is time lost for good: five exports should not wait
 * for workers busy with the next AMIs); then those with the longest chain of vertices still after them, then
 * those that more vertices wait for directly, then first come, first served. When workers are scarce, the
 * step that gates the most work (the role and bucket policy every export needs) is not left behind twenty
 * independent ones.
 */
public final class DagWalker<V> {

    public enum Status { SUCCEEDED, FAILED, SKIPPED, CANCELLED }

    /** Runs one vertex; returns whether it succeeded. An exception counts as a failure. */
    @FunctionalInterface
    public interface Visitor<V> {
        boolean visit(V vertex) throws Exception;
    }

    /** Hears about scheduling; called while the walker holds its lock, so keep it quick. */
    public interface Listener<V> {
        default void queued(V vertex, String limit) {
        }

        default void skipped(V vertex, V cause) {
        }
    }

    /** How every vertex ended, and for skipped ones which failure caused it. */
    public record Result<V>(Map<V, Status> statuses, Map<V, V> skippedBecause, Map<V, Throwable> errors) {
        public List<V> with(Status status) {
            return statuses.entrySet().stream().filter(e -> e.getValue() == status).map(Map.Entry::getKey).toList();
        }

        public boolean allSucceeded() {
            return statuses.values().stream().allMatch(s -> s == Status.SUCCEEDED);
        }
    }

    private final Graph<V, ?> graph;
    private final int parallelism;
    private final Map<String, Integer> capacities;
    private final Function<V, Set<String>> limitsOf;
    private final Comparator<V> order;
    private final Listener<V> listener;

    public DagWalker(Graph<V, ?> graph, int parallelism, Map<String, Integer> capacities, Function<V, Set<String>> limitsOf,
                     Comparator<V> order, Listener<V> listener) {
        if (parallelism < 1) {
            throw new IllegalArgumentException("parallelism must be at least 1");
        }
        this.graph = requireNonNull(graph, "graph is null");
        this.parallelism = parallelism;
        capacities.forEach((limit, capacity) -> {
            if (capacity < 1) {
                throw new IllegalArgumentException("limit " + limit + " has capacity " + capacity + "; it must be at least 1");
            }
        });
        this.capacities = Map.copyOf(capacities);
        this.limitsOf = requireNonNull(limitsOf, "limitsOf is null");
        this.order = requireNonNull(order, "order is null");
        this.listener = requireNonNull(listener, "listener is null");
    }

    public Result<V> walk(Visitor<V> visitor, BooleanSupplier cancelled) {
        return new Walk(visitor, cancelled).run();
    }

    private final class Walk {
        private final Visitor<V> visitor;
        private final BooleanSupplier cancelled;
        private final Object lock = new Object();
        private final Map<V, Integer> waitingFor = new HashMap<>();
        private final Map<V, Integer> height = new HashMap<>();
        private final TreeSet<Ready<V>> ready = new TreeSet<>();
        private final Map<V, Ready<V>> readyEntries = new HashMap<>();
        private long arrivals;
        private final Map<V, Status> statuses = new LinkedHashMap<>();
        private final Map<V, V> skippedBecause = new LinkedHashMap<>();
        private final Map<V, Throwable> errors = Collections.synchronizedMap(new LinkedHashMap<>());
        private final Map<String, Integer> inUse = new HashMap<>();
        private final Set<V> announcedQueued = new HashSet<>();
        private ExecutorService workers;
        private int running;

        Walk(Visitor<V> visitor, BooleanSupplier cancelled) {
            this.visitor = visitor;
            this.cancelled = cancelled;
        }

        Result<V> run() {
            List<V> roots = new ArrayList<>();
            for (V vertex : graph.vertexSet()) {
                int degree = graph.inDegreeOf(vertex);
                waitingFor.put(vertex, degree);
                if (degree == 0) {
                    roots.add(vertex);
                }
            }
            measureHeights();
            roots.sort(order);
            makeReady(roots);
            workers = Executors.newFixedThreadPool(Math.min(parallelism, Math.max(1, graph.vertexSet().size())), daemonThreads());
            try {
                synchronized (lock) {
                    while (true) {
                        boolean stopping = cancelled.getAsBoolean();
                        if (!stopping) {
                            dispatch();
                        }
                        if (running == 0 && (stopping || ready.isEmpty())) {
                            break;
                        }
                        try {
                            lock.wait(stopping ? 50 : 100);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            // Keep waiting for running vertices: their results must be recorded.
                        }
                    }
                }
            } finally {
                workers.shutdownNow();
            }
            for (V vertex : graph.vertexSet()) {
                statuses.putIfAbsent(vertex, Status.CANCELLED);
            }
            return new Result<>(Map.copyOf(statuses), Map.copyOf(skippedBecause), Map.copyOf(errors));
        }

        /** How many vertices, at most, follow each one on a path to the end of the graph. */
        private void measureHeights() {
            List<V> topological = new ArrayList<>(graph.vertexSet().size());
            new TopologicalOrderIterator<>(graph).forEachRemaining(topological::add);
            for (int i = topological.size() - 1; i >= 0; i--) {
                V vertex = topological.get(i);
                int longest = 0;
                for (V next : Graphs.successorListOf(graph, vertex)) {
                    longest = Math.max(longest, height.get(next) + 1);
                }
                height.put(vertex, longest);
            }
        }

        private void makeReady(List<V> vertices) {
            for (V vertex : vertices) {
                boolean rationed = limitsOf.apply(vertex).stream().anyMatch(capacities::containsKey);
                Ready<V> entry = new Ready<>(vertex, rationed, height.get(vertex), graph.outDegreeOf(vertex), arrivals++);
                ready.add(entry);
                readyEntries.put(vertex, entry);
            }
        }

        /** Starts ready vertices while workers and their limits allow, longest chain ahead first. */
        private void dispatch() {
            Iterator<Ready<V>> candidates = ready.iterator();
            while (running < parallelism && candidates.hasNext()) {
                V vertex = candidates.next().vertex();
                Set<String> limits = limitsOf.apply(vertex);
                String full = firstFull(limits);
                if (full != null) {
                    if (announcedQueued.add(vertex)) {
                        listener.queued(vertex, full);
                    }
                    continue;
                }
                candidates.remove();
                readyEntries.remove(vertex);
                for (String limit : limits) {
                    inUse.merge(limit, 1, Integer::sum);
                }
                running++;
                workers.execute(() -> execute(vertex, limits));
            }
        }

        private String firstFull(Set<String> limits) {
            for (String limit : limits) {
                Integer capacity = capacities.get(limit);
                if (capacity != null && inUse.getOrDefault(limit, 0) >= capacity) {
                    return limit;
                }
            }
            return null;
        }

        private void execute(V vertex, Set<String> limits) {
            boolean succeeded;
            try {
                succeeded = visitor.visit(vertex);
            } catch (Throwable e) {
                errors.put(vertex, e);
                succeeded = false;
            }
            // The worker records its result and starts what became ready itself: no hand-off to the
            // walking thread per vertex, which matters when thousands of steps finish in microseconds.
            synchronized (lock) {
                running--;
                for (String limit : limits) {
                    inUse.merge(limit, -1, Integer::sum);
                }
                if (succeeded) {
                    statuses.put(vertex, Status.SUCCEEDED);
                    List<V> unlocked = new ArrayList<>();
                    for (V next : Graphs.successorListOf(graph, vertex)) {
                        if (statuses.containsKey(next)) {
                            continue;
                        }
                        int remaining = waitingFor.merge(next, -1, Integer::sum);
                        if (remaining == 0) {
                            unlocked.add(next);
                        }
                    }
                    unlocked.sort(order);
                    makeReady(unlocked);
                } else {
                    statuses.put(vertex, Status.FAILED);
                    skipDescendants(vertex);
                }
                if (!cancelled.getAsBoolean()) {
                    dispatch();
                }
                if (running == 0) {
                    lock.notifyAll();
                }
            }
        }

        private void skipDescendants(V failed) {
            Deque<V> pending = new ArrayDeque<>(Graphs.successorListOf(graph, failed));
            while (!pending.isEmpty()) {
                V vertex = pending.pop();
                if (statuses.containsKey(vertex)) {
                    continue;
                }
                statuses.put(vertex, Status.SKIPPED);
                skippedBecause.put(vertex, failed);
                Ready<V> entry = readyEntries.remove(vertex);
                if (entry != null) {
                    ready.remove(entry);
                }
                listener.skipped(vertex, failed);
                pending.addAll(Graphs.successorListOf(graph, vertex));
            }
        }
    }

    /**
     * A vertex waiting to run: one that needs a limited slot first; then the longer the chain after it, the
     * sooner; then the more vertices wait for it, the sooner; then in order of arrival.
     */
    private record Ready<V>(V vertex, boolean rationed, int height, int waitedFor, long arrival) implements Comparable<Ready<V>> {
        @Override
        public int compareTo(Ready<V> other) {
            if (rationed != other.rationed) {
                return rationed ? -1 : 1;
            }
            int byHeight = Integer.compare(other.height, height);
            if (byHeight != 0) {
                return byHeight;
            }
            int byWaiting = Integer.compare(other.waitedFor, waitedFor);
            return byWaiting != 0 ? byWaiting : Long.compare(arrival, other.arrival);
        }
    }

    private static ThreadFactory daemonThreads() {
        AtomicInteger counter = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, "ferry-step-" + counter.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
