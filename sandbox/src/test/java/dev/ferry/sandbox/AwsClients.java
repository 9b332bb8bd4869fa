package dev.ferry.sandbox;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.retry.RetryMode;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ebs.EbsClient;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.pricing.PricingClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sts.StsClient;

import java.time.Duration;

/**
 * The real AWS SDK v2 clients pointed at a sandbox the way ferry points them: endpoint override and
 * static credentials, nothing else.
 */
// The brief asks for the SDK's Apache 4 client (apache-client), which 2.55 marks deprecated for apache5-client.
@SuppressWarnings("deprecation")
public final class AwsClients implements AutoCloseable {

    private final Sandbox sandbox;
    private final SdkHttpClient http = ApacheHttpClient.builder()
            .connectionTimeout(Duration.ofSeconds(5))
            .socketTimeout(Duration.ofSeconds(30))
            .build();
    private final StaticCredentialsProvider credentials;
    private boolean retries = true;

    public AwsClients(Sandbox sandbox) {
        this(sandbox, sandbox.accessKeyId(), sandbox.secretAccessKey());
    }

    public AwsClients(Sandbox sandbox, String accessKeyId, String secretAccessKey) {
        this.sandbox = sandbox;
        this.credentials = StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKeyId, secretAccessKey));
    }

    /** Clients that give up after the first failure (to see an error rather than the SDK's retries). */
    public AwsClients withoutRetries() {
        AwsClients clients = new AwsClients(sandbox);
        clients.retries = false;
        return clients;
    }

    private ClientOverrideConfiguration overrides() {
        ClientOverrideConfiguration.Builder builder = ClientOverrideConfiguration.builder();
        if (retries) {
            builder.retryStrategy(RetryMode.STANDARD);
        } else {
            builder.retryStrategy(software.amazon.awssdk.retries.DefaultRetryStrategy.doNotRetry());
        }
        return builder.build();
    }

    public Ec2Client ec2() {
        return ec2(Region.of(sandbox.region()));
    }

    /** EC2 signed for {@code region} (the sandbox answers every region on its one endpoint). */
    public Ec2Client ec2(Region region) {
        return Ec2Client.builder().endpointOverride(sandbox.endpoint()).region(region)
                .credentialsProvider(credentials).httpClient(http).overrideConfiguration(overrides()).build();
    }

    public S3Client s3() {
        return S3Client.builder().endpointOverride(sandbox.endpoint()).region(Region.of(sandbox.region()))
                .credentialsProvider(credentials).httpClient(http).overrideConfiguration(overrides()).build();
    }

    public IamClient iam() {
        return IamClient.builder().endpointOverride(sandbox.endpoint()).region(Region.AWS_GLOBAL)
                .credentialsProvider(credentials).httpClient(http).overrideConfiguration(overrides()).build();
    }

    public StsClient sts() {
        return sts(Region.of(sandbox.region()));
    }

    public StsClient sts(Region region) {
        return StsClient.builder().endpointOverride(sandbox.endpoint()).region(region)
                .credentialsProvider(credentials).httpClient(http).overrideConfiguration(overrides()).build();
    }

    public PricingClient pricing() {
        return PricingClient.builder().endpointOverride(sandbox.endpoint()).region(Region.US_EAST_1)
                .credentialsProvider(credentials).httpClient(http).overrideConfiguration(overrides()).build();
    }

    public EbsClient ebs() {
        return ebs(Region.of(sandbox.region()));
    }

    public EbsClient ebs(Region region) {
        return EbsClient.builder().endpointOverride(sandbox.endpoint()).region(region)
                .credentialsProvider(credentials).httpClient(http).overrideConfiguration(overrides()).build();
    }

    @Override
    public void close() {
        http.close();
    }
}
