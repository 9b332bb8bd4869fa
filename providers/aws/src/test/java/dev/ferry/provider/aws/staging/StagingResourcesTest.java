package dev.ferry.provider.aws.staging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.engine.testing.MigrationYaml;
import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.engine.apply.ApplyResult;
import dev.ferry.engine.diff.Planner;
import dev.ferry.engine.plan.Action;
import dev.ferry.engine.plan.Change;
import dev.ferry.engine.plan.Plan;
import dev.ferry.engine.provider.Note;
import dev.ferry.engine.resource.ResourceAddress;
import dev.ferry.engine.state.MemoryStateStore;
import dev.ferry.provider.aws.FakeNeighbours;
import dev.ferry.provider.aws.Journey;
import dev.ferry.provider.aws.Sandboxes;
import dev.ferry.provider.aws.TestClients;
import dev.ferry.provider.aws.client.Json;
import dev.ferry.sandbox.Sandbox;
import dev.ferry.sandbox.world.SandboxWorld;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The AMI, the staging bucket and its policy, and the vmimport role, each through create, refresh and
 * no-op, update, drift and delete; and adopting what exists without touching what ferry did not write.
 */
class StagingResourcesTest {

    static final String BUCKET = "ferry-staging-test";
    static final String USER_STATEMENT = """
            {"Sid":"AuditorsRead","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},\
            "Action":"s3:GetObject","Resource":"arn:aws:s3:::%s/*"}""".formatted(BUCKET);

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

    static String file(boolean create, boolean reboot, String cleanup) {
        return MigrationYaml.named("staging").provider("aws", "{region: us-west-1}").provider("linode", "{}")
                .staging("{bucket: %s, prefix: exports/, create: %s, cleanup: %s}".formatted(BUCKET, create, cleanup))
                .migration("web-01", "{ec2: {instance: i-0e1dc0292b0ae7293, reboot: " + reboot + ", via: export}}", MigrationYaml.LINODE_TARGET)
                .yaml();
    }

    Change change(Plan plan, String address) {
        return plan.change(ResourceAddress.parse(address)).orElseThrow(() -> new AssertionError(address + " is not in the plan"));
    }

    static void applied(Journey journey, ApplyResult result) {
        assertThat(result.failures()).as(journey.failures(result)).isEmpty();
    }

    @Test
    void anAmiDeletedOutsideFerryIsMadeAgainAndARebootChangeUpdatesInPlace() {
        Journey journey = new Journey(sandbox, file(true, false, "keep"), directory);
        applied(journey, journey.apply());
        String ami = journey.resource("aws_ami.web-01").id().orElseThrow();
        assertThat(journey.resource("aws_ami.web-01").outputs().path("snapshot_ids")).hasSize(1);

        Journey rebooting = new Journey(sandbox, file(true, true, "keep"), directory, journey.store(), journey.neighbours());
        Plan update = rebooting.plan();
        assertThat(change(update, "aws_ami.web-01").action()).isEqualTo(Action.UPDATE);
        applied(rebooting, rebooting.apply(update));
        assertThat(sandbox.requests().count("ec2:CreateImage")).as("an update makes no new image").isEqualTo(1);
        assertThat(rebooting.resource("aws_ami.web-01").id()).contains(ami);

        try (var ec2 = TestClients.ec2(sandbox)) {
            ec2.deregisterImage(r -> r.imageId(ami));
        }
        Plan again = rebooting.plan();
        assertThat(change(again, "aws_ami.web-01").action()).isEqualTo(Action.CREATE);
        assertThat(change(again, "aws_ami.web-01").reason()).hasValueSatisfying(r -> assertThat(r).contains("deleted outside ferry"));
    }

    @Test
    void theBucketPolicyIsMergedAndDestroyRemovesOnlyFerrysStatements() {
        sandbox.world().s3().createBucket(BUCKET, "BucketOwnerEnforced");
        try (S3Client s3 = TestClients.s3(sandbox)) {
            s3.putBucketPolicy(r -> r.bucket(BUCKET).policy("{\"Version\":\"2012-10-17\",\"Statement\":[" + USER_STATEMENT + "]}"));
        }
        Journey journey = new Journey(sandbox, file(false, false, "keep"), directory);

        Plan plan = journey.plan();
        assertThat(change(plan, "aws_s3_bucket_policy.staging").notes()).anySatisfy(note -> assertThat(note.text())
                .contains("1 statement(s) ferry did not write (AuditorsRead)").contains("leaves them as they are"));
        JsonNode statements = change(plan, "aws_s3_bucket_policy.staging").after().get("statements");
        assertThat(statements.findValuesAsText("Sid")).containsExactly(BucketPolicyResource.BUCKET_SID, BucketPolicyResource.OBJECTS_SID);
        assertThat(statements.get(0).path("Resource").asText()).isEqualTo("arn:aws:s3:::" + BUCKET);
        assertThat(statements.get(1).path("Resource").asText()).isEqualTo("arn:aws:s3:::" + BUCKET + "/exports/*");
        assertThat(statements.get(1).path("Principal").path("Service").asText()).isEqualTo("vmie.amazonaws.com");
        assertThat(statements.get(1).path("Condition").path("StringEquals").path("aws:SourceAccount").asText()).isEqualTo(sandbox.accountId());
        applied(journey, journey.apply(plan));
        assertThat(sids()).containsExactly("AuditorsRead", BucketPolicyResource.BUCKET_SID, BucketPolicyResource.OBJECTS_SID);
        assertThat(journey.plan().hasChanges()).isFalse();

        // Someone removes ferry's statements: the plan puts them back, and only them.
        try (S3Client s3 = TestClients.s3(sandbox)) {
            s3.putBucketPolicy(r -> r.bucket(BUCKET).policy("{\"Version\":\"2012-10-17\",\"Statement\":[" + USER_STATEMENT + "]}"));
        }
        Plan repair = journey.plan();
        assertThat(change(repair, "aws_s3_bucket_policy.staging").action()).isIn(Action.CREATE, Action.UPDATE);
        applied(journey, journey.apply(repair));
        assertThat(sids()).containsExactly("AuditorsRead", BucketPolicyResource.BUCKET_SID, BucketPolicyResource.OBJECTS_SID);

        applied(journey, journey.destroy());
        assertThat(sids()).containsExactly("AuditorsRead");
        assertThat(sandbox.world().s3().bucket(BUCKET)).as("a bucket ferry did not make stays").isPresent();
    }

    List<String> sids() {
        try (S3Client s3 = TestClients.s3(sandbox)) {
            JsonNode policy = Json.parse(s3.getBucketPolicy(r -> r.bucket(BUCKET)).policy());
            List<String> sids = new ArrayList<>();
            policy.path("Statement").forEach(statement -> sids.add(statement.path("Sid").asText()));
            return sids;
        }
    }

    @Test
    void anExistingVmimportRoleIsAdoptedAndKeepsWhatFerryDidNotWrite() {
        String userPolicy = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"ec2:Describe*\",\"Resource\":\"*\"}]}";
        try (IamClient iam = TestClients.iam(sandbox)) {
            iam.createRole(r -> r.roleName("vmimport").assumeRolePolicyDocument(Json.write(trust())));
            iam.putRolePolicy(r -> r.roleName("vmimport").policyName("vmimport").policyDocument(userPolicy));
        }
        Journey journey = new Journey(sandbox, file(true, false, "keep"), directory);

        Plan plan = journey.plan();
        Change role = change(plan, "aws_iam_role.vmimport");
        assertThat(role.notes()).anySatisfy(note -> {
            assertThat(note.level()).isEqualTo(Note.Level.WARNING);
            assertThat(note.text()).contains("role vmimport exists and was not made by this state")
                    .contains("adds its inline policy 'ferry-vmimport-" + BUCKET + "'")
                    .contains("its other inline policies (vmimport) stay as they are");
        });
        JsonNode policy = role.after().get("policy");
        assertThat(policy.path("Statement").get(0).path("Resource").asText()).isEqualTo("arn:aws:s3:::" + BUCKET);
        assertThat(policy.path("Statement").get(0).path("Action")).extracting(JsonNode::asText)
                .containsExactly("s3:GetBucketLocation", "s3:ListBucket", "s3:GetBucketAcl");
        assertThat(policy.path("Statement").get(1).path("Resource").asText()).isEqualTo("arn:aws:s3:::" + BUCKET + "/*");
        assertThat(policy.path("Statement").get(1).path("Action")).extracting(JsonNode::asText).containsExactly("s3:GetObject", "s3:PutObject");
        assertThat(policy.path("Statement").get(2).path("Action")).extracting(JsonNode::asText)
                .containsExactly("ec2:ModifySnapshotAttribute", "ec2:CopySnapshot", "ec2:RegisterImage", "ec2:Describe*");

        applied(journey, journey.apply(plan));
        assertThat(sandbox.world().role("vmimport").orElseThrow().inlinePolicies()).containsOnlyKeys("vmimport", "ferry-vmimport-" + BUCKET)
                .containsEntry("vmimport", userPolicy);

        applied(journey, journey.destroy());
        assertThat(sandbox.world().role("vmimport")).as("an adopted role stays").hasValueSatisfying(r -> assertThat(r.inlinePolicies())
                .containsOnlyKeys("vmimport"));
    }

    static JsonNode trust() {
        com.fasterxml.jackson.databind.node.ObjectNode document = Json.object().put("Version", "2012-10-17");
        document.putArray("Statement").add(VmImportRoleResource.trustStatement());
        return document;
    }

    @Test
    void aRoleFerryMadeIsRepairedWhenItsPolicyGoesAndDeletedOnDestroy() {
        Journey journey = new Journey(sandbox, file(true, false, "keep"), directory);
        applied(journey, journey.apply());
        String trust = sandbox.world().role("vmimport").orElseThrow().assumeRolePolicyDocument();
        assertThat(VmImportRoleResource.trust(Json.parse(trust))).isEqualTo(VmImportRoleResource.Trust.TRUSTED);
        assertThat(sandbox.world().role("vmimport").orElseThrow().tags()).containsKey("ferry:id");

        try (IamClient iam = TestClients.iam(sandbox)) {
            iam.deleteRolePolicy(r -> r.roleName("vmimport").policyName("ferry-vmimport-" + BUCKET));
        }
        Plan repair = journey.plan();
        assertThat(change(repair, "aws_iam_role.vmimport").action()).isEqualTo(Action.UPDATE);
        applied(journey, journey.apply(repair));
        assertThat(sandbox.world().role("vmimport").orElseThrow().inlinePolicies()).containsKey("ferry-vmimport-" + BUCKET);
        assertThat(journey.plan().hasChanges()).isFalse();

        applied(journey, journey.destroy());
        assertThat(sandbox.world().role("vmimport")).isEmpty();
    }

    @Test
    void aBucketThatAlreadyExistsIsUsedAndNeverDeleted() {
        sandbox.world().s3().createBucket(BUCKET, "BucketOwnerEnforced");
        Journey journey = new Journey(sandbox, file(true, false, "delete-after-import"), directory);

        Plan plan = journey.plan();
        assertThat(change(plan, "aws_s3_bucket.staging").notes()).anySatisfy(note -> assertThat(note.text())
                .isEqualTo("bucket " + BUCKET + " already exists in us-west-1: ferry uses it as it is and will not delete it"));
        applied(journey, journey.apply(plan));
        assertThat(journey.neighbours().imported).containsKey("fake_image.web-01");
        assertThat(sandbox.world().s3().bucket(BUCKET)).as("cleaned up from the state, kept in S3").isPresent();
        assertThat(sandbox.world().s3().objects(BUCKET)).as("the exported object is cleaned up").isEmpty();
    }

    @Test
    void aMissingBucketThatFerryMayNotCreateStopsThePlanWithTheWayOut() {
        Journey journey = new Journey(sandbox, file(false, false, "keep"), directory);

        assertThatThrownBy(journey::plan).isInstanceOf(Planner.PlanFailedException.class)
                .hasMessageContaining("aws_s3_bucket_policy.staging")
                .hasMessageContaining("the staging bucket " + BUCKET + " does not exist in us-west-1")
                .hasMessageContaining("aws s3 mb s3://" + BUCKET + " --region us-west-1")
                .hasMessageContaining("staging.create: true");
    }

    @Test
    void aBucketInAnotherRegionStopsThePlan() {
        sandbox.close();
        SandboxWorld defaults = SandboxWorld.defaults();
        sandbox = Sandbox.start(Sandboxes.options().world(defaults.withBuckets(
                List.of(new SandboxWorld.BucketSpec(BUCKET, "eu-west-1", null)))).build());
        Journey journey = new Journey(sandbox, file(false, false, "keep"), directory, new MemoryStateStore(), new FakeNeighbours());

        assertThatThrownBy(journey::plan).isInstanceOf(Planner.PlanFailedException.class)
                .hasMessageContaining("the staging bucket " + BUCKET + " is in eu-west-1, but the migration runs in us-west-1")
                .hasMessageContaining("Choose a bucket in us-west-1");
    }

    static String decode(String text) {
        return URLDecoder.decode(text, StandardCharsets.UTF_8);
    }
}
