package dev.ferry.sandbox.aws;

import dev.ferry.sandbox.http.AwsChunkedInputStream;
import dev.ferry.sandbox.http.ChecksumAlgorithm;
import dev.ferry.sandbox.http.HttpCall;
import dev.ferry.sandbox.http.SigV4Verifier;
import dev.ferry.sandbox.world.World;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import static dev.ferry.sandbox.aws.S3Protocol.md5;

/**
 * Streams a PutObject or UploadPart body to a new file of the world's blob store, decoding aws-chunked framing
 * and verifying the digests and checksums the client sent.
 */
final class S3BodyReceiver {

    /** The call attribute holding the verified request's {@link SigV4Verifier.ChunkSignatures}. */
    static final String CHUNK_SIGNATURES = "s3.chunk-signatures";

    private S3BodyReceiver() {
    }

    /** What was received and stored for an object or part body. */
    record Received(Path file, long size, String md5Hex, byte[] md5, Map<String, String> checksums) {
    }

    /**
     * Streams a PutObject or UploadPart body to a new file, decoding aws-chunked framing, computing MD5
     * and checksums, and verifying the ones the client sent (in headers or trailers).
     */
    static Received receive(World world, HttpCall call) throws IOException {
        String encoding = call.header("Content-Encoding") == null ? "" : call.header("Content-Encoding");
        String sha = call.header("x-amz-content-sha256") == null ? "" : call.header("x-amz-content-sha256");
        boolean chunked = encoding.contains("aws-chunked") || sha.startsWith("STREAMING-");
        Map<ChecksumAlgorithm, String> expected = new LinkedHashMap<>();
        Map<ChecksumAlgorithm, ChecksumAlgorithm.Running> running = new LinkedHashMap<>();
        for (ChecksumAlgorithm algorithm : ChecksumAlgorithm.values()) {
            String value = call.header(algorithm.header());
            if (value != null) {
                expected.put(algorithm, value);
                running.put(algorithm, algorithm.start());
            }
        }
        String trailer = call.header("x-amz-trailer");
        if (trailer != null) {
            for (String name : trailer.split(",")) {
                String id = name.trim().toLowerCase(Locale.ROOT).replace("x-amz-checksum-", "");
                ChecksumAlgorithm.fromId(id).ifPresent(a -> running.putIfAbsent(a, a.start()));
            }
        }
        String sdkAlgorithm = call.header("x-amz-sdk-checksum-algorithm");
        if (sdkAlgorithm != null) {
            ChecksumAlgorithm.fromId(sdkAlgorithm).ifPresent(a -> running.putIfAbsent(a, a.start()));
        }
        MessageDigest md5 = md5();
        Path file = world.blobs().newFile();
        long size = 0;
        InputStream body = call.body();
        SigV4Verifier.ChunkSignatures signatures = sha.startsWith("STREAMING-AWS4-HMAC-SHA256-PAYLOAD")
                ? call.attribute(CHUNK_SIGNATURES) : null;
        AwsChunkedInputStream decoder = chunked ? new AwsChunkedInputStream(body, signatures) : null;
        // A hex x-amz-content-sha256 is signed, so the body must be the one it names.
        MessageDigest sha256 = !chunked && sha.matches("[0-9a-fA-F]{64}") ? SigV4Verifier.ChunkSignatures.digest() : null;
        InputStream in = decoder != null ? decoder : body;
        try (OutputStream out = Files.newOutputStream(file)) {
            byte[] buffer = new byte[64 * 1024];
            int n;
            while ((n = in.read(buffer)) >= 0) {
                if (n == 0) {
                    continue;
                }
                out.write(buffer, 0, n);
                md5.update(buffer, 0, n);
                if (sha256 != null) {
                    sha256.update(buffer, 0, n);
                }
                for (ChecksumAlgorithm.Running r : running.values()) {
                    r.update(buffer, 0, n);
                }
                size += n;
            }
        } catch (AwsChunkedInputStream.ChunkSignatureException e) {
            world.blobs().discard(file);
            throw new AwsException(403, "SignatureDoesNotMatch", "The request signature we calculated does not match "
                    + "the signature you provided. Check your key and signing method. (" + e.getMessage() + ")");
        } catch (AwsChunkedInputStream.MalformedChunkException e) {
            world.blobs().discard(file);
            throw new AwsException(400, "IncompleteBody", "The request body is not valid aws-chunked encoding: "
                    + e.getMessage());
        } catch (IOException | RuntimeException e) {
            world.blobs().discard(file);
            throw e;
        }
        try {
            if (decoder != null) {
                decoder.trailers().forEach((name, value) -> {
                    if (name.startsWith("x-amz-checksum-")) {
                        ChecksumAlgorithm.fromId(name.substring("x-amz-checksum-".length()))
                                .ifPresent(a -> expected.put(a, value));
                    }
                });
                String decodedLength = call.header("x-amz-decoded-content-length");
                if (decodedLength != null && Long.parseLong(decodedLength.trim()) != size) {
                    throw new AwsException(400, "IncompleteBody", "You did not provide the number of bytes "
                            + "specified by the Content-Length HTTP header");
                }
            } else {
                long declared = call.declaredLength();
                if (declared >= 0 && declared != size) {
                    throw new AwsException(400, "IncompleteBody", "You did not provide the number of bytes "
                            + "specified by the Content-Length HTTP header");
                }
            }
            if (sha256 != null && !HexFormat.of().formatHex(sha256.digest()).equalsIgnoreCase(sha)) {
                throw new AwsException(400, "XAmzContentSHA256Mismatch", "The provided 'x-amz-content-sha256' header "
                        + "does not match what was computed.");
            }
            byte[] digest = md5.digest();
            String contentMd5 = call.header("Content-MD5");
            if (contentMd5 != null && !contentMd5.trim().equals(Base64.getEncoder().encodeToString(digest))) {
                throw new AwsException(400, "BadDigest", "The Content-MD5 you specified did not match what we "
                        + "received.");
            }
            Map<String, String> checksums = new TreeMap<>();
            for (Map.Entry<ChecksumAlgorithm, ChecksumAlgorithm.Running> entry : running.entrySet()) {
                String actual = entry.getValue().base64();
                String wanted = expected.get(entry.getKey());
                if (wanted != null && !wanted.equals(actual)) {
                    throw new AwsException(400, "BadDigest", "The " + entry.getKey().name()
                            + " you specified did not match the calculated checksum.");
                }
                if (wanted != null) {
                    checksums.put(entry.getKey().id(), actual);
                }
            }
            return new Received(file, size, HexFormat.of().formatHex(digest), digest, checksums);
        } catch (RuntimeException e) {
            world.blobs().discard(file);
            throw e;
        }
    }
}
