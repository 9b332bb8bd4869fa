package dev.ferry.engine.render;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.engine.plan.Action;
import dev.ferry.engine.plan.Change;
import dev.ferry.engine.plan.Drift;
import dev.ferry.engine.plan.Plan;
import dev.ferry.engine.provider.Note;
import dev.ferry.engine.resource.ResourceAddress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * A plan as a person reads it, in Terraform's shape: what changed outside ferry, then each change
 * with its arguments before and after ({@code +} create, {@code ~} update in place, {@code -/+}
 * replace, {@code -} destroy, {@code <=} read), the provider's notes and warnings, and the summary
 * line {@code Plan: N to add, N to change, N to destroy.} or {@code No changes.}
 */
public final class PlanRenderer {

    private static final String KNOWN_AFTER_APPLY = "(known after apply)";
    private static final String SENSITIVE = "(sensitive)";

    private final Style style;

    public PlanRenderer(Style style) {
        this.style = style;
    }

    public String render(Plan plan) {
        StringBuilder out = new StringBuilder();
        if (!plan.drift().isEmpty()) {
            renderDrift(plan, out);
        }
        List<Change> changes = shown(plan);
        if (changes.isEmpty()) {
            out.append(style.bold("No changes.")).append(plan.destroy()
                    ? " Nothing in the state to destroy."
                    : plan.partial() ? " The part of the migration file this plan covers matches the clouds."
                    : " The clouds match the migration file; there is nothing to do.").append('\n');
            // a partial plan says so even when it has nothing to do
            plan.warnings().forEach(warning -> out.append('\n').append(style.yellow(style.bold("Warning: "))).append(warning).append('\n'));
            return out.toString();
        }
        out.append("ferry will perform the following actions:\n\n");
        for (Change change : changes) {
            renderChange(change, out);
            out.append('\n');
        }
        out.append(summaryLine(plan)).append('\n');
        cleanupLine(plan).ifPresent(line -> out.append(line).append('\n'));
        List<String> warnings = warnings(plan);
        if (!warnings.isEmpty()) {
            out.append('\n').append(style.yellow(style.bold("Warnings:"))).append('\n');
            warnings.forEach(warning -> out.append("  - ").append(warning).append('\n'));
        }
        return out.toString();
    }

    /** The changes worth showing, ordered: deletions and cleanups last, otherwise by address. */
    static List<Change> shown(Plan plan) {
        return plan.changes().stream()
                .filter(change -> change.action().isChange())
                .sorted(Comparator.comparing((Change c) -> c.action() == Action.DELETE || c.action() == Action.CLEANUP
                        || c.action() == Action.FORGET).thenComparing(Change::address))
                .toList();
    }

    public static String summaryLine(Plan plan) {
        Plan.Summary summary = plan.summary();
        if (!plan.hasChanges()) {
            return "No changes.";
        }
        return "Plan: " + summary.add() + " to add, " + summary.change() + " to change, " + summary.destroy() + " to destroy.";
    }

    /** A second line for what Terraform has no word for: staging copies cleaned up, resources kept and forgotten. */
    static Optional<String> cleanupLine(Plan plan) {
        long cleaned = plan.summary().cleanup();
        long forgotten = plan.summary().forget();
        List<String> parts = new ArrayList<>();
        if (cleaned > 0) {
            parts.add(cleaned + " staging " + (cleaned == 1 ? "copy" : "copies")
                    + " to delete once imported (staging.cleanup: delete-after-import)");
        }
        if (forgotten > 0) {
            parts.add(forgotten + " to keep in the cloud and remove from state (staging.cleanup: keep)");
        }
        return parts.isEmpty() ? Optional.empty() : Optional.of("Also: " + String.join("; ", parts) + ".");
    }

    static List<String> warnings(Plan plan) {
        return plan.allWarnings();
    }

    private void renderDrift(Plan plan, StringBuilder out) {
        out.append(style.bold("Note: Objects have changed outside of ferry")).append("\n\n");
        out.append("ferry detected the following changes made outside of ferry since it last applied:\n\n");
        for (Drift drift : plan.drift()) {
            ResourceAddress address = drift.address();
            switch (drift.kind()) {
                case CHANGED -> {
                    out.append("  # ").append(address).append(" has changed\n");
                    out.append("  ").append(style.yellow("~")).append(" resource \"").append(address.type()).append("\" \"")
                            .append(address.name()).append("\" {\n");
                    int width = drift.arguments().keySet().stream().mapToInt(String::length).max().orElse(0);
                    drift.arguments().forEach((name, values) -> out.append("      ").append(style.yellow("~")).append(' ')
                            .append(Values.pad(name, width)).append(" = ").append(Values.inline(values.recorded()))
                            .append(" -> ").append(Values.inline(values.observed())).append('\n'));
                    out.append("    }\n");
                }
                case DELETED -> out.append("  # ").append(address).append(" has been deleted\n");
                case BROKEN -> out.append("  # ").append(address).append(" is broken: ").append(drift.reason().orElse("")).append('\n');
            }
            out.append('\n');
        }
        out.append("Unless you have made equivalent changes to the migration file, the plan below undoes them.\n\n");
    }

    private void renderChange(Change change, StringBuilder out) {
        ResourceAddress address = change.address();
        Action action = change.action();
        out.append("  # ").append(address).append(' ').append(action.phrase());
        change.reason().ifPresent(reason -> out.append(" (").append(reason).append(')'));
        out.append('\n');
        String symbol = colour(action, action.symbol());
        String kind = address.isData() ? "data" : "resource";
        String lead = action == Action.REPLACE ? "" : "  ";
        out.append(lead).append(symbol).append(' ').append(kind).append(" \"").append(address.type()).append("\" \"")
                .append(address.name()).append("\" {\n");
        List<Line> lines = lines(change);
        int width = lines.stream().mapToInt(line -> line.name().length()).max().orElse(0);
        for (Line line : lines) {
            List<String> value = line.value();
            out.append("      ").append(line.symbol().isEmpty() ? " " : colour(line.action(), line.symbol())).append(' ')
                    .append(Values.pad(line.name(), width)).append(" = ").append(value.get(0));
            for (int i = 1; i < value.size(); i++) {
                out.append('\n').append(value.get(i));
            }
            if (line.comment() != null) {
                out.append(style.dim(" # " + line.comment()));
            }
            out.append('\n');
        }
        out.append("    }\n");
        if (!change.migrations().isEmpty() && !address.isData()) {
            out.append("    ").append(style.dim("(" + (change.migrations().size() == 1 ? "migration " : "migrations ")
                    + change.migrations().stream().sorted().collect(Collectors.joining(", ")) + ")")).append('\n');
        }
        if ((action == Action.CREATE || action == Action.REPLACE) && change.lifecycle().isStagingCopy()) {
            out.append("    ").append(style.dim("staging copy: deleted once " + change.lifecycle().cleanupAfter().stream()
                    .map(ResourceAddress::toString).sorted().collect(Collectors.joining(", "))
                    + " exists (staging.cleanup: delete-after-import)")).append('\n');
        }
        for (Note note : change.notes()) {
            String text = note.level() == Note.Level.WARNING ? style.yellow("warning: " + note.text()) : "note: " + note.text();
            out.append("    ").append(text).append('\n');
        }
    }

    private record Line(String symbol, Action action, String name, List<String> value, String comment) {
    }

    private List<Line> lines(Change change) {
        List<Line> lines = new ArrayList<>();
        switch (change.action()) {
            case CREATE, READ -> {
                for (String name : change.after().names()) {
                    lines.add(new Line(change.action().symbol().equals("<=") ? "" : "+", Action.CREATE, name, after(change, name, "        "), null));
                }
            }
            case UPDATE, REPLACE -> {
                for (String name : change.after().names()) {
                    boolean changed = change.changes(name);
                    String comment = change.replaceBecause().contains(name) ? "forces replacement" : null;
                    if (!changed) {
                        lines.add(new Line("", Action.NOOP, name, after(change, name, "        "), null));
                        continue;
                    }
                    JsonNode before = change.before().get(name);
                    List<String> value;
                    if (change.after().isSecret(name) || change.beforeSecrets().containsKey(name)) {
                        value = List.of(SENSITIVE);
                    } else if (before == null) {
                        value = after(change, name, "        ");
                    } else {
                        value = new ArrayList<>(List.of(Values.inline(before) + " -> " + String.join(" ", after(change, name, ""))));
                    }
                    lines.add(new Line(before == null && !change.beforeSecrets().containsKey(name) ? "+" : "~",
                            before == null ? Action.CREATE : Action.UPDATE, name, value, comment));
                }
            }
            case DELETE, CLEANUP, FORGET -> {
                change.id().ifPresent(id -> lines.add(new Line("-", Action.DELETE, "id", List.of(Values.quote(id)), null)));
                change.before().fields().forEachRemaining(field -> lines.add(new Line("-", Action.DELETE, field.getKey(),
                        Values.format(field.getValue(), "        "), null)));
                change.beforeSecrets().keySet().forEach(name -> lines.add(new Line("-", Action.DELETE, name, List.of(SENSITIVE), null)));
            }
            case NOOP -> { }
        }
        return lines;
    }

    private static List<String> after(Change change, String name, String indent) {
        if (change.after().isUnknown(name)) {
            return List.of(KNOWN_AFTER_APPLY);
        }
        if (change.after().isSecret(name)) {
            return List.of(SENSITIVE);
        }
        return Values.format(change.after().get(name), indent);
    }

    private String colour(Action action, String text) {
        return switch (action) {
            case CREATE -> style.green(text);
            case UPDATE -> style.yellow(text);
            case REPLACE -> style.yellow(text);
            case DELETE, CLEANUP, FORGET -> style.red(text);
            case READ -> style.cyan(text);
            case NOOP -> text;
        };
    }
}
