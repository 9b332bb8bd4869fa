package dev.ferry.engine.bench;

import dev.ferry.engine.apply.Applier;
import dev.ferry.engine.apply.ApplyOptions;
import dev.ferry.engine.apply.ApplyResult;
import dev.ferry.engine.apply.Cancellation;
import dev.ferry.engine.diff.Planner;
import dev.ferry.engine.event.EventSink;
import dev.ferry.engine.expand.Configuration;
import dev.ferry.engine.graph.ApplyGraph;
import dev.ferry.engine.plan.Plan;
import dev.ferry.engine.provider.ResourceTypes;
import dev.ferry.engine.resource.EnvironmentSecretResolver;
import dev.ferry.engine.resource.ResourceAddress;
import dev.ferry.engine.resource.ResourceDeclaration;
import dev.ferry.engine.spec.SourceLocation;
import dev.ferry.engine.state.FileStateStore;
import dev.ferry.engine.state.LiveState;
import dev.ferry.engine.state.MemoryStateStore;
import dev.ferry.engine.state.State;
import dev.ferry.engine.state.StateStore;
import dev.ferry.engine.testing.MemoryCloud;
import dev.ferry.engine.testing.MemoryProvider;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * Times graph build, plan and apply walk of N in-memory resources with random dependencies (each
 * refers to up to three earlier ones), with state kept in memory and in a file. Prints figures; run
 * through {@code bench/engine/run.sh}. Not a test: nothing here asserts a time.
 */
public final class EngineBenchmark {

    public static void main(String[] args) throws Exception {
        int size = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        System.out.printf(Locale.ROOT, "ferry engine benchmark: %d resources, random dependencies (≤3 each), %d rounds after 2 warm-ups%n",
                size, rounds);
        Store[] stores = args.length > 2
                ? java.util.Arrays.stream(args[2].split(",")).map(name -> Store.valueOf(name.toUpperCase(Locale.ROOT))).toArray(Store[]::new)
                : Store.values();
        run(size, 2, Store.NONE, true);
        for (Store store : stores) {
            List<double[]> results = new ArrayList<>();
            for (int round = 0; round < rounds; round++) {
                results.add(run(size, round, store, false));
            }
            report(store.label, results);
        }
    }

    /** Where the benchmark keeps state. */
    enum Store {
        NONE("engine alone (state not persisted)"),
        MEMORY("state encoded in memory after every step"),
        FILE("state written to a file after every step (temp + fsync + rename)");

        final String label;

        Store(String label) {
            this.label = label;
        }
    }

    private static double[] run(int size, long seed, Store kind, boolean warmUp) throws Exception {
        Configuration configuration = configuration(size, seed);
        MemoryCloud cloud = new MemoryCloud();
        ResourceTypes types = new ResourceTypes(List.of(new MemoryProvider(cloud, 5).session()));
        Path directory = Files.createTempDirectory("ferry-bench");
        StateStore store = switch (kind) {
            case NONE -> StateStore.discarding();
            case MEMORY -> new MemoryStateStore();
            case FILE -> new FileStateStore(directory.resolve("state.json"));
        };
        State empty = State.empty();

        long start = System.nanoTime();
        Plan plan = new Planner(types, EventSink.NONE).plan(configuration, empty, new Planner.Options(false, true, "bench.yaml", "digest"));
        long planned = System.nanoTime();
        ApplyGraph graph = ApplyGraph.build(plan);
        long built = System.nanoTime();
        ApplyResult result = new Applier(types, new LiveState(store, empty), new EnvironmentSecretResolver(Map.of(), directory),
                EventSink.NONE, ApplyOptions.defaults().withMaxPollInterval(Duration.ofMillis(1)), new Cancellation(), Clock.systemUTC())
                .apply(plan);
        long applied = System.nanoTime();
        if (!result.succeeded() || result.added() != size) {
            throw new IllegalStateException("the benchmark apply did not succeed: " + result);
        }
        try (var files = Files.walk(directory)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
        if (warmUp) {
            run(size, seed + 1, Store.NONE, false);
        }
        return new double[] {ms(start, planned), ms(planned, built), ms(built, applied), ms(start, applied), graph.steps().size()};
    }

    static Configuration configuration(int size, long seed) {
        Random random = new Random(seed);
        Map<ResourceAddress, ResourceDeclaration> declarations = new LinkedHashMap<>();
        Map<ResourceAddress, Set<String>> owners = new LinkedHashMap<>();
        SourceLocation origin = new SourceLocation("bench.yaml", 1, 1);
        List<ResourceAddress> made = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            ResourceAddress address = ResourceAddress.managed("test_thing", "r" + i);
            ResourceDeclaration.Builder builder = ResourceDeclaration.builder(address, origin).argument("value", "v" + i);
            int references = made.isEmpty() ? 0 : random.nextInt(4);
            for (int r = 0; r < references; r++) {
                builder.reference("input" + r, made.get(random.nextInt(made.size())), "id");
            }
            declarations.put(address, builder.build());
            owners.put(address, Set.of("bench"));
            made.add(address);
        }
        return new Configuration(declarations, owners);
    }

    private static double ms(long from, long to) {
        return (to - from) / 1e6;
    }

    private static void report(String label, List<double[]> rounds) {
        String[] names = {"plan", "graph build", "apply walk", "total"};
        System.out.printf(Locale.ROOT, "%n%s (%d apply steps):%n", label, (int) rounds.get(0)[4]);
        for (int i = 0; i < names.length; i++) {
            final int column = i;
            double[] values = rounds.stream().mapToDouble(r -> r[column]).sorted().toArray();
            System.out.printf(Locale.ROOT, "  %-12s median %8.1f ms   min %8.1f ms   max %8.1f ms%n", names[i],
                    values[values.length / 2], values[0], values[values.length - 1]);
        }
    }
}
