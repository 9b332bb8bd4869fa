package dev.ferry.engine.expand;

import static java.util.Objects.requireNonNull;

import dev.ferry.engine.FerryException;
import dev.ferry.engine.provider.ExpansionContext;
import dev.ferry.engine.provider.Lookahead;
import dev.ferry.engine.provider.Provider;
import dev.ferry.engine.provider.SourceHalf;
import dev.ferry.engine.provider.SourceKind;
import dev.ferry.engine.provider.TargetHalf;
import dev.ferry.engine.provider.TargetKind;
import dev.ferry.engine.resource.Lifecycle;
import dev.ferry.engine.resource.ResourceAddress;
import dev.ferry.engine.resource.ResourceDeclaration;
import dev.ferry.engine.spec.Migration;
import dev.ferry.engine.spec.MigrationFile;
import dev.ferry.engine.spec.Staging;
import dev.ferry.engine.verify.Verification;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.jgrapht.Graph;
import org.jgrapht.alg.cycle.CycleDetector;
import org.jgrapht.graph.DefaultDirectedGraph;
import org.jgrapht.graph.DefaultEdge;

/**
 * Turns a migration file into resource declarations: each migration's source half, then its target
 * half joined to it by references to the neutral outputs, then the file's clean-up policy applied to
 * the staging copies. Declarations several migrations share (the staging bucket, the vmimport role)
 * are merged, and must agree. The engine stays cloud-free: every resource comes from a provider.
 */
public final class Expansion {

    private final Map<String, SourceKind> sources = new LinkedHashMap<>();
    private final Map<String, TargetKind> targets = new LinkedHashMap<>();

    public Expansion(Collection<Provider> providers) {
        for (Provider provider : providers) {
            provider.sources().forEach(kind -> sources.put(kind.section().name(), kind));
            provider.targets().forEach(kind -> targets.put(kind.section().name(), kind));
        }
    }

    /** Expands {@code file} knowing nothing of the clouds or the state: every expander takes its defaults. */
    public Configuration expand(MigrationFile file) {
        return expand(file, Lookahead.NONE);
    }

    /**
     * Expands {@code file}; {@code lookahead} lets an expander whose choice of resources depends on the source (a
     * road the file leaves open) read the source's facts and the state first.
     */
    public Configuration expand(MigrationFile file, Lookahead lookahead) {
        Map<ResourceAddress, ResourceDeclaration> merged = new LinkedHashMap<>();
        Map<ResourceAddress, Set<String>> owners = new LinkedHashMap<>();
        // every source half first, so that what targets look ahead at is read together (one batch for a fleet)
        Map<String, SourceHalf> sourceHalves = new LinkedHashMap<>();
        for (Migration migration : file.migrations()) {
            SourceKind source = requireNonNull(sources.get(migration.source().kind()), "no source kind " + migration.source().kind());
            sourceHalves.put(migration.name(), source.expander().expand(new ExpansionContext(file, migration, lookahead)));
        }
        lookahead.consider(sourceHalves.values().stream().flatMap(half -> half.declarations().stream()).toList());
        for (Migration migration : file.migrations()) {
            ExpansionContext context = new ExpansionContext(file, migration, lookahead);
            TargetKind target = requireNonNull(targets.get(migration.target().kind()), "no target kind " + migration.target().kind());
            SourceHalf sourceHalf = sourceHalves.get(migration.name());
            TargetHalf targetHalf = target.expander().expand(context, sourceHalf);

            Set<ResourceAddress> stagingCopies = new TreeSet<>(sourceHalf.stagingCopies());
            stagingCopies.addAll(targetHalf.stagingCopies());
            Lifecycle policy = policy(file, targetHalf.imported());
            List<ResourceDeclaration> declarations = new ArrayList<>(sourceHalf.declarations());
            declarations.addAll(targetHalf.declarations());
            Verification.declaration(context, sourceHalf, targetHalf).ifPresent(declarations::add);
            for (ResourceDeclaration declaration : declarations) {
                ResourceDeclaration withPolicy = stagingCopies.contains(declaration.address())
                        ? declaration.withLifecycle(mergeInto(declaration.lifecycle(), policy))
                        : declaration;
                add(merged, withPolicy, migration.name());
                owners.computeIfAbsent(declaration.address(), a -> new TreeSet<>()).add(migration.name());
            }
        }
        checkReferences(merged);
        checkCycles(merged);
        return new Configuration(merged, owners);
    }

    /** A staging copy is deleted after the target imported the image, or kept (and kept on destroy). */
    private static Lifecycle policy(MigrationFile file, ResourceAddress imported) {
        Staging.Cleanup cleanup = file.staging().map(Staging::cleanup).orElse(Staging.Cleanup.KEEP);
        return switch (cleanup) {
            case DELETE_AFTER_IMPORT -> new Lifecycle(Set.of(imported), false);
            case KEEP -> new Lifecycle(Set.of(), true);
        };
    }

    private static Lifecycle mergeInto(Lifecycle declared, Lifecycle policy) {
        Set<ResourceAddress> after = new TreeSet<>(declared.cleanupAfter());
        after.addAll(policy.cleanupAfter());
        return new Lifecycle(after, declared.retainOnDestroy() || policy.retainOnDestroy());
    }

    private static void add(Map<ResourceAddress, ResourceDeclaration> merged, ResourceDeclaration declaration, String migration) {
        ResourceDeclaration existing = merged.get(declaration.address());
        if (existing == null) {
            merged.put(declaration.address(), declaration);
            return;
        }
        if (!existing.arguments().equals(declaration.arguments())) {
            List<String> differing = new ArrayList<>();
            for (String name : new TreeSet<>(union(existing.arguments().keySet(), declaration.arguments().keySet()))) {
                if (!java.util.Objects.equals(existing.arguments().get(name), declaration.arguments().get(name))) {
                    differing.add(name);
                }
            }
            throw new FerryException(declaration.origin() + ": migration '" + migration + "' needs " + declaration.address()
                    + " with different " + String.join(", ", differing) + " than the migration at " + existing.origin()
                    + "; shared resources must agree");
        }
        Set<ResourceAddress> dependsOn = new TreeSet<>(existing.dependsOn());
        dependsOn.addAll(declaration.dependsOn());
        Lifecycle lifecycle = new Lifecycle(
                union(existing.lifecycle().cleanupAfter(), declaration.lifecycle().cleanupAfter()),
                existing.lifecycle().retainOnDestroy() && declaration.lifecycle().retainOnDestroy());
        merged.put(declaration.address(), new ResourceDeclaration(existing.address(), existing.arguments(), dependsOn, lifecycle,
                existing.origin()));
    }

    private static <T extends Comparable<T>> Set<T> union(Set<T> a, Set<T> b) {
        Set<T> all = new TreeSet<>(a);
        all.addAll(b);
        return all;
    }

    private static void checkReferences(Map<ResourceAddress, ResourceDeclaration> declarations) {
        for (ResourceDeclaration declaration : declarations.values()) {
            for (ResourceAddress dependency : declaration.dependencies()) {
                if (!declarations.containsKey(dependency)) {
                    throw new IllegalStateException(declaration.address() + " refers to " + dependency + ", which no migration declares");
                }
            }
            for (ResourceAddress after : declaration.lifecycle().cleanupAfter()) {
                if (!declarations.containsKey(after)) {
                    throw new IllegalStateException(declaration.address() + " is cleaned up after " + after + ", which is not declared");
                }
            }
        }
    }

    /** A cycle would deadlock apply; name every resource in it. */
    static void checkCycles(Map<ResourceAddress, ResourceDeclaration> declarations) {
        Graph<ResourceAddress, DefaultEdge> graph = new DefaultDirectedGraph<>(DefaultEdge.class);
        declarations.keySet().forEach(graph::addVertex);
        for (ResourceDeclaration declaration : declarations.values()) {
            for (ResourceAddress dependency : declaration.dependencies()) {
                graph.addEdge(dependency, declaration.address());
            }
        }
        CycleDetector<ResourceAddress, DefaultEdge> detector = new CycleDetector<>(graph);
        if (detector.detectCycles()) {
            Set<ResourceAddress> cycle = detector.findCycles();
            throw new FerryException("these resources depend on each other in a cycle, so none can be created first: "
                    + cycle.stream().map(ResourceAddress::toString).sorted().collect(Collectors.joining(", ")));
        }
    }
}
