package dev.ferry.engine.render;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.engine.machine.Cost;
import dev.ferry.engine.machine.MachineFacts;
import dev.ferry.engine.plan.Change;
import dev.ferry.engine.plan.Plan;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The Markdown plan's cost table: per migration, the source's type and monthly on-demand price (from its
 * {@link MachineFacts}), the target's (from its planned {@link Cost}), the difference, and the fleet total.
 * A price that is not known is "unknown" with the reason in a footnote, never 0; one that does not apply (a VM
 * on-premises has no list price) is "n/a" with the reason beside it, and so is its difference.
 */
final class CostTable {

    /** One side of a row: the type shown and the price, or why it is not known, or why none applies. */
    private record Side(String type, OptionalDouble monthlyUsd, Optional<String> unknownBecause, Optional<String> notApplicable) {
        Side(String type, OptionalDouble monthlyUsd, Optional<String> unknownBecause) {
            this(type, monthlyUsd, unknownBecause, Optional.empty());
        }
    }

    private CostTable() {
    }

    /** The table, or empty when no migration in {@code plan} says anything about a price (a destroy plan never does). */
    static Optional<String> render(Plan plan) {
        if (plan.destroy()) {
            return Optional.empty();
        }
        Map<String, MachineFacts> sources = new TreeMap<>();
        Map<String, String> sourcesNotApplicable = new TreeMap<>();
        Map<String, Cost> targets = new TreeMap<>();
        for (Change change : plan.changes()) {
            JsonNode machine = change.knownOutputs().get(MachineFacts.OUTPUT);
            JsonNode notApplicable = change.knownOutputs().get(MachineFacts.PRICE_NOT_APPLICABLE);
            Optional<Cost> cost = Cost.fromJson(change.knownOutputs().get(Cost.OUTPUT));
            for (String migration : change.migrations()) {
                if (machine != null && machine.isObject()) {
                    sources.putIfAbsent(migration, MachineFacts.fromJson(machine));
                    if (notApplicable != null && notApplicable.isTextual()) {
                        sourcesNotApplicable.putIfAbsent(migration, notApplicable.asText());
                    }
                }
                cost.ifPresent(c -> targets.putIfAbsent(migration, c));
            }
        }
        if (targets.isEmpty() && sources.values().stream().noneMatch(facts -> facts.price().isPresent())) {
            return Optional.empty();
        }
        Set<String> migrations = new TreeSet<>(sources.keySet());
        migrations.addAll(targets.keySet());

        List<String> footnotes = new ArrayList<>();
        StringBuilder out = new StringBuilder("\n**Cost** (monthly, on demand)\n\n")
                .append("| Migration | Source (type) | Source $/month | Target (type) | Target $/month | Difference |\n")
                .append("|---|---|---|---|---|---|\n");
        double sourceTotal = 0;
        double targetTotal = 0;
        int sourceUnknown = 0;
        int targetUnknown = 0;
        int sourceNotApplicable = 0;
        for (String migration : migrations) {
            Side source = source(Optional.ofNullable(sources.get(migration)), Optional.ofNullable(sourcesNotApplicable.get(migration)));
            Side target = target(Optional.ofNullable(targets.get(migration)));
            out.append("| `").append(migration).append("` | ").append(escape(source.type())).append(" | ")
                    .append(price(source, footnotes)).append(" | ").append(escape(target.type())).append(" | ")
                    .append(price(target, footnotes)).append(" | ").append(difference(source, target))
                    .append(" |\n");
            if (source.monthlyUsd().isPresent()) {
                sourceTotal += source.monthlyUsd().getAsDouble();
            } else if (source.notApplicable().isPresent()) {
                sourceNotApplicable++;
            } else {
                sourceUnknown++;
            }
            if (target.monthlyUsd().isPresent()) {
                targetTotal += target.monthlyUsd().getAsDouble();
            } else {
                targetUnknown++;
            }
        }
        String sourceCell = sourceNotApplicable == migrations.size() ? "n/a"
                : total(sourceTotal, sourceUnknown) + (sourceNotApplicable == 0 ? "" : " + " + sourceNotApplicable + " n/a");
        String differenceCell = sourceUnknown + targetUnknown > 0 ? "unknown"
                : sourceNotApplicable > 0 ? "n/a" : signed(targetTotal - sourceTotal);
        out.append("| **Fleet total** | | **").append(sourceCell).append("** | | **")
                .append(total(targetTotal, targetUnknown)).append("** | **").append(differenceCell).append("** |\n");
        if (!footnotes.isEmpty()) {
            out.append('\n');
            for (int i = 0; i < footnotes.size(); i++) {
                out.append("<sup>").append(i + 1).append("</sup> ").append(escape(footnotes.get(i))).append("  \n");
            }
        }
        return Optional.of(out.toString());
    }

    private static Side source(Optional<MachineFacts> facts, Optional<String> notApplicable) {
        if (facts.isEmpty()) {
            return new Side("unknown", OptionalDouble.empty(), Optional.of("the source is read during apply, so its type and price are not known yet"));
        }
        String type = facts.get().sizeName().orElse(facts.get().vcpus() > 0 ? shape(facts.get()) : "unknown");
        if (notApplicable.isPresent()) {
            return new Side(type, OptionalDouble.empty(), Optional.empty(), notApplicable);
        }
        return facts.get().price()
                .map(price -> new Side(type, OptionalDouble.of(price.monthlyUsd()), Optional.<String>empty()))
                .orElse(new Side(type, OptionalDouble.empty(), Optional.of("the source's cloud gave no price for "
                        + facts.get().sizeName().orElse("its machine"))));
    }

    private static Side target(Optional<Cost> cost) {
        if (cost.isEmpty()) {
            return new Side("unknown", OptionalDouble.empty(), Optional.of("the target's provider does not report a price"));
        }
        return new Side(cost.get().type().orElse("unknown"), cost.get().monthlyUsd(),
                cost.get().monthlyUsd().isPresent() ? Optional.empty()
                        : Optional.of(cost.get().unknownBecause().orElse("the target's price is not known")));
    }

    /** A machine without a type of its own, by its size: {@code 2 vCPUs, 4 GiB}. */
    private static String shape(MachineFacts facts) {
        long mib = facts.memoryMib();
        String memory = mib % 1024 == 0 ? mib / 1024 + " GiB" : mib + " MiB";
        return facts.vcpus() + (facts.vcpus() == 1 ? " vCPU, " : " vCPUs, ") + memory;
    }

    /**
     * The price cell; an unknown price's reason becomes a footnote, shared by every cell with the same reason, and
     * a price that does not apply says why in the cell.
     */
    private static String price(Side side, List<String> footnotes) {
        if (side.monthlyUsd().isPresent()) {
            return dollars(side.monthlyUsd().getAsDouble());
        }
        if (side.notApplicable().isPresent()) {
            return "n/a (" + side.notApplicable().get() + ")";
        }
        String reason = side.unknownBecause().orElseThrow();
        if (!footnotes.contains(reason)) {
            footnotes.add(reason);
        }
        return "unknown<sup>" + (footnotes.indexOf(reason) + 1) + "</sup>";
    }

    private static String difference(Side source, Side target) {
        if (source.monthlyUsd().isPresent() && target.monthlyUsd().isPresent()) {
            return signed(target.monthlyUsd().getAsDouble() - source.monthlyUsd().getAsDouble());
        }
        return source.notApplicable().isPresent() && target.monthlyUsd().isPresent() ? "n/a" : "unknown";
    }

    private static String total(double sum, int unknown) {
        return unknown == 0 ? dollars(sum) : dollars(sum) + " + " + unknown + " unknown";
    }

    private static String signed(double amount) {
        long cents = Math.round(amount * 100);
        return cents == 0 ? "$0.00" : (cents > 0 ? "+" : "-") + dollars(Math.abs(cents) / 100.0);
    }

    static String dollars(double amount) {
        return String.format(Locale.ROOT, "$%.2f", amount);
    }

    private static String escape(String text) {
        return text.replace("|", "\\|").replace("\n", " ");
    }
}
