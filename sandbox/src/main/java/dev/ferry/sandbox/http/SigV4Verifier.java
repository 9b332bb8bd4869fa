package dev.ferry.sandbox.http;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static java.util.Objects.requireNonNull;

/**
 * Verifies AWS Signature Version 4 as AWS does: rebuilds the canonical request from what arrived, the string to
 * sign from it and the credential scope, derives the signing key from the secret ({@code AWS4 + secret}, then
 * date, region, service, {@code aws4_request}) and compares signatures. Both the {@code Authorization} header and
 * presigned URLs ({@code X-Amz-Signature} in the query) are understood.
 *
 * <p>S3 signs the path as sent; every other service signs it URI-encoded once more. The payload hash is the
 * {@code x-amz-content-sha256} header when sent (S3's {@code UNSIGNED-PAYLOAD}, {@code STREAMING-...}), else the
 * SHA-256 of the body, which the service hands in.
 */
public final class SigV4Verifier {

    public static final String ALGORITHM = "AWS4-HMAC-SHA256";
    public static final String EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    private static final Pattern HEADER = Pattern.compile(
            "AWS4-HMAC-SHA256\\s+Credential=([^,\\s]+)\\s*,\\s*SignedHeaders=([^,\\s]+)\\s*,\\s*Signature=([0-9a-fA-F]+)\\s*");

    private final String secretAccessKey;

    public SigV4Verifier(String secretAccessKey) {
        this.secretAccessKey = requireNonNull(secretAccessKey, "secretAccessKey is null");
    }

    /** What the signature of a request says about itself. */
    public record Signed(String credential, String amzDate, List<String> signedHeaders, String signature,
                         boolean presigned) {
        public Signed {
            signedHeaders = List.copyOf(signedHeaders);
        }

        /** {@code 20250101/us-west-1/s3/aws4_request} */
        public String scope() {
            return credential.substring(credential.indexOf('/') + 1);
        }
    }

    /** The outcome: verified (with what chunked bodies need to go on verifying), or why not. */
    public sealed interface Outcome {
    }

    /** The signature matches; {@link #chunks} verifies the signed chunks of a streaming body. */
    public record Verified(Signed signed, byte[] signingKey) implements Outcome {
        public ChunkSignatures chunks() {
            return new ChunkSignatures(signingKey, signed.amzDate(), signed.scope(), signed.signature());
        }
    }

    /** The request is not signed in a form SigV4 knows (a missing part, a bad date). */
    public record Malformed(String why) implements Outcome {
    }

    /** The signature does not match what the secret signs; {@code canonicalRequest} is what was expected. */
    public record Mismatch(String canonicalRequest, String stringToSign) implements Outcome {
    }

    /**
     * Verifies one request.
     *
     * @param bodySha256   hex SHA-256 of the body when the service has read it (Query and JSON services), else null
     * @param doubleEncode whether the path is signed encoded once more (every service but S3)
     */
    public Outcome verify(HttpCall call, String bodySha256, boolean doubleEncode) {
        Optional<Signed> parsed;
        try {
            parsed = parse(call);
        } catch (IllegalArgumentException e) {
            return new Malformed(e.getMessage());
        }
        if (parsed.isEmpty()) {
            return new Malformed("no AWS4-HMAC-SHA256 signature");
        }
        Signed signed = parsed.get();
        if (signed.amzDate() == null || !signed.amzDate().matches("\\d{8}T\\d{6}Z")) {
            return new Malformed("X-Amz-Date is missing or not yyyyMMddTHHmmssZ");
        }
        String[] scope = signed.scope().split("/");
        if (scope.length != 4 || !signed.amzDate().startsWith(scope[0])) {
            return new Malformed("the credential scope's date is not the day of X-Amz-Date");
        }
        String payload = payloadHash(call, bodySha256, signed.presigned());
        String canonical = canonicalRequest(call, signed, payload, doubleEncode);
        String stringToSign = ALGORITHM + "\n" + signed.amzDate() + "\n" + signed.scope() + "\n" + sha256Hex(canonical);
        byte[] key = signingKey(secretAccessKey, scope[0], scope[1], scope[2]);
        String expected = hex(hmac(key, stringToSign));
        if (!MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII),
                signed.signature().toLowerCase(Locale.ROOT).getBytes(StandardCharsets.US_ASCII))) {
            return new Mismatch(canonical, stringToSign);
        }
        return new Verified(signed, key);
    }

    static Optional<Signed> parse(HttpCall call) {
        String authorization = call.header("Authorization");
        if (authorization != null) {
            Matcher m = HEADER.matcher(authorization.trim());
            if (!m.matches()) {
                throw new IllegalArgumentException("the Authorization header is not Credential=..., SignedHeaders=..., "
                        + "Signature=...");
            }
            String date = call.header("X-Amz-Date");
            return Optional.of(new Signed(m.group(1), date, Arrays.asList(m.group(2).split(";")), m.group(3), false));
        }
        String signature = call.queryParameter("X-Amz-Signature");
        if (signature == null) {
            return Optional.empty();
        }
        if (!ALGORITHM.equals(call.queryParameter("X-Amz-Algorithm"))) {
            throw new IllegalArgumentException("X-Amz-Algorithm is not " + ALGORITHM);
        }
        String credential = call.queryParameter("X-Amz-Credential");
        String headers = call.queryParameter("X-Amz-SignedHeaders");
        if (credential == null || headers == null) {
            throw new IllegalArgumentException("a presigned URL needs X-Amz-Credential and X-Amz-SignedHeaders");
        }
        return Optional.of(new Signed(credential, call.queryParameter("X-Amz-Date"),
                Arrays.asList(headers.split(";")), signature, true));
    }

    private static String payloadHash(HttpCall call, String bodySha256, boolean presigned) {
        String header = call.header("x-amz-content-sha256");
        if (header != null) {
            return header.trim();
        }
        if (presigned) {
            return "UNSIGNED-PAYLOAD";
        }
        return bodySha256 != null ? bodySha256 : EMPTY_SHA256;
    }

    static String canonicalRequest(HttpCall call, Signed signed, String payloadHash, boolean doubleEncode) {
        String path = call.rawPath() == null || call.rawPath().isEmpty() ? "/" : call.rawPath();
        String canonicalPath = doubleEncode ? encode(path, false) : path;
        StringBuilder headers = new StringBuilder();
        for (String name : signed.signedHeaders()) {
            List<String> values = call.headers(name);
            List<String> cleaned = new ArrayList<>();
            for (String value : values) {
                cleaned.add(value.trim().replaceAll("\\s+", " "));
            }
            headers.append(name.toLowerCase(Locale.ROOT)).append(':').append(String.join(",", cleaned)).append('\n');
        }
        return call.method() + "\n" + canonicalPath + "\n" + canonicalQuery(call.rawQuery(), signed.presigned()) + "\n"
                + headers + "\n" + String.join(";", signed.signedHeaders()) + "\n" + payloadHash;
    }

    private static String canonicalQuery(String rawQuery, boolean presigned) {
        if (rawQuery == null || rawQuery.isEmpty()) {
            return "";
        }
        List<String[]> pairs = new ArrayList<>();
        for (String pair : rawQuery.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = encode(percentDecode(eq < 0 ? pair : pair.substring(0, eq)), true);
            String value = eq < 0 ? "" : encode(percentDecode(pair.substring(eq + 1)), true);
            if (presigned && name.equals("X-Amz-Signature")) {
                continue;
            }
            pairs.add(new String[]{name, value});
        }
        pairs.sort(Comparator.<String[], String>comparing(p -> p[0]).thenComparing(p -> p[1]));
        StringBuilder out = new StringBuilder();
        for (String[] p : pairs) {
            if (!out.isEmpty()) {
                out.append('&');
            }
            out.append(p[0]).append('=').append(p[1]);
        }
        return out.toString();
    }

    /** RFC 3986 encoding as SigV4 wants it: unreserved characters as they are, the rest {@code %XX}. */
    static String encode(String s, boolean encodeSlash) {
        StringBuilder out = new StringBuilder();
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '_' || c == '.' || c == '~' || (c == '/' && !encodeSlash)) {
                out.append(c);
            } else {
                out.append('%').append(String.format("%02X", b & 0xff));
            }
        }
        return out.toString();
    }

    /** Percent-decoding where {@code +} stays a plus sign (SigV4 clients send a space as {@code %20}). */
    static String percentDecode(String s) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%' && isHex(s, i + 1) && isHex(s, i + 2)) {
                out.write(Integer.parseInt(s.substring(i + 1, i + 3), 16));
                i += 2;
            } else {
                out.writeBytes(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private static boolean isHex(String s, int i) {
        return i < s.length() && Character.digit(s.charAt(i), 16) >= 0;
    }

    static byte[] signingKey(String secret, String date, String region, String service) {
        byte[] kDate = hmac(("AWS4" + secret).getBytes(StandardCharsets.UTF_8), date);
        byte[] kRegion = hmac(kDate, region);
        byte[] kService = hmac(kRegion, service);
        return hmac(kService, "aws4_request");
    }

    static byte[] hmac(byte[] key, String data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }

    public static String sha256Hex(byte[] data) {
        return hex(sha256().digest(data));
    }

    static String sha256Hex(String data) {
        return sha256Hex(data.getBytes(StandardCharsets.UTF_8));
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }

    /**
     * The signatures of a {@code STREAMING-AWS4-HMAC-SHA256-PAYLOAD} body: each chunk signs its data and the
     * signature before it, starting from the request's; the trailer, if any, signs the trailing headers.
     */
    public static final class ChunkSignatures {
        private final byte[] signingKey;
        private final String amzDate;
        private final String scope;
        private String previous;

        ChunkSignatures(byte[] signingKey, String amzDate, String scope, String seed) {
            this.signingKey = signingKey.clone();
            this.amzDate = amzDate;
            this.scope = scope;
            this.previous = seed.toLowerCase(Locale.ROOT);
        }

        /** Checks one chunk's signature against the SHA-256 of its data; false when it does not match. */
        public boolean chunk(String signature, byte[] dataSha256) {
            String stringToSign = "AWS4-HMAC-SHA256-PAYLOAD\n" + amzDate + "\n" + scope + "\n" + previous + "\n"
                    + EMPTY_SHA256 + "\n" + hex(dataSha256);
            return advance(signature, stringToSign);
        }

        /** Checks the trailer signature over the trailing headers ({@code name:value\n} each, in order). */
        public boolean trailer(String signature, Map<String, String> trailers) {
            StringBuilder canonical = new StringBuilder();
            trailers.forEach((name, value) -> {
                if (!name.equals("x-amz-trailer-signature")) {
                    canonical.append(name).append(':').append(value).append('\n');
                }
            });
            String stringToSign = "AWS4-HMAC-SHA256-TRAILER\n" + amzDate + "\n" + scope + "\n" + previous + "\n"
                    + sha256Hex(canonical.toString());
            return advance(signature, stringToSign);
        }

        private boolean advance(String signature, String stringToSign) {
            String expected = hex(hmac(signingKey, stringToSign));
            if (signature == null || !expected.equals(signature.trim().toLowerCase(Locale.ROOT))) {
                return false;
            }
            previous = expected;
            return true;
        }

        public static MessageDigest digest() {
            return sha256();
        }
    }
}
