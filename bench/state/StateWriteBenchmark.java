import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.engine.resource.ResourceAddress;
import dev.ferry.engine.state.FileStateStore;
import dev.ferry.engine.state.LiveState;
import dev.ferry.engine.state.MemoryStateStore;
import dev.ferry.engine.state.ResourceState;
import dev.ferry.engine.state.ResourceStatus;
import dev.ferry.engine.state.State;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The cost of the state write that follows each step of an apply, with the state in files (FileStateStore: temporary
 * file, fsync, rename): RESOURCES resources in MIGRATIONS migrations, STEPS steps one after another, each changing one
 * resource and returning once that is on disk. Uses only what ferry's engine has had since before state was kept per
 * migration (the migrations are told through LiveState.belongTo when it exists), so the same source measures both.
 *   java -cp ENGINE_CLASSPATH StateWriteBenchmark.java [RESOURCES=7000] [MIGRATIONS=1000] [STEPS=300] [DIR]
 */
public class StateWriteBenchmark {

    public static void main(String[] args) throws Exception {
        int resources = args.length > 0 ? Integer.parseInt(args[0]) : 7000;
        int migrations = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
        int steps = args.length > 2 ? Integer.parseInt(args[2]) : 300;
        Path dir = args.length > 3 ? Files.createDirectories(Path.of(args[3])) : Files.createTempDirectory("ferry-state-bench");
        Path file = dir.resolve("state.json");
        Instant now = Instant.parse("2026-12-04T00:00:00Z");

        Map<ResourceAddress, ResourceState> records = new TreeMap<>();
        Map<ResourceAddress, Optional<String>> owners = new HashMap<>();
        String[] types = {"aws_ami", "aws_ec2_export_task", "aws_s3_object", "aws_image_import", "linode_image", "linode_instance", "verify"};
        List<ResourceAddress> addresses = new ArrayList<>();
        for (int i = 0; i < resources; i++) {
            String migration = "vm-" + (i % migrations);
            ResourceAddress address = ResourceAddress.managed(types[(i / migrations) % types.length], migration + "-" + (i / migrations));
            ObjectNode arguments = JsonNodeFactory.instance.objectNode();
            arguments.put("region", "us-west-1").put("source", "i-0e1dc0292b0ae" + i).put("bucket", "ec2-backup-images-for-migration")
                    .put("key", "exports/" + migration + "/disk.raw").put("size_gib", 20).put("description", "ferry " + address);
            ResourceState record = ResourceState.creating(address, 1, now)
                    .withApplied(arguments, Map.of(), List.of(), List.of(), false, now)
                    .withId(Optional.of("id-" + i + "-0123456789abcdef"), now).withStatus(ResourceStatus.CREATED, now);
            records.put(address, record);
            owners.put(address, Optional.of(migration));
            addresses.add(address);
        }
        Method belongTo = Arrays.stream(LiveState.class.getMethods()).filter(m -> m.getName().equals("belongTo")).findFirst().orElse(null);

        // the state as an earlier run left it, then a new run: read, and a first write (which may move it to its layout)
        LiveState setup = new LiveState(new FileStateStore(file), new State("bench-lineage", 0, Optional.of("fleet"), records));
        if (belongTo != null) {
            belongTo.invoke(setup, owners);
        }
        setup.updateAll(s -> s);
        FileStateStore store = new FileStateStore(file);
        State read = store.read().orElseThrow();
        LiveState live = new LiveState(store, read);
        if (belongTo != null) {
            belongTo.invoke(live, owners);
        }
        live.update(addresses.get(0), r -> r.map(x -> x.withId(Optional.of("first-write"), now))); // this run's backup, once

        long[] nanos = steps(live, addresses, steps, now);

        // the same steps with the state in memory (encoded and kept, no disk): what the engine itself costs per step
        MemoryStateStore memory = new MemoryStateStore();
        LiveState inMemory = new LiveState(memory, new State("bench-lineage", 0, Optional.of("fleet"), records));
        if (belongTo != null) {
            belongTo.invoke(inMemory, owners);
        }
        inMemory.updateAll(s -> s);
        long[] memoryNanos = steps(inMemory, addresses, steps, now);
        long bytes;
        try (Stream<Path> walk = Files.walk(dir)) {
            bytes = walk.filter(Files::isRegularFile).filter(p -> !p.getFileName().toString().endsWith(".backup"))
                    .mapToLong(p -> p.toFile().length()).sum();
        }
        System.out.printf("layout: %s; %d resources in %d migrations, %d steps, state %.1f MB on %s%n",
                belongTo == null ? "one state.json (before)" : "state.json + state.d/ per migration (after)", resources, migrations,
                steps, bytes / 1e6, dir);
        print("per-step state write, files (fsync)", nanos);
        print("per-step state write, in memory (no disk)", memoryNanos);
    }

    static long[] steps(LiveState live, List<ResourceAddress> addresses, int steps, Instant now) {
        Random random = new Random(42);
        long[] nanos = new long[steps];
        for (int step = 0; step < steps; step++) {
            ResourceAddress address = addresses.get(random.nextInt(addresses.size()));
            String id = "id-step-" + step;
            long start = System.nanoTime();
            live.update(address, r -> r.map(x -> x.withId(Optional.of(id), now)));
            nanos[step] = System.nanoTime() - start;
        }
        Arrays.sort(nanos);
        return nanos;
    }

    static void print(String what, long[] nanos) {
        int n = nanos.length;
        System.out.printf("%s: median %.3f ms, p90 %.3f ms, max %.3f ms, mean %.3f ms%n", what, nanos[n / 2] / 1e6,
                nanos[n * 9 / 10] / 1e6, nanos[n - 1] / 1e6, Arrays.stream(nanos).average().orElse(0) / 1e6);
    }
}
