package dev.ferry.provider.aws;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.engine.apply.ApplyResult;
import dev.ferry.engine.apply.Cancellation;
import dev.ferry.engine.event.Event;
import dev.ferry.engine.plan.Action;
import dev.ferry.engine.plan.Change;
import dev.ferry.engine.plan.Plan;
import dev.ferry.engine.resource.ResourceAddress;
import dev.ferry.engine.state.ResourceStatus;
import dev.ferry.engine.testing.FreezableStateStore;
import dev.ferry.provider.aws.source.AmiResource;
import dev.ferry.provider.aws.source.ImageExportResource;
import dev.ferry.provider.aws.staging.BucketResource;
import dev.ferry.provider.aws.staging.VmImportRoleResource;
import dev.ferry.sandbox.Sandbox;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An apply killed during a long wait, or right after a create call, is resumed by the next one: it
 * follows the recorded operation or finds what was made by its tags, and never makes a second image
 * or starts a second export.
 */
class ResumeTest {

    @TempDir
    Path directory;
    Sandbox sandbox;
    FreezableStateStore store;
    FakeNeighbours neighbours;

    @BeforeEach
    void start() {
        sandbox = Sandboxes.start();
        store = new FreezableStateStore();
        neighbours = new FakeNeighbours();
    }

    @AfterEach
    void stop() {
        sandbox.close();
    }

    Journey journey() {
        return new Journey(sandbox, JourneyASourceTest.file("keep", true), directory, store, neighbours);
    }

    /** The journey, with the clean-up that deletes the staging copies and the bucket ferry made. */
    Journey cleaningJourney() {
        return new Journey(sandbox, JourneyASourceTest.file("delete-after-import", true), directory, store, neighbours);
    }

    /** Kills the apply (state frozen, apply stopped) the moment {@code address} reports progress of its create. */
    ApplyResult killWhileWaitingFor(String address) {
        Cancellation cancellation = new Cancellation();
        AtomicBoolean killed = new AtomicBoolean();
        Journey first = journey().onEvent(event -> {
            if (event instanceof Event.StepProgress progress && progress.address().toString().equals(address)
                    && progress.verb() == Event.Verb.CREATE && progress.percent().isPresent() && killed.compareAndSet(false, true)) {
                // the first progress with a percent is the engine's, once the operation is recorded
                store.freeze();
                cancellation.request();
            }
        });
        ApplyResult result = first.apply(first.plan(), cancellation);
        assertThat(killed).as("the apply reached " + address).isTrue();
        store.thaw();
        return result;
    }

    void resumes(String address) {
        Journey second = journey();
        Plan plan = second.plan();
        Change change = plan.change(ResourceAddress.parse(address)).orElseThrow();
        assertThat(change.action()).isEqualTo(Action.CREATE);
        assertThat(change.reason()).hasValueSatisfying(reason -> assertThat(reason).startsWith("resuming the interrupted create"));
        ApplyResult result = second.apply(plan);
        assertThat(result.failures()).as(second.failures(result)).isEmpty();
        assertThat(second.resource(address).status()).isEqualTo(ResourceStatus.CREATED);
        assertThat(neighbours.imported).containsKey("fake_image.web-01");
        assertThat(second.plan().hasChanges()).isFalse();
    }

    @Test
    void resumesFollowingTheImageInsteadOfMakingASecondOne() {
        killWhileWaitingFor("aws_ami.web-01");
        assertThat(journey().resource("aws_ami.web-01").operation()).as("the wait was recorded").isPresent();

        resumes("aws_ami.web-01");

        assertThat(sandbox.requests().count("ec2:CreateImage")).isEqualTo(1);
        assertThat(sandbox.world().ec2().amis()).hasSize(1);
    }

    @Test
    void resumesFollowingTheExportInsteadOfStartingASecondOne() {
        killWhileWaitingFor("aws_image_export.web-01");
        assertThat(journey().resource("aws_image_export.web-01").operation()).isPresent();

        resumes("aws_image_export.web-01");

        assertThat(sandbox.requests().count("ec2:CreateImage")).isEqualTo(1);
        assertThat(sandbox.requests().count("ec2:ExportImage")).isEqualTo(1);
        assertThat(sandbox.world().conversions().exportImageTasks()).hasSize(1);
    }

    @Test
    void findsAnImageWhoseCreationWasSentButNeverRecorded() {
        Journey first = journey().wrapTypes(KillAfterCreate.of(AmiResource.NAME, store));
        first.apply(first.plan());
        store.thaw();
        assertThat(journey().resource("aws_ami.web-01").operation()).as("nothing of the image reached the state").isEmpty();

        resumes("aws_ami.web-01");

        assertThat(sandbox.requests().count("ec2:CreateImage")).isEqualTo(1);
        assertThat(sandbox.world().ec2().amis()).hasSize(1);
    }

    @Test
    void findsAnExportWhoseStartWasSentButNeverRecorded() {
        Journey first = journey().wrapTypes(KillAfterCreate.of(ImageExportResource.NAME, store));
        first.apply(first.plan());
        store.thaw();

        resumes("aws_image_export.web-01");

        assertThat(sandbox.requests().count("ec2:ExportImage")).isEqualTo(1);
        assertThat(sandbox.world().conversions().exportImageTasks()).hasSize(1);
    }

    @Test
    void aRoleWhoseCreationWasSentButNeverRecordedGetsItsPolicy_andIsDeletedOnDestroyAsFerryMadeIt() {
        Journey first = journey().wrapTypes(KillAfterCreate.of(VmImportRoleResource.NAME, store));
        first.apply(first.plan());
        store.thaw();
        assertThat(sandbox.world().roles()).hasSize(1);

        resumes("aws_iam_role.vmimport");

        assertThat(sandbox.requests().successCount("iam:CreateRole")).isEqualTo(1);
        assertThat(sandbox.world().role("vmimport").orElseThrow().inlinePolicies()).containsKey("ferry-vmimport-ferry-journey-a");
        Journey last = journey();
        assertThat(last.apply(last.planDestroy()).failures()).isEmpty();
        assertThat(sandbox.world().roles()).as("ferry made the role, so destroy deletes it").isEmpty();
    }

    @Test
    void aBucketWhoseCreationWasSentButNeverRecordedIsKnownAsFerrysAndCleanedUp() {
        Journey first = cleaningJourney().wrapTypes(KillAfterCreate.of(BucketResource.NAME, store));
        first.apply(first.plan());
        store.thaw();
        assertThat(sandbox.world().s3().buckets()).hasSize(1);

        Journey second = cleaningJourney();
        ApplyResult result = second.apply(second.plan());

        assertThat(result.failures()).as(second.failures(result)).isEmpty();
        assertThat(sandbox.requests().successCount("s3:CreateBucket")).isEqualTo(1);
        assertThat(sandbox.world().s3().buckets()).as("the bucket ferry made is cleaned up after the import").isEmpty();
    }

    @Test
    void aLostAnswerToCreateImageIsFoundByItsTagsNotMadeAgain() {
        sandbox.faults().set("services=ec2,actions=CreateImage,cut=1,cut-direction=response,count=1");
        Journey journey = journey();

        ApplyResult result = journey.apply();

        assertThat(result.failures()).as(journey.failures(result)).isEmpty();
        assertThat(sandbox.requests().count("ec2:CreateImage")).as("the answer was lost once").isEqualTo(1);
        assertThat(sandbox.world().ec2().amis()).as("ferry found the image by its tags").hasSize(1);
    }
}
