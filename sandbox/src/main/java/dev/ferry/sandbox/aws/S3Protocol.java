package dev.ferry.sandbox.aws;

import dev.ferry.sandbox.http.ChecksumAlgorithm;
import dev.ferry.sandbox.http.HttpCall;
import dev.ferry.sandbox.http.SigV4Credential;
import dev.ferry.sandbox.world.Bucket;
import dev.ferry.sandbox.world.World;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * What every S3 area shares: the answer headers and bodies, the bucket lookup with its region check, small
 * request documents with their digests verified, and the user metadata of a request.
 */
final class S3Protocol {

    static final String NAMESPACE = "http://s3.amazonaws.com/doc/2006-03-01/";
    static final int MAX_DOCUMENT = 1024 * 1024;

    private S3Protocol() {
    }

    static Map<String, String> baseHeaders(HttpCall call) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("x-amz-request-id", call.requestId().replace("-", "").substring(0, 16).toUpperCase(Locale.ROOT));
        headers.put("x-amz-id-2", Base64.getEncoder().encodeToString(call.requestId().getBytes(StandardCharsets.UTF_8)));
        return headers;
    }

    static void xml(HttpCall call, int status, String xml, Map<String, String> extra) throws IOException {
        Map<String, String> headers = baseHeaders(call);
        headers.putAll(extra);
        call.respond(status, "application/xml", xml, headers);
    }

    static void empty(HttpCall call, int status, Map<String, String> extra) throws IOException {
        Map<String, String> headers = baseHeaders(call);
        headers.putAll(extra);
        call.respondEmpty(status, headers);
    }

    /** The request was signed for another region than the bucket's. */
    static final class RegionMismatch extends AwsException {
        final String region;

        RegionMismatch(String signed, String region) {
            super(400, "AuthorizationHeaderMalformed", "The authorization header is malformed; the region '" + signed
                    + "' is wrong; expecting '" + region + "'");
            this.region = region;
        }
    }

    /** S3's 412 for a condition that did not hold; its error body names the header ({@code <Condition>}). */
    static final class PreconditionFailed extends AwsException {
        final String condition;

        PreconditionFailed(String condition) {
            super(412, "PreconditionFailed", "At least one of the pre-conditions you specified did not hold");
            this.condition = condition;
        }
    }

    static Bucket bucket(World w, HttpCall call, String name, boolean checkRegion) {
        Bucket bucket = w.s3().buckets().get(name);
        if (bucket == null) {
            throw new AwsException(404, "NoSuchBucket", "The specified bucket does not exist");
        }
        if (checkRegion) {
            String signed = SigV4Credential.of(call).map(SigV4Credential::region).orElse(bucket.region());
            if (!signed.equals(bucket.region())) {
                throw new RegionMismatch(signed, bucket.region());
            }
        }
        return bucket;
    }

    static void owner(XmlWriter x, String element, World w) {
        x.start(element).leaf("ID", w.canonicalUserId()).leaf("DisplayName", "sandbox").end();
    }

    static MessageDigest md5() {
        try {
            return MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static Map<String, String> userMetadata(HttpCall call) {
        Map<String, String> metadata = new TreeMap<>();
        call.requestHeaders().forEach((name, values) -> {
            if (name.startsWith("x-amz-meta-") && !values.isEmpty()) {
                metadata.put(name.substring("x-amz-meta-".length()), values.get(0));
            }
        });
        return metadata;
    }

    /** A small request document, with Content-MD5 and checksum headers verified when present. */
    static byte[] readDocument(HttpCall call) throws IOException {
        byte[] body = call.bodyBytes(MAX_DOCUMENT);
        String contentMd5 = call.header("Content-MD5");
        if (contentMd5 != null) {
            String actual = Base64.getEncoder().encodeToString(md5().digest(body));
            if (!actual.equals(contentMd5.trim())) {
                throw new AwsException(400, "BadDigest", "The Content-MD5 you specified did not match what we "
                        + "received.");
            }
        }
        for (ChecksumAlgorithm algorithm : ChecksumAlgorithm.values()) {
            String value = call.header(algorithm.header());
            if (value != null) {
                ChecksumAlgorithm.Running running = algorithm.start();
                running.update(body, 0, body.length);
                if (!running.base64().equals(value.trim())) {
                    throw new AwsException(400, "BadDigest", "The " + algorithm.name()
                            + " you specified did not match the calculated checksum.");
                }
            }
        }
        return body;
    }
}
