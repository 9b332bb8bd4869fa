package dev.ferry.sandbox.http;

import dev.ferry.sandbox.AwsClients;
import dev.ferry.sandbox.Sandbox;
import dev.ferry.sandbox.TestSandboxes;
import dev.ferry.sandbox.linode.LinodeTestClient;
import dev.ferry.sandbox.testing.LinodeOpenApiValidator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.BucketLocationConstraint;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Each fault mode, seen through the clients that will meet it. */
class FaultsTest {

    private static final Sandbox sandbox = TestSandboxes.start(0.01);
    private static final AwsClients clients = new AwsClients(sandbox);
    private static final LinodeTestClient linode = new LinodeTestClient(sandbox);

    @RegisterExtension
    static final LinodeOpenApiValidator openApi = LinodeOpenApiValidator.attachTo(sandbox);

    @AfterEach
    void noFaults() {
        sandbox.faults().clear();
    }

    @AfterAll
    static void stop() {
        clients.close();
        sandbox.close();
    }

    private static String errorCode(Throwable e) {
        return ((AwsServiceException) e).awsErrorDetails().errorCode();
    }

    @Test
    void linodeThrottlingAnswers429WithRetryAfter() {
        sandbox.faults().set("services=linode,rate=1,statuses=429,retry-after=2s");
        LinodeTestClient.Reply reply = linode.get("/regions");
        assertThat(reply.status()).isEqualTo(429);
        assertThat(reply.header("Retry-After")).isEqualTo("2");
        assertThat(reply.firstReason()).isNotBlank();
        sandbox.faults().set("services=linode,rate=1,statuses=500");
        assertThat(linode.get("/regions").status()).isEqualTo(500);
        sandbox.faults().set("services=linode,rate=1,statuses=503");
        LinodeTestClient.Reply unavailable = linode.get("/regions");
        assertThat(unavailable.status()).isEqualTo(503);
        assertThat(unavailable.header("Retry-After")).isNotNull();
    }

    @Test
    void ec2ThrottlingIsRequestLimitExceededWhichTheSdkRetries() {
        try (Ec2Client ec2 = clients.ec2()) {
            sandbox.faults().set("services=ec2,actions=DescribeVpcs,rate=1,statuses=429,count=2");
            long before = sandbox.requests().count("ec2:DescribeVpcs");
            assertThat(ec2.describeVpcs().vpcs()).isNotEmpty();
            assertThat(sandbox.requests().count("ec2:DescribeVpcs") - before).isEqualTo(3);
            assertThat(sandbox.requests().matching(r -> r.key().equals("ec2:DescribeVpcs") && r.fault() != null))
                    .extracting(LoggedRequest::status).containsExactly(503, 503);

        }
        try (AwsClients once = clients.withoutRetries(); Ec2Client ec2 = once.ec2()) {
            sandbox.faults().set("services=ec2,rate=1,statuses=429");
            assertThatThrownBy(ec2::describeVpcs)
                    .satisfies(e -> assertThat(errorCode(e)).isEqualTo("RequestLimitExceeded"));
            sandbox.faults().set("services=ec2,rate=1,statuses=500");
            assertThatThrownBy(ec2::describeVpcs)
                    .satisfies(e -> assertThat(errorCode(e)).isEqualTo("InternalError"));
        }
    }

    @Test
    void iamAndS3ThrottleInTheirOwnWords() {
        sandbox.faults().set("services=iam,s3,rate=1,statuses=429");
        try (AwsClients once = clients.withoutRetries(); IamClient iam = once.iam(); S3Client s3 = once.s3()) {
            assertThatThrownBy(() -> iam.getRole(r -> r.roleName("vmimport")))
                    .satisfies(e -> assertThat(errorCode(e)).isEqualTo("Throttling"));
            assertThatThrownBy(s3::listBuckets)
                    .satisfies(e -> assertThat(errorCode(e)).isEqualTo("SlowDown"));
        }
    }

    @Test
    void aCutResponseLeavesTheRequestDoneThoughTheClientNeverHeard() {
        sandbox.faults().set("services=linode,actions=POST /networking/firewalls,cut=1,cut-direction=response,count=1");
        assertThatThrownBy(() -> linode.post("/networking/firewalls", Map.of("label", "cut-answer",
                "rules", Map.of("inbound_policy", "DROP", "outbound_policy", "ACCEPT"))))
                .isInstanceOf(UncheckedIOException.class);
        assertThat(sandbox.world().linode().firewalls()).filteredOn(f -> f.label().equals("cut-answer")).hasSize(1);
        assertThat(sandbox.requests().matching(r -> "cut:response".equals(r.fault()))).hasSize(1);
    }

    @Test
    void aCutRequestBodyIsNotServedAndTheSdkRetriesIt() {
        try (S3Client s3 = clients.s3()) {
            s3.createBucket(r -> r.bucket("cut-requests").createBucketConfiguration(c -> c.locationConstraint(
                    BucketLocationConstraint.US_WEST_1)));
            byte[] data = new byte[512 * 1024];
            new Random(1).nextBytes(data);
            sandbox.faults().set("services=s3,actions=PutObject,cut=1,cut-direction=request,count=1");
            s3.putObject(r -> r.bucket("cut-requests").key("k"), RequestBody.fromBytes(data));
            assertThat(sandbox.requests().matching(r -> r.key().equals("s3:PutObject")
                    && r.path().startsWith("/cut-requests/")))
                    .extracting(LoggedRequest::fault).containsExactlyInAnyOrder("cut:request", null);
            assertThat(s3.getObjectAsBytes(r -> r.bucket("cut-requests").key("k")).asByteArray()).isEqualTo(data);
            assertThat(sandbox.world().s3().objects("cut-requests")).hasSize(1);
        }
    }

    @Test
    void addedLatencyDelaysEveryMatchingRequest() {
        sandbox.faults().set("services=sts,latency=150ms");
        try (var sts = clients.sts()) {
            sts.getCallerIdentity();
        }
        LoggedRequest request = last("sts:GetCallerIdentity");
        assertThat(request.duration()).isGreaterThanOrEqualTo(Duration.ofMillis(150));
        assertThat(request.fault()).isEqualTo("latency:150ms");
    }

    @Test
    void slowBodiesArriveWholeButAtThePaceSet() throws Exception {
        try (S3Client s3 = clients.s3()) {
            s3.createBucket(r -> r.bucket("slow-bodies").createBucketConfiguration(c -> c.locationConstraint(
                    BucketLocationConstraint.US_WEST_1)));
            byte[] data = new byte[128 * 1024];
            new Random(2).nextBytes(data);
            s3.putObject(r -> r.bucket("slow-bodies").key("k"), RequestBody.fromBytes(data));
            sandbox.faults().set("services=s3,actions=GetObject,slow=1,slow-rate=256KiB/s");
            long started = System.nanoTime();
            assertThat(s3.getObjectAsBytes(r -> r.bucket("slow-bodies").key("k")).asByteArray()).isEqualTo(data);
            // 128 KiB at 256 KiB/s cannot arrive in less than half a second.
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(450));
        }
        assertThat(last("s3:GetObject").fault()).isEqualTo("slow");
    }

    @Test
    void aSeededSpecFailsTheSameRequestsEachTime() {
        List<Integer> first = statuses("services=linode,rate=0.5,statuses=500,seed=11");
        List<Integer> second = statuses("services=linode,rate=0.5,statuses=500,seed=11");
        assertThat(first).isEqualTo(second).contains(200, 500);
    }

    private static List<Integer> statuses(String spec) {
        sandbox.faults().set(spec);
        List<Integer> statuses = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            statuses.add(linode.get("/regions").status());
        }
        return statuses;
    }

    @Test
    void requestsWithoutAnyCredentialsAreRefusedByTheirLooks() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> query = http.send(HttpRequest.newBuilder(URI.create(sandbox.endpoint() + "/"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("Action=DescribeInstances&Version=2016-11-15")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(query.statusCode()).isEqualTo(401);
        assertThat(query.body()).contains("<Code>AuthFailure</Code>");
        HttpResponse<String> rest = http.send(HttpRequest.newBuilder(URI.create(sandbox.endpoint() + "/some-bucket"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(rest.statusCode()).isEqualTo(403);
        assertThat(rest.body()).contains("<Code>AccessDenied</Code>");
    }

    private static LoggedRequest last(String key) {
        List<LoggedRequest> matching = sandbox.requests().matching(r -> r.key().equals(key));
        return matching.get(matching.size() - 1);
    }

}
