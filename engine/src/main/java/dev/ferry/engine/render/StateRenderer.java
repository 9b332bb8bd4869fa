package dev.ferry.engine.render;

import dev.ferry.engine.state.ResourceState;
import dev.ferry.engine.state.State;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** State for people: {@code ferry state list}, {@code ferry state show ADDRESS}, {@code ferry show}. */
public final class StateRenderer {

    private StateRenderer() {
    }

    public static String list(State state) {
        StringBuilder out = new StringBuilder();
        for (ResourceState resource : state.resources()) {
            out.append(resource.address());
            String status = resource.status().name().toLowerCase(Locale.ROOT);
            if (!status.equals("created") && !status.equals("read")) {
                out.append("  (").append(status).append(resource.operation().map(op -> ", operation " + op.id()).orElse("")).append(')');
            }
            out.append('\n');
        }
        return out.toString();
    }

    public static String show(ResourceState resource) {
        StringBuilder out = new StringBuilder();
        out.append("# ").append(resource.address()).append(":\n");
        out.append(resource.address().isData() ? "data" : "resource").append(" \"").append(resource.address().type()).append("\" \"")
                .append(resource.address().name()).append("\" {\n");
        List<String[]> fields = new ArrayList<>();
        resource.id().ifPresent(id -> fields.add(new String[] {"id", Values.quote(id)}));
        fields.add(new String[] {"status", Values.quote(resource.status().name().toLowerCase(Locale.ROOT))});
        resource.operation().ifPresent(op -> fields.add(new String[] {"operation", Values.quote(op.kind() + " " + op.id() + " (" + op.phase() + ")")}));
        resource.error().ifPresent(error -> fields.add(new String[] {"last_error", Values.quote(error)}));
        int width = 0;
        List<String> names = new ArrayList<>();
        resource.arguments().fieldNames().forEachRemaining(names::add);
        names.addAll(resource.secrets().keySet());
        for (String[] field : fields) {
            width = Math.max(width, field[0].length());
        }
        for (String name : names) {
            width = Math.max(width, name.length());
        }
        for (String[] field : fields) {
            out.append("    ").append(Values.pad(field[0], width)).append(" = ").append(field[1]).append('\n');
        }
        final int pad = width;
        resource.arguments().fields().forEachRemaining(field -> {
            List<String> value = Values.format(field.getValue(), "    ");
            out.append("    ").append(Values.pad(field.getKey(), pad)).append(" = ").append(String.join("\n", value)).append('\n');
        });
        resource.secrets().keySet().forEach(name -> out.append("    ").append(Values.pad(name, pad)).append(" = (sensitive)\n"));
        out.append("}\n");
        if (resource.outputs().size() > 0) {
            out.append("outputs {\n");
            int outputWidth = 0;
            for (var it = resource.outputs().fieldNames(); it.hasNext(); ) {
                outputWidth = Math.max(outputWidth, it.next().length());
            }
            final int outputPad = outputWidth;
            resource.outputs().fields().forEachRemaining(field -> out.append("    ").append(Values.pad(field.getKey(), outputPad))
                    .append(" = ").append(String.join("\n", Values.format(field.getValue(), "    "))).append('\n'));
            out.append("}\n");
        }
        return out.toString();
    }

    public static String summary(State state, String where) {
        if (state.isEmpty()) {
            return "The state is empty: ferry has made nothing yet (" + where + ").\n";
        }
        StringBuilder out = new StringBuilder();
        out.append("State ").append(where).append(" (lineage ").append(state.lineage()).append(", serial ").append(state.serial())
                .append("):\n\n");
        for (ResourceState resource : state.resources()) {
            out.append(show(resource)).append('\n');
        }
        return out.toString();
    }
}
