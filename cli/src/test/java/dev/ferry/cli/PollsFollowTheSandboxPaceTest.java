package dev.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.sandbox.Sandbox;
import dev.ferry.sandbox.SandboxOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ferry sandbox --time-scale 0.1} shortens an apply: ferry polls a long operation soon at first and then
 * less often while it does not move, so it sees a quick operation done soon after it is, and the sandbox says
 * nothing special to make that happen. Measured in polls served (each poll is one wait), not in wall-clock time.
 */
class PollsFollowTheSandboxPaceTest {

    @TempDir
    Path cache;

    @TempDir
    Path fullPace;

    @TempDir
    Path tenthOfThePace;

    /** The polls of one disk image imported into EC2 and launched, planned then applied at {@code timeScale}. */
    Polls applyAt(double timeScale, Path dir) throws IOException {
        try (Sandbox sandbox = Sandbox.start(SandboxOptions.builder().timeScale(timeScale).cacheDirectory(cache).build())) {
            Map<String, String> environment = VcenterToEc2Test.environment(sandbox);
            environment.remove("FERRY_POLL_INTERVAL");      // the poll interval a real apply has
            VcenterToEc2Test.rawDisk(dir.resolve("web-01.raw"), 2 * VcenterToEc2Test.MIB, true);
            Files.writeString(dir.resolve("migration.yaml"), VcenterToEc2Test.imagesOnly("t3.small", "web-01"));
            CliRunner.Result plan = CliRunner.run(dir, environment, "plan", "-out", "review.plan");
            assertThat(plan.exitCode()).as(plan.all()).isZero();
            long instancesBefore = sandbox.requests().count("ec2:DescribeInstances");

            CliRunner.Result apply = CliRunner.run(dir, environment, "apply", "review.plan");

            assertThat(apply.exitCode()).as(apply.all()).isZero();
            assertThat(sandbox.world().conversions().importImageTasks()).singleElement().satisfies(task -> assertThat(task.status()).isEqualTo("completed"));
            return new Polls(sandbox.requests().count("ec2:DescribeImportImageTasks"),
                    sandbox.requests().count("ec2:DescribeInstances") - instancesBefore);
        }
    }

    record Polls(long importTask, long instance) {
        long total() {
            return importTask + instance;
        }
    }

    @Test
    void atATenthOfTheSandboxPaceAnApplyWaitsFarFewerPolls() throws IOException {
        Polls full = applyAt(1.0, fullPace);
        Polls tenth = applyAt(0.1, tenthOfThePace);

        // The import takes 8 s at full pace and 0.8 s at a tenth: polled every 15 s, both would be seen done at
        // the first poll, 15 s after the start; followed at their pace, the quick one is seen done within a few.
        assertThat(tenth.importTask()).as("polls of the import at 0.1: %s, at 1: %s", tenth, full).isLessThanOrEqualTo(4);
        assertThat(tenth.total() * 3).as("polls at 0.1: %s, at 1: %s", tenth, full).isLessThanOrEqualTo(full.total());
        // Never more than one poll every first wait (500 ms) while the operation lasts, even when it moves each time.
        assertThat(full.importTask()).as("polls of the 8 s import at full pace: %s", full).isLessThanOrEqualTo(8_000 / 500 + 2);
    }
}
