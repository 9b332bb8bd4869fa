package dev.ferry.sandbox.linode;

import dev.ferry.sandbox.http.HttpCall;
import dev.ferry.sandbox.http.Router;
import dev.ferry.sandbox.http.ServiceHandler;
import dev.ferry.sandbox.world.LinodeImage;
import dev.ferry.sandbox.world.UploadDigest;
import dev.ferry.sandbox.world.World;

import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

import static java.util.Objects.requireNonNull;

/**
 * The {@code upload_to} URL of an image upload: an object-storage style pre-signed URL that takes one PUT
 * of a gzip'd raw disk. The body is inflated as it arrives (nothing is kept but sizes and SHA-256 digests);
 * a complete, valid body within the limits makes the image {@code creating}, then {@code available};
 * anything else fails the image, with the reason in an {@code image_upload} event. A request carrying an
 * {@code Authorization} header is refused: the real URL is pre-signed and must never receive the API token.
 */
public final class ImageUploads implements ServiceHandler {

    private static final String TOKEN = "upload.token";
    /**
     * How much of an oversized body is read and thrown away before refusing it, so that the client reads the
     * refusal instead of a reset connection; beyond this the connection is simply closed.
     */
    private static final long DISCARD_LIMIT = 256L * 1024 * 1024;

    private final World world;
    private final LinodeLimits limits;

    public ImageUploads(World world, LinodeLimits limits) {
        this.world = requireNonNull(world, "world is null");
        this.limits = requireNonNull(limits, "limits is null");
    }

    @Override
    public String action(HttpCall call) {
        String rest = call.rawPath().substring(Router.UPLOAD_PREFIX.length());
        call.attribute(TOKEN, rest);
        return call.method() + " " + Router.UPLOAD_PREFIX + "{id}";
    }

    @Override
    public boolean authenticate(HttpCall call) throws IOException {
        if (call.header("Authorization") != null) {
            error(call, 400, "InvalidArgument", "Only one auth mechanism allowed; only the X-Amz-Algorithm query "
                    + "parameter, Signature query string parameter or the Authorization header should be specified");
            return false;
        }
        String token = call.attribute(TOKEN);
        String signature = call.queryParameter("X-Amz-Signature");
        if (signature == null || !MessageDigest.isEqual(signature.getBytes(StandardCharsets.UTF_8),
                LinodeImages.signature(token).getBytes(StandardCharsets.UTF_8))) {
            error(call, 403, "SignatureDoesNotMatch", "The request signature we calculated does not match the "
                    + "signature you provided.");
            return false;
        }
        if (!call.method().equals("PUT")) {
            error(call, 403, "SignatureDoesNotMatch", "The URL was signed for PUT, not " + call.method());
            return false;
        }
        return true;
    }

    @Override
    public void handle(HttpCall call) throws IOException {
        String token = call.attribute(TOKEN);
        Optional<LinodeImage> found = world.read(w -> w.linode().images().values().stream()
                .filter(i -> i.uploadToken().equals(token)).findFirst());
        if (found.isEmpty()) {
            error(call, 403, "AccessDenied", "Access Denied");
            return;
        }
        LinodeImage image = found.get();
        if (!image.status().equals("pending_upload")) {
            error(call, 403, "AccessDenied", "The upload URL of " + image.id() + " is no longer valid (the image is "
                    + image.status() + ")");
            return;
        }
        long declared = call.declaredLength();
        if (declared > limits.maxCompressedBytes()) {
            String reason = "Image upload failed: the compressed image is " + declared + " bytes, more than the "
                    + limits.maxCompressedBytes() + " bytes allowed";
            world.writeAndForget(w -> w.linode().uploadFailed(image.number(), null, reason));
            error(call, 400, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed size");
            return;
        }
        Outcome outcome = receive(call.body());
        if (outcome.tooLargeCompressed()) {
            world.writeAndForget(w -> w.linode().uploadFailed(image.number(), outcome.digest(), outcome.failure()));
            error(call, 400, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed size");
            return;
        }
        world.writeAndForget(w -> {
            LinodeImage current = w.linode().images().get(image.number());
            if (current == null || !current.status().equals("pending_upload")) {
                return;
            }
            if (outcome.failure() != null) {
                w.linode().uploadFailed(image.number(), outcome.digest(), outcome.failure());
            } else {
                w.linode().uploadReceived(image.number(), outcome.digest());
            }
        });
        call.respondEmpty(200, Map.of("ETag", "\"" + outcome.digest().gzipSha256().substring(0, 32) + "\""));
    }

    /** What came of a body that arrived in full. */
    private record Outcome(UploadDigest digest, String failure, boolean tooLargeCompressed) {
    }

    /**
     * Reads the whole body, inflating it on the way. A connection that breaks mid-body throws (the image
     * stays {@code pending_upload}, as an interrupted PUT leaves it); a body that is whole but unusable is
     * an outcome with a failure.
     */
    private Outcome receive(InputStream body) throws IOException {
        MessageDigest gzipDigest = sha256();
        MessageDigest rawDigest = sha256();
        CountingInput counted = new CountingInput(body, gzipDigest);
        long raw = 0;
        String failure = null;
        byte[] buffer = new byte[64 * 1024];
        try (GZIPInputStream gzip = new GZIPInputStream(counted, 64 * 1024)) {
            int n;
            while ((n = gzip.read(buffer)) >= 0) {
                rawDigest.update(buffer, 0, n);
                raw += n;
                if (raw > limits.maxRawBytes()) {
                    failure = "Image upload failed: the uncompressed image is larger than the "
                            + limits.maxRawBytes() + " bytes allowed";
                    break;
                }
                if (counted.count > limits.maxCompressedBytes()) {
                    break;
                }
            }
        } catch (CountingInput.SourceFailure e) {
            throw e.getCause();
        } catch (ZipException e) {
            failure = "Image upload failed: the upload is not a valid gzip file (" + e.getMessage() + ")";
        } catch (EOFException e) {
            failure = "Image upload failed: the gzip stream is truncated (" + e.getMessage() + ")";
        }
        // Whatever the verdict, the object store takes the rest of the body.
        try {
            while (counted.read(buffer) >= 0) {
                if (counted.count > limits.maxCompressedBytes()) {
                    break;
                }
            }
        } catch (CountingInput.SourceFailure e) {
            throw e.getCause();
        }
        boolean tooLarge = counted.count > limits.maxCompressedBytes();
        if (tooLarge) {
            failure = "Image upload failed: the compressed image is larger than the " + limits.maxCompressedBytes()
                    + " bytes allowed";
        } else if (failure == null && counted.count == 0) {
            failure = "Image upload failed: the upload was empty";
        }
        UploadDigest digest = new UploadDigest(counted.count, HexFormat.of().formatHex(gzipDigest.digest()), raw,
                HexFormat.of().formatHex(rawDigest.digest()));
        return new Outcome(digest, failure, tooLarge);
    }

    private static void discard(InputStream body, long limit) throws IOException {
        byte[] buffer = new byte[64 * 1024];
        long total = 0;
        int n;
        while (total < limit && (n = body.read(buffer)) >= 0) {
            total += n;
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Counts and digests the raw body, and tells the body's own failures (a broken connection) apart from the
     * inflater's complaints about its content.
     */
    private static final class CountingInput extends FilterInputStream {
        private final MessageDigest digest;
        long count;

        CountingInput(InputStream in, MessageDigest digest) {
            super(in);
            this.digest = digest;
        }

        static final class SourceFailure extends IOException {
            SourceFailure(IOException cause) {
                super(cause);
            }

            @Override
            public synchronized IOException getCause() {
                return (IOException) super.getCause();
            }
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n;
            try {
                n = super.read(b, off, len);
            } catch (IOException e) {
                throw new SourceFailure(e);
            }
            if (n > 0) {
                digest.update(b, off, n);
                count += n;
            }
            return n;
        }

        @Override
        public void close() {
            // The exchange owns the body stream.
        }
    }

    private void error(HttpCall call, int status, String code, String message) throws IOException {
        // Read what the client is still sending before answering: a reply to a half-read body is followed by a
        // close that can reach the client as a reset before it has read the status.
        try {
            discard(call.body(), DISCARD_LIMIT);
        } catch (IOException clientGone) {
            // nothing to answer to
        }
        String xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>" + code + "</Code><Message>"
                + message.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
                + "</Message><RequestId>" + call.requestId() + "</RequestId></Error>";
        call.respond(status, "application/xml", xml, Map.of());
    }

    @Override
    public void injectedError(HttpCall call, int status, Duration retryAfter) throws IOException {
        switch (status) {
            case 429 -> error(call, 503, "SlowDown", "Please reduce your request rate.");
            case 503 -> error(call, 503, "ServiceUnavailable", "Please reduce your request rate.");
            default -> error(call, 500, "InternalError", "We encountered an internal error. Please try again.");
        }
    }

    @Override
    public void internalError(HttpCall call, Exception cause) throws IOException {
        error(call, 500, "InternalError", "We encountered an internal error (sandbox: " + cause + ")");
    }
}
