package dev.ferry.engine.diff;

import static dev.ferry.engine.testing.EngineHarness.thing;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.engine.FerryException;
import dev.ferry.engine.apply.ApplyResult;
import dev.ferry.engine.expand.Configuration;
import dev.ferry.engine.plan.Action;
import dev.ferry.engine.plan.Change;
import dev.ferry.engine.plan.Plan;
import dev.ferry.engine.resource.ResourceAddress;
import dev.ferry.engine.resource.ResourceDeclaration;
import dev.ferry.engine.testing.EngineHarness;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** --migration, --target and --shard: a plan of part of the file, with what it depends on, and never more. */
class TargetingTest {

    private final EngineHarness engine = new EngineHarness();

    /** Two migrations sharing a bucket: web-01 has an image and an instance on it, app-02 one image. */
    private static Configuration twoMigrations() {
        Map<ResourceAddress, ResourceDeclaration> declarations = new LinkedHashMap<>();
        Map<ResourceAddress, Set<String>> owners = new LinkedHashMap<>();
        add(declarations, owners, thing("bucket").arg("value", "shared").build(), "web-01", "app-02");
        add(declarations, owners, thing("web-image").ref("input", "test_thing.bucket", "id").build(), "web-01");
        add(declarations, owners, thing("web-instance").ref("input", "test_thing.web-image", "id").build(), "web-01");
        add(declarations, owners, thing("app-image").ref("input", "test_thing.bucket", "id").build(), "app-02");
        return new Configuration(declarations, owners);
    }

    private static void add(Map<ResourceAddress, ResourceDeclaration> declarations, Map<ResourceAddress, Set<String>> owners,
                            ResourceDeclaration declaration, String... migrations) {
        declarations.put(declaration.address(), declaration);
        owners.put(declaration.address(), Set.of(migrations));
    }

    private static Selection migrations(String... names) {
        return new Selection(Set.of(names), Set.of(), Optional.empty());
    }

    private static Selection targets(String... addresses) {
        return new Selection(Set.of(), Set.of(addresses), Optional.empty());
    }

    private static Map<String, Action> changes(Plan plan) {
        return plan.changes().stream().filter(c -> c.action().isChange())
                .collect(Collectors.toMap(c -> c.address().toString(), Change::action, (a, b) -> a, TreeMap::new));
    }

    @Test
    void aMigrationIsPlannedWithTheSharedResourcesItNeedsAndNothingOfTheOthers() {
        Plan plan = engine.plan(twoMigrations(), false, migrations("web-01"));

        assertThat(changes(plan)).containsOnlyKeys("test_thing.bucket", "test_thing.web-image", "test_thing.web-instance");
        assertThat(plan.partial()).isTrue();
        assertThat(plan.warnings()).singleElement().asString().startsWith("Partial plan: it covers only the migration web-01 (1 of the 2"
                + " migrations), with what they depend on").contains("Run 'ferry plan' without --migration, --target and --shard");
    }

    @Test
    void aTargetBringsWhatItDependsOnButNotWhatDependsOnIt() {
        Plan plan = engine.plan(twoMigrations(), false, targets("test_thing.web-image"));

        assertThat(changes(plan)).containsOnlyKeys("test_thing.bucket", "test_thing.web-image");
        assertThat(plan.warnings()).singleElement().asString().contains("it covers only test_thing.web-image,");
    }

    @Test
    void theWholeFileIsPlannedWithoutAWarning() {
        Plan plan = engine.plan(twoMigrations(), false, Selection.ALL);

        assertThat(changes(plan)).hasSize(4);
        assertThat(plan.partial()).isFalse();
        assertThat(plan.warnings()).isEmpty();
    }

    @Test
    void aTargetedApplyLeavesTheRestForTheNextPlan_whichAdoptsTheSharedOneAsDone() {
        ApplyResult first = engine.apply(engine.plan(twoMigrations(), false, migrations("app-02")));
        assertThat(first.succeeded()).as(first.failures().toString()).isTrue();
        assertThat(first.added()).isEqualTo(2);

        Plan rest = engine.plan(twoMigrations(), false, Selection.ALL);

        assertThat(changes(rest)).containsOnlyKeys("test_thing.web-image", "test_thing.web-instance");
        assertThat(engine.apply(rest).added()).isEqualTo(2);
        assertThat(engine.cloud().things()).hasSize(4);
        assertThat(engine.plan(twoMigrations(), false, Selection.ALL).hasChanges()).isFalse();
    }

    @Test
    void whatAnotherMigrationCleanedUpStaysCleanedUpWhenAShardIsApplied() {
        Map<ResourceAddress, ResourceDeclaration> declarations = new LinkedHashMap<>();
        Map<ResourceAddress, Set<String>> owners = new LinkedHashMap<>();
        for (String name : List.of("web", "app")) {
            add(declarations, owners, thing(name + "-copy").arg("value", name).cleanupAfter("test_thing." + name + "-image").build(), name);
            add(declarations, owners, thing(name + "-image").ref("input", "test_thing." + name + "-copy", "id").build(), name);
        }
        Configuration configuration = new Configuration(declarations, owners);
        assertThat(engine.apply(engine.plan(configuration, false, migrations("app"))).cleanedUp()).isEqualTo(1);
        assertThat(engine.apply(engine.plan(configuration, false, migrations("web"))).cleanedUp()).isEqualTo(1);

        assertThat(changes(engine.plan(configuration, false, Selection.ALL))).isEmpty();
        assertThat(engine.cloud().things()).hasSize(2);
    }

    @Test
    void aStagingCopyOtherMigrationsStillNeedIsNotCleanedUpByAPartialApply_butByTheWholeFile() {
        Map<ResourceAddress, ResourceDeclaration> declarations = new LinkedHashMap<>();
        Map<ResourceAddress, Set<String>> owners = new LinkedHashMap<>();
        add(declarations, owners, thing("bucket").arg("value", "shared").cleanupAfter("test_thing.web-image", "test_thing.app-image")
                .build(), "web", "app");
        add(declarations, owners, thing("web-image").ref("input", "test_thing.bucket", "id").build(), "web");
        add(declarations, owners, thing("app-image").ref("input", "test_thing.bucket", "id").build(), "app");
        Configuration configuration = new Configuration(declarations, owners);

        ApplyResult app = engine.apply(engine.plan(configuration, false, migrations("app")));

        assertThat(app.cleanedUp()).as("web still needs the bucket").isZero();
        assertThat(engine.cloud().things()).hasSize(2);
        assertThat(changes(engine.plan(configuration, false, migrations("web")))).containsOnlyKeys("test_thing.web-image");
        assertThat(changes(engine.plan(configuration, false, Selection.ALL)))
                .containsOnly(Map.entry("test_thing.web-image", Action.CREATE), Map.entry("test_thing.bucket", Action.CLEANUP));
    }

    @Test
    void aMigrationAndATargetTogetherCoverBoth() {
        Plan plan = engine.plan(twoMigrations(), false, new Selection(Set.of("app-02"), Set.of("test_thing.web-image"), Optional.empty()));

        assertThat(changes(plan)).containsOnlyKeys("test_thing.bucket", "test_thing.web-image", "test_thing.app-image");
    }

    @Test
    void anUnknownMigrationIsRefusedWithTheNamesThereAre() {
        assertThatThrownBy(() -> engine.plan(twoMigrations(), false, migrations("web-1")))
                .isInstanceOf(FerryException.class)
                .hasMessage("--migration web-1: test.yaml has no migration of that name; did you mean web-01? Its migrations: app-02, web-01.");
    }

    @Test
    void anUnknownOrMalformedTargetIsRefusedWithTheAddressesThereAre() {
        assertThatThrownBy(() -> engine.plan(twoMigrations(), false, targets("test_thing.web-imag", "bucket")))
                .isInstanceOf(FerryException.class)
                .hasMessageContaining("--target bucket: 'bucket' is not a resource address (TYPE.NAME, such as aws_ami.web-01).")
                .hasMessageContaining("--target test_thing.web-imag: neither test.yaml nor its state has a resource of that address;"
                        + " did you mean test_thing.web-image? Its resources: test_thing.app-image, test_thing.bucket,"
                        + " test_thing.web-image, test_thing.web-instance.");
    }

    @Test
    void resourcesTheFileNoLongerHasAreDeletedOnlyWhenTargeted() {
        engine.apply(engine.plan(twoMigrations(), false, Selection.ALL));
        Configuration withoutApp = twoMigrations().only(Set.of(ResourceAddress.parse("test_thing.bucket"),
                ResourceAddress.parse("test_thing.web-image"), ResourceAddress.parse("test_thing.web-instance")));

        assertThat(changes(engine.plan(withoutApp, false, migrations("web-01")))).isEmpty();
        assertThat(changes(engine.plan(withoutApp, false, targets("test_thing.app-image"))))
                .containsExactly(Map.entry("test_thing.app-image", Action.DELETE));
    }

    @Test
    void destroyingAMigrationKeepsWhatAnotherMigrationStillUses() {
        engine.apply(engine.plan(twoMigrations(), false, Selection.ALL));

        Plan plan = engine.plan(twoMigrations(), true, migrations("web-01"));

        assertThat(changes(plan)).containsOnlyKeys("test_thing.web-image", "test_thing.web-instance")
                .allSatisfy((address, action) -> assertThat(action).isEqualTo(Action.DELETE));
        assertThat(plan.warnings()).singleElement().asString().contains("it destroys only the migration web-01 (1 of the 2 migrations),"
                + " with what depends on them; 1 resource that other migrations also use stays (test_thing.bucket)");
        assertThat(engine.apply(plan).destroyed()).isEqualTo(2);
        assertThat(engine.cloud().things()).hasSize(2);
    }

    @Test
    void destroyingEveryMigrationThatSharesAResourceDestroysItToo() {
        engine.apply(engine.plan(twoMigrations(), false, Selection.ALL));

        assertThat(changes(engine.plan(twoMigrations(), true, migrations("web-01", "app-02")))).hasSize(4);
    }

    @Test
    void destroyingATargetDestroysWhatDependsOnIt() {
        engine.apply(engine.plan(twoMigrations(), false, Selection.ALL));

        assertThat(changes(engine.plan(twoMigrations(), true, targets("test_thing.web-image"))))
                .containsOnlyKeys("test_thing.web-image", "test_thing.web-instance");
        assertThat(changes(engine.plan(twoMigrations(), true, targets("test_thing.bucket")))).hasSize(4);
    }

    @Test
    void aShardPlansTheMigrationsWhoseHashFallsInIt() {
        // the first 8 bytes of SHA-256("web-01"), unsigned, mod 4 are 3; those of "app-02" are 0 (checked with Python's hashlib)
        assertThat(Shard.of("web-01", 4)).isEqualTo(3);
        assertThat(Shard.of("app-02", 4)).isEqualTo(0);

        Plan three = engine.plan(twoMigrations(), false, new Selection(Set.of(), Set.of(), Optional.of(new Shard(3, 4))));
        Plan one = engine.plan(twoMigrations(), false, new Selection(Set.of(), Set.of(), Optional.of(new Shard(1, 4))));

        assertThat(changes(three)).containsOnlyKeys("test_thing.bucket", "test_thing.web-image", "test_thing.web-instance");
        assertThat(three.warnings()).singleElement().asString().contains("it covers only shard 3/4: 1 of the 2 migrations (web-01)");
        assertThat(changes(one)).isEmpty();
        assertThat(one.warnings()).singleElement().asString().contains("shard 1/4, which holds none of the 2 migrations");
    }

    @Test
    void everyMigrationIsInExactlyOneShard() {
        List<String> names = IntStream.range(0, 200).mapToObj(i -> "vm-" + i).toList();
        for (int count : List.of(1, 3, 4, 16)) {
            for (String name : names) {
                long holding = IntStream.range(0, count).filter(i -> new Shard(i, count).contains(name)).count();
                assertThat(holding).as(name + " among " + count).isEqualTo(1);
            }
        }
        // 200 names over 4 shards: none is empty (a hash that ignored the name would put them all in one)
        assertThat(names.stream().map(name -> Shard.of(name, 4)).distinct().count()).isEqualTo(4);
    }

    @Test
    void aShardIsWrittenIndexSlashCountFromZero() {
        assertThat(Shard.parse("0/4")).isEqualTo(new Shard(0, 4));
        assertThat(Shard.parse(" 3/4 ").toString()).isEqualTo("3/4");
        assertThatThrownBy(() -> Shard.parse("4/4")).hasMessageContaining("the shard index counts from 0, so it must be 0 to 3");
        assertThatThrownBy(() -> Shard.parse("1/0")).hasMessageContaining("the number of shards must be at least 1");
        assertThatThrownBy(() -> Shard.parse("one of four")).hasMessageContaining("is not INDEX/COUNT; write e.g. --shard 0/4");
    }
}
