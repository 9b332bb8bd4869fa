package dev.ferry.engine.render;

import dev.ferry.engine.permission.PermissionDocument;
import dev.ferry.engine.plan.Action;
import dev.ferry.engine.plan.Change;
import dev.ferry.engine.plan.Drift;
import dev.ferry.engine.plan.Plan;
import dev.ferry.engine.provider.Note;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A plan as a pull-request comment: the summary, a table of changes, warnings, and the full plan
 * folded in a {@code diff} block, the permissions the file needs ({@link PermissionsRenderer}), then what the machines
 * cost before and after ({@link CostTable}).
 */
public final class MarkdownRenderer {

    public String render(Plan plan) {
        return render(plan, List.of());
    }

    /** With a section saying what the file needs the clouds to allow ({@code permissions}), before the cost table. */
    public String render(Plan plan, List<PermissionDocument> permissions) {
        StringBuilder out = new StringBuilder();
        out.append("### ferry plan for `").append(plan.file()).append("`\n\n");
        List<Change> changes = PlanRenderer.shown(plan);
        if (!plan.drift().isEmpty()) {
            out.append("> **Note:** ").append(plan.drift().size()).append(plan.drift().size() == 1 ? " resource has" : " resources have")
                    .append(" changed outside of ferry: ")
                    .append(plan.drift().stream().map(d -> "`" + d.address() + "` (" + describe(d) + ")").collect(Collectors.joining(", ")))
                    .append(".\n\n");
        }
        if (changes.isEmpty()) {
            out.append("**No changes.** ").append(plan.partial() ? "The part of the migration file this plan covers matches the clouds."
                    : "The clouds match the migration file.").append('\n');
            plan.warnings().forEach(warning -> out.append("\n- :warning: ").append(escape(warning)).append('\n'));
            out.append(PermissionsRenderer.markdown(permissions));
            CostTable.render(plan).ifPresent(out::append);
            return out.toString();
        }
        out.append("**").append(PlanRenderer.summaryLine(plan)).append("**");
        PlanRenderer.cleanupLine(plan).ifPresent(line -> out.append(" ").append(line));
        out.append("\n\n");
        out.append("| | Resource | Action | Details |\n|---|---|---|---|\n");
        for (Change change : changes) {
            out.append("| ").append(icon(change.action())).append(" | `").append(change.address()).append("` | ")
                    .append(word(change.action())).append(" | ")
                    .append(escape(details(change))).append(" |\n");
        }
        List<String> warnings = PlanRenderer.warnings(plan);
        if (!warnings.isEmpty()) {
            out.append("\n**Warnings**\n\n");
            warnings.forEach(warning -> out.append("- :warning: ").append(escape(warning)).append('\n'));
        }
        out.append("\n<details><summary>Full plan</summary>\n\n```diff\n");
        String text = new PlanRenderer(Style.PLAIN).render(plan);
        boolean inWarnings = false;
        for (String line : text.split("\n", -1)) {
            // the warnings' list items ("  - ...") are not deletions: they keep their indent, uncoloured
            inWarnings = inWarnings || line.equals("Warnings:");
            out.append(inWarnings ? "  " + line : diffLine(line)).append('\n');
        }
        out.append("```\n\n</details>\n");
        out.append(PermissionsRenderer.markdown(permissions));
        CostTable.render(plan).ifPresent(out::append);
        return out.toString();
    }

    private static String details(Change change) {
        StringBuilder text = new StringBuilder();
        change.reason().ifPresent(reason -> text.append(reason).append(". "));
        if (!change.replaceBecause().isEmpty()) {
            text.append("Forced by: ").append(String.join(", ", change.replaceBecause())).append(". ");
        }
        for (Note note : change.notes()) {
            if (note.level() == Note.Level.INFO) {
                text.append(note.text()).append(". ");
            }
        }
        return text.toString().strip();
    }

    private static String describe(Drift drift) {
        return switch (drift.kind()) {
            case CHANGED -> String.join(", ", drift.arguments().keySet()) + " changed";
            case DELETED -> "deleted";
            case BROKEN -> "broken";
        };
    }

    /** What is done, in the Action column: the verb the plan's summary counts. */
    private static String word(Action action) {
        return switch (action) {
            case CREATE -> "create";
            case UPDATE -> "update in place";
            case REPLACE -> "replace";
            case DELETE -> "destroy";
            case READ -> "read during apply";
            case FORGET -> "keep, remove from state";
            case CLEANUP -> "delete staging copy";
            case NOOP -> "none";
        };
    }

    private static String icon(Action action) {
        return switch (action) {
            case CREATE -> "+";
            case UPDATE -> "~";
            case REPLACE -> "-/+";
            case DELETE, CLEANUP -> "-";
            case READ -> "<=";
            case FORGET -> ".";
            case NOOP -> " ";
        };
    }

    /** In a diff block, lines starting with + and - are coloured; Terraform's indented symbols are moved to the front. */
    private static String diffLine(String line) {
        String trimmed = line.stripLeading();
        if (trimmed.startsWith("+ ") || trimmed.startsWith("- ") || trimmed.startsWith("~ ") || trimmed.startsWith("-/+ ")) {
            char symbol = trimmed.charAt(0) == '~' ? '!' : trimmed.charAt(0);
            return symbol + line.substring(1);
        }
        return "  " + line;
    }

    private static String escape(String text) {
        return text.replace("|", "\\|").replace("\n", " ");
    }
}
