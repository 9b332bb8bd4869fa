package dev.ferry.sandbox.http;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The credential scope of a SigV4-signed request:
 * {@code Credential=AKID/20250101/us-west-1/ec2/aws4_request}. The sandbox routes on it; the handlers check the
 * access key id and the region, and {@link SigV4Verifier} the signature.
 */
public record SigV4Credential(String accessKeyId, String date, String region, String service) {

    private static final Pattern HEADER = Pattern.compile(
            "AWS4-HMAC-SHA256\\s+Credential=([^/,\\s]+)/(\\d{8})/([^/]+)/([^/]+)/aws4_request.*",
            Pattern.DOTALL);
    private static final Pattern SCOPE = Pattern.compile("([^/]+)/(\\d{8})/([^/]+)/([^/]+)/aws4_request");

    /** Reads the {@code Authorization} header, or the {@code X-Amz-Credential} query parameter of a presigned URL. */
    public static Optional<SigV4Credential> of(HttpCall call) {
        String authorization = call.header("Authorization");
        if (authorization != null) {
            Matcher m = HEADER.matcher(authorization.trim());
            if (m.matches()) {
                return Optional.of(new SigV4Credential(m.group(1), m.group(2), m.group(3), m.group(4)));
            }
            return Optional.empty();
        }
        String presigned = call.queryParameter("X-Amz-Credential");
        if (presigned != null) {
            Matcher m = SCOPE.matcher(presigned);
            if (m.matches()) {
                return Optional.of(new SigV4Credential(m.group(1), m.group(2), m.group(3), m.group(4)));
            }
        }
        return Optional.empty();
    }
}
