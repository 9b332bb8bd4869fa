package dev.ferry.sandbox.aws;

import dev.ferry.sandbox.AwsClients;
import dev.ferry.sandbox.Sandbox;
import dev.ferry.sandbox.SignedRequests;
import dev.ferry.sandbox.TestSandboxes;
import dev.ferry.sandbox.world.World;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.BucketLocationConstraint;
import software.amazon.awssdk.services.s3.model.ChecksumMode;
import software.amazon.awssdk.services.s3.model.CommonPrefix;
import software.amazon.awssdk.services.s3.model.ChecksumAlgorithm;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.Grant;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.ObjectOwnership;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class S3Test {

    private static Sandbox sandbox;
    private static AwsClients clients;
    private static S3Client s3;

    @BeforeAll
    static void start() {
        sandbox = TestSandboxes.start(0.01);
        clients = new AwsClients(sandbox);
        s3 = clients.s3();
    }

    @AfterAll
    static void stop() {
        s3.close();
        clients.close();
        sandbox.close();
    }

    private static String errorCode(Throwable e) {
        return ((AwsServiceException) e).awsErrorDetails().errorCode();
    }

    private static void bucket(String name) {
        s3.createBucket(r -> r.bucket(name).createBucketConfiguration(c -> c.locationConstraint(
                BucketLocationConstraint.US_WEST_1)));
    }

    private static byte[] random(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    @Test
    void createsABucketInTheRegionItNamesAndReportsItsLocation() {
        bucket("staging-one");
        var head = s3.headBucket(r -> r.bucket("staging-one"));
        assertThat(head.bucketRegion()).isEqualTo("us-west-1");
        assertThat(s3.getBucketLocation(r -> r.bucket("staging-one")).locationConstraintAsString())
                .isEqualTo("us-west-1");
        assertThat(s3.listBuckets().buckets()).extracting(b -> b.name()).contains("staging-one");
        assertThatThrownBy(() -> bucket("staging-one"))
                .satisfies(e -> assertThat(errorCode(e)).isEqualTo("BucketAlreadyOwnedByYou"));
        // The SDK fills in the client's region as the location constraint when none is given.
        s3.createBucket(r -> r.bucket("no-constraint"));
        assertThat(s3.getBucketLocation(r -> r.bucket("no-constraint")).locationConstraintAsString())
                .isEqualTo("us-west-1");
        // The SDK refuses such names itself; a client that does not still gets S3's answer.
        HttpResponse<String> badName = signedRaw("PUT", "/Bad_Name");
        assertThat(badName.statusCode()).isEqualTo(400);
        assertThat(badName.body()).contains("<Code>InvalidBucketName</Code>");
        assertThatThrownBy(() -> s3.headBucket(r -> r.bucket("not-there")))
                .isInstanceOf(NoSuchBucketException.class);
    }

    @Test
    void refusesRequestsSignedForAnotherRegion() {
        bucket("west-only");
        try (S3Client east = S3Client.builder().endpointOverride(sandbox.endpoint()).region(Region.US_EAST_1)
                .credentialsProvider(() -> software.amazon.awssdk.auth.credentials.AwsBasicCredentials.create(
                        sandbox.accessKeyId(), sandbox.secretAccessKey())).build()) {
            assertThatThrownBy(() -> east.listObjectsV2(r -> r.bucket("west-only")))
                    .satisfies(e -> assertThat(errorCode(e)).isEqualTo("AuthorizationHeaderMalformed"));
        }
    }

    @Test
    void storesChecksReadsAndDeletesBucketPolicies() {
        bucket("with-policy");
        assertThatThrownBy(() -> s3.getBucketPolicy(r -> r.bucket("with-policy")))
                .satisfies(e -> assertThat(errorCode(e)).isEqualTo("NoSuchBucketPolicy"));
        String policy = """
                {"Version":"2012-10-17","Statement":[{"Sid":"vmie","Effect":"Allow",\
                "Principal":{"Service":"vmie.amazonaws.com"},"Action":["s3:PutObject","s3:GetBucketLocation"],\
                "Resource":["arn:aws:s3:::with-policy","arn:aws:s3:::with-policy/*"],\
                "Condition":{"StringEquals":{"aws:SourceAccount":"123456789012"}}}]}""";
        s3.putBucketPolicy(r -> r.bucket("with-policy").policy(policy));
        assertThat(s3.getBucketPolicy(r -> r.bucket("with-policy")).policy()).isEqualTo(policy);
        String otherBucket = policy.replace("arn:aws:s3:::with-policy/*", "arn:aws:s3:::someone-else/*");
        assertThatThrownBy(() -> s3.putBucketPolicy(r -> r.bucket("with-policy").policy(otherBucket)))
                .satisfies(e -> assertThat(errorCode(e)).isEqualTo("MalformedPolicy"))
                .hasMessageContaining("invalid resource");
        assertThatThrownBy(() -> s3.putBucketPolicy(r -> r.bucket("with-policy").policy("not json")))
                .satisfies(e -> assertThat(errorCode(e)).isEqualTo("MalformedPolicy"));
        s3.deleteBucketPolicy(r -> r.bucket("with-policy"));
        assertThatThrownBy(() -> s3.getBucketPolicy(r -> r.bucket("with-policy")))
                .satisfies(e -> assertThat(errorCode(e)).isEqualTo("NoSuchBucketPolicy"));
    }

    @SuppressWarnings("unchecked")
    @Test
    void newBucketsHaveAclsDisabledUnlessCreatedForObjectWriters() {
        bucket("enforced");
        assertThat(s3.getBucketOwnershipControls(r -> r.bucket("enforced")).ownershipControls().rules().get(0)
                .objectOwnershipAsString()).isEqualTo("BucketOwnerEnforced");
        assertThatThrownBy(() -> s3.putBucketAcl(r -> r.bucket("enforced")
                .grantWrite("emailAddress=" + World.EXPORT_SERVICE_EMAIL)))
                .satisfies(e -> assertThat(errorCode(e)).isEqualTo("AccessControlListNotSupported"));

        s3.createBucket(r -> r.bucket("writable").objectOwnership(ObjectOwnership.OBJECT_WRITER)
                .createBucketConfiguration(c -> c.locationConstraint(BucketLocationConstraint.US_WEST_1)));
        String owner = s3.getBucketAcl(r -> r.bucket("writable")).owner().id();
        s3.putBucketAcl(r -> r.bucket("writable")
                .grantFullControl("id=" + owner)
                .grantWrite("emailAddress=" + World.EXPORT_SERVICE_EMAIL)
                .grantReadACP("emailAddress=" + World.EXPORT_SERVICE_EMAIL));
        List<Grant> grants = s3.getBucketAcl(r -> r.bucket("writable")).grants();
        assertThat(grants).extracting(g -> g.grantee().id() + ":" + g.permissionAsString())
                .containsExactlyInAnyOrder(owner + ":FULL_CONTROL", World.exportServiceCanonicalId() + ":WRITE",
                        World.exportServiceCanonicalId() + ":READ_ACP");
        assertThatThrownBy(() -> s3.putBucketAcl(r -> r.bucket("writable").grantRead("emailAddress=who@example.com")))
                .satisfies(e -> assertThat(errorCode(e)).isEqualTo("UnresolvableGrantByEmailAddress"));

        s3.putBucketOwnershipControls(r -> r.bucket("writable").ownershipControls(c -> c.rules(
                rule -> rule.objectOwnership(ObjectOwnership.BUCKET_OWNER_ENFORCED))));
        assertThat(s3.getBucketAcl(r -> r.bucket("writable")).grants()).hasSize(1);
    }

    @Test
    void putsObjectsWithTheSdksStreamingChecksumsAndReadsThemBackWhole() throws Exception {
        bucket("objects");
        byte[] data = random(3 * 1024 * 1024 + 17, 1);
        var put = s3.putObject(r -> r.bucket("objects").key("disk/part.raw").contentType("application/octet-stream")
                .metadata(java.util.Map.of("source", "i-0e1dc0292b0ae7293")), RequestBody.fromBytes(data));
        assertThat(put.eTag()).isEqualTo("\"" + hex(MessageDigest.getInstance("MD5").digest(data)) + "\"");
        // The SDK sent the body aws-chunked with a trailing CRC32, which the sandbox checked and echoes.
        assertThat(put.checksumCRC32()).isNotNull();

        ResponseBytes<GetObjectResponse> got = s3.getObjectAsBytes(r -> r.bucket("objects").key("disk/part.raw")
                .checksumMode(ChecksumMode.ENABLED));
        assertThat(got.asByteArray()).isEqualTo(data);
        assertThat(got.response().contentLength()).isEqualTo(data.length);
        assertThat(got.response().metadata()).containsEntry("source", "i-0e1dc0292b0ae7293");
        assertThat(got.response().checksumCRC32()).isEqualTo(put.checksumCRC32());

        var head = s3.headObject(r -> r.bucket("objects").key("disk/part.raw"));
        assertThat(head.contentLength()).isEqualTo(data.length);
        assertThat(head.eTag()).isEqualTo(put.eTag());
        assertThat(head.lastModified()).isNotNull();
    }

    @Test
    void streamsBodiesOfUnknownLength() {
        bucket("streams");
        byte[] data = random(2 * 1024 * 1024, 2);
        s3.putObject(r -> r.bucket("streams").key("unknown-length"),
                RequestBody.fromContentProvider(() -> new ByteArrayInputStream(data), "application/octet-stream"));
        assertThat(s3.getObjectAsBytes(r -> r.bucket("streams").key("unknown-length")).asByteArray()).isEqualTo(data);
    }

    @Test
    void servesByteRangesWithContentRange() {
        bucket("ranges");
        byte[] data = random(100_000, 3);
        s3.putObject(r -> r.bucket("ranges").key("blob"), RequestBody.fromBytes(data));
        ResponseBytes<GetObjectResponse> part = s3.getObjectAsBytes(r -> r.bucket("ranges").key("blob")
                .range("bytes=1000-1999"));
        assertThat(part.asByteArray()).isEqualTo(java.util.Arrays.copyOfRange(data, 1000, 2000));
        assertThat(part.response().contentRange()).isEqualTo("bytes 1000-1999/100000");
        assertThat(part.response().contentLength()).isEqualTo(1000L);
        assertThat(s3.getObjectAsBytes(r -> r.bucket("ranges").key("blob").range("bytes=99990-")).asByteArray())
                .isEqualTo(java.util.Arrays.copyOfRange(data, 99990, 100000));
        assertThat(s3.getObjectAsBytes(r -> r.bucket("ranges").key("blob").range("bytes=-10")).asByteArray())
                .isEqualTo(java.util.Arrays.copyOfRange(data, 99990, 100000));
        assertThatThrownBy(() -> s3.getObjectAsBytes(r -> r.bucket("ranges").key("blob").range("bytes=200000-")))
                .satisfies(e -> assertThat(errorCode(e)).isEqualTo("InvalidRange"));
        assertThatThrownBy(() -> s3.getObjectAsBytes(r -> r.bucket("ranges").key("nothing")))
                .isInstanceOf(NoSuchKeyException.class);
    }

    @Test
    void refusesABodyThatDoesNotMatchItsContentMd5() {
        bucket("digests");
        byte[] data = "hello".getBytes(StandardCharsets.UTF_8);
        String wrong = Base64.getEncoder().encodeToString(new byte[16]);
        assertThatThrownBy(() -> s3.putObject(r -> r.bucket("digests").key("k").contentMD5(wrong),
                RequestBody.fromBytes(data)))
                .satisfies(e -> assertThat(errorCode(e)).isEqualTo("BadDigest"));
        assertThat(sandbox.world().s3().objects("digests")).isEmpty();
    }

    @Test
    void listsObjectsV2WithPrefixDelimiterAndContinuation() {
        bucket("listing");
        List<String> keys = List.of("exports/a.raw", "exports/b.raw", "exports/c d+e.raw", "exports/sub/x.raw",
                "imports/app-02.ova", "top.txt");
        for (String key : keys) {
            s3.putObject(r -> r.bucket("listing").key(key), RequestBody.fromString(key));
        }
        ListObjectsV2Response first = s3.listObjectsV2(r -> r.bucket("listing").prefix("exports/").maxKeys(2));
        assertThat(first.contents()).extracting(S3Object::key).containsExactly("exports/a.raw", "exports/b.raw");
        assertThat(first.isTruncated()).isTrue();
        assertThat(first.keyCount()).isEqualTo(2);
        ListObjectsV2Response second = s3.listObjectsV2(r -> r.bucket("listing").prefix("exports/").maxKeys(2)
                .continuationToken(first.nextContinuationToken()));
        assertThat(second.contents()).extracting(S3Object::key)
                .containsExactly("exports/c d+e.raw", "exports/sub/x.raw");
        assertThat(second.isTruncated()).isFalse();

        ListObjectsV2Response folders = s3.listObjectsV2(r -> r.bucket("listing").delimiter("/"));
        assertThat(folders.commonPrefixes()).extracting(CommonPrefix::prefix)
                .containsExactly("exports/", "imports/");
        assertThat(folders.contents()).extracting(S3Object::key).containsExactly("top.txt");

        List<String> all = new ArrayList<>();
        s3.listObjectsV2Paginator(r -> r.bucket("listing").maxKeys(1)).contents().forEach(o -> all.add(o.key()));
        assertThat(all).containsExactlyElementsOf(keys);
    }

    @Test
    void uploadsInPartsAndCompletesIntoOneObject() {
        bucket("multipart");
        byte[] first = random(5 * 1024 * 1024, 4);
        byte[] second = random(123_456, 5);
        String uploadId = s3.createMultipartUpload(r -> r.bucket("multipart").key("image.ova")).uploadId();
        String etag1 = s3.uploadPart(r -> r.bucket("multipart").key("image.ova").uploadId(uploadId).partNumber(1),
                RequestBody.fromBytes(first)).eTag();
        var part2 = s3.uploadPart(r -> r.bucket("multipart").key("image.ova").uploadId(uploadId).partNumber(2),
                RequestBody.fromBytes(second));
        var parts = s3.listParts(r -> r.bucket("multipart").key("image.ova").uploadId(uploadId));
        assertThat(parts.parts()).extracting(p -> p.partNumber() + ":" + p.size())
                .containsExactly("1:" + first.length, "2:" + second.length);
        assertThat(s3.listMultipartUploads(r -> r.bucket("multipart")).uploads()).extracting(u -> u.uploadId())
                .containsExactly(uploadId);

        var done = s3.completeMultipartUpload(r -> r.bucket("multipart").key("image.ova").uploadId(uploadId)
                .multipartUpload(m -> m.parts(
                        CompletedPart.builder().partNumber(1).eTag(etag1).build(),
                        CompletedPart.builder().partNumber(2).eTag(part2.eTag())
                                .checksumCRC32(part2.checksumCRC32()).build())));
        assertThat(done.eTag()).endsWith("-2\"");
        byte[] whole = s3.getObjectAsBytes(r -> r.bucket("multipart").key("image.ova")).asByteArray();
        assertThat(whole.length).isEqualTo(first.length + second.length);
        assertThat(java.util.Arrays.copyOfRange(whole, first.length, whole.length)).isEqualTo(second);
        assertThatThrownBy(() -> s3.listParts(r -> r.bucket("multipart").key("image.ova").uploadId(uploadId)))
                .satisfies(e -> assertThat(errorCode(e)).isEqualTo("NoSuchUpload"));
    }

    @Test
    void refusesAPartChecksummedWithAnotherAlgorithmThanItsUploadDeclared() {
        bucket("checksummed-multipart");
        byte[] part = random(5 * 1024 * 1024, 6);
        String uploadId = s3.createMultipartUpload(r -> r.bucket("checksummed-multipart").key("k")
                .checksumAlgorithm(ChecksumAlgorithm.SHA256)).uploadId();
        assertThatThrownBy(() -> s3.uploadPart(r -> r.bucket("checksummed-multipart").key("k").uploadId(uploadId).partNumber(1)
                .checksumAlgorithm(ChecksumAlgorithm.CRC32_C), RequestBody.fromBytes(part)))
                .satisfies(e -> assertThat(errorCode(e)).isEqualTo("InvalidRequest"))
                .hasMessageContaining("expected checksum Type: sha256, actual checksum Type: crc32c");
        var sent = s3.uploadPart(r -> r.bucket("checksummed-multipart").key("k").uploadId(uploadId).partNumber(1)
                .checksumAlgorithm(ChecksumAlgorithm.SHA256), RequestBody.fromBytes(part));
        assertThat(s3.listParts(r -> r.bucket("checksummed-multipart").key("k").uploadId(uploadId)).parts())
                .extracting(p -> p.checksumSHA256()).containsExactly(sent.checksumSHA256());
    }

    @Test
    void refusesSmallPartsWrongOrderAndUnknownPartsAndAborts() {
        bucket("bad-multipart");
        String uploadId = s3.createMultipartUpload(r -> r.bucket("bad-multipart").key("k")).uploadId();
        String small1 = s3.uploadPart(r -> r.bucket("bad-multipart").key("k").uploadId(uploadId).partNumber(1),
                RequestBody.fromString("tiny")).eTag();
        String small2 = s3.uploadPart(r -> r.bucket("bad-multipart").key("k").uploadId(uploadId).partNumber(2),
                RequestBody.fromString("tiny too")).eTag();
        assertThatThrownBy(() -> s3.completeMultipartUpload(r -> r.bucket("bad-multipart").key("k").uploadId(uploadId)
                .multipartUpload(m -> m.parts(CompletedPart.builder().partNumber(1).eTag(small1).build(),
                        CompletedPart.builder().partNumber(2).eTag(small2).build()))))
                .satisfies(e -> assertThat(errorCode(e)).isEqualTo("EntityTooSmall"));
        assertThatThrownBy(() -> s3.completeMultipartUpload(r -> r.bucket("bad-multipart").key("k").uploadId(uploadId)
                .multipartUpload(m -> m.parts(CompletedPart.builder().partNumber(2).eTag(small2).build(),
                        CompletedPart.builder().partNumber(1).eTag(small1).build()))))
                .satisfies(e -> assertThat(errorCode(e)).isEqualTo("InvalidPartOrder"));
        assertThatThrownBy(() -> s3.completeMultipartUpload(r -> r.bucket("bad-multipart").key("k").uploadId(uploadId)
                .multipartUpload(m -> m.parts(CompletedPart.builder().partNumber(1).eTag("\"00\"").build()))))
                .satisfies(e -> assertThat(errorCode(e)).isEqualTo("InvalidPart"));
        s3.abortMultipartUpload(r -> r.bucket("bad-multipart").key("k").uploadId(uploadId));
        assertThat(sandbox.world().s3().multipartUploads()).noneMatch(u -> u.uploadId().equals(uploadId));
        assertThatThrownBy(() -> s3.uploadPart(r -> r.bucket("bad-multipart").key("k").uploadId(uploadId)
                .partNumber(3), RequestBody.fromString("late")))
                .satisfies(e -> assertThat(errorCode(e)).isEqualTo("NoSuchUpload"));
    }

    @Test
    void deletesObjectsAndRefusesToDeleteANonEmptyBucket() {
        bucket("cleanup");
        s3.putObject(r -> r.bucket("cleanup").key("a"), RequestBody.fromString("a"));
        assertThatThrownBy(() -> s3.deleteBucket(r -> r.bucket("cleanup")))
                .satisfies(e -> assertThat(errorCode(e)).isEqualTo("BucketNotEmpty"));
        s3.deleteObject(r -> r.bucket("cleanup").key("a"));
        s3.deleteObject(r -> r.bucket("cleanup").key("a"));
        s3.deleteBucket(r -> r.bucket("cleanup"));
        assertThat(sandbox.world().s3().bucket("cleanup")).isEmpty();
        assertThatThrownBy(() -> s3.putObject(r -> r.bucket("cleanup").key("b"), RequestBody.fromString("b")))
                .isInstanceOf(NoSuchBucketException.class);
    }

    @Test
    void refusesRequestsWithoutOrWithForeignCredentials() throws Exception {
        bucket("private");
        HttpResponse<String> anonymous = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(sandbox.endpoint() + "/private/key")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(anonymous.statusCode()).isEqualTo(403);
        assertThat(anonymous.body()).contains("<Code>AccessDenied</Code>");
        try (AwsClients stranger = new AwsClients(sandbox, "AKIAOTHERACCOUNT0001", "secret");
             S3Client other = stranger.s3()) {
            assertThatThrownBy(() -> other.listObjectsV2(r -> r.bucket("private")))
                    .isInstanceOf(S3Exception.class)
                    .satisfies(e -> assertThat(errorCode(e)).isEqualTo("InvalidAccessKeyId"));
        }
    }

    @Test
    void putWithIfNoneMatchStarCreatesOnlyWhenTheKeyIsAbsent() {
        bucket("cond-create");
        s3.putObject(r -> r.bucket("cond-create").key("state.lock").ifNoneMatch("*"), RequestBody.fromString("one"));
        assertThatThrownBy(() -> s3.putObject(r -> r.bucket("cond-create").key("state.lock").ifNoneMatch("*"),
                RequestBody.fromString("two")))
                .isInstanceOf(S3Exception.class)
                .satisfies(e -> assertThat(((S3Exception) e).statusCode()).isEqualTo(412))
                .satisfies(e -> assertThat(errorCode(e)).isEqualTo("PreconditionFailed"));
        assertThat(s3.getObjectAsBytes(r -> r.bucket("cond-create").key("state.lock")).asUtf8String())
                .isEqualTo("one");
        s3.deleteObject(r -> r.bucket("cond-create").key("state.lock"));
        s3.putObject(r -> r.bucket("cond-create").key("state.lock").ifNoneMatch("*"), RequestBody.fromString("three"));
        assertThat(s3.getObjectAsBytes(r -> r.bucket("cond-create").key("state.lock")).asUtf8String())
                .isEqualTo("three");
    }

    @Test
    void putWithIfMatchWritesOnlyOverTheETagItNames() {
        bucket("cond-replace");
        String first = s3.putObject(r -> r.bucket("cond-replace").key("state.json"), RequestBody.fromString("v1"))
                .eTag();
        String second = s3.putObject(r -> r.bucket("cond-replace").key("state.json").ifMatch(first),
                RequestBody.fromString("v2")).eTag();
        assertThat(second).isNotEqualTo(first);
        assertThatThrownBy(() -> s3.putObject(r -> r.bucket("cond-replace").key("state.json").ifMatch(first),
                RequestBody.fromString("stale")))
                .isInstanceOf(S3Exception.class)
                .satisfies(e -> assertThat(((S3Exception) e).statusCode()).isEqualTo(412))
                .satisfies(e -> assertThat(errorCode(e)).isEqualTo("PreconditionFailed"));
        assertThat(s3.getObjectAsBytes(r -> r.bucket("cond-replace").key("state.json")).asUtf8String())
                .isEqualTo("v2");
        assertThatThrownBy(() -> s3.putObject(r -> r.bucket("cond-replace").key("absent").ifMatch(first),
                RequestBody.fromString("x")))
                .isInstanceOf(NoSuchKeyException.class);
    }

    @Test
    void aFailedConditionAnswersS3sErrorBodyNamingTheCondition() {
        bucket("cond-body");
        s3.putObject(r -> r.bucket("cond-body").key("k"), RequestBody.fromString("v"));
        HttpResponse<String> answer = signedRawPut("/cond-body/k", "If-None-Match", "*",
                HttpRequest.BodyPublishers.ofString("w"));
        assertThat(answer.statusCode()).isEqualTo(412);
        assertThat(answer.body()).contains("<Code>PreconditionFailed</Code>")
                .contains("<Message>At least one of the pre-conditions you specified did not hold</Message>")
                .contains("<Condition>If-None-Match</Condition>").contains("<RequestId>");
    }

    @Test
    void aConditionalPutOvertakenByAnotherWriteDuringItsUploadIsAConflict() throws Exception {
        bucket("cond-race");
        int ahead = 32 << 20;
        java.util.concurrent.CountDownLatch sentAhead = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        java.io.InputStream body = new java.io.InputStream() {
            private long sent;

            @Override
            public int read() {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (sent == ahead) {
                    sentAhead.countDown();
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return -1;
                    }
                }
                if (sent >= ahead + 1) {
                    return -1;
                }
                int n = (int) Math.min(len, (sent < ahead ? ahead : ahead + 1) - sent);
                java.util.Arrays.fill(b, off, off + n, (byte) 7);
                sent += n;
                return n;
            }
        };
        java.util.concurrent.CompletableFuture<HttpResponse<String>> slow = java.util.concurrent.CompletableFuture
                .supplyAsync(() -> signedRawPut("/cond-race/state.lock", "If-None-Match", "*",
                        HttpRequest.BodyPublishers.fromPublisher(HttpRequest.BodyPublishers.ofInputStream(
                                () -> body), ahead + 1L)));
        sentAhead.await();
        // The slow upload is past its first check (its body is flowing); another writer now takes the key.
        s3.putObject(r -> r.bucket("cond-race").key("state.lock").ifNoneMatch("*"), RequestBody.fromString("fast"));
        release.countDown();
        HttpResponse<String> answer = slow.get();
        assertThat(answer.statusCode()).isEqualTo(409);
        assertThat(answer.body()).contains("<Code>ConditionalRequestConflict</Code>");
        assertThat(s3.getObjectAsBytes(r -> r.bucket("cond-race").key("state.lock")).asUtf8String())
                .isEqualTo("fast");
    }

    @Test
    void reportsAndChangesBucketVersioning() {
        bucket("versioned");
        assertThat(s3.getBucketVersioning(r -> r.bucket("versioned")).status()).isNull();
        s3.putBucketVersioning(r -> r.bucket("versioned").versioningConfiguration(c -> c.status("Enabled")));
        assertThat(s3.getBucketVersioning(r -> r.bucket("versioned")).statusAsString()).isEqualTo("Enabled");
    }

    private static HttpResponse<String> signedRawPut(String path, String header, String value,
                                                     HttpRequest.BodyPublisher body) {
        try {
            return HttpClient.newHttpClient().send(SignedRequests.s3(sandbox, "PUT", path, Map.of(header, value))
                    .PUT(body).build(), HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** A request the S3 client would not send, signed by the SDK's signer. */
    private static HttpResponse<String> signedRaw(String method, String path) {
        try {
            return HttpClient.newHttpClient().send(SignedRequests.s3(sandbox, method, path, Map.of())
                    .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static String hex(byte[] bytes) {
        return java.util.HexFormat.of().formatHex(bytes);
    }
}
