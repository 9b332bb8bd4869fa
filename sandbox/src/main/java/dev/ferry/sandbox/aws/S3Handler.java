package dev.ferry.sandbox.aws;

import dev.ferry.sandbox.aws.S3Protocol.RegionMismatch;
import dev.ferry.sandbox.http.HttpCall;
import dev.ferry.sandbox.http.ServiceHandler;
import dev.ferry.sandbox.http.SigV4Credential;
import dev.ferry.sandbox.http.SigV4Verifier;
import dev.ferry.sandbox.world.World;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.Optional;

import static dev.ferry.sandbox.aws.S3Protocol.baseHeaders;
import static java.util.Objects.requireNonNull;

/**
 * S3's REST API, path-style ({@code /bucket/key}): names each request's action, checks credentials, answers
 * errors in S3's words, and hands the request to the area that serves it: buckets and their configuration,
 * listing, objects and ranges, multipart uploads.
 */
public final class S3Handler implements ServiceHandler {

    private static final long MAX_DRAINED_BYTES = 64L * 1024 * 1024;

    private final World world;
    private final S3Buckets buckets;
    private final S3Listing listing;
    private final S3Objects objects;
    private final S3Multipart multipart;

    public S3Handler(World world) {
        this.world = requireNonNull(world, "world is null");
        this.buckets = new S3Buckets(world);
        this.listing = new S3Listing(world);
        this.objects = new S3Objects(world);
        this.multipart = new S3Multipart(world);
    }

    /** Bucket and key of a path-style request; key null for bucket requests, bucket null for the service. */
    private record Target(String bucket, String key) {
    }

    private static Target target(HttpCall call) {
        String path = call.rawPath();
        if (path.equals("/") || path.isEmpty()) {
            return new Target(null, null);
        }
        String rest = path.substring(1);
        int slash = rest.indexOf('/');
        if (slash < 0) {
            return new Target(percentDecode(rest), null);
        }
        String key = percentDecode(rest.substring(slash + 1));
        return new Target(percentDecode(rest.substring(0, slash)), key.isEmpty() ? null : key);
    }

    /** Percent-decoding for paths, where {@code +} is a plus sign. */
    static String percentDecode(String s) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%' && i + 2 < s.length()) {
                out.write(Integer.parseInt(s.substring(i + 1, i + 3), 16));
                i += 2;
            } else {
                out.writeBytes(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    @Override
    public String action(HttpCall call) {
        Target t = target(call);
        String method = call.method();
        if (t.bucket() == null) {
            return method.equals("GET") ? "ListBuckets" : method + " /";
        }
        if (t.key() == null) {
            return switch (method) {
                case "PUT" -> call.hasQueryParameter("policy") ? "PutBucketPolicy"
                        : call.hasQueryParameter("acl") ? "PutBucketAcl"
                        : call.hasQueryParameter("ownershipControls") ? "PutBucketOwnershipControls"
                        : call.hasQueryParameter("versioning") ? "PutBucketVersioning"
                        : "CreateBucket";
                case "HEAD" -> "HeadBucket";
                case "DELETE" -> call.hasQueryParameter("policy") ? "DeleteBucketPolicy" : "DeleteBucket";
                case "POST" -> call.hasQueryParameter("delete") ? "DeleteObjects" : "POST bucket";
                case "GET" -> call.hasQueryParameter("policy") ? "GetBucketPolicy"
                        : call.hasQueryParameter("acl") ? "GetBucketAcl"
                        : call.hasQueryParameter("location") ? "GetBucketLocation"
                        : call.hasQueryParameter("ownershipControls") ? "GetBucketOwnershipControls"
                        : call.hasQueryParameter("versioning") ? "GetBucketVersioning"
                        : call.hasQueryParameter("uploads") ? "ListMultipartUploads"
                        : "2".equals(call.queryParameter("list-type")) ? "ListObjectsV2"
                        : "ListObjects";
                default -> method + " bucket";
            };
        }
        return switch (method) {
            case "PUT" -> call.hasQueryParameter("uploadId") ? "UploadPart"
                    : call.header("x-amz-copy-source") != null ? "CopyObject" : "PutObject";
            case "GET" -> call.hasQueryParameter("uploadId") ? "ListParts" : "GetObject";
            case "HEAD" -> "HeadObject";
            case "DELETE" -> call.hasQueryParameter("uploadId") ? "AbortMultipartUpload" : "DeleteObject";
            case "POST" -> call.hasQueryParameter("uploads") ? "CreateMultipartUpload"
                    : call.hasQueryParameter("uploadId") ? "CompleteMultipartUpload" : "POST object";
            default -> method + " object";
        };
    }

    @Override
    public boolean authenticate(HttpCall call) throws IOException {
        Optional<SigV4Credential> credential = SigV4Credential.of(call);
        if (credential.isEmpty()) {
            refuse(call, new AwsException(403, "AccessDenied", "Access Denied"), null, null);
            return false;
        }
        if (!credential.get().accessKeyId().equals(world.accessKeyId())) {
            refuse(call, new AwsException(403, "InvalidAccessKeyId",
                    "The AWS Access Key Id you provided does not exist in our records."), null, null);
            return false;
        }
        String region = credential.get().region();
        if (!AwsRegions.exists(region)) {
            Target t = target(call);
            String expecting = t.bucket() == null ? "us-east-1" : world.read(w -> {
                var bucket = w.s3().buckets().get(t.bucket());
                return bucket == null ? "us-east-1" : bucket.region();
            });
            refuse(call, new RegionMismatch(region, expecting), null, null);
            return false;
        }
        SigV4Verifier.Outcome outcome = new SigV4Verifier(world.secretAccessKey()).verify(call, null, false);
        if (outcome instanceof SigV4Verifier.Malformed malformed) {
            boolean presigned = call.header("Authorization") == null;
            refuse(call, new AwsException(400, presigned ? "AuthorizationQueryParametersError"
                    : "AuthorizationHeaderMalformed", "The authorization " + (presigned ? "query parameters are"
                    : "header is") + " malformed: " + malformed.why()), null, null);
            return false;
        }
        if (outcome instanceof SigV4Verifier.Mismatch mismatch) {
            refuse(call, new SignatureDoesNotMatch(credential.get().accessKeyId(), mismatch), null, null);
            return false;
        }
        SigV4Verifier.Verified verified = (SigV4Verifier.Verified) outcome;
        if (verified.signed().presigned() && expired(verified.signed().amzDate(), call.queryParameter("X-Amz-Expires"))) {
            refuse(call, new AwsException(403, "AccessDenied", "Request has expired"), null, null);
            return false;
        }
        call.attribute(S3BodyReceiver.CHUNK_SIGNATURES, verified.chunks());
        return true;
    }

    /**
     * Answers a refused request after reading (a bounded part of) its body: a client that is still sending an
     * upload would otherwise see its connection reset instead of the answer.
     */
    private void refuse(HttpCall call, AwsException e, String bucket, String key) throws IOException {
        if (call.hasBody()) {
            InputStream in = call.body();
            byte[] buffer = new byte[64 * 1024];
            long read = 0;
            int n;
            while (read < MAX_DRAINED_BYTES && (n = in.read(buffer)) >= 0) {
                read += n;
            }
        }
        error(call, e, bucket, key);
    }

    /** Whether a presigned URL's lifetime is over (by the real clock, which signed it). */
    private static boolean expired(String amzDate, String expires) {
        if (expires == null) {
            return false;
        }
        try {
            Instant signedAt = LocalDateTime.parse(amzDate, AMZ_DATE).toInstant(ZoneOffset.UTC);
            return Instant.now().isAfter(signedAt.plusSeconds(Long.parseLong(expires)));
        } catch (RuntimeException e) {
            return true;
        }
    }

    private static final DateTimeFormatter AMZ_DATE = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'");

    /** S3 tells what it signed, so that a client can see where its signing went another way. */
    private static final class SignatureDoesNotMatch extends AwsException {
        final String accessKeyId;
        final SigV4Verifier.Mismatch mismatch;

        SignatureDoesNotMatch(String accessKeyId, SigV4Verifier.Mismatch mismatch) {
            super(403, "SignatureDoesNotMatch", "The request signature we calculated does not match the signature "
                    + "you provided. Check your key and signing method.");
            this.accessKeyId = accessKeyId;
            this.mismatch = mismatch;
        }
    }

    @Override
    public void handle(HttpCall call) throws IOException {
        Target t = target(call);
        try {
            switch (call.action()) {
                case "ListBuckets" -> buckets.listBuckets(call);
                case "CreateBucket" -> buckets.createBucket(call, t.bucket());
                case "HeadBucket" -> buckets.headBucket(call, t.bucket());
                case "DeleteBucket" -> buckets.deleteBucket(call, t.bucket());
                case "PutBucketPolicy" -> buckets.putBucketPolicy(call, t.bucket());
                case "GetBucketPolicy" -> buckets.getBucketPolicy(call, t.bucket());
                case "DeleteBucketPolicy" -> buckets.deleteBucketPolicy(call, t.bucket());
                case "PutBucketAcl" -> buckets.putBucketAcl(call, t.bucket());
                case "GetBucketAcl" -> buckets.getBucketAcl(call, t.bucket());
                case "GetBucketLocation" -> buckets.getBucketLocation(call, t.bucket());
                case "GetBucketOwnershipControls" -> buckets.getOwnership(call, t.bucket());
                case "PutBucketOwnershipControls" -> buckets.putOwnership(call, t.bucket());
                case "GetBucketVersioning" -> buckets.getVersioning(call, t.bucket());
                case "PutBucketVersioning" -> buckets.putVersioning(call, t.bucket());
                case "ListObjectsV2", "ListObjects" -> listing.listObjects(call, t.bucket(),
                        call.action().equals("ListObjectsV2"));
                case "ListMultipartUploads" -> multipart.listUploads(call, t.bucket());
                case "DeleteObjects" -> objects.deleteObjects(call, t.bucket());
                case "PutObject" -> objects.putObject(call, t.bucket(), t.key());
                case "GetObject" -> objects.getObject(call, t.bucket(), t.key(), false);
                case "HeadObject" -> objects.getObject(call, t.bucket(), t.key(), true);
                case "DeleteObject" -> objects.deleteObject(call, t.bucket(), t.key());
                case "CreateMultipartUpload" -> multipart.createUpload(call, t.bucket(), t.key());
                case "UploadPart" -> multipart.uploadPart(call, t.bucket(), t.key());
                case "ListParts" -> multipart.listParts(call, t.bucket(), t.key());
                case "CompleteMultipartUpload" -> multipart.completeUpload(call, t.bucket(), t.key());
                case "AbortMultipartUpload" -> multipart.abortUpload(call, t.bucket(), t.key());
                default -> throw new AwsException(501, "NotImplemented",
                        "A header or query you provided implies functionality that is not implemented ("
                                + call.action() + ")");
            }
        } catch (AwsException e) {
            error(call, e, t.bucket(), t.key());
        }
    }

    private void error(HttpCall call, AwsException e, String bucket, String key) throws IOException {
        Map<String, String> headers = baseHeaders(call);
        if (e instanceof RegionMismatch mismatch) {
            headers.put("x-amz-bucket-region", mismatch.region);
        }
        if (call.method().equals("HEAD")) {
            call.respondHead(e.status(), -1, headers);
            return;
        }
        XmlWriter xml = new XmlWriter().start("Error").leaf("Code", e.code()).leaf("Message", e.getMessage());
        if (e instanceof RegionMismatch mismatch) {
            xml.leaf("Region", mismatch.region);
        }
        if (e.code().equals("NoSuchBucket") || e.code().equals("BucketNotEmpty")
                || e.code().equals("NoSuchBucketPolicy")) {
            xml.leaf("BucketName", bucket);
        }
        if (e instanceof SignatureDoesNotMatch refused) {
            xml.leaf("AWSAccessKeyId", refused.accessKeyId).leaf("StringToSign", refused.mismatch.stringToSign())
                    .leaf("CanonicalRequest", refused.mismatch.canonicalRequest());
        }
        if (e instanceof S3Protocol.PreconditionFailed failed) {
            xml.leaf("Condition", failed.condition);
        }
        if (e.code().equals("NoSuchKey")) {
            xml.leaf("Key", key);
        }
        if (e.code().equals("SlowDown") || e.code().equals("ServiceUnavailable")) {
            headers.put("Retry-After", "1");
        }
        xml.leaf("RequestId", headers.get("x-amz-request-id")).leaf("HostId", headers.get("x-amz-id-2")).end();
        call.respond(e.status(), "application/xml", xml.toString(), headers);
    }

    @Override
    public void injectedError(HttpCall call, int status, Duration retryAfter) throws IOException {
        AwsException e = switch (status) {
            case 429 -> new AwsException(503, "SlowDown", "Please reduce your request rate.");
            case 503 -> new AwsException(503, "ServiceUnavailable", "Please reduce your request rate.");
            default -> new AwsException(500, "InternalError", "We encountered an internal error. Please try again.");
        };
        error(call, e, null, null);
    }

    @Override
    public void internalError(HttpCall call, Exception cause) throws IOException {
        error(call, new AwsException(500, "InternalError", "We encountered an internal error. Please try again. "
                + "(sandbox: " + cause + ")"), null, null);
    }

    @Override
    public String toString() {
        return "S3Handler";
    }
}
