package dev.ferry.cli.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.sandbox.Sandbox;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** When AWS refuses the credentials, every problem of the plan says so, and none gives other advice. */
class WrongCredentialsTest {

    @TempDir
    Path dir;

    @Test
    void aWrongAccessKeyIsWordedAsACredentialsProblemEverywhere() throws IOException {
        try (Sandbox sandbox = Sandbox.start(Journeys.sandbox().build())) {
            Journeys.copyExample(dir);
            Ferry ferry = Ferry.in(dir, sandbox, "Correct-Horse-Battery-9").with("AWS_ACCESS_KEY_ID", "AKIAWRONGKEY00000042");

            Ferry.Result plan = ferry.run("plan");

            assertThat(plan.exitCode()).as(plan.toString()).isEqualTo(1);
            assertThat(plan.all()).as(plan.toString())
                    .contains("did not accept the credentials")
                    .doesNotContain("taken by another AWS account")
                    .doesNotContain("choose another staging.bucket")
                    .doesNotContain("AKIAWRONGKEY00000042");
        }
    }
}
