package dev.ferry.engine.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import dev.ferry.engine.FerryException;
import dev.ferry.engine.resource.ResourceAddress;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** State kept one object per migration plus one for what they share: what is written where, and what survives. */
class StatePerMigrationTest {

    static final Instant NOW = Instant.parse("2026-12-04T01:00:00Z");
    static final ResourceAddress BUCKET = ResourceAddress.managed("aws_s3_bucket", "staging");
    static final ResourceAddress WEB = ResourceAddress.managed("aws_ami", "web-01");
    static final ResourceAddress DB = ResourceAddress.managed("aws_ami", "db-01");

    @TempDir
    Path dir;

    static ResourceState made(ResourceAddress address, String id, Optional<String> migration) {
        return ResourceState.creating(address, 1, NOW).withId(Optional.of(id), NOW).withStatus(ResourceStatus.CREATED, NOW)
                .withMigration(migration);
    }

    static State fleet() {
        Map<ResourceAddress, ResourceState> resources = new TreeMap<>();
        resources.put(BUCKET, made(BUCKET, "bucket-1", Optional.empty()));
        resources.put(WEB, made(WEB, "ami-web", Optional.of("web-01")));
        resources.put(DB, made(DB, "ami-db", Optional.of("db-01")));
        return new State("lineage-1", 5, Optional.of("fleet"), resources);
    }

    Path stateFile() {
        return dir.resolve("state.json");
    }

    Map<String, String> files() throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(Files::isRegularFile).collect(Collectors.toMap(p -> dir.relativize(p).toString(), p -> {
                try {
                    return Files.readString(p);
                } catch (IOException e) {
                    throw new AssertionError(e);
                }
            }, (a, b) -> a, TreeMap::new));
        }
    }

    @Test
    void aStateWrittenWholeIsReadBackWithEachRecordInItsMigrationsObject() throws IOException {
        new FileStateStore(stateFile()).write(fleet());

        assertThat(files()).containsOnlyKeys("state.json", "state.d/_shared.json", "state.d/migrations/web-01.json",
                "state.d/migrations/db-01.json");
        assertThat(files().get("state.json")).contains("\"format_version\" : 2").contains("\"parts\" : \"state.d/\"")
                .doesNotContain("ami-web");
        assertThat(files().get("state.d/migrations/web-01.json")).contains("\"part\":\"web-01\"").contains("ami-web")
                .doesNotContain("ami-db").doesNotContain("bucket-1");
        assertThat(files().get("state.d/_shared.json")).contains("bucket-1").doesNotContain("ami-");

        State read = new FileStateStore(stateFile()).read().orElseThrow();
        assertThat(read.lineage()).isEqualTo("lineage-1");
        assertThat(read.migration()).contains("fleet");
        assertThat(read.serial()).isEqualTo(5);
        assertThat(read.byAddress()).isEqualTo(fleet().byAddress());
        assertThat(read.get(WEB).orElseThrow().migration()).contains("web-01");
        assertThat(read.get(BUCKET).orElseThrow().migration()).isEmpty();
    }

    @Test
    void aStepRewritesOnlyTheObjectOfItsMigration() throws IOException {
        new FileStateStore(stateFile()).write(fleet());
        Map<String, String> before = files();
        FileStateStore store = new FileStateStore(stateFile());
        State read = store.read().orElseThrow();
        LiveState live = new LiveState(store, read);

        live.update(WEB, recorded -> recorded.map(r -> r.withId(Optional.of("ami-web-2"), NOW)));

        Map<String, String> after = files();
        after.remove("state.json.backup"); // the run's one backup of the whole state, before its first write
        assertThat(after.keySet()).isEqualTo(before.keySet());
        before.forEach((name, content) -> {
            if (!name.equals("state.d/migrations/web-01.json")) {
                assertThat(after.get(name)).as(name).isEqualTo(content);
            }
        });
        assertThat(after.get("state.d/migrations/web-01.json")).contains("ami-web-2").contains("\"serial\":2");
        State again = new FileStateStore(stateFile()).read().orElseThrow();
        assertThat(again.get(WEB).orElseThrow().id()).contains("ami-web-2");
        assertThat(again.serial()).as("one change more than before").isEqualTo(read.serial() + 1).isEqualTo(live.current().serial());
    }

    @Test
    void aStateOfAnOlderFerryInOneFileIsReadAsItIsAndMovedToObjectsPerMigrationByTheFirstWrite() throws IOException {
        State old = fleet();
        Map<ResourceAddress, ResourceState> unowned = new TreeMap<>();
        old.byAddress().forEach((address, resource) -> unowned.put(address, resource.withMigration(Optional.empty())));
        byte[] oldDocument = ("{\"format_version\":1,\"lineage\":\"lineage-1\",\"migration\":\"fleet\",\"serial\":5,"
                + "\"ferry_version\":\"0.1.0\",\"resources\":[" + new String(StateCodec.MAPPER.writeValueAsBytes(unowned.get(WEB)),
                StandardCharsets.UTF_8) + "," + new String(StateCodec.MAPPER.writeValueAsBytes(unowned.get(BUCKET)),
                StandardCharsets.UTF_8) + "]}").getBytes(StandardCharsets.UTF_8);
        Files.write(stateFile(), oldDocument);

        FileStateStore store = new FileStateStore(stateFile());
        State read = store.read().orElseThrow();
        assertThat(read.serial()).isEqualTo(5);
        assertThat(read.byAddress()).containsOnlyKeys(WEB, BUCKET);
        assertThat(files()).as("reading changes nothing").containsOnlyKeys("state.json");

        LiveState live = new LiveState(store, read);
        live.belongTo(Map.of(WEB, Optional.of("web-01"), BUCKET, Optional.empty()));
        live.update(WEB, recorded -> recorded.map(r -> r.withId(Optional.of("ami-web-2"), NOW)));

        assertThat(files()).containsOnlyKeys("state.json", "state.json.backup", "state.d/_shared.json",
                "state.d/migrations/web-01.json");
        assertThat(Files.readAllBytes(dir.resolve("state.json.backup"))).as("the older document, as it was")
                .satisfies(backup -> assertThat(StateCodec.decode(backup, "backup").byAddress()).isEqualTo(read.byAddress()));
        State now = new FileStateStore(stateFile()).read().orElseThrow();
        assertThat(now.lineage()).isEqualTo("lineage-1");
        assertThat(now.migration()).contains("fleet");
        assertThat(now.get(WEB).orElseThrow().id()).contains("ami-web-2");
        assertThat(now.get(WEB).orElseThrow().migration()).contains("web-01");
        assertThat(now.get(BUCKET).orElseThrow().id()).contains("bucket-1");
        assertThat(now.serial()).isGreaterThan(5).isEqualTo(live.current().serial());

        // the next step writes one object, no longer the whole state
        String shared = files().get("state.d/_shared.json");
        live.update(WEB, recorded -> recorded.map(r -> r.withId(Optional.of("ami-web-3"), NOW)));
        assertThat(files().get("state.d/_shared.json")).isEqualTo(shared);
        assertThat(new FileStateStore(stateFile()).read().orElseThrow().get(WEB).orElseThrow().id()).contains("ami-web-3");
    }

    @Test
    void partsWrittenByARunKilledWhileMovingAnOlderStateAreNeverReadBack() throws IOException {
        Files.write(stateFile(), StateCodec.encode(new State("lineage-1", 3, Optional.of("fleet"), Map.of())));
        // a run wrote this part, then was killed before the manifest replaced the older document
        Path stale = dir.resolve("state.d/migrations/web-01.json");
        Files.createDirectories(stale.getParent());
        Files.write(stale, new StateCodec.Encoder().encode(new StatePart("lineage-1", Optional.of("fleet"), Optional.of("web-01"),
                List.of(made(WEB, "ami-half", Optional.of("web-01"))), 0), 1));

        FileStateStore store = new FileStateStore(stateFile());
        assertThat(store.read().orElseThrow().byAddress()).isEmpty();
        new LiveState(store, store.read().orElseThrow()).update(DB, r -> Optional.of(made(DB, "ami-db", Optional.of("db-01"))));

        State now = new FileStateStore(stateFile()).read().orElseThrow();
        assertThat(now.byAddress()).containsOnlyKeys(DB);
    }

    @Test
    void aFileHalfWrittenByAKilledRunIsNotReadAndThePreviousObjectStands() throws IOException {
        new FileStateStore(stateFile()).write(fleet());
        // what a kill during a write leaves: the temporary file, torn; the rename never happened
        Files.writeString(dir.resolve("state.d/migrations/.web-01.json.tmp-999-1"), "{\"format_version\":2,\"lin");

        State read = new FileStateStore(stateFile()).read().orElseThrow();
        assertThat(read.byAddress()).isEqualTo(fleet().byAddress());
    }

    @Test
    void aFailedWriteLeavesThePreviousObjectAndTheChangeIsWrittenByTheNextOne() {
        Map<String, byte[]> objects = new TreeMap<>();
        AtomicBoolean failing = new AtomicBoolean();
        StateObjects flaky = new StateObjects() {
            @Override
            public Optional<byte[]> read(String name) {
                return Optional.ofNullable(objects.get(name));
            }

            @Override
            public List<String> parts() {
                return objects.keySet().stream().filter(n -> !n.equals(PartitionedStateStore.MANIFEST)).toList();
            }

            @Override
            public void write(String name, byte[] bytes) {
                if (failing.get()) {
                    throw new FerryException("cannot write " + name + ": disk full");
                }
                objects.put(name, bytes.clone());
            }

            @Override
            public String describe(String name) {
                return name;
            }
        };
        PartitionedStateStore store = new PartitionedStateStore(flaky, "state.d/", "state.json");
        store.write(fleet());
        byte[] web = objects.get("migrations/web-01.json");
        LiveState live = new LiveState(store, new PartitionedStateStore(flaky, "state.d/", "state.json").read().orElseThrow());

        failing.set(true);
        assertThatThrownBy(() -> live.update(WEB, r -> r.map(x -> x.withId(Optional.of("ami-lost?"), NOW))))
                .hasMessageContaining("disk full");
        assertThat(objects.get("migrations/web-01.json")).isEqualTo(web);
        assertThat(new PartitionedStateStore(flaky, "state.d/", "state.json").read().orElseThrow().get(WEB).orElseThrow().id())
                .contains("ami-web");

        failing.set(false);
        live.update(DB, r -> r.map(x -> x.withId(Optional.of("ami-db-2"), NOW)));
        State read = new PartitionedStateStore(flaky, "state.d/", "state.json").read().orElseThrow();
        assertThat(read.get(WEB).orElseThrow().id()).as("the change that failed to be written went with the next write")
                .contains("ami-lost?");
        assertThat(read.get(DB).orElseThrow().id()).contains("ami-db-2");
        assertThat(read.serial()).isEqualTo(live.current().serial());
    }

    @Test
    void shardsWritingDifferentMigrationsAtOnceLoseNothingOfEachOther() throws Exception {
        new FileStateStore(stateFile()).write(fleet());
        int steps = 40;
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService shards = Executors.newFixedThreadPool(2);
        try {
            List<Future<LiveState>> runs = new ArrayList<>();
            for (ResourceAddress mine : List.of(WEB, DB)) {
                runs.add(shards.submit(() -> {
                    FileStateStore store = new FileStateStore(stateFile()); // a store per process, as two shards have
                    LiveState live = new LiveState(store, store.read().orElseThrow());
                    start.await();
                    for (int step = 1; step <= steps; step++) {
                        String id = mine.name() + "-" + step;
                        ResourceAddress extra = ResourceAddress.managed("aws_s3_object", mine.name() + "-" + step);
                        Optional<String> migration = live.get(mine).orElseThrow().migration();
                        live.update(mine, r -> r.map(x -> x.withId(Optional.of(id), NOW)));
                        live.update(extra, r -> Optional.of(made(extra, id, migration)));
                    }
                    return live;
                }));
            }
            start.countDown();
            for (Future<LiveState> run : runs) {
                run.get();
            }
        } finally {
            shards.shutdownNow();
        }
        State read = new FileStateStore(stateFile()).read().orElseThrow();
        assertThat(read.get(WEB).orElseThrow().id()).contains("web-01-" + steps);
        assertThat(read.get(DB).orElseThrow().id()).contains("db-01-" + steps);
        assertThat(read.byAddress()).hasSize(3 + 2 * steps);
        assertThat(read.get(BUCKET).orElseThrow().id()).contains("bucket-1");
        assertThat(read.serial()).isEqualTo(5 + 2 * 2 * steps);
    }

    @Test
    void shardsAddingToWhatMigrationsShareAtOnceKeepEachOthersRecords() throws Exception {
        new FileStateStore(stateFile()).write(fleet());
        int steps = 25;
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService shards = Executors.newFixedThreadPool(2);
        try {
            List<Future<?>> runs = new ArrayList<>();
            for (String shard : List.of("a", "b")) {
                runs.add(shards.submit(() -> {
                    FileStateStore store = new FileStateStore(stateFile());
                    LiveState live = new LiveState(store, store.read().orElseThrow());
                    start.await();
                    for (int step = 1; step <= steps; step++) {
                        // what the first shard to need it makes, in the object both write
                        ResourceAddress role = ResourceAddress.managed("aws_iam_role", shard + "-" + step);
                        live.update(role, r -> Optional.of(made(role, "role-" + role.name(), Optional.empty())));
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> run : runs) {
                run.get();
            }
        } finally {
            shards.shutdownNow();
        }
        State read = new FileStateStore(stateFile()).read().orElseThrow();
        assertThat(read.byAddress().keySet().stream().filter(a -> a.type().equals("aws_iam_role"))).hasSize(2 * steps);
        assertThat(read.get(BUCKET).orElseThrow().id()).contains("bucket-1");
        assertThat(read.serial()).isEqualTo(5 + 2 * steps);
        assertThat(dir.resolve("state.d/_shared.json.lock")).doesNotExist();
    }

    @Test
    void aPartOfAnotherLineageIsRefusedNamingIt() throws IOException {
        new FileStateStore(stateFile()).write(fleet());
        Path other = dir.resolve("state.d/migrations/app-01.json");
        Files.write(other, new StateCodec.Encoder().encode(new StatePart("another-lineage", Optional.of("fleet"), Optional.of("app-01"),
                List.of(), 0), 1));

        assertThatThrownBy(() -> new FileStateStore(stateFile()).read())
                .isInstanceOf(FerryException.class)
                .hasMessageContaining(other.toString())
                .hasMessageContaining("belongs to another state (lineage another-lineage)");
    }

    @Test
    void theManifestThePartsAndTheBackupAreStateAsTheSchemaDescribesIt() throws IOException {
        new FileStateStore(stateFile()).write(fleet());
        FileStateStore store = new FileStateStore(stateFile());
        new LiveState(store, store.read().orElseThrow()).update(WEB, r -> r.map(x -> x.withId(Optional.of("ami-web-2"), NOW)));

        Path here = Path.of("").toAbsolutePath();
        Path repository = here.getFileName().toString().equals("engine") ? here.getParent() : here;
        JsonSchema schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(
                StateCodec.MAPPER.readTree(Files.readAllBytes(repository.resolve("schemas/state.schema.json"))));
        assertThat(files()).containsKeys("state.json", "state.json.backup", "state.d/_shared.json").allSatisfy((name, content) -> {
            try {
                assertThat(schema.validate(StateCodec.MAPPER.readTree(content))).as(name).isEmpty();
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        });
    }

    @Test
    void migrationNamesAreMadeSafeAsFileNames() {
        assertThat(PartitionedStateStore.objectName(Optional.of("web-01"))).isEqualTo("migrations/web-01.json");
        assertThat(PartitionedStateStore.objectName(Optional.of("../x/Y"))).isEqualTo("migrations/%2E%2E%2Fx%2F%59.json");
        assertThat(PartitionedStateStore.objectName(Optional.empty())).isEqualTo("_shared.json");
    }
}
