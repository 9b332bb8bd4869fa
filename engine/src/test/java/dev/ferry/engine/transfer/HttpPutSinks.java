package dev.ferry.engine.transfer;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * A {@link ByteSinkFactory} that sends each attempt as one chunked {@code PUT} with
 * java.net.http, as the Linode provider sends an image to {@code upload_to}.
 */
final class HttpPutSinks implements ByteSinkFactory {

    private final HttpClient client = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10))
            .build();
    private final URI uploadUri;
    private final long rawLimit;
    private final long compressedLimit;

    HttpPutSinks(URI uploadUri, long rawLimit, long compressedLimit) {
        this.uploadUri = uploadUri;
        this.rawLimit = rawLimit;
        this.compressedLimit = compressedLimit;
    }

    @Override
    public ByteSink attempt(int number) {
        return body -> {
            HttpRequest request = HttpRequest.newBuilder(uploadUri)
                    .header("Content-Type", "application/octet-stream")
                    .PUT(HttpRequest.BodyPublishers.ofInputStream(() -> body))
                    .build();
            try {
                HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
                return new SinkReceipt(response.statusCode(), response.body().strip());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("the upload was interrupted");
            }
        };
    }

    @Override
    public long rawLimit() {
        return rawLimit;
    }

    @Override
    public long compressedLimit() {
        return compressedLimit;
    }
}
