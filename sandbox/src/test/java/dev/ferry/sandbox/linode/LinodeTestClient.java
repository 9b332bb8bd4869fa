package dev.ferry.sandbox.linode;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.sandbox.Sandbox;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/** A plain java.net.http client for the sandbox's Linode API, as the Linode provider talks to it. */
public final class LinodeTestClient {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final URI base;
    private final String token;

    public LinodeTestClient(Sandbox sandbox) {
        this(sandbox, sandbox.linodeToken());
    }

    public LinodeTestClient(Sandbox sandbox, String token) {
        this.base = sandbox.linodeApiUrl();
        this.token = token;
    }

    /** A response: status, parsed body, headers. */
    public record Reply(int status, JsonNode body, HttpResponse<String> raw) {
        public String header(String name) {
            return raw.headers().firstValue(name).orElse(null);
        }

        public String firstReason() {
            return body.path("errors").path(0).path("reason").asText(null);
        }

        public String firstField() {
            return body.path("errors").path(0).path("field").asText(null);
        }
    }

    public Reply get(String path) {
        return send("GET", path, null, Map.of());
    }

    public Reply get(String path, Map<String, String> headers) {
        return send("GET", path, null, headers);
    }

    public Reply post(String path, Object body) {
        return send("POST", path, body, Map.of());
    }

    public Reply put(String path, Object body) {
        return send("PUT", path, body, Map.of());
    }

    public Reply delete(String path) {
        return send("DELETE", path, null, Map.of());
    }

    public Reply send(String method, String path, Object body, Map<String, String> headers) {
        try {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
                    .timeout(Duration.ofSeconds(30))
                    .header("Accept", "application/json");
            if (token != null) {
                request.header("Authorization", "Bearer " + token);
            }
            headers.forEach(request::header);
            if (body != null) {
                String text = body instanceof String s ? s : JSON.writeValueAsString(body);
                request.header("Content-Type", "application/json")
                        .method(method, HttpRequest.BodyPublishers.ofString(text));
            } else {
                request.method(method, HttpRequest.BodyPublishers.noBody());
            }
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            JsonNode parsed = response.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(response.body());
            return new Reply(response.statusCode(), parsed, response);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
