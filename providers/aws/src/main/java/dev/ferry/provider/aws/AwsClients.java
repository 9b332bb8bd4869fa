package dev.ferry.provider.aws;

import static java.util.Objects.requireNonNull;

import dev.ferry.engine.FerryException;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.retries.api.BackoffStrategy;
import software.amazon.awssdk.retries.api.RetryStrategy;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.pricing.PricingClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sts.StsClient;

/**
 * The SDK clients of one command run, sharing one HTTP connection pool, one credential chain, one
 * retry policy and one endpoint override (the file's {@code endpoint}, else AWS_ENDPOINT_URL), which
 * applies to EC2, S3 (path-style), IAM, STS and Pricing alike.
 */
final class AwsClients implements AutoCloseable {

    /**
     * How hard calls are retried. The SDK's standard mode (exponential backoff with jitter, a longer one
     * for throttling), with more attempts than its default of 3 so that a run survives a tenth of calls
     * failing, and without the client-side circuit breaker, which would fail a long migration when a
     * slow region throttles for a while.
     */
    record RetryTuning(int maxAttempts, Duration baseDelay, Duration throttlingBaseDelay, Duration maxBackoff) {
        static final RetryTuning STANDARD = new RetryTuning(10, Duration.ofMillis(100), Duration.ofSeconds(1), Duration.ofSeconds(20));

        RetryTuning {
            if (maxAttempts < 1) {
                throw new IllegalArgumentException("maxAttempts must be at least 1");
            }
            requireNonNull(baseDelay, "baseDelay is null");
            requireNonNull(throttlingBaseDelay, "throttlingBaseDelay is null");
            requireNonNull(maxBackoff, "maxBackoff is null");
        }

        RetryStrategy strategy() {
            return AwsRetryStrategy.standardRetryStrategy().toBuilder()
                    .maxAttempts(maxAttempts)
                    .backoffStrategy(BackoffStrategy.exponentialDelay(baseDelay, maxBackoff))
                    .throttlingBackoffStrategy(BackoffStrategy.exponentialDelay(throttlingBaseDelay, maxBackoff))
                    .circuitBreakerEnabled(false)
                    .build();
        }
    }

    private final Region region;
    private final Optional<URI> endpoint;
    private final CredentialsChain credentials;
    private final SdkHttpClient http;
    private final Ec2Client ec2;
    private final S3Client s3;
    private final IamClient iam;
    private final StsClient sts;
    private final PricingClient pricing;

    private AwsClients(Region region, Optional<URI> endpoint, CredentialsChain credentials, RetryTuning retry) {
        this.region = region;
        this.endpoint = endpoint;
        this.credentials = credentials;
        this.http = ApacheHttpClient.builder()
                .connectionTimeout(Duration.ofSeconds(10))
                .socketTimeout(Duration.ofSeconds(60))
                .maxConnections(64)
                .build();
        AwsCredentialsProvider provider = credentials.provider();
        ClientOverrideConfiguration overrides = ClientOverrideConfiguration.builder()
                .retryStrategy(retry.strategy())
                .defaultProfileFile(credentials.profileFile())
                .defaultProfileName(credentials.profileName())
                .build();
        this.ec2 = configure(Ec2Client.builder(), region, provider, overrides).build();
        this.s3 = configure(S3Client.builder(), region, provider, overrides).forcePathStyle(endpoint.isPresent()).build();
        // IAM is global: its one endpoint signs for us-east-1 whatever the file's region.
        this.iam = configure(IamClient.builder(), Region.AWS_GLOBAL, provider, overrides).build();
        this.sts = configure(StsClient.builder(), region, provider, overrides).build();
        // The Price List API answers from us-east-1 only (and two other regions), for every region's prices.
        this.pricing = configure(PricingClient.builder(), Region.US_EAST_1, provider, overrides).build();
    }

    private <B extends software.amazon.awssdk.awscore.client.builder.AwsClientBuilder<B, ?>
            & software.amazon.awssdk.core.client.builder.SdkSyncClientBuilder<B, ?>> B configure(
            B builder, Region clientRegion, AwsCredentialsProvider provider, ClientOverrideConfiguration overrides) {
        builder.region(clientRegion).credentialsProvider(provider).overrideConfiguration(overrides).httpClient(http);
        endpoint.ifPresent(builder::endpointOverride);
        return builder;
    }

    /**
     * Connects for {@code config}, reading the environment only from {@code environment}: credentials,
     * AWS_ENDPOINT_URL, AWS_PROFILE and the shared config file locations.
     */
    static AwsClients connect(AwsConfig config, Map<String, String> environment, java.nio.file.Path home, RetryTuning retry) {
        Region region = Region.of(config.region());
        Optional<URI> endpoint = config.endpoint()
                .or(() -> Optional.ofNullable(environment.get("AWS_ENDPOINT_URL")).filter(v -> !v.isBlank()))
                .map(AwsClients::endpoint);
        CredentialsChain credentials = CredentialsChain.build(config, environment, home);
        return new AwsClients(region, endpoint, credentials, retry);
    }

    private static URI endpoint(String text) {
        try {
            URI uri = new URI(text.strip());
            if (uri.getScheme() == null || !(uri.getScheme().equals("http") || uri.getScheme().equals("https")) || uri.getHost() == null) {
                throw new URISyntaxException(text, "not an http or https URL");
            }
            return uri;
        } catch (URISyntaxException e) {
            throw new FerryException("the AWS endpoint '" + text + "' (providers.aws.endpoint or AWS_ENDPOINT_URL) is not an http(s) URL"
                    + " such as http://127.0.0.1:4566");
        }
    }

    Region region() {
        return region;
    }

    String regionName() {
        return region.id();
    }

    Optional<URI> endpoint() {
        return endpoint;
    }

    CredentialsChain credentials() {
        return credentials;
    }

    Ec2Client ec2() {
        return ec2;
    }

    S3Client s3() {
        return s3;
    }

    IamClient iam() {
        return iam;
    }

    StsClient sts() {
        return sts;
    }

    PricingClient pricing() {
        return pricing;
    }

    @Override
    public void close() {
        ec2.close();
        s3.close();
        iam.close();
        sts.close();
        pricing.close();
        http.close();
    }
}
