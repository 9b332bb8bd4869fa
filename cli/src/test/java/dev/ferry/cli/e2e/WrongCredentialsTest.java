package dev.ferry.cli.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.sandbox.Sandbox;
import java.io.IOException;
import java.nio.file.Files;
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

    @Test
    void aWrongSecretForTheRightKeyIsACredentialsProblemWithoutAStackTrace() throws IOException {
        String wrongSecret = "wrongSecretKey/ferry/0000000000000000000";
        try (Sandbox sandbox = Sandbox.start(Journeys.sandbox().build())) {
            Journeys.copyExample(dir);
            Ferry ferry = Ferry.in(dir, sandbox, "Correct-Horse-Battery-9").with("AWS_SECRET_ACCESS_KEY", wrongSecret);

            Ferry.Result plan = ferry.run("plan");

            assertThat(plan.exitCode()).as(plan.toString()).isEqualTo(1);
            assertThat(plan.all()).as(plan.toString())
                    .contains("AWS did not accept the credentials from the environment (AWS_ACCESS_KEY_ID ****")
                    .containsAnyOf("(AuthFailure: ", "(SignatureDoesNotMatch: ")
                    .contains("the secret matches it")
                    .doesNotContain("\tat ")
                    .doesNotContain("Exception")
                    .doesNotContain(wrongSecret)
                    .doesNotContain(sandbox.secretAccessKey());
        }
    }

    @Test
    void anotherRegionDoesNotSeeTheInstanceAndARegionAwsDoesNotHaveIsRefused() throws IOException {
        try (Sandbox sandbox = Sandbox.start(Journeys.sandbox().build())) {
            Path file = Journeys.copyExample(dir);
            String example = Files.readString(file);
            Ferry ferry = Ferry.in(dir, sandbox, "Correct-Horse-Battery-9");

            Files.writeString(file, example.replace("region: " + sandbox.region(), "region: eu-west-3"));
            Ferry.Result paris = ferry.with("AWS_REGION", "eu-west-3").run("plan");
            assertThat(paris.exitCode()).as(paris.toString()).isEqualTo(1);
            assertThat(paris.all()).as(paris.toString())
                    .contains("instance i-0e1dc0292b0ae7293 does not exist in eu-west-3")
                    .doesNotContain("\tat ");

            Files.writeString(file, example.replace("region: " + sandbox.region(), "region: us-wst-1"));
            Ferry.Result typo = ferry.with("AWS_REGION", "us-wst-1").run("plan");
            assertThat(typo.exitCode()).as(typo.toString()).isEqualTo(1);
            assertThat(typo.all()).as(typo.toString()).contains("warning: region 'us-wst-1' is not an AWS region")
                    .contains("did you mean 'us-west-1'?")
                    .contains("'us-wst-1' is not a region AWS answers for")
                    .doesNotContain("did not accept the credentials")
                    .doesNotContain("\tat ");
        }
    }
}
