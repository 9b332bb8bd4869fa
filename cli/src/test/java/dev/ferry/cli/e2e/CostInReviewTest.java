package dev.ferry.cli.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.sandbox.Sandbox;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pull-request comment ({@code ferry plan --markdown}) of journey A through the real AWS and Linode providers
 * ends with the cost table: the source's instance type at its on-demand price (the sandbox's Pricing API), the
 * Linode type {@code type: match} chose at its price in the target region, the difference, and the fleet total.
 */
class CostInReviewTest {

    @TempDir
    Path dir;

    Sandbox sandbox;
    Ferry ferry;

    @BeforeEach
    void start() throws IOException {
        sandbox = Sandbox.start(Journeys.sandbox().build());
        Journeys.copyExample(dir);
        ferry = Ferry.in(dir, sandbox, Journeys.distinctiveSecret("Root-"));
    }

    @AfterEach
    void stop() {
        sandbox.close();
    }

    @Test
    void theMarkdownPlanEndsWithWhatTheMachineCostsBeforeAndAfter() {
        Ferry.Result markdown = ferry.run("plan", "--markdown");

        assertThat(markdown.exitCode()).as(markdown.toString()).isZero();
        String table = markdown.out().substring(markdown.out().indexOf("**Cost**"));
        assertThat(table).as(markdown.out())
                .contains("| Migration | Source (type) | Source $/month | Target (type) | Target $/month | Difference |\n")
                // the sandbox's Pricing API: t3.medium on demand in us-west-1 at $0.0496/hour × 730 hours
                .contains("| `" + Journeys.MIGRATION + "` | t3.medium | $36.21 | g6-standard-2 | $24.00 | -$12.21 |\n")
                .contains("| **Fleet total** | | **$36.21** | | **$24.00** | **-$12.21** |\n")
                .doesNotContain("unknown");
        assertThat(markdown.out()).as("the table agrees with the type's note")
                .contains("$24.00/month in us-lax, against $36.21/month for t3.medium");
    }
}
