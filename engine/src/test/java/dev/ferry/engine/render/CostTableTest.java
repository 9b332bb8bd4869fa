package dev.ferry.engine.render;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.engine.machine.Cost;
import dev.ferry.engine.machine.MachineFacts;
import dev.ferry.engine.plan.Action;
import dev.ferry.engine.plan.Change;
import dev.ferry.engine.plan.Plan;
import dev.ferry.engine.plan.PlanCodec;
import dev.ferry.engine.resource.ResourceAddress;
import com.networknt.schema.JsonSchema;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;

/** The Markdown plan ends with what each migration's machine costs before and after, and the fleet's total. */
class CostTableTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static MachineFacts source(String size, Optional<MachineFacts.Price> price) {
        return new MachineFacts("ec2", "web", 2, 4096, null, null, Optional.empty(), List.of(), List.of(), List.of(), Map.of(),
                Optional.of(size), price, Optional.empty());
    }

    private static Change change(ResourceAddress address, Action action, String migration, String output, ObjectNode value) {
        ObjectNode known = JsonNodeFactory.instance.objectNode();
        known.set(output, value);
        return change(address, action, migration, known);
    }

    private static Change change(ResourceAddress address, Action action, String migration, ObjectNode known) {
        return new Change(address, action, Optional.empty(), null, null, null, null, known, null, null, null, null,
                Set.of(migration), Optional.empty(), 1);
    }

    private static Plan plan(boolean destroy, List<Change> changes) {
        return new Plan("lineage", 1, destroy, "migration.yaml", "digest", changes, List.of(), List.of(), Instant.EPOCH);
    }

    private static List<Change> fleet() {
        return List.of(
                change(ResourceAddress.data("aws_instance", "web-01"), Action.NOOP, "web-01", MachineFacts.OUTPUT,
                        (ObjectNode) source("t3.medium", Optional.of(new MachineFacts.Price(30.368, "On-Demand Linux, us-west-1"))).toJson()),
                change(ResourceAddress.managed("linode_instance", "web-01"), Action.CREATE, "web-01", Cost.OUTPUT,
                        Cost.known("g6-standard-2", 24, "us-lax").toJson()),
                change(ResourceAddress.data("aws_instance", "app-01"), Action.NOOP, "app-01", MachineFacts.OUTPUT,
                        (ObjectNode) source("m5.large", Optional.of(new MachineFacts.Price(70.08, "On-Demand Linux, us-west-1"))).toJson()),
                change(ResourceAddress.managed("linode_instance", "app-01"), Action.CREATE, "app-01", Cost.OUTPUT,
                        Cost.known("g6-standard-4", 48, "us-lax").toJson()),
                change(ResourceAddress.data("aws_instance", "db-01"), Action.NOOP, "db-01", MachineFacts.OUTPUT,
                        (ObjectNode) source("r5.large", Optional.empty()).toJson()),
                change(ResourceAddress.managed("linode_instance", "db-01"), Action.CREATE, "db-01", Cost.OUTPUT,
                        Cost.unknown(Optional.empty(), "type: match is chosen once the source machine is known").toJson()));
    }

    @Test
    void aRowPerMigrationThenTheFleetTotal_unknownPricesFootnotedNotZero() {
        String table = CostTable.render(plan(false, fleet())).orElseThrow();

        assertThat(table).isEqualTo("""

                **Cost** (monthly, on demand)

                | Migration | Source (type) | Source $/month | Target (type) | Target $/month | Difference |
                |---|---|---|---|---|---|
                | `app-01` | m5.large | $70.08 | g6-standard-4 | $48.00 | -$22.08 |
                | `db-01` | r5.large | unknown<sup>1</sup> | unknown | unknown<sup>2</sup> | unknown |
                | `web-01` | t3.medium | $30.37 | g6-standard-2 | $24.00 | -$6.37 |
                | **Fleet total** | | **$100.45 + 1 unknown** | | **$72.00 + 1 unknown** | **unknown** |

                <sup>1</sup> the source's cloud gave no price for r5.large \s
                <sup>2</sup> type: match is chosen once the source machine is known \s
                """);
    }

    @Test
    void whenEveryPriceIsKnownTheTotalHasADifference_andATargetThatReportsNoPriceIsUnknown() {
        String known = CostTable.render(plan(false, fleet().subList(0, 4))).orElseThrow();
        assertThat(known).contains("| **Fleet total** | | **$100.45** | | **$72.00** | **-$28.45** |\n")
                .doesNotContain("<sup>");

        String noTarget = CostTable.render(plan(false, fleet().subList(0, 1))).orElseThrow();
        assertThat(noTarget).contains("| `web-01` | t3.medium | $30.37 | unknown | unknown<sup>1</sup> | unknown |")
                .contains("<sup>1</sup> the target's provider does not report a price");
    }

    @Test
    void planJsonCarriesTheSameCostsAsKnownOutputs_asTheSchemaDescribes() throws IOException {
        JsonSchema schema = PlanRendererGoldenTest.schema("plan.schema.json");
        JsonNode json = JSON.readTree(PlanCodec.encode(plan(false, fleet()), PlanCodec.Flavour.REPORT));

        assertThat(schema.validate(json)).isEmpty();
        JsonNode web = StreamSupport.stream(json.get("changes").spliterator(), false)
                .filter(change -> change.get("address").asText().equals("linode_instance.web-01")).findFirst().orElseThrow();
        assertThat(web.at("/known_outputs/cost")).isEqualTo(JSON.readTree(
                "{\"type\": \"g6-standard-2\", \"monthly_usd\": 24.0, \"basis\": \"us-lax\"}"));
        ((ObjectNode) web.at("/known_outputs/cost")).put("monthly_usd", "24");
        assertThat(schema.validate(json)).as("a price that is not a number").isNotEmpty();
    }

    @Test
    void aVmOnPremisesHasNoPriceToCompare_soItsPriceAndTheDifferenceAreNotApplicable() {
        MachineFacts vm = new MachineFacts("vsphere", "app-02", 2, 4096, null, null, Optional.of("Ubuntu Linux (64-bit)"), List.of(),
                List.of(), List.of(), Map.of(), Optional.empty(), Optional.empty(), Optional.of("POWERED_ON"));
        ObjectNode known = JsonNodeFactory.instance.objectNode().put(MachineFacts.PRICE_NOT_APPLICABLE, "on-premises");
        known.set(MachineFacts.OUTPUT, vm.toJson());
        Change read = change(ResourceAddress.data("vsphere_vm", "app-02"), Action.NOOP, "app-02", known);
        List<Change> changes = List.of(
                read,
                change(ResourceAddress.managed("aws_instance", "app-02"), Action.CREATE, "app-02", Cost.OUTPUT,
                        Cost.known("t3.medium", 30.37, "on-demand Linux t3.medium in us-west-1").toJson()));

        assertThat(CostTable.render(plan(false, changes)).orElseThrow()).isEqualTo("""

                **Cost** (monthly, on demand)

                | Migration | Source (type) | Source $/month | Target (type) | Target $/month | Difference |
                |---|---|---|---|---|---|
                | `app-02` | 2 vCPUs, 4 GiB | n/a (on-premises) | t3.medium | $30.37 | n/a |
                | **Fleet total** | | **n/a** | | **$30.37** | **n/a** |
                """);

        List<Change> mixed = new java.util.ArrayList<>(changes);
        mixed.addAll(fleet().subList(0, 2));
        assertThat(CostTable.render(plan(false, mixed)).orElseThrow())
                .contains("| **Fleet total** | | **$30.37 + 1 n/a** | | **$54.37** | **n/a** |\n");
    }

    @Test
    void noTableWithoutPrices_norInADestroyPlan() {
        assertThat(CostTable.render(plan(true, fleet()))).isEmpty();
        assertThat(CostTable.render(plan(false, List.of()))).isEmpty();
        assertThat(new MarkdownRenderer().render(plan(false, fleet()))).contains("| `web-01` | t3.medium | $30.37 |");
    }
}
