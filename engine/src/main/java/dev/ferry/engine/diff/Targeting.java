package dev.ferry.engine.diff;

import dev.ferry.engine.FerryException;
import dev.ferry.engine.expand.Configuration;
import dev.ferry.engine.plan.Plan;
import dev.ferry.engine.resource.Lifecycle;
import dev.ferry.engine.resource.ResourceAddress;
import dev.ferry.engine.resource.ResourceDeclaration;
import dev.ferry.engine.spec.Spelling;
import dev.ferry.engine.state.ResourceState;
import dev.ferry.engine.state.State;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Narrows what a plan looks at to a {@link Selection}, before anything is refreshed: the selected resources
 * and everything they depend on (for a destroy, everything that depends on them instead), from both the
 * configuration and the state, so the other migrations cost no API call. A destroy keeps what migrations
 * outside the selection also use (the staging bucket, the vmimport role). Names that match nothing are refused
 * with the names there are.
 */
final class Targeting {

    /** The part of the configuration and of the state to plan, and the warning that says the plan is partial. */
    record Narrowed(Configuration configuration, State state, List<String> warnings) {
    }

    private static final int LISTED = 20;

    private Targeting() {
    }

    static Narrowed narrow(Selection selection, Configuration configuration, State state, boolean destroy, String file) {
        if (selection.isAll()) {
            return new Narrowed(configuration, state, List.of());
        }
        Set<String> known = configuration.migrationNames();
        List<String> problems = new ArrayList<>();
        Set<String> migrations = new TreeSet<>();
        for (String name : selection.migrations()) {
            if (known.contains(name)) {
                migrations.add(name);
            } else {
                problems.add("--migration " + name + ": " + file + " has no migration of that name" + hint(name, known)
                        + " Its migrations: " + listed(known) + ".");
            }
        }
        selection.shard().ifPresent(shard -> known.stream().filter(shard::contains).forEach(migrations::add));
        Set<ResourceAddress> targets = targets(selection.targets(), configuration, state, file, problems);
        if (!problems.isEmpty()) {
            throw new FerryException(problems.size() == 1 ? problems.get(0) : String.join("\n", problems));
        }
        Set<ResourceAddress> kept = new TreeSet<>();
        Set<ResourceAddress> chosen = destroy ? forDestroy(configuration, state, migrations, targets, kept)
                : forPlan(configuration, migrations, targets);
        Map<ResourceAddress, ResourceState> resources = new TreeMap<>();
        state.byAddress().forEach((address, resource) -> {
            if (chosen.contains(address)) {
                resources.put(address, resource);
            }
        });
        State narrowed = new State(state.lineage(), state.serial(), state.migration(), resources);
        return new Narrowed(keepingShared(configuration.only(chosen), chosen), narrowed,
                List.of(warning(selection, migrations, known, targets, destroy, kept)));
    }

    /**
     * A staging copy that feeds resources outside the part planned (the staging bucket of every migration) is not
     * cleaned up by this plan, which cannot know when they exist: an apply of the whole file cleans it up.
     */
    private static Configuration keepingShared(Configuration part, Set<ResourceAddress> chosen) {
        Map<ResourceAddress, ResourceDeclaration> declarations = new LinkedHashMap<>();
        Map<ResourceAddress, Set<String>> owners = new LinkedHashMap<>();
        for (ResourceDeclaration declaration : part.declarations()) {
            Lifecycle lifecycle = declaration.lifecycle();
            boolean feedsOthers = !chosen.containsAll(lifecycle.cleanupAfter());
            declarations.put(declaration.address(), feedsOthers
                    ? declaration.withLifecycle(new Lifecycle(Set.of(), lifecycle.retainOnDestroy())) : declaration);
            owners.put(declaration.address(), part.migrationsOf(declaration.address()));
        }
        return new Configuration(declarations, owners);
    }

    private static Set<ResourceAddress> targets(Set<String> given, Configuration configuration, State state, String file,
                                                List<String> problems) {
        Set<String> known = new TreeSet<>();
        configuration.declarations().forEach(declaration -> known.add(declaration.address().toString()));
        state.byAddress().keySet().forEach(address -> known.add(address.toString()));
        Set<ResourceAddress> targets = new TreeSet<>();
        for (String text : given) {
            if (known.contains(text)) {
                targets.add(ResourceAddress.parse(text));
                continue;
            }
            try {
                ResourceAddress.parse(text);
            } catch (IllegalArgumentException e) {
                problems.add("--target " + text + ": " + e.getMessage() + ".");
                continue;
            }
            problems.add("--target " + text + ": neither " + file + " nor its state has a resource of that address" + hint(text, known)
                    + " Its resources: " + listed(known) + (known.size() > LISTED ? " ('ferry plan' names every one)" : "") + ".");
        }
        return targets;
    }

    private static String hint(String given, Collection<String> known) {
        return Spelling.closest(given, known).map(closest -> "; did you mean " + closest + "?").orElse(".");
    }

    private static String listed(Collection<String> names) {
        if (names.isEmpty()) {
            return "none";
        }
        String shown = names.stream().limit(LISTED).collect(Collectors.joining(", "));
        return names.size() > LISTED ? shown + " and " + (names.size() - LISTED) + " more" : shown;
    }

    /** The selected migrations' resources and the named ones, with everything they depend on. */
    private static Set<ResourceAddress> forPlan(Configuration configuration, Set<String> migrations, Set<ResourceAddress> targets) {
        Set<ResourceAddress> roots = new TreeSet<>(targets);
        configuration.declarations().forEach(declaration -> {
            if (configuration.migrationsOf(declaration.address()).stream().anyMatch(migrations::contains)) {
                roots.add(declaration.address());
            }
        });
        return closure(roots, address -> configuration.get(address).map(d -> (Collection<ResourceAddress>) d.dependencies())
                .orElse(List.of()));
    }

    /**
     * What state holds of the selected migrations (unless a migration outside the selection declares it too: that
     * goes to {@code kept}) and the named resources, with everything state records as depending on them.
     */
    private static Set<ResourceAddress> forDestroy(Configuration configuration, State state, Set<String> migrations,
                                                   Set<ResourceAddress> targets, Set<ResourceAddress> kept) {
        Set<ResourceAddress> roots = new TreeSet<>(targets);
        Map<ResourceAddress, Set<ResourceAddress>> dependents = new HashMap<>();
        for (ResourceState resource : state.resources()) {
            resource.dependencies().forEach(d -> dependents.computeIfAbsent(d, x -> new TreeSet<>()).add(resource.address()));
            Set<String> owners = configuration.migrationsOf(resource.address());
            if (owners.isEmpty() || owners.stream().noneMatch(migrations::contains)) {
                continue;
            }
            (migrations.containsAll(owners) ? roots : kept).add(resource.address());
        }
        Set<ResourceAddress> chosen = closure(roots, address -> dependents.getOrDefault(address, Set.of()));
        kept.removeAll(chosen);
        return chosen;
    }

    private static Set<ResourceAddress> closure(Set<ResourceAddress> roots, Function<ResourceAddress, Collection<ResourceAddress>> next) {
        Set<ResourceAddress> seen = new TreeSet<>();
        Deque<ResourceAddress> pending = new ArrayDeque<>(roots);
        while (!pending.isEmpty()) {
            ResourceAddress address = pending.pop();
            if (seen.add(address)) {
                pending.addAll(next.apply(address));
            }
        }
        return seen;
    }

    private static String warning(Selection selection, Set<String> migrations, Set<String> known, Set<ResourceAddress> targets,
                                  boolean destroy, Set<ResourceAddress> kept) {
        List<String> parts = new ArrayList<>();
        String count = migrations.size() + " of the " + known.size() + " migration" + (known.size() == 1 ? "" : "s");
        if (selection.shard().isPresent()) {
            parts.add(migrations.isEmpty() ? "shard " + selection.shard().get() + ", which holds none of the "
                    + (known.size() == 1 ? "file's one migration" : known.size() + " migrations") : "shard " + selection.shard().get() + ": " + count + " (" + listed(migrations) + ")");
        } else if (!migrations.isEmpty()) {
            parts.add("the migration" + (migrations.size() == 1 ? " " : "s ") + listed(migrations) + " (" + count + ")");
        }
        if (!targets.isEmpty()) {
            parts.add(listed(targets.stream().map(ResourceAddress::toString).toList()));
        }
        String what = String.join(" and ", parts);
        String flags = "--migration, --target and --shard";
        if (destroy) {
            return Plan.PARTIAL + "it destroys only " + what + ", with what depends on them"
                    + (kept.isEmpty() ? "" : "; " + kept.size() + " resource" + (kept.size() == 1 ? "" : "s")
                    + " that other migrations also use stay" + (kept.size() == 1 ? "s" : "") + " (" + listed(kept.stream()
                    .map(ResourceAddress::toString).toList()) + ")")
                    + ". Run 'ferry destroy' without " + flags + " to destroy everything.";
        }
        return Plan.PARTIAL + "it covers only " + what + ", with what they depend on, so other changes the file asks for may be"
                + " pending. Run 'ferry plan' without " + flags + " to see them all.";
    }
}
