package dev.ferry.engine.render;

import static dev.ferry.engine.testing.EngineHarness.slow;
import static dev.ferry.engine.testing.EngineHarness.thing;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.ferry.engine.plan.Plan;
import dev.ferry.engine.plan.PlanCodec;
import dev.ferry.engine.resource.ResourceAddress;
import dev.ferry.engine.resource.ResourceDeclaration;
import dev.ferry.engine.testing.EngineHarness;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The text plan, {@code plan --json} and {@code plan --markdown} tell the same story. */
class PlanFormsAgreeTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final EngineHarness engine = new EngineHarness();

    private static List<ResourceDeclaration> declarations() {
        return List.of(
                thing("network").arg("value", "10.0.0.0/24").arg("warn", "this network is public").build(),
                slow("copy").arg("value", "snapshot").cleanupAfter("test_slow.server").build(),
                slow("server").ref("network", "test_thing.network", "id").ref("from", "test_slow.copy", "id").arg("polls", 1).build());
    }

    @Test
    void jsonListsTheWarningsAndStagingCopiesTheTextPlanShows() throws IOException {
        Plan plan = engine.plan(declarations());
        String text = new PlanRenderer(Style.PLAIN).render(plan);
        assertThat(text).contains("  - test_thing.network: this network is public").contains("Also: 1 staging copy to delete");

        JsonNode json = JSON.readTree(PlanCodec.encode(plan, PlanCodec.Flavour.REPORT));

        assertThat(json.get("warnings")).extracting(JsonNode::asText).containsExactly("test_thing.network: this network is public");
        assertThat(json.at("/summary/cleanup").asInt()).isEqualTo(1);
        // a saved plan keeps the notes with their change, not twice
        Plan decoded = PlanCodec.decode(PlanCodec.encode(plan, PlanCodec.Flavour.SAVED), "saved.json");
        assertThat(decoded.allWarnings()).containsExactly("test_thing.network: this network is public");
    }

    @Test
    void markdownWarningsAreNotDeletionsInTheDiffBlock_andTheActionColumnSaysWhatIsDone() {
        String markdown = new MarkdownRenderer().render(engine.plan(declarations()));

        String diff = markdown.substring(markdown.indexOf("```diff"), markdown.lastIndexOf("```"));
        assertThat(diff.lines().filter(line -> line.startsWith("-"))).isEmpty();
        assertThat(diff).contains("\n    - test_thing.network: this network is public\n");
        assertThat(markdown).contains("| + | `test_thing.network` | create | ").doesNotContain("| created |");
    }

    @Test
    void aWarningAboutAResourceThePlanDoesNotChangeIsNotShown() throws IOException {
        List<ResourceDeclaration> declarations = new ArrayList<>(declarations());
        declarations.add(thing("other").arg("value", "a").build());
        engine.planAndApply(declarations);
        String id = engine.state().get(ResourceAddress.parse("test_thing.other")).orElseThrow().id().orElseThrow();
        engine.cloud().tamper(id, "value", TextNode.valueOf("changed outside"));

        Plan plan = engine.plan(declarations);

        assertThat(plan.drift()).isNotEmpty();
        assertThat(plan.hasChanges()).isTrue();
        assertThat(new PlanRenderer(Style.PLAIN).render(plan)).doesNotContain("this network is public");
        assertThat(new MarkdownRenderer().render(plan)).doesNotContain("this network is public");
        assertThat(JSON.readTree(PlanCodec.encode(plan, PlanCodec.Flavour.REPORT)).get("warnings")).isEmpty();
    }
}
