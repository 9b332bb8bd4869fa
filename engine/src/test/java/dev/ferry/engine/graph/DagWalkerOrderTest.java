package dev.ferry.engine.graph;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jgrapht.Graph;
import org.jgrapht.graph.DefaultDirectedGraph;
import org.jgrapht.graph.DefaultEdge;
import org.junit.jupiter.api.Test;

/** Which ready vertex runs first when workers or a limit are scarce. */
class DagWalkerOrderTest {

    @Test
    void theVertexWithTheLongestChainAfterItGoesBeforeIndependentOnes() {
        // The shape of many migrations: a bucket every export waits for, and leaves that gate nothing.
        Graph<String, DefaultEdge> graph = new DefaultDirectedGraph<>(DefaultEdge.class);
        for (String vertex : List.of("a-leaf-1", "a-leaf-2", "a-leaf-3", "z-bucket", "z-export", "z-upload")) {
            graph.addVertex(vertex);
        }
        graph.addEdge("z-bucket", "z-export");
        graph.addEdge("z-export", "z-upload");

        // z-upload, last of its chain, has nothing after it either: it waits its turn behind the leaves.
        assertThat(walkOneAtATime(graph, Map.of())).containsExactly("z-bucket", "z-export", "a-leaf-1", "a-leaf-2", "a-leaf-3",
                "z-upload");
    }

    @Test
    void amongEqualChainsTheVertexMoreWaitForGoesFirst() {
        // A role every export needs, and AMIs each one export needs: all have one step after them.
        Graph<String, DefaultEdge> graph = new DefaultDirectedGraph<>(DefaultEdge.class);
        for (String vertex : List.of("ami-1", "ami-2", "export-1", "export-2", "role")) {
            graph.addVertex(vertex);
        }
        graph.addEdge("ami-1", "export-1");
        graph.addEdge("ami-2", "export-2");
        graph.addEdge("role", "export-1");
        graph.addEdge("role", "export-2");

        assertThat(walkOneAtATime(graph, Map.of())).containsExactly("role", "ami-1", "ami-2", "export-1", "export-2");
    }

    @Test
    void aVertexNeedingALimitedSlotGoesFirstWhileTheLimitHasRoom() {
        // The next AMI has more after it than a ready export, but the export keeps AWS's conversion slots busy.
        Graph<String, DefaultEdge> graph = new DefaultDirectedGraph<>(DefaultEdge.class);
        for (String vertex : List.of("ami-2", "export-1", "export-2", "upload-2", "export-3")) {
            graph.addVertex(vertex);
        }
        graph.addEdge("ami-2", "export-2");
        graph.addEdge("export-2", "upload-2");
        List<String> visited = Collections.synchronizedList(new java.util.ArrayList<>());
        DagWalker<String> walker = new DagWalker<>(graph, 1, Map.of("conversions", 1),
                vertex -> vertex.startsWith("export") ? Set.of("conversions") : Set.of(), Comparator.naturalOrder(),
                new DagWalker.Listener<>() { });

        walker.walk(vertex -> {
            visited.add(vertex);
            return true;
        }, () -> false);

        assertThat(visited).containsExactly("export-1", "export-3", "ami-2", "export-2", "upload-2");
    }

    @Test
    void amongEqualChainsTheGivenOrderDecides() {
        Graph<String, DefaultEdge> graph = new DefaultDirectedGraph<>(DefaultEdge.class);
        for (String vertex : List.of("c", "a", "b")) {
            graph.addVertex(vertex);
        }

        assertThat(walkOneAtATime(graph, Map.of())).containsExactly("a", "b", "c");
    }

    @Test
    void aVertexQueuedOnAFullLimitDoesNotHoldBackOthers() {
        Graph<String, DefaultEdge> graph = new DefaultDirectedGraph<>(DefaultEdge.class);
        for (String vertex : List.of("export-1", "export-2", "leaf")) {
            graph.addVertex(vertex);
        }
        CountDownLatch leafRan = new CountDownLatch(1);
        AtomicBoolean leafRanBesideExport = new AtomicBoolean();
        DagWalker<String> walker = new DagWalker<>(graph, 2, Map.of("conversions", 1),
                vertex -> vertex.startsWith("export") ? Set.of("conversions") : Set.of(), Comparator.naturalOrder(),
                new DagWalker.Listener<>() { });

        DagWalker.Result<String> result = walker.walk(vertex -> {
            if (vertex.equals("leaf")) {
                leafRan.countDown();
            } else if (vertex.equals("export-1")) {
                leafRanBesideExport.set(leafRan.await(10, TimeUnit.SECONDS));
            }
            return true;
        }, () -> false);

        assertThat(result.statuses().values()).containsOnly(DagWalker.Status.SUCCEEDED);
        assertThat(leafRanBesideExport).as("the leaf runs beside export-1 while export-2 waits for the limit").isTrue();
    }

    private static List<String> walkOneAtATime(Graph<String, DefaultEdge> graph, Map<String, Integer> capacities) {
        List<String> visited = Collections.synchronizedList(new java.util.ArrayList<>());
        DagWalker<String> walker = new DagWalker<>(graph, 1, capacities, vertex -> Set.of(), Comparator.naturalOrder(),
                new DagWalker.Listener<>() { });
        walker.walk(vertex -> {
            visited.add(vertex);
            return true;
        }, () -> false);
        return visited;
    }
}
