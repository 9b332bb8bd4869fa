package dev.ferry.provider.aws;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.engine.apply.ApplyResult;
import dev.ferry.engine.event.Event;
import dev.ferry.engine.state.MemoryStateStore;
import dev.ferry.sandbox.Sandbox;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.DiskImageFormat;

/**
 * Several ferry runs on one AWS account at once (shards with states of their own, or another tool): what they
 * share (the staging bucket, its policy, the vmimport role) is made by whichever gets there first and adopted by
 * the others, and the region's conversion tasks, counted by AWS for the whole account, queue a start instead of
 * failing it.
 */
class SharedAccountTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path directory;
    Sandbox sandbox;

    @BeforeEach
    void start() {
        sandbox = Sandboxes.start();
    }

    @AfterEach
    void stop() {
        sandbox.close();
    }

    private Journey run() {
        return new Journey(sandbox, JourneyASourceTest.file("keep", true), directory, new MemoryStateStore(), new FakeNeighbours());
    }

    @Test
    void twoRunsAtOnceMakeTheSharedResourcesOnce_andTheOneThatComesSecondAdoptsThem() throws Exception {
        Journey first = run();
        Journey second = run();

        CompletableFuture<ApplyResult> one = CompletableFuture.supplyAsync(first::apply);
        CompletableFuture<ApplyResult> two = CompletableFuture.supplyAsync(second::apply);

        assertThat(one.join().failures()).as(first.failures(one.join())).isEmpty();
        assertThat(two.join().failures()).as(second.failures(two.join())).isEmpty();
        assertThat(sandbox.world().roles()).extracting(role -> role.name()).containsExactly("vmimport");
        assertThat(sandbox.requests().count("s3:CreateBucket")).isEqualTo(2);
        JsonNode policy = JSON.readTree(sandbox.world().s3().bucket("ferry-journey-a").orElseThrow().policy());
        List<String> sids = new ArrayList<>();
        policy.path("Statement").forEach(statement -> sids.add(statement.path("Sid").asText()));
        assertThat(sids).containsExactlyInAnyOrder("FerryVmImportExportBucket", "FerryVmImportExportObjects");
        List<Boolean> made = List.of(first, second).stream()
                .map(journey -> journey.resource("aws_s3_bucket.staging").outputs().path("created_by_ferry").asBoolean()).toList();
        assertThat(made).as("one run made the bucket (and deletes it on destroy), the other uses it").containsExactlyInAnyOrder(true, false);
        assertThat(List.of(first, second).stream()
                .map(journey -> journey.resource("aws_iam_role.vmimport").outputs().path("created_by_ferry").asBoolean()).toList())
                .containsExactlyInAnyOrder(true, false);
        assertThat(first.plan().hasChanges()).isFalse();
        assertThat(second.plan().hasChanges()).isFalse();
    }

    @Test
    void anExportRefusedBecauseTheRegionRunsFiveTasksIsQueuedByAwsAndStartsOnceOneEnds() {
        sandbox.close();
        // exports of 1.2 s: long enough that the five are still running when ferry asks for its own
        sandbox = Sandbox.start(Sandboxes.options().timeScale(0.2).build());
        Journey queued = run();
        List<String> statuses = new java.util.concurrent.CopyOnWriteArrayList<>();
        queued.onEvent(event -> {
            if (event instanceof Event.StepStarted started && started.address().toString().equals("aws_image_export.web-01")) {
                takeEverySlot(queued.resource("aws_ami.web-01").id().orElseThrow());
            }
            if (event instanceof Event.StepProgress progress && progress.address().toString().equals("aws_image_export.web-01")) {
                statuses.add(progress.status());
            }
        });

        ApplyResult result = queued.apply();

        assertThat(result.failures()).as(queued.failures(result)).isEmpty();
        assertThat(statuses).anySatisfy(status -> assertThat(status)
                .matches("queued by AWS: 5 conversion tasks already running in us-west-1; retrying in 20ms"));
        assertThat(statuses).anySatisfy(status -> assertThat(status).startsWith("export export-ami-"));
        assertThat(sandbox.requests().count("ec2:ExportImage")).as("ferry's refused starts, then its own, after the five").isGreaterThan(6);
        assertThat(sandbox.world().conversions().maxConcurrent()).isEqualTo(5);
    }

    /** Another process of the same account starts five exports, which is all the region runs at once. */
    private void takeEverySlot(String ami) {
        try (Ec2Client ec2 = TestClients.ec2(sandbox)) {
            for (int i = 0; i < 5; i++) {
                ec2.exportImage(r -> r.imageId(ami).diskImageFormat(DiskImageFormat.RAW).roleName("vmimport")
                        .s3ExportLocation(l -> l.s3Bucket("ferry-journey-a").s3Prefix("elsewhere/")));
            }
        }
    }
}
