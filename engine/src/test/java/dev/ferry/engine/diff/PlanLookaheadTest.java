package dev.ferry.engine.diff;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.engine.FerryException;
import dev.ferry.engine.provider.ArtifactOpener;
import dev.ferry.engine.provider.DataRequest;
import dev.ferry.engine.provider.DataResult;
import dev.ferry.engine.provider.DataSourceType;
import dev.ferry.engine.provider.ProviderSession;
import dev.ferry.engine.provider.ResourceType;
import dev.ferry.engine.provider.ResourceTypes;
import dev.ferry.engine.resource.Expression;
import dev.ferry.engine.resource.ResourceAddress;
import dev.ferry.engine.resource.ResourceDeclaration;
import dev.ferry.engine.spec.SourceLocation;
import dev.ferry.engine.state.ResourceState;
import dev.ferry.engine.state.ResourceStatus;
import dev.ferry.engine.state.State;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** What a plan can know before it expands: a data source the file fully describes, read once, and the state. */
class PlanLookaheadTest {

    private static final SourceLocation HERE = SourceLocation.startOf("migration.yaml");
    private static final ResourceAddress SOURCE = ResourceAddress.data("test_source", "m");
    private static final ResourceAddress OTHER = ResourceAddress.managed("test_copy", "m");

    /** A source whose reads are counted: the size it reports is its {@code size} argument, and {@code fail} fails it. */
    private static final class CountingSource implements DataSourceType, ProviderSession {
        /** The instance each read asked for. */
        final List<String> reads = new ArrayList<>();
        int calls;

        @Override
        public String name() {
            return "test_source";
        }

        @Override
        public Map<ResourceAddress, DataResult> read(List<DataRequest> requests) {
            calls++;
            Map<ResourceAddress, DataResult> results = new HashMap<>();
            for (DataRequest request : requests) {
                String instance = request.arguments().text("instance");
                reads.add(instance);
                if (instance.equals("throws")) {
                    throw new FerryException("the cloud is unreachable");
                }
                ObjectNode outputs = JsonNodeFactory.instance.objectNode();
                outputs.putObject("machine").put("name", instance);
                outputs.putNull("firewall");
                results.put(request.address(), instance.equals("missing")
                        ? new DataResult.Failed("no instance " + instance)
                        : new DataResult.Found(outputs, List.of()));
            }
            return results;
        }

        @Override
        public List<ResourceType> resourceTypes() {
            return List.of(this);
        }

        @Override
        public Map<String, Integer> limits() {
            return Map.of();
        }

        @Override
        public List<ArtifactOpener> artifactOpeners() {
            return List.of();
        }

        @Override
        public void close() {
        }
    }

    private static ResourceDeclaration source(String instance) {
        return source(SOURCE, instance);
    }

    private static ResourceDeclaration source(ResourceAddress address, String instance) {
        return ResourceDeclaration.builder(address, HERE).argument("instance", instance).build();
    }

    @Test
    void theSourcesOfAFleetAreReadInOneBatchWhenTheFirstIsAskedFor() {
        CountingSource cloud = new CountingSource();
        PlanLookahead lookahead = new PlanLookahead(new ResourceTypes(List.of(cloud)), State.empty());
        List<ResourceDeclaration> fleet = List.of(source(ResourceAddress.data("test_source", "a"), "i-a"),
                source(ResourceAddress.data("test_source", "b"), "i-b"),
                source(ResourceAddress.data("test_source", "c"), "i-c"));
        lookahead.consider(fleet);

        Optional<JsonNode> b = lookahead.value(new Expression.Reference(ResourceAddress.data("test_source", "b"), "machine"),
                List.of(fleet.get(1)));
        Optional<JsonNode> c = lookahead.value(new Expression.Reference(ResourceAddress.data("test_source", "c"), "machine"),
                List.of(fleet.get(2)));

        assertThat(b).hasValueSatisfying(value -> assertThat(value.path("name").asText()).isEqualTo("i-b"));
        assertThat(c).hasValueSatisfying(value -> assertThat(value.path("name").asText()).isEqualTo("i-c"));
        assertThat(cloud.calls).isEqualTo(1);
        assertThat(cloud.reads).containsExactly("i-a", "i-b", "i-c");
    }

    @Test
    void aDataSourceTheFileFullyDescribesIsReadOnceForEveryOutputAskedOf() {
        CountingSource cloud = new CountingSource();
        PlanLookahead lookahead = new PlanLookahead(new ResourceTypes(List.of(cloud)), State.empty());
        List<ResourceDeclaration> declarations = List.of(source("i-1"));

        Optional<JsonNode> machine = lookahead.value(new Expression.Reference(SOURCE, "machine"), declarations);
        Optional<JsonNode> firewall = lookahead.value(new Expression.Reference(SOURCE, "firewall"), declarations);
        Optional<JsonNode> again = lookahead.value(new Expression.Reference(SOURCE, "machine"), declarations);

        assertThat(machine).hasValueSatisfying(value -> assertThat(value.path("name").asText()).isEqualTo("i-1"));
        assertThat(firewall).as("a null output is not a value").isEmpty();
        assertThat(again).isEqualTo(machine);
        assertThat(cloud.reads).hasSize(1);
    }

    @Test
    void nothingIsReadForAnArgumentKnownOnlyLaterOrAManagedResourceOrAnUndeclaredOne() {
        CountingSource cloud = new CountingSource();
        PlanLookahead lookahead = new PlanLookahead(new ResourceTypes(List.of(cloud)), State.empty());
        ResourceDeclaration referring = ResourceDeclaration.builder(SOURCE, HERE).reference("instance", OTHER, "id").build();

        assertThat(lookahead.value(new Expression.Reference(SOURCE, "machine"), List.of(referring))).isEmpty();
        assertThat(lookahead.value(new Expression.Reference(OTHER, "disk_image"), List.of(source("i-1")))).isEmpty();
        assertThat(lookahead.value(new Expression.Reference(SOURCE, "machine"), List.of())).isEmpty();
        assertThat(cloud.reads).isEmpty();
    }

    @Test
    void aReadThatFailsOrThrowsAnswersNothingAndLeavesTheReportToThePlan() {
        CountingSource cloud = new CountingSource();

        assertThat(new PlanLookahead(new ResourceTypes(List.of(cloud)), State.empty())
                .value(new Expression.Reference(SOURCE, "machine"), List.of(source("missing")))).isEmpty();
        assertThat(new PlanLookahead(new ResourceTypes(List.of(cloud)), State.empty())
                .value(new Expression.Reference(SOURCE, "machine"), List.of(source("throws")))).isEmpty();
        assertThat(cloud.reads).hasSize(2);
    }

    @Test
    void theStateAnswersWhatItHoldsButNotAStagingCopyAlreadyCleanedUp() {
        Instant now = Instant.EPOCH;
        ResourceAddress made = ResourceAddress.managed("test_disk", "m");
        ResourceAddress consumed = ResourceAddress.managed("test_copy", "m");
        State state = new State("lineage", 3, Map.of(
                made, ResourceState.creating(made, 1, now),
                consumed, ResourceState.creating(consumed, 1, now).withStatus(ResourceStatus.CONSUMED, now)));
        PlanLookahead lookahead = new PlanLookahead(new ResourceTypes(List.of(new CountingSource())), state);

        assertThat(lookahead.recorded(made)).isPresent();
        assertThat(lookahead.recorded(consumed)).isEmpty();
        assertThat(lookahead.recorded(ResourceAddress.managed("test_disk", "other"))).isEmpty();
    }
}
