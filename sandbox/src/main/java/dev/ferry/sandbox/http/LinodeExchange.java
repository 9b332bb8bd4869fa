package dev.ferry.sandbox.http;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static java.util.Objects.requireNonNull;

/**
 * One Linode API request and the response the sandbox gave, as seen on the wire, handed to
 * {@code Sandbox.onLinodeExchange} listeners (for instance to check both against the OpenAPI description).
 *
 * @param method          HTTP method
 * @param path            request path including {@code /v4}
 * @param query           raw query string, or null
 * @param requestHeaders  request headers (names lower-case)
 * @param requestBody     request body bytes (empty when none)
 * @param status          response status
 * @param responseHeaders response headers (names lower-case)
 * @param responseBody    response body bytes
 */
public record LinodeExchange(
        String method,
        String path,
        String query,
        Map<String, List<String>> requestHeaders,
        byte[] requestBody,
        int status,
        Map<String, List<String>> responseHeaders,
        byte[] responseBody) {

    public LinodeExchange {
        requireNonNull(method, "method is null");
        requireNonNull(path, "path is null");
        requestHeaders = Map.copyOf(requireNonNull(requestHeaders, "requestHeaders is null"));
        requireNonNull(requestBody, "requestBody is null");
        responseHeaders = Map.copyOf(requireNonNull(responseHeaders, "responseHeaders is null"));
        requireNonNull(responseBody, "responseBody is null");
    }

    public String requestBodyText() {
        return new String(requestBody, StandardCharsets.UTF_8);
    }

    public String responseBodyText() {
        return new String(responseBody, StandardCharsets.UTF_8);
    }

    public String requestHeader(String name) {
        List<String> values = requestHeaders.get(name.toLowerCase(java.util.Locale.ROOT));
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    public String responseHeader(String name) {
        List<String> values = responseHeaders.get(name.toLowerCase(java.util.Locale.ROOT));
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    /** Without the token: the Authorization header is shown as present or absent only. */
    @Override
    public String toString() {
        return method + " " + path + (query == null ? "" : "?" + query) + " -> " + status;
    }
}
