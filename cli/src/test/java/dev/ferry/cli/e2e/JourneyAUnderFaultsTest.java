package dev.ferry.cli.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.sandbox.Sandbox;
import dev.ferry.sandbox.world.LinodeImage;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * Journey A while the clouds misbehave: one request in ten to every endpoint answers 500, 503 or the
 * service's own throttling, and a few connections are cut mid-body. One apply must still carry the
 * migration through, with nothing made twice and the image intact.
 */
class JourneyAUnderFaultsTest {

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
        "rate=0.1,statuses=500,503,429,cut=0.03,seed=7",
        "rate=0.1,statuses=500,503,429,cut=0.03,seed=20261123",
        // the upload itself is cut once too, whatever the seed decides for the rest
        "services=linode-upload,cut=1,count=1 ; rate=0.1,statuses=500,503,429,cut=0.03,seed=11",
        // the EBS direct APIs: throttled, failing and cut blocks
        "services=ebs,rate=0.3,statuses=500,503,429,cut=0.1,cut-direction=response,seed=5"})
    void applyCompletesWithTheImageIntactWhenTenPercentOfRequestsFail(String faults) throws Exception {
        try (Sandbox sandbox = Sandbox.start(Journeys.sandbox().faults(faults).build())) {
            Journeys.copyExample(dir);
            Ferry ferry = Ferry.in(dir, sandbox, Journeys.distinctiveSecret("Root-"));

            Ferry.Result apply = ferry.run("apply", "--auto-approve");

            assertThat(apply.exitCode()).as(apply.toString()).isZero();
            // the snapshot road makes few requests (no bucket, no export, no multipart upload): a handful of faults
            assertThat(sandbox.faults().injectedCount()).as("faults were injected").isPositive();
            assertThat(sandbox.world().linode().instances()).hasSize(1);
            assertThat(sandbox.world().linode().firewalls()).hasSize(1);
            assertThat(sandbox.world().linode().images()).filteredOn(i -> !i.status().equals("failed")).hasSize(1);
            LinodeImage image = sandbox.world().linode().image(sandbox.world().linode().instances().get(0).image()).orElseThrow();
            long volumeBytes = sandbox.world().ec2().volumes().stream()
                    .filter(v -> v.id().equals(sandbox.world().ec2().instance(Journeys.INSTANCE).orElseThrow().volumeIds().get(0)))
                    .findFirst().orElseThrow().sizeGiB() * (1L << 30);
            assertThat(image.upload().rawSha256())
                    .isEqualTo(JourneyATest.sha256(sandbox.world().ec2().rootDiskImage(Journeys.INSTANCE), volumeBytes));
            assertThat(sandbox.world().ec2().amis()).isEmpty();
            assertThat(sandbox.world().s3().objects(Journeys.BUCKET)).isEmpty();

            Ferry.Result plan = ferry.run("plan", "--detailed-exitcode");
            assertThat(plan.exitCode()).as(plan.toString()).isZero();
            assertThat(plan.out()).contains("No changes.");
        }
    }
}
