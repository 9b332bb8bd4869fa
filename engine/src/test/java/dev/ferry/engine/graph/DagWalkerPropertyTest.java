package dev.ferry.engine.graph;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.jgrapht.Graph;
import org.jgrapht.Graphs;
import org.jgrapht.graph.DefaultDirectedGraph;
import org.jgrapht.graph.DefaultEdge;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Walks many random DAGs with random parallelism, limits and failures, and checks the walker's
 * promises on every one: each vertex starts only after all its predecessors succeeded, the
 * parallelism and every named limit are never exceeded, and failures skip exactly their descendants.
 */
class DagWalkerPropertyTest {

    @ParameterizedTest(name = "seed block {0}")
    @ValueSource(ints = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9})
    void keepsItsPromisesOnRandomGraphs(int block) {
        for (int seed = block * 25; seed < block * 25 + 25; seed++) {
            check(new Random(seed), seed);
        }
    }

    private static void check(Random random, int seed) {
        int size = 1 + random.nextInt(60);
        double density = random.nextDouble() * 0.2;
        Graph<Integer, DefaultEdge> graph = new DefaultDirectedGraph<>(DefaultEdge.class);
        for (int i = 0; i < size; i++) {
            graph.addVertex(i);
        }
        for (int i = 0; i < size; i++) {
            for (int j = i + 1; j < size; j++) {
                if (random.nextDouble() < density) {
                    graph.addEdge(i, j);
                }
            }
        }
        int parallelism = 1 + random.nextInt(8);
        Map<String, Integer> capacities = Map.of("a", 1 + random.nextInt(3), "b", 1 + random.nextInt(2));
        Map<Integer, Set<String>> limits = new HashMap<>();
        Set<Integer> failing = new HashSet<>();
        for (int i = 0; i < size; i++) {
            Set<String> mine = new HashSet<>();
            if (random.nextDouble() < 0.3) {
                mine.add("a");
            }
            if (random.nextDouble() < 0.2) {
                mine.add("b");
            }
            limits.put(i, mine);
            if (random.nextDouble() < 0.1) {
                failing.add(i);
            }
        }

        Set<Integer> succeeded = ConcurrentHashMap.newKeySet();
        Set<Integer> started = ConcurrentHashMap.newKeySet();
        AtomicInteger running = new AtomicInteger();
        AtomicInteger maxRunning = new AtomicInteger();
        Map<String, AtomicInteger> inLimit = Map.of("a", new AtomicInteger(), "b", new AtomicInteger());
        Map<String, AtomicInteger> maxInLimit = Map.of("a", new AtomicInteger(), "b", new AtomicInteger());
        Set<String> violations = ConcurrentHashMap.newKeySet();

        DagWalker<Integer> walker = new DagWalker<>(graph, parallelism, capacities, limits::get, Comparator.naturalOrder(),
                new DagWalker.Listener<>() { });
        DagWalker.Result<Integer> result = walker.walk(vertex -> {
            started.add(vertex);
            for (Integer predecessor : Graphs.predecessorListOf(graph, vertex)) {
                if (!succeeded.contains(predecessor)) {
                    violations.add(vertex + " started before " + predecessor + " succeeded");
                }
            }
            maxRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
            for (String limit : limits.get(vertex)) {
                maxInLimit.get(limit).accumulateAndGet(inLimit.get(limit).incrementAndGet(), Math::max);
            }
            Thread.sleep(random.nextInt(2));
            for (String limit : limits.get(vertex)) {
                inLimit.get(limit).decrementAndGet();
            }
            running.decrementAndGet();
            if (failing.contains(vertex)) {
                return false;
            }
            succeeded.add(vertex);
            return true;
        }, () -> false);

        String context = "seed " + seed + " (" + size + " vertices, parallelism " + parallelism + ", capacities " + capacities + ")";
        assertThat(violations).as(context).isEmpty();
        assertThat(maxRunning.get()).as(context).isLessThanOrEqualTo(parallelism);
        assertThat(maxInLimit.get("a").get()).as(context).isLessThanOrEqualTo(capacities.get("a"));
        assertThat(maxInLimit.get("b").get()).as(context).isLessThanOrEqualTo(capacities.get("b"));

        Set<Integer> shouldBeSkipped = new HashSet<>();
        for (Integer vertex : graph.vertexSet()) {
            if (result.statuses().get(vertex) == DagWalker.Status.FAILED) {
                shouldBeSkipped.addAll(descendants(graph, vertex));
            }
        }
        for (Integer vertex : graph.vertexSet()) {
            DagWalker.Status expected = shouldBeSkipped.contains(vertex) ? DagWalker.Status.SKIPPED
                    : failing.contains(vertex) ? DagWalker.Status.FAILED : DagWalker.Status.SUCCEEDED;
            assertThat(result.statuses().get(vertex)).as(context + ", vertex " + vertex).isEqualTo(expected);
            assertThat(started.contains(vertex)).as(context + ", vertex " + vertex + " ran").isEqualTo(expected != DagWalker.Status.SKIPPED);
        }
    }

    private static Set<Integer> descendants(Graph<Integer, DefaultEdge> graph, Integer start) {
        Set<Integer> found = new HashSet<>();
        Deque<Integer> pending = new ArrayDeque<>(Graphs.successorListOf(graph, start));
        while (!pending.isEmpty()) {
            Integer next = pending.pop();
            if (found.add(next)) {
                pending.addAll(Graphs.successorListOf(graph, next));
            }
        }
        return found;
    }
}
