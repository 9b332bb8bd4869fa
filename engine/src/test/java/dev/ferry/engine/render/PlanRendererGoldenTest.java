package dev.ferry.engine.render;

import static dev.ferry.engine.testing.EngineHarness.data;
import static dev.ferry.engine.testing.EngineHarness.slow;
import static dev.ferry.engine.testing.EngineHarness.thing;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.TextNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import dev.ferry.engine.plan.Plan;
import dev.ferry.engine.plan.PlanCodec;
import dev.ferry.engine.resource.ResourceAddress;
import dev.ferry.engine.resource.ResourceDeclaration;
import dev.ferry.engine.state.StateCodec;
import dev.ferry.engine.testing.EngineHarness;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The human plan for each kind of change, compared with golden files in
 * {@code src/test/resources/golden/} (regenerate with {@code -Dferry.golden.update=true} and review
 * the diff), and the JSON forms validated against {@code schemas/plan.schema.json}.
 */
class PlanRendererGoldenTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** One step at a time, so the memory cloud's ids come out the same on every run. */
    private final EngineHarness engine = new EngineHarness().options(
            dev.ferry.engine.apply.ApplyOptions.defaults().withParallelism(1).withMaxPollInterval(java.time.Duration.ofMillis(1)));

    private static List<ResourceDeclaration> base() {
        return List.of(
                data("facts").arg("key", "vm").build(),
                thing("network").arg("value", "10.0.0.0/24").arg("size", 1).build(),
                slow("server").ref("facts", "data.test_data.facts", "value").ref("network", "test_thing.network", "id")
                        .secret("root_pass", "TEST_SECRET").arg("polls", 1).build(),
                thing("old").arg("value", "to be removed").build());
    }

    @Test
    void create() throws IOException {
        List<ResourceDeclaration> declarations = List.of(
                data("facts").arg("key", "vm").build(),
                thing("network").arg("value", "10.0.0.0/24").arg("size", 1).arg("warn", "this network is public").build(),
                slow("copy").arg("value", "snapshot").cleanupAfter("test_slow.server").build(),
                slow("server").ref("facts", "data.test_data.facts", "value").ref("network", "test_thing.network", "id")
                        .ref("from", "test_slow.copy", "id").secret("root_pass", "TEST_SECRET").arg("polls", 1).build());
        assertGolden("create", engine.plan(declarations));
    }

    @Test
    void noChanges() throws IOException {
        engine.planAndApply(base());
        assertGolden("no-changes", engine.plan(base()));
    }

    @Test
    void updateReplaceAndDelete() throws IOException {
        engine.planAndApply(base());
        List<ResourceDeclaration> changed = List.of(
                data("facts").arg("key", "vm").build(),
                thing("network").arg("value", "10.0.1.0/24").arg("size", 1).build(),
                slow("server").ref("facts", "data.test_data.facts", "value").ref("network", "test_thing.network", "id")
                        .secret("root_pass", "TEST_SECRET").arg("polls", 2).build());
        assertGolden("update-replace-delete", engine.plan(changed));
    }

    @Test
    void readDuringApplyAndDrift() throws IOException {
        engine.planAndApply(base());
        String id = engine.state().get(ResourceAddress.parse("test_thing.network")).orElseThrow().id().orElseThrow();
        engine.cloud().tamper(id, "value", TextNode.valueOf("192.168.0.0/16"));
        List<ResourceDeclaration> declarations = List.of(
                data("facts").arg("key", "vm").build(),
                thing("network").arg("value", "10.0.0.0/24").arg("size", 1).build(),
                slow("server").ref("facts", "data.test_data.facts", "value").ref("network", "test_thing.network", "id")
                        .secret("root_pass", "TEST_SECRET").arg("polls", 1).build(),
                thing("old").arg("value", "to be removed").build(),
                thing("fresh").arg("value", "new").build(),
                data("later").ref("key", "test_thing.fresh", "id").build());
        assertGolden("read-and-drift", engine.plan(declarations));
    }

    @Test
    void destroyAndForget() throws IOException {
        engine.planAndApply(List.of(thing("kept").arg("value", "k").keepOnDestroy().build(), thing("gone").arg("value", "g").build()));
        assertGolden("destroy", engine.planDestroy());
    }

    @Test
    void jsonFormsFollowTheirSchemasAndHoldNoSecretValue() throws IOException {
        engine.planAndApply(base());
        Plan plan = engine.plan(List.of(base().get(0), base().get(1),
                slow("server").ref("facts", "data.test_data.facts", "value").ref("network", "test_thing.network", "id")
                        .secret("root_pass", "TEST_SECRET").arg("polls", 5).build()));
        JsonSchema planSchema = schema("plan.schema.json");
        for (PlanCodec.Flavour flavour : PlanCodec.Flavour.values()) {
            byte[] bytes = PlanCodec.encode(plan, flavour);
            Set<ValidationMessage> problems = planSchema.validate(JSON.readTree(bytes));
            assertThat(problems).as(flavour.name()).isEmpty();
            assertThat(new String(bytes, StandardCharsets.UTF_8)).doesNotContain("hunter2");
        }
        assertThat(new String(PlanCodec.encode(plan, PlanCodec.Flavour.REPORT), StandardCharsets.UTF_8))
                .contains("(sensitive)").doesNotContain("${env:TEST_SECRET}");
        Plan decoded = PlanCodec.decode(PlanCodec.encode(plan, PlanCodec.Flavour.SAVED), "saved.json");
        assertThat(new String(PlanCodec.encode(decoded, PlanCodec.Flavour.SAVED), StandardCharsets.UTF_8))
                .isEqualTo(new String(PlanCodec.encode(plan, PlanCodec.Flavour.SAVED), StandardCharsets.UTF_8));
        assertThat(schema("state.schema.json").validate(JSON.readTree(StateCodec.encode(engine.state())))).isEmpty();
    }

    static JsonSchema schema(String name) throws IOException {
        JsonNode node = JSON.readTree(Files.readAllBytes(repository().resolve("schemas").resolve(name)));
        return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012)
                .getSchema(node, SchemaValidatorsConfig.builder().formatAssertionsEnabled(true).build());
    }

    private static Path repository() {
        Path here = Path.of("").toAbsolutePath();
        return here.getFileName().toString().equals("engine") ? here.getParent() : here;
    }

    private static void assertGolden(String name, Plan plan) throws IOException {
        String actual = new PlanRenderer(Style.PLAIN).render(plan);
        Path golden = repository().resolve("engine/src/test/resources/golden").resolve(name + ".txt");
        if (Boolean.getBoolean("ferry.golden.update") || !Files.exists(golden)) {
            Files.writeString(golden, actual);
        }
        assertThat(actual).isEqualTo(Files.readString(golden));
    }
}
