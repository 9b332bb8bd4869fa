package dev.ferry.provider.aws.task;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.engine.FerryException;
import java.time.Duration;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** How long a start AWS refused for a full region waits, and how many tasks AWS said were running. */
class QueuedStartTest {

    @Test
    void aQueuedStartWaitsThirtyToSixtySecondsAtRandomSoShardsDoNotReturnTogether() {
        Set<Duration> waits = IntStream.range(0, 200).mapToObj(i -> ConversionTasks.queuedFor()).collect(Collectors.toSet());

        assertThat(waits).allSatisfy(wait -> assertThat(wait).isBetween(Duration.ofSeconds(30), Duration.ofSeconds(60)));
        assertThat(waits).as("jittered").hasSizeGreaterThan(10);
    }

    @Test
    void theNumberOfRunningTasksIsTheOneAwsGives_orItsDefault() {
        assertThat(ConversionTasks.running(new FerryException("EC2 ExportImage of ami-1 failed: You have exceeded the maximum number of"
                + " concurrent conversion tasks (5) for this region. (ResourceCountLimitExceeded)"))).isEqualTo(5);
        assertThat(ConversionTasks.running(new FerryException("EC2 ImportImage failed: limit of 20 reached (ResourceCountLimitExceeded)")))
                .isEqualTo(ConversionTasks.PER_REGION);
    }
}
