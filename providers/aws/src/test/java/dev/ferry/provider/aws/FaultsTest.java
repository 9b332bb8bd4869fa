package dev.ferry.provider.aws;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.engine.apply.ApplyResult;
import dev.ferry.sandbox.Sandbox;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Journey A's source half while AWS fails a tenth of the calls: errors, throttling, cut connections. */
class FaultsTest {

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

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(ints = {11, 23, 42})
    void survivesATenthOfCallsFailingWithServerErrorsThrottlingAndCutConnections(int seed) throws Exception {
        sandbox.faults().set("services=ec2,s3,iam,sts,pricing,rate=0.1,statuses=500,503,429,cut=0.05,cut-direction=both,seed=" + seed);
        Journey journey = new Journey(sandbox, JourneyASourceTest.file("delete-after-import", true), directory);

        ApplyResult result = journey.apply();

        assertThat(result.failures()).as(journey.failures(result)).isEmpty();
        assertThat(sandbox.faults().injectedCount()).as("faults were injected").isPositive();
        assertThat(journey.neighbours().imported.get("fake_image.web-01"))
                .isEqualTo(JourneyASourceTest.sha256(sandbox.world().ec2().rootDiskImage(JourneyASourceTest.WEB_01)));
        assertThat(sandbox.world().conversions().exportImageTasks()).as("one export task").hasSize(1);
        assertThat(sandbox.world().ec2().snapshots()).as("one image's snapshot, and it was cleaned up")
                .noneMatch(s -> s.description().contains("CreateImage"));
        System.out.println("FIGURE faults injected during journey A's source half: " + sandbox.faults().injectedCount() + " of "
                + sandbox.requests().counts().values().stream().mapToLong(Long::longValue).sum() + " requests");

        assertThat(journey.plan().hasChanges()).isFalse();
        ApplyResult destroyed = journey.destroy();
        assertThat(destroyed.failures()).as(journey.failures(destroyed)).isEmpty();
        assertThat(sandbox.world().role("vmimport")).isEmpty();
    }

    @Test
    void survivesThrottlingOnEveryOtherCall() {
        sandbox.faults().set("services=ec2,s3,iam,sts,rate=0.5,statuses=429,seed=3");
        Journey journey = new Journey(sandbox, JourneyASourceTest.file("keep", true), directory);

        ApplyResult result = journey.apply();

        assertThat(result.failures()).as(journey.failures(result)).isEmpty();
        assertThat(sandbox.requests().count("ec2:CreateImage")).isLessThanOrEqualTo(
                sandbox.requests().successCount("ec2:CreateImage") + sandbox.faults().injectedCount());
        assertThat(sandbox.world().ec2().amis()).hasSize(1);
        assertThat(sandbox.world().conversions().exportImageTasks()).hasSize(1);
    }
}
