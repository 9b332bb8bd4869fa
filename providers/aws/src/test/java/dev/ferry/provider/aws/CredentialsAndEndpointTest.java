package dev.ferry.provider.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.engine.testing.MigrationYaml;
import dev.ferry.engine.FerryException;
import dev.ferry.engine.provider.DataRequest;
import dev.ferry.engine.provider.DataResult;
import dev.ferry.engine.resource.Attributes;
import dev.ferry.engine.resource.ResourceAddress;
import dev.ferry.engine.spec.MigrationFile;
import dev.ferry.provider.aws.client.AwsClients;
import dev.ferry.provider.aws.staging.CallerIdentityData;
import dev.ferry.sandbox.Sandbox;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where credentials and the endpoint come from, and what the user reads when they are wrong. */
class CredentialsAndEndpointTest {

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

    static String file(String providerBlock) {
        return MigrationYaml.named("credentials").provider("aws", providerBlock).provider("linode", "{}")
                .staging("{bucket: ferry-credentials}")
                .migration("web-01", "{ec2: {instance: i-0e1dc0292b0ae7293}}", MigrationYaml.LINODE_TARGET).yaml();
    }

    MigrationFile load(String providerBlock) {
        return Journey.load(new Journey(sandbox, file(providerBlock), directory).providers(), file(providerBlock), directory);
    }

    /** No keys, no profile files, no metadata service: nothing to be found anywhere. */
    static Map<String, String> bare() {
        return Map.of("AWS_EC2_METADATA_DISABLED", "true", "AWS_ENDPOINT_URL", sandbox.endpoint().toString());
    }

    static DataResult callerIdentity(AwsSession session) {
        CallerIdentityData data = (CallerIdentityData) session.resourceTypes().stream()
                .filter(type -> type.name().equals(CallerIdentityData.NAME)).findFirst().orElseThrow();
        ResourceAddress address = ResourceAddress.data(CallerIdentityData.NAME, "current");
        return data.read(List.of(new DataRequest(address, Attributes.empty()))).get(address);
    }

    @Test
    void withoutCredentialsOneMessageNamesEverythingTriedAndWhatToDo() {
        MigrationFile file = load("{region: us-west-1}");

        assertThatThrownBy(() -> Journey.open(file, bare(), directory))
                .isInstanceOf(FerryException.class)
                .hasMessageStartingWith("no AWS credentials could be found")
                .hasMessageContaining("the environment (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY): not set")
                .hasMessageContaining("the profile 'default'")
                .hasMessageContaining("web identity")
                .hasMessageContaining("container credentials")
                .hasMessageContaining("the EC2 instance role: AWS_EC2_METADATA_DISABLED is true")
                .hasMessageContaining("aws sso login")
                .hasMessageContaining("providers.aws.profile");
    }

    @Test
    void aProfileNamedInTheFileThatDoesNotExistIsNamed() {
        MigrationFile file = load("{region: us-west-1, profile: migration}");

        assertThatThrownBy(() -> Journey.open(file, bare(), directory))
                .isInstanceOf(FerryException.class)
                .hasMessageContaining("the profile 'migration'")
                .hasMessageContaining("there is no such profile")
                .hasMessageContaining("aws configure --profile migration")
                .hasMessageContaining("or remove 'profile' from providers.aws");
    }

    @Test
    void credentialsComeFromTheProfileOfTheSharedFilesInTheUsersHome() throws Exception {
        Path aws = Files.createDirectories(directory.resolve("home").resolve(".aws"));
        Files.writeString(aws.resolve("credentials"), "[migration]\naws_access_key_id = " + sandbox.accessKeyId()
                + "\naws_secret_access_key = " + sandbox.secretAccessKey() + "\n");
        MigrationFile file = load("{region: us-west-1, profile: migration}");

        try (AwsSession session = Journey.open(file, bare(), directory.resolve("home"))) {
            assertThat(callerIdentity(session)).isInstanceOfSatisfying(DataResult.Found.class,
                    found -> assertThat(found.outputs().path("account_id").asText()).isEqualTo(sandbox.accountId()));
        }
    }

    @Test
    void refusedCredentialsNameTheirSourceButNeverTheSecret() {
        MigrationFile file = load("{region: us-west-1}");
        Map<String, String> environment = new HashMap<>(bare());
        environment.put("AWS_ACCESS_KEY_ID", "AKIAUNKNOWNKEY000042");
        environment.put("AWS_SECRET_ACCESS_KEY", "verySecretValue/DoNotPrint1234567890abcd");

        try (AwsSession session = Journey.open(file, environment, directory)) {
            DataResult result = callerIdentity(session);

            assertThat(result).isInstanceOfSatisfying(DataResult.Failed.class, failed -> assertThat(failed.message())
                    .contains("STS GetCallerIdentity was refused: AWS did not accept the credentials from the environment (AWS_ACCESS_KEY_ID ****0042)")
                    .contains("InvalidClientTokenId")
                    .doesNotContain("verySecretValue")
                    .doesNotContain("AKIAUNKNOWNKEY000042"));
        }
    }

    @Test
    void theEndpointOverrideReachesEc2S3IamStsAndPricing() {
        MigrationFile file = load("{region: us-west-1}");
        Map<String, String> environment = new HashMap<>(sandbox.environment());
        environment.put("AWS_EC2_METADATA_DISABLED", "true");
        sandbox.requests().clear();

        try (AwsSession session = Journey.open(file, environment, directory)) {
            AwsClients clients = session.clients();
            clients.ec2().describeVpcs();
            clients.s3().listBuckets();
            clients.iam().listRolePolicies(r -> r.roleName("absent")).sdkHttpResponse();
        } catch (software.amazon.awssdk.services.iam.model.NoSuchEntityException expected) {
            // the call reached the sandbox's IAM, which has no such role
        }
        try (AwsSession session = Journey.open(file, environment, directory)) {
            session.clients().sts().getCallerIdentity();
            session.clients().pricing().getProducts(r -> r.serviceCode("AmazonEC2").maxResults(1));
        }

        assertThat(sandbox.requests().counts().keySet()).anyMatch(key -> key.startsWith("ec2:"))
                .anyMatch(key -> key.startsWith("s3:"))
                .anyMatch(key -> key.startsWith("iam:"))
                .anyMatch(key -> key.startsWith("sts:"))
                .anyMatch(key -> key.startsWith("pricing:"));
    }

    @Test
    void theFilesEndpointWinsOverAwsEndpointUrl() {
        MigrationFile file = load("{region: us-west-1, endpoint: \"" + sandbox.endpoint() + "\"}");
        Map<String, String> environment = new HashMap<>(sandbox.environment());
        environment.put("AWS_ENDPOINT_URL", "http://127.0.0.1:9");
        environment.put("AWS_EC2_METADATA_DISABLED", "true");

        try (AwsSession session = Journey.open(file, environment, directory)) {
            assertThat(callerIdentity(session)).isInstanceOf(DataResult.Found.class);
            assertThat(session.clients().endpoint()).contains(sandbox.endpoint());
        }
    }

    @Test
    void anEndpointThatIsNotAnHttpUrlIsRefusedWithAnExample() {
        MigrationFile file = load("{region: us-west-1}");
        Map<String, String> environment = new HashMap<>(sandbox.environment());
        environment.put("AWS_ENDPOINT_URL", "localhost:4566");

        assertThatThrownBy(() -> Journey.open(file, environment, directory))
                .isInstanceOf(FerryException.class)
                .hasMessageContaining("'localhost:4566'")
                .hasMessageContaining("http://127.0.0.1:4566");
    }
}
