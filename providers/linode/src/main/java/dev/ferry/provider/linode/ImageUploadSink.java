package dev.ferry.provider.linode;

import static java.util.Objects.requireNonNull;

import dev.ferry.engine.transfer.ByteSink;
import dev.ferry.engine.transfer.SinkReceipt;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One {@code PUT} of a gzip'd raw disk to an image's {@code upload_to} URL: {@code Content-Type:
 * application/octet-stream}, chunked (the gzip length is not known in advance), and never an
 * {@code Authorization} header: the URL is a pre-signed object-storage link and must not see the API token.
 * The URL is a credential too, so it appears in no message.
 */
final class ImageUploadSink implements ByteSink {

    /** Linode wants the bytes within a day of the upload's creation; the link stops working then. */
    static final Duration TIMEOUT = Duration.ofHours(24);

    private static final Pattern XML_CODE = Pattern.compile("<Code>([^<]*)</Code>");
    private static final Pattern XML_MESSAGE = Pattern.compile("<Message>([^<]*)</Message>");

    private final HttpClient http;
    private final URI uploadTo;
    private final String userAgent;

    ImageUploadSink(HttpClient http, URI uploadTo, String userAgent) {
        this.http = requireNonNull(http, "http is null");
        this.uploadTo = requireNonNull(uploadTo, "uploadTo is null");
        this.userAgent = requireNonNull(userAgent, "userAgent is null");
    }

    @Override
    public SinkReceipt send(InputStream body) throws IOException {
        HttpRequest request = HttpRequest.newBuilder(uploadTo)
                .timeout(TIMEOUT)
                .header("Content-Type", "application/octet-stream")
                .header("User-Agent", userAgent)
                .PUT(HttpRequest.BodyPublishers.ofInputStream(() -> body))
                .build();
        HttpResponse<String> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("the upload was interrupted");
        }
        int status = response.statusCode();
        if (status >= 200 && status < 300) {
            return new SinkReceipt(status, response.headers().firstValue("ETag").map(etag -> "ETag " + etag).orElse("accepted"));
        }
        throw new Refused(status, detail(response.body()));
    }

    /** {@code AccessDenied: Access Denied} from an object store's XML error. */
    private static String detail(String body) {
        Matcher codeMatch = XML_CODE.matcher(body);
        Matcher messageMatch = XML_MESSAGE.matcher(body);
        String code = codeMatch.find() ? codeMatch.group(1) : null;
        String message = messageMatch.find() ? messageMatch.group(1) : null;
        String text = code == null ? (message == null ? body.strip() : message) : (message == null ? code : code + ": " + message);
        return text.length() > 200 ? text.substring(0, 200) + "…" : text;
    }

    @Override
    public String toString() {
        return "ImageUploadSink[" + uploadTo.getHost() + "]";
    }

    /** The receiver answered the body with an error status. */
    static final class Refused extends IOException {
        private final int status;

        Refused(int status, String detail) {
            super("the upload URL answered " + status + (detail.isBlank() ? "" : " " + detail));
            this.status = status;
        }

        int status() {
            return status;
        }

        /** Server trouble or throttling may pass; a refusal of the body itself (too large, denied) will not. */
        boolean retryable() {
            return status >= 500 || status == 408 || status == 429;
        }
    }
}
