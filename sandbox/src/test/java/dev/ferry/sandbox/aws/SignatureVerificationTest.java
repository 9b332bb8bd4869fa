package dev.ferry.sandbox.aws;

import dev.ferry.sandbox.AwsClients;
import dev.ferry.sandbox.Sandbox;
import dev.ferry.sandbox.SignedRequests;
import dev.ferry.sandbox.TestSandboxes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sts.StsClient;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Every AWS request is signed with the sandbox's secret or refused as the service refuses it, and each region
 * answers only for what lives in it. The requests come from the real SDK clients and signer.
 */
class SignatureVerificationTest {

    private static final String WRONG_SECRET = "wrongSecretKey/ferry/00000000000000000000";

    private static Sandbox sandbox;
    private static AwsClients right;
    private static AwsClients wrong;

    @BeforeAll
    static void start() {
        sandbox = TestSandboxes.start(0.01);
        right = new AwsClients(sandbox).withoutRetries();
        wrong = new AwsClients(sandbox, sandbox.accessKeyId(), WRONG_SECRET);
    }

    @AfterAll
    static void stop() {
        right.close();
        wrong.close();
        sandbox.close();
    }

    @Test
    void ec2RefusesAWrongSecretWithAuthFailure() {
        try (Ec2Client ec2 = wrong.ec2()) {
            assertThatThrownBy(ec2::describeInstances).satisfies(e -> refused(e, 401, "AuthFailure"));
        }
    }

    @Test
    void s3RefusesAWrongSecretWithSignatureDoesNotMatchForReadsAndStreamedUploads() {
        try (S3Client good = right.s3(); S3Client bad = wrong.s3()) {
            good.createBucket(r -> r.bucket("signed-only")
                    .createBucketConfiguration(c -> c.locationConstraint(sandbox.region())));
            assertThatThrownBy(() -> bad.listObjectsV2(r -> r.bucket("signed-only")))
                    .satisfies(e -> refused(e, 403, "SignatureDoesNotMatch"));
            assertThatThrownBy(() -> bad.putObject(r -> r.bucket("signed-only").key("k"),
                    RequestBody.fromBytes(new byte[200_000])))
                    .satisfies(e -> refused(e, 403, "SignatureDoesNotMatch"));
            assertThat(good.listObjectsV2(r -> r.bucket("signed-only")).contents()).isEmpty();
        }
    }

    @Test
    void iamAndStsRefuseAWrongSecretWithSignatureDoesNotMatch() {
        assertThatThrownBy(() -> wrong.iam().listRoles()).satisfies(e -> refused(e, 403, "SignatureDoesNotMatch"));
        assertThatThrownBy(() -> wrong.sts().getCallerIdentity())
                .satisfies(e -> refused(e, 403, "SignatureDoesNotMatch"));
    }

    @Test
    void jsonServicesRefuseAWrongSecretWithInvalidSignatureException() {
        assertThatThrownBy(() -> wrong.ebs().listSnapshotBlocks(r -> r.snapshotId("snap-0123456789abcdef0")))
                .satisfies(e -> refused(e, 403, "InvalidSignatureException"));
        assertThatThrownBy(() -> wrong.pricing().getProducts(r -> r.serviceCode("AmazonEC2").maxResults(1)))
                .satisfies(e -> refused(e, 400, "InvalidSignatureException"));
        assertThat(right.pricing().getProducts(r -> r.serviceCode("AmazonEC2").maxResults(1)).priceList()).hasSize(1);
    }

    @Test
    void aScopeThatNamesNoAwsRegionIsRefused() {
        try (Ec2Client ec2 = right.ec2(Region.of("us-wst-1")); StsClient sts = right.sts(Region.of("us-wst-1"))) {
            assertThatThrownBy(ec2::describeInstances).satisfies(e -> refused(e, 401, "AuthFailure"))
                    .hasMessageContaining("valid region");
            assertThatThrownBy(sts::getCallerIdentity).satisfies(e -> refused(e, 403, "SignatureDoesNotMatch"))
                    .hasMessageContaining("valid region");
        }
    }

    @Test
    void eachRegionSeesOnlyItsOwnInstancesAndImages() {
        try (Ec2Client home = right.ec2(); Ec2Client paris = right.ec2(Region.EU_WEST_3)) {
            List<Instance> seeded = home.describeInstances().reservations().stream()
                    .flatMap(r -> r.instances().stream()).toList();
            assertThat(seeded).isNotEmpty();
            assertThat(paris.describeInstances().reservations()).isEmpty();
            String id = seeded.get(0).instanceId();
            assertThatThrownBy(() -> paris.describeInstances(r -> r.instanceIds(id)))
                    .satisfies(e -> refused(e, 400, "InvalidInstanceID.NotFound"));
            String image = seeded.get(0).imageId();
            assertThat(home.describeImages(r -> r.imageIds(image)).images()).hasSize(1);
            assertThatThrownBy(() -> paris.describeImages(r -> r.imageIds(image)))
                    .satisfies(e -> refused(e, 400, "InvalidAMIID.NotFound"));
        }
    }

    @Test
    void aStreamedUploadWhoseChunkWasAlteredIsRefusedAndAnIntactOneStored() throws Exception {
        try (S3Client s3 = right.s3()) {
            s3.createBucket(r -> r.bucket("chunks").createBucketConfiguration(c -> c.locationConstraint(sandbox.region())));
        }
        byte[] data = new byte[100_000];
        Arrays.fill(data, (byte) 'a');
        assertThat(putChunked("/chunks/intact", data, false).statusCode()).isEqualTo(200);
        HttpResponse<String> altered = putChunked("/chunks/altered", data, true);
        assertThat(altered.statusCode()).isEqualTo(403);
        assertThat(altered.body()).contains("<Code>SignatureDoesNotMatch</Code>");
        try (S3Client s3 = right.s3()) {
            assertThat(s3.getObjectAsBytes(r -> r.bucket("chunks").key("intact")).asByteArray()).isEqualTo(data);
            assertThat(s3.listObjectsV2(r -> r.bucket("chunks")).contents()).hasSize(1);
        }
    }

    @Test
    void aRequestSignedWithAnotherSecretByTheSdkSignerIsRefusedWithWhatS3Signed() throws Exception {
        HttpResponse<String> answer = HttpClient.newHttpClient().send(
                SignedRequests.s3(sandbox, WRONG_SECRET, sandbox.region(), "GET", "/", Map.of()).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).isEqualTo(403);
        assertThat(answer.body()).contains("<Code>SignatureDoesNotMatch</Code>")
                .contains("<AWSAccessKeyId>" + sandbox.accessKeyId() + "</AWSAccessKeyId>")
                .contains("<CanonicalRequest>GET\n/\n")
                .doesNotContain(sandbox.secretAccessKey());
        HttpResponse<String> signedRight = HttpClient.newHttpClient().send(
                SignedRequests.s3(sandbox, "GET", "/", Map.of()).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(signedRight.statusCode()).as(signedRight.body()).isEqualTo(200);
    }

    @Test
    void presignedUrlsAreCheckedForSignatureAndExpiry() throws Exception {
        try (S3Client s3 = right.s3()) {
            s3.createBucket(r -> r.bucket("shared").createBucketConfiguration(c -> c.locationConstraint(sandbox.region())));
            s3.putObject(r -> r.bucket("shared").key("report.txt"), RequestBody.fromString("hello"));
        }
        Clock now = Clock.systemUTC();
        Clock anHourAgo = Clock.offset(now, Duration.ofHours(-1));
        HttpResponse<String> good = presignedGet("/shared/report.txt", sandbox.secretAccessKey(), now);
        assertThat(good.statusCode()).as(good.body()).isEqualTo(200);
        assertThat(good.body()).isEqualTo("hello");
        HttpResponse<String> forged = presignedGet("/shared/report.txt", WRONG_SECRET, now);
        assertThat(forged.statusCode()).isEqualTo(403);
        assertThat(forged.body()).contains("<Code>SignatureDoesNotMatch</Code>");
        HttpResponse<String> stale = presignedGet("/shared/report.txt", sandbox.secretAccessKey(), anHourAgo);
        assertThat(stale.statusCode()).isEqualTo(403);
        assertThat(stale.body()).contains("<Code>AccessDenied</Code>", "Request has expired");
    }

    /** A GET presigned by the SDK's signer for five minutes from {@code clock}'s now. */
    private static HttpResponse<String> presignedGet(String path, String secret, Clock clock) throws Exception {
        URI uri = URI.create(sandbox.endpoint() + path);
        SignedRequest signed = AwsV4HttpSigner.create().sign(r -> r
                .identity(AwsCredentialsIdentity.create(sandbox.accessKeyId(), secret))
                .request(SdkHttpRequest.builder().method(SdkHttpMethod.GET).uri(uri).build())
                .putProperty(AwsV4HttpSigner.REGION_NAME, sandbox.region())
                .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "s3")
                .putProperty(AwsV4HttpSigner.DOUBLE_URL_ENCODE, false)
                .putProperty(AwsV4HttpSigner.NORMALIZE_PATH, false)
                .putProperty(AwsV4HttpSigner.PAYLOAD_SIGNING_ENABLED, false)
                .putProperty(AwsV4HttpSigner.AUTH_LOCATION, AwsV4HttpSigner.AuthLocation.QUERY_STRING)
                .putProperty(AwsV4HttpSigner.EXPIRATION_DURATION, Duration.ofMinutes(5))
                .putProperty(AwsV4HttpSigner.SIGNING_CLOCK, clock));
        assertThat(signed.request().getUri().getRawQuery()).contains("X-Amz-Signature=", "X-Amz-Expires=300");
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(signed.request().getUri()).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** A PutObject in aws-chunked framing signed chunk by chunk by the SDK's signer; optionally one byte altered. */
    private static HttpResponse<String> putChunked(String path, byte[] data, boolean alter) throws Exception {
        URI uri = URI.create(sandbox.endpoint() + path);
        SdkHttpRequest request = SdkHttpRequest.builder().method(SdkHttpMethod.PUT).uri(uri)
                .putHeader("Content-Length", Integer.toString(data.length))
                .build();
        SignedRequest signed = AwsV4HttpSigner.create().sign(r -> r
                .identity(AwsCredentialsIdentity.create(sandbox.accessKeyId(), sandbox.secretAccessKey()))
                .request(request)
                .payload(ContentStreamProvider.fromByteArray(data))
                .putProperty(AwsV4HttpSigner.REGION_NAME, sandbox.region())
                .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "s3")
                .putProperty(AwsV4HttpSigner.DOUBLE_URL_ENCODE, false)
                .putProperty(AwsV4HttpSigner.NORMALIZE_PATH, false)
                .putProperty(AwsV4HttpSigner.CHUNK_ENCODING_ENABLED, true)
                .putProperty(AwsV4HttpSigner.PAYLOAD_SIGNING_ENABLED, true));
        assertThat(signed.request().firstMatchingHeader("x-amz-content-sha256"))
                .hasValue("STREAMING-AWS4-HMAC-SHA256-PAYLOAD");
        byte[] body;
        try (InputStream in = signed.payload().orElseThrow().newStream()) {
            body = in.readAllBytes();
        }
        if (alter) {
            int at = new String(body, StandardCharsets.ISO_8859_1).indexOf("aaaa");
            body[at] = 'b';
        }
        HttpRequest.Builder out = HttpRequest.newBuilder(uri);
        signed.request().forEachHeader((name, values) -> {
            if (!name.equalsIgnoreCase("Host") && !name.equalsIgnoreCase("Content-Length")) {
                values.forEach(v -> out.header(name, v));
            }
        });
        return HttpClient.newHttpClient().send(out.PUT(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static void refused(Throwable e, int status, String code) {
        assertThat(e).isInstanceOf(AwsServiceException.class);
        AwsServiceException service = (AwsServiceException) e;
        assertThat(service.awsErrorDetails().errorCode()).as(e.getMessage()).isEqualTo(code);
        assertThat(service.statusCode()).as(e.getMessage()).isEqualTo(status);
    }
}
