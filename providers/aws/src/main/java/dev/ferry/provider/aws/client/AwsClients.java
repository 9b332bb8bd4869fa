package dev.ferry.provider.aws.client;

import static java.util.Objects.requireNonNull;

import dev.ferry.engine.FerryException;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.retries.api.BackoffStrategy;
import software.amazon.awssdk.retries.api.RetryStrategy;
import software.amazon.awssdk.services.ebs.EbsClient;
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
public final class AwsClients implements AutoCloseable {

    /**
     * How hard calls are retried. The SDK's standard mode (exponential backoff with jitter, a longer one
     * for throttling), with more attempts than its default of 3 so that a run survives a tenth of calls
     * failing, and without the client-side circuit breaker, which would fail a long migration when a
     * slow region throttles for a while.
     */
    public record RetryTuning(int maxAttempts, Duration baseDelay, Duration throttlingBaseDelay, Duration maxBackoff) {
        public static final RetryTuning STANDARD = new RetryTuning(10, Duration.ofMillis(100), Duration.ofSeconds(1), Duration.ofSeconds(20));

        public RetryTuning {
            if (maxAttempts < 1) {
                throw new IllegalArgumentException("maxAttempts must be at least 1");
            }
            requireNonNull(baseDelay, "baseDelay is null");
            requireNonNull(throttlingBaseDelay, "throttlingBaseDelay is null");
            requireNonNull(maxBackoff, "maxBackoff is null");
        }

        /** The SDK's standard strategy so tuned, failing fast on an unreachable endpoint and telling slow retries to {@code notices}. */
        RetryStrategy strategy(Consumer<String> notices) {
            return new FailFastRetries(AwsRetryStrategy.standardRetryStrategy().toBuilder()
                    .maxAttempts(maxAttempts)
                    .backoffStrategy(BackoffStrategy.exponentialDelay(baseDelay, maxBackoff))
                    .throttlingBackoffStrategy(BackoffStrategy.exponentialDelay(throttlingBaseDelay, maxBackoff))
                    .circuitBreakerEnabled(false)
                    .build(), notices);
        }

        /**
         * For lookups a plan can do without (prices): one retry at most, whatever the failure, and no notice of
         * it; a Pricing API that answers 500 or refuses access costs a plan one quick second try, not ten
         * backed-off ones. The base delay is this tuning's.
         */
        RetryStrategy bestEffortStrategy() {
            return new FailFastRetries(AwsRetryStrategy.standardRetryStrategy().toBuilder()
                    .maxAttempts(BEST_EFFORT_ATTEMPTS)
                    .backoffStrategy(BackoffStrategy.exponentialDelay(baseDelay, maxBackoff))
                    .throttlingBackoffStrategy(BackoffStrategy.exponentialDelay(baseDelay, maxBackoff))
                    .circuitBreakerEnabled(false)
                    .build(), notice -> { });
        }
    }

    /** Attempts of a best-effort lookup: the first and one retry. */
    public static final int BEST_EFFORT_ATTEMPTS = 2;

    private final Region region;
    private final RetryTuning retry;
    private final Optional<URI> endpoint;
    private final CredentialsChain credentials;
    private final SdkHttpClient http;
    private final AwsCredentialsProvider provider;
    private final ClientOverrideConfiguration overrides;
    private final ClientOverrideConfiguration bestEffortOverrides;
    private final List<AutoCloseable> built = new ArrayList<>();
    private final String endpointSource;
    private Ec2Client ec2;
    private S3Client s3;
    private IamClient iam;
    private StsClient sts;
    private PricingClient pricing;
    private EbsClient ebs;

    // ferry uses the apache-client module, which this SDK release marks deprecated in favour of apache5-client.
    @SuppressWarnings("deprecation")
    private AwsClients(Region region, Optional<URI> endpoint, String endpointSource, CredentialsChain credentials, RetryTuning retry,
                       Consumer<String> notices, List<ExecutionInterceptor> interceptors) {
        this.region = region;
        this.endpointSource = endpointSource;
        this.retry = retry;
        this.endpoint = endpoint;
        this.credentials = credentials;
        this.http = ApacheHttpClient.builder()
                .connectionTimeout(Duration.ofSeconds(10))
                .socketTimeout(Duration.ofSeconds(60))
                .maxConnections(64)
                .build();
        this.provider = credentials.provider();
        this.overrides = ClientOverrideConfiguration.builder()
                .retryStrategy(retry.strategy(notices))
                .executionInterceptors(interceptors)
                .defaultProfileFile(credentials.profileFile())
                .defaultProfileName(credentials.profileName())
                .build();
        this.bestEffortOverrides = overrides.toBuilder().retryStrategy(retry.bestEffortStrategy()).build();
    }

    private <B extends software.amazon.awssdk.awscore.client.builder.AwsClientBuilder<B, ?>
            & software.amazon.awssdk.core.client.builder.SdkSyncClientBuilder<B, ?>> B configure(B builder, Region clientRegion) {
        return configure(builder, clientRegion, overrides);
    }

    private <B extends software.amazon.awssdk.awscore.client.builder.AwsClientBuilder<B, ?>
            & software.amazon.awssdk.core.client.builder.SdkSyncClientBuilder<B, ?>> B configure(B builder, Region clientRegion,
                                                                                                    ClientOverrideConfiguration with) {
        builder.region(clientRegion).credentialsProvider(provider).overrideConfiguration(with).httpClient(http);
        endpoint.ifPresent(builder::endpointOverride);
        return builder;
    }

    /**
     * Connects for {@code config}, reading the environment only from {@code environment}: credentials,
     * AWS_ENDPOINT_URL, AWS_PROFILE and the shared config file locations; slow retries are told to
     * {@code notices}, and {@code interceptors} (tests count attempts with one) see every call.
     */
    public static AwsClients connect(AwsConfig config, Map<String, String> environment, java.nio.file.Path home, RetryTuning retry,
                              Consumer<String> notices, List<ExecutionInterceptor> interceptors) {
        Region region = Region.of(config.region());
        Optional<URI> endpoint = config.endpoint()
                .or(() -> Optional.ofNullable(environment.get("AWS_ENDPOINT_URL")).filter(v -> !v.isBlank()))
                .map(AwsClients::endpoint);
        String source = config.endpoint().isPresent() ? "providers.aws.endpoint" : "AWS_ENDPOINT_URL";
        CredentialsChain credentials = CredentialsChain.build(config, environment, home);
        return new AwsClients(region, endpoint, source, credentials, retry, notices, List.copyOf(interceptors));
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

    public RetryTuning retry() {
        return retry;
    }

    Region region() {
        return region;
    }

    public String regionName() {
        return region.id();
    }

    public Optional<URI> endpoint() {
        return endpoint;
    }

    /**
     * The endpoint for a message: the override and where it was set ("http://127.0.0.1:4566 (from
     * AWS_ENDPOINT_URL)"), else empty (the SDK's own endpoints, named by the failure itself).
     */
    public Optional<String> describeEndpoint() {
        return endpoint.map(uri -> uri + " (from " + endpointSource + ")");
    }

    public CredentialsChain credentials() {
        return credentials;
    }

    // Each client is built on first use: building one costs time, and many commands need only some.

    public synchronized Ec2Client ec2() {
        if (ec2 == null) {
            ec2 = keep(configure(Ec2Client.builder(), region).build());
        }
        return ec2;
    }

    public synchronized S3Client s3() {
        if (s3 == null) {
            s3 = keep(configure(S3Client.builder(), region).forcePathStyle(endpoint.isPresent()).build());
        }
        return s3;
    }

    /** IAM is global: its one endpoint signs for us-east-1 whatever the file's region. */
    public synchronized IamClient iam() {
        if (iam == null) {
            iam = keep(configure(IamClient.builder(), Region.AWS_GLOBAL).build());
        }
        return iam;
    }

    public synchronized StsClient sts() {
        if (sts == null) {
            sts = keep(configure(StsClient.builder(), region).build());
        }
        return sts;
    }

    /**
     * The Price List API answers from us-east-1 (and two other regions) for every region's prices. A price is
     * best effort (the plan goes on without one), so this client retries once at most.
     */
    public synchronized PricingClient pricing() {
        if (pricing == null) {
            pricing = keep(configure(PricingClient.builder(), Region.US_EAST_1, bestEffortOverrides).build());
        }
        return pricing;
    }

    /** The EBS direct APIs (ListSnapshotBlocks, GetSnapshotBlock), for reading snapshots block by block. */
    public synchronized EbsClient ebs() {
        if (ebs == null) {
            ebs = keep(configure(EbsClient.builder(), region).build());
        }
        return ebs;
    }

    private <C extends AutoCloseable> C keep(C client) {
        built.add(client);
        return client;
    }

    @Override
    public synchronized void close() {
        for (AutoCloseable client : built) {
            try {
                client.close();
            } catch (Exception e) {
                // closing releases local resources only; nothing to report
            }
        }
        built.clear();
        http.close();
    }
}
