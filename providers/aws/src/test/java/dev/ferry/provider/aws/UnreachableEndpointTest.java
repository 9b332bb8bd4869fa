package dev.ferry.provider.aws;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.engine.provider.DataResult;
import dev.ferry.engine.provider.ProviderContext;
import dev.ferry.engine.resource.EnvironmentSecretResolver;
import dev.ferry.engine.spec.MigrationFile;
import dev.ferry.sandbox.Sandbox;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;

/** An endpoint that cannot be reached fails at once and names itself; a slow retry says what it repeats. */
class UnreachableEndpointTest {

    @TempDir
    Path directory;

    /** Counts the attempts the SDK sends (one call to beforeTransmission per attempt). */
    static final class Attempts implements ExecutionInterceptor {
        final AtomicInteger count = new AtomicInteger();

        @Override
        public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
            count.incrementAndGet();
        }
    }

    static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    AwsSession open(Map<String, String> environment, Attempts attempts, List<String> notices) {
        String yaml = CredentialsAndEndpointTest.file("{region: us-west-1}");
        MigrationFile file = Journey.load(java.util.stream.Stream.concat(java.util.stream.Stream.of((dev.ferry.engine.provider.Provider) new AwsProvider()),
                new FakeNeighbours().providers().stream()).toList(), yaml, directory);
        return (AwsSession) new AwsProvider(Journey.FAST_RETRIES, Journey.SMALL_PARTS, List.of(attempts)).open(new ProviderContext(
                file.provider("aws"), file, environment, Journey.HOME, new EnvironmentSecretResolver(environment, directory), notices::add));
    }

    @Test
    void aRefusedConnectionIsTriedOnceMoreAtMostAndTheErrorNamesTheEndpoint() throws IOException {
        String endpoint = "http://127.0.0.1:" + closedPort();
        Map<String, String> environment = Map.of("AWS_ENDPOINT_URL", endpoint, "AWS_EC2_METADATA_DISABLED", "true",
                "AWS_ACCESS_KEY_ID", "AKIAEXAMPLEKEY000001", "AWS_SECRET_ACCESS_KEY", "secretsecretsecretsecretsecretsecret0001");
        Attempts attempts = new Attempts();
        List<String> notices = new CopyOnWriteArrayList<>();

        try (AwsSession session = open(environment, attempts, notices)) {
            DataResult result = CredentialsAndEndpointTest.callerIdentity(session);

            assertThat(result).isInstanceOfSatisfying(DataResult.Failed.class, failed -> assertThat(failed.message())
                    .contains("STS GetCallerIdentity failed: cannot reach the AWS endpoint " + endpoint + " (from AWS_ENDPOINT_URL)")
                    .containsIgnoringCase("connection refused")
                    .doesNotContain("secretsecret"));
        }
        assertThat(attempts.count.get()).as("attempts sent to a closed port").isBetween(1, 2);
        assertThat(notices).as("a quick second try is not worth a line").isEmpty();
    }

    @Test
    void aThrottledCallThatIsRetriedSaysWhichCallItRepeats() {
        try (Sandbox sandbox = Sandboxes.start()) {
            sandbox.faults().set("services=sts,rate=1.0,statuses=429,seed=1");
            Map<String, String> environment = new HashMap<>(sandbox.environment());
            environment.put("AWS_EC2_METADATA_DISABLED", "true");
            Attempts attempts = new Attempts();
            List<String> notices = new CopyOnWriteArrayList<>();

            try (AwsSession session = open(environment, attempts, notices)) {
                CredentialsAndEndpointTest.callerIdentity(session);
            }

            assertThat(notices).isNotEmpty().allMatch(line -> line.startsWith("Retrying STS GetCallerIdentity (throttled"));
            assertThat(notices.get(0)).contains("attempt 2 of 10");
        }
    }
}
