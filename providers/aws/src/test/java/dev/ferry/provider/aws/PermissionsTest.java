package dev.ferry.provider.aws;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.engine.expand.RequiredPermissions;
import dev.ferry.engine.permission.PermissionDocument;
import dev.ferry.engine.provider.ResourceType;
import dev.ferry.engine.resource.Attributes;
import dev.ferry.engine.resource.ResourceAddress;
import dev.ferry.engine.state.RemoteStateLocation;
import dev.ferry.sandbox.Sandbox;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the AWS provider says a file needs: every resource type it implements answers, and the policy narrows S3 and
 * IAM to what the file names (the staging bucket made by ferry, reached through references; the export-back prefix;
 * the state object and its lock), in the region's partition.
 */
class PermissionsTest {

    static Sandbox sandbox;

    @TempDir
    Path directory;

    @BeforeAll
    static void start() {
        sandbox = Sandboxes.start();
    }

    @AfterAll
    static void stop() {
        sandbox.close();
    }

    @Test
    void everyResourceTypeOfTheSessionSaysWhatItCalls() {
        Journey journey = new Journey(sandbox, ExpandersTest.BOTH_JOURNEYS, directory);
        try (AwsSession session = Journey.open(journey.file(), journey.environment(), Journey.HOME)) {
            List<String> silent = new ArrayList<>();
            for (ResourceType type : session.resourceTypes()) {
                ResourceAddress address = type instanceof dev.ferry.engine.provider.DataSourceType
                        ? ResourceAddress.data(type.name(), "x") : ResourceAddress.managed(type.name(), "x");
                if (new AwsProvider().permissions(journey.file(), address, Attributes.empty()).isEmpty()) {
                    silent.add(type.name());
                }
            }
            assertThat(silent).as("resource types with no permissions").isEmpty();
        }
    }

    @Test
    void thePolicyNarrowsToTheBucketTheRoleAndTheStateTheFileNames() {
        Journey journey = new Journey(sandbox, ExpandersTest.BOTH_JOURNEYS, directory);
        RemoteStateLocation state = RemoteStateLocation.parse("s3://team-state/both/state.json");
        List<PermissionDocument> documents = RequiredPermissions.of(journey.file(), journey.configuration(), Optional.of(state),
                List.of(new AwsProvider()));

        assertThat(documents).hasSize(1);
        JsonNode policy = documents.get(0).document();
        assertThat(policy.path("Version").asText()).isEqualTo("2012-10-17");
        assertThat(resourcesOf(policy, "s3:PutObject")).as("the upload under the prefix, the state, its parts, its lock and its shard locks")
                .containsExactly("arn:aws:s3:::ferry-both/stage/*", "arn:aws:s3:::team-state/both/state.d/*",
                        "arn:aws:s3:::team-state/both/state.json", "arn:aws:s3:::team-state/both/state.json.lock",
                        "arn:aws:s3:::team-state/both/state.json.lock.d/*");
        assertThat(resourcesOf(policy, "s3:DeleteObject")).contains("arn:aws:s3:::ferry-both/exports-back/*");
        assertThat(resourcesOf(policy, "s3:CreateBucket")).containsExactly("arn:aws:s3:::ferry-both");
        assertThat(resourcesOf(policy, "iam:CreateRole")).containsExactly("arn:aws:iam::*:role/vmimport");
        assertThat(resourcesOf(policy, "ec2:CreateImage")).containsExactly("*");
        assertThat(resourcesOf(policy, "kms:Decrypt")).containsExactly("*");
        for (JsonNode statement : policy.path("Statement")) {
            if (texts(statement.path("Action")).stream().anyMatch(action -> action.startsWith("kms:"))) {
                assertThat(statement.path("Condition").path("StringEquals").path("kms:ViaService").toString())
                        .as("KMS keys only through EC2 or EBS of the region").matches("\\[\"(ec2|ebs)\\.us-west-1\\.amazonaws\\.com\"]");
            }
        }
        List<String> sids = new ArrayList<>();
        policy.path("Statement").forEach(statement -> sids.add(statement.path("Sid").asText()));
        assertThat(sids).as("statements named by what they allow, each once").doesNotHaveDuplicates()
                .contains("FerryKmsViaEc2", "FerryIamRole", "FerryS3Bucket", "FerryS3Objects");
        assertThat(documents.get(0).explanations()).contains(
                "iam:PassRole: aws_image_export.web-01 lets VM Import/Export act as the vmimport role;"
                        + " aws_image_import.app-02 lets VM Import/Export act as the vmimport role");
    }

    @Test
    void aChinaRegionWritesItsPartitionInTheArns() {
        String file = ExpandersTest.BOTH_JOURNEYS.replace("region: us-west-1", "region: cn-north-1");
        Journey journey = new Journey(sandbox, file, directory);
        JsonNode policy = RequiredPermissions.of(journey.file(), journey.configuration(), Optional.empty(), List.of(new AwsProvider()))
                .get(0).document();

        assertThat(resourcesOf(policy, "s3:CreateBucket")).containsExactly("arn:aws-cn:s3:::ferry-both");
        assertThat(resourcesOf(policy, "iam:PassRole")).containsExactly("arn:aws-cn:iam::*:role/vmimport");
    }

    private static Set<String> resourcesOf(JsonNode policy, String action) {
        Set<String> resources = new TreeSet<>();
        for (JsonNode statement : policy.path("Statement")) {
            if (texts(statement.path("Action")).contains(action)) {
                resources.addAll(texts(statement.path("Resource")));
            }
        }
        return resources;
    }

    private static List<String> texts(JsonNode node) {
        List<String> values = new ArrayList<>();
        if (node.isArray()) {
            node.forEach(value -> values.add(value.asText()));
        } else {
            values.add(node.asText());
        }
        return values;
    }
}
