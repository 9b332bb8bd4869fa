package dev.ferry.engine.render;

import dev.ferry.engine.expand.Configuration;
import dev.ferry.engine.graph.ApplyGraph;
import dev.ferry.engine.graph.Step;
import dev.ferry.engine.resource.ResourceAddress;
import dev.ferry.engine.resource.ResourceDeclaration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.jgrapht.graph.DefaultEdge;

/** Graphs for {@code ferry graph}: the resources and their references, or the steps an apply would take; DOT or Mermaid. */
public final class GraphRenderer {

    public enum Format { DOT, MERMAID }

    private GraphRenderer() {
    }

    public static String resources(Configuration configuration, Format format) {
        List<String[]> edges = new ArrayList<>();
        TreeSet<String> nodes = new TreeSet<>();
        for (ResourceDeclaration declaration : configuration.declarations()) {
            nodes.add(declaration.address().toString());
            for (ResourceAddress dependency : declaration.dependencies()) {
                edges.add(new String[] {dependency.toString(), declaration.address().toString()});
            }
        }
        return render(nodes, edges, format);
    }

    public static String steps(ApplyGraph graph, Format format) {
        TreeSet<String> nodes = new TreeSet<>();
        List<String[]> edges = new ArrayList<>();
        for (Step step : graph.steps()) {
            nodes.add(step.toString());
        }
        for (DefaultEdge edge : graph.graph().edgeSet()) {
            edges.add(new String[] {graph.graph().getEdgeSource(edge).toString(), graph.graph().getEdgeTarget(edge).toString()});
        }
        return render(nodes, edges, format);
    }

    private static String render(TreeSet<String> nodes, List<String[]> edges, Format format) {
        edges.sort((a, b) -> (a[0] + a[1]).compareTo(b[0] + b[1]));
        StringBuilder out = new StringBuilder();
        if (format == Format.DOT) {
            out.append("digraph ferry {\n  rankdir = \"LR\";\n  node [shape = box];\n");
            nodes.forEach(node -> out.append("  \"").append(node).append("\";\n"));
            edges.forEach(edge -> out.append("  \"").append(edge[0]).append("\" -> \"").append(edge[1]).append("\";\n"));
            out.append("}\n");
        } else {
            Map<String, String> ids = new HashMap<>();
            out.append("flowchart LR\n");
            int next = 0;
            for (String node : nodes) {
                String id = "n" + next++;
                ids.put(node, id);
                out.append("  ").append(id).append("[\"").append(node).append("\"]\n");
            }
            edges.forEach(edge -> out.append("  ").append(ids.get(edge[0])).append(" --> ").append(ids.get(edge[1])).append('\n'));
        }
        return out.toString();
    }
}
