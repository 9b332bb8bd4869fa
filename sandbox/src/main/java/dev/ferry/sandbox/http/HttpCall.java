package dev.ferry.sandbox.http;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;

import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import static java.util.Objects.requireNonNull;

/**
 * One HTTP exchange as the handlers see it: the request, ways to answer it, and the bookkeeping
 * (service, action, bytes, status, injected faults) that ends up in the {@link RequestLog}.
 */
public final class HttpCall {

    private static final int COPY_BUFFER = 64 * 1024;

    private final HttpExchange exchange;
    private final String requestId;
    private final Instant arrived;
    private final long startNanos;
    private final Map<String, List<String>> query;
    private final Map<String, Object> attributes = new LinkedHashMap<>();

    private Service service;
    private String action = "?";
    private FaultDecision fault = FaultDecision.NONE;
    private InputStream body;
    private long bytesIn;
    private long bytesOut;
    private int status;
    private boolean responded;
    private boolean bodyConsumed;

    private boolean capture;
    private ByteArrayOutputStream capturedRequest;
    private byte[] capturedResponse = new byte[0];
    private Runnable beforeSend = () -> { };
    private Runnable onStatus = () -> { };

    HttpCall(HttpExchange exchange, String requestId) {
        this.exchange = requireNonNull(exchange, "exchange is null");
        this.requestId = requireNonNull(requestId, "requestId is null");
        this.arrived = Instant.now();
        this.startNanos = System.nanoTime();
        this.query = parseQuery(exchange.getRequestURI().getRawQuery());
    }

    // ---- request ----

    public String method() {
        return exchange.getRequestMethod().toUpperCase(Locale.ROOT);
    }

    /** The path as sent, still percent-encoded. */
    public String rawPath() {
        return exchange.getRequestURI().getRawPath();
    }

    public String rawQuery() {
        return exchange.getRequestURI().getRawQuery();
    }

    /** Decoded query parameters; a parameter given without a value maps to an empty string. */
    public Map<String, List<String>> queryParameters() {
        return query;
    }

    public String queryParameter(String name) {
        List<String> values = query.get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    public boolean hasQueryParameter(String name) {
        return query.containsKey(name);
    }

    public String header(String name) {
        return exchange.getRequestHeaders().getFirst(name);
    }

    public List<String> headers(String name) {
        List<String> values = exchange.getRequestHeaders().get(name);
        return values == null ? List.of() : values;
    }

    /** All request headers, names lower-case. */
    public Map<String, List<String>> requestHeaders() {
        Map<String, List<String>> result = new TreeMap<>();
        exchange.getRequestHeaders().forEach((k, v) -> result.put(k.toLowerCase(Locale.ROOT), List.copyOf(v)));
        return result;
    }

    /** The declared request body length, or -1 when unknown (chunked) or absent. */
    public long declaredLength() {
        String length = header("Content-Length");
        if (length == null) {
            return -1;
        }
        try {
            return Long.parseLong(length.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** Whether the request carries a body (a declared length above zero, or chunked transfer). */
    public boolean hasBody() {
        String te = header("Transfer-Encoding");
        return declaredLength() > 0 || (te != null && te.toLowerCase(Locale.ROOT).contains("chunked"));
    }

    /** The request body as a stream; it counts bytes and suffers any injected fault. */
    public InputStream body() {
        if (body == null) {
            InputStream raw = exchange.getRequestBody();
            body = new CallInputStream(raw);
        }
        bodyConsumed = true;
        return body;
    }

    /** Reads the whole request body; only for bodies known to be small (API documents, not uploads). */
    public byte[] bodyBytes(int maxBytes) throws IOException {
        InputStream in = body();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        int n;
        while ((n = in.read(buffer)) > 0) {
            out.write(buffer, 0, n);
            if (out.size() > maxBytes) {
                throw new BodyTooLargeException(maxBytes);
            }
        }
        return out.toByteArray();
    }

    public String bodyText(int maxBytes) throws IOException {
        return new String(bodyBytes(maxBytes), StandardCharsets.UTF_8);
    }

    /** Thrown when a document body exceeds what a handler accepts. */
    public static final class BodyTooLargeException extends IOException {
        BodyTooLargeException(int max) {
            super("request body larger than " + max + " bytes");
        }
    }

    // ---- bookkeeping ----

    public String requestId() {
        return requestId;
    }

    public Instant arrived() {
        return arrived;
    }

    public Service service() {
        return service;
    }

    void service(Service service) {
        this.service = service;
    }

    public String action() {
        return action;
    }

    public void action(String action) {
        this.action = requireNonNull(action, "action is null");
    }

    @SuppressWarnings("unchecked")
    public <T> T attribute(String name) {
        return (T) attributes.get(name);
    }

    public void attribute(String name, Object value) {
        attributes.put(name, value);
    }

    void fault(FaultDecision fault) {
        this.fault = fault;
    }

    FaultDecision fault() {
        return fault;
    }

    boolean bodyConsumed() {
        return bodyConsumed;
    }

    /** Keeps the request body and hands the whole exchange to {@code beforeSend} just before answering. */
    void capture(Runnable beforeSend) {
        this.capture = true;
        this.capturedRequest = new ByteArrayOutputStream();
        this.beforeSend = requireNonNull(beforeSend, "beforeSend is null");
    }

    byte[] capturedRequest() {
        return capturedRequest == null ? new byte[0] : capturedRequest.toByteArray();
    }

    byte[] capturedResponse() {
        return capturedResponse;
    }

    Map<String, List<String>> responseHeaders() {
        Map<String, List<String>> result = new TreeMap<>();
        exchange.getResponseHeaders().forEach((k, v) -> result.put(k.toLowerCase(Locale.ROOT), List.copyOf(v)));
        return result;
    }

    public boolean responded() {
        return responded;
    }

    int status() {
        return status;
    }

    long bytesIn() {
        return bytesIn;
    }

    long bytesOut() {
        return bytesOut;
    }

    Duration elapsed() {
        return Duration.ofNanos(System.nanoTime() - startNanos);
    }

    /** Drops the connection without an answer (a request the client will never hear back about). */
    public void cut(String why) throws IOException {
        throw new ConnectionCut(why);
    }

    // ---- responses ----

    /** Answers with a complete body held in memory. */
    public void respond(int status, String contentType, byte[] body, Map<String, String> headers) throws IOException {
        requireNonNull(body, "body is null");
        if (body.length == 0) {
            Map<String, String> all = new LinkedHashMap<>(headers);
            if (contentType != null) {
                all.put("Content-Type", contentType);
            }
            respondEmpty(status, all);
            return;
        }
        Headers out = prepare(status, headers);
        if (contentType != null) {
            out.set("Content-Type", contentType);
        }
        if (capture) {
            capturedResponse = body.clone();
            beforeSend.run();
        }
        if (fault.cut() == FaultDecision.Cut.RESPONSE) {
            sendHeaders(status, body.length);
            int keep = Math.max(1, body.length / 2);
            writeBody(body, 0, keep);
            throw new ConnectionCut("response cut after " + keep + " of " + body.length + " bytes");
        }
        sendHeaders(status, body.length);
        writeBody(body, 0, body.length);
        exchange.getResponseBody().close();
    }

    public void respond(int status, String contentType, String body, Map<String, String> headers) throws IOException {
        respond(status, contentType, body.getBytes(StandardCharsets.UTF_8), headers);
    }

    /** Answers without a body (204, or 200 with nothing to say). */
    public void respondEmpty(int status, Map<String, String> headers) throws IOException {
        prepare(status, headers);
        if (capture) {
            beforeSend.run();
        }
        if (fault.cut() == FaultDecision.Cut.RESPONSE) {
            throw new ConnectionCut("connection dropped after serving the request");
        }
        sendHeaders(status, -1);
        exchange.getResponseBody().close();
    }

    /**
     * Answers a HEAD request: the headers describe a body of {@code contentLength} bytes that is not sent.
     */
    public void respondHead(int status, long contentLength, Map<String, String> headers) throws IOException {
        Headers out = prepare(status, headers);
        if (fault.cut() == FaultDecision.Cut.RESPONSE) {
            throw new ConnectionCut("connection dropped after serving the request");
        }
        if (contentLength >= 0) {
            out.set("Content-Length", Long.toString(contentLength));
        }
        sendHeaders(status, -1);
        exchange.getResponseBody().close();
    }

    /** Streams {@code length} bytes from {@code in} as the response body without holding them in memory. */
    public void respondStream(int status, String contentType, long length, InputStream in, Map<String, String> headers)
            throws IOException {
        if (length == 0) {
            Map<String, String> all = new LinkedHashMap<>(headers);
            if (contentType != null) {
                all.put("Content-Type", contentType);
            }
            respondEmpty(status, all);
            return;
        }
        Headers out = prepare(status, headers);
        if (contentType != null) {
            out.set("Content-Type", contentType);
        }
        long limit = length;
        if (fault.cut() == FaultDecision.Cut.RESPONSE) {
            limit = Math.max(1, length / 2);
        }
        sendHeaders(status, length);
        byte[] buffer = new byte[COPY_BUFFER];
        long remaining = limit;
        while (remaining > 0) {
            int n = in.read(buffer, 0, (int) Math.min(buffer.length, remaining));
            if (n < 0) {
                throw new IOException("response source ended " + remaining + " bytes early");
            }
            writeBody(buffer, 0, n);
            remaining -= n;
        }
        if (limit < length) {
            exchange.getResponseBody().flush();
            throw new ConnectionCut("response cut after " + limit + " of " + length + " bytes");
        }
        exchange.getResponseBody().close();
    }

    private Headers prepare(int status, Map<String, String> headers) {
        if (responded) {
            throw new IllegalStateException("already answered " + this.status);
        }
        Headers out = exchange.getResponseHeaders();
        headers.forEach(out::set);
        this.status = status;
        return out;
    }

    private void sendHeaders(int status, long length) throws IOException {
        responded = true;
        onStatus.run();
        exchange.sendResponseHeaders(status, length);
    }

    /** Runs just before the status line goes out. */
    void onStatus(Runnable listener) {
        this.onStatus = requireNonNull(listener, "listener is null");
    }

    private void writeBody(byte[] bytes, int offset, int length) throws IOException {
        OutputStream out = exchange.getResponseBody();
        if (fault.slowBytesPerSecond() > 0) {
            int step = (int) Math.max(512, Math.min(COPY_BUFFER, fault.slowBytesPerSecond() / 20));
            for (int i = offset; i < offset + length; i += step) {
                int n = Math.min(step, offset + length - i);
                out.write(bytes, i, n);
                out.flush();
                bytesOut += n;
                pause(n, fault.slowBytesPerSecond());
            }
            return;
        }
        out.write(bytes, offset, length);
        bytesOut += length;
    }

    private static void pause(long bytes, long bytesPerSecond) throws IOException {
        long nanos = bytes * 1_000_000_000L / bytesPerSecond;
        try {
            Thread.sleep(nanos / 1_000_000, (int) (nanos % 1_000_000));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    /** Counts bytes read, records them when capturing, and plays out request-side faults. */
    private final class CallInputStream extends FilterInputStream {
        private final long cutAfter;

        CallInputStream(InputStream in) {
            super(in);
            long declared = declaredLength();
            // Cut somewhere inside the body: half of a declared length, or after 64 KiB of a chunked one.
            this.cutAfter = fault.cut() == FaultDecision.Cut.REQUEST
                    ? (declared > 1 ? declared / 2 : 64 * 1024)
                    : Long.MAX_VALUE;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (bytesIn >= cutAfter) {
                throw new ConnectionCut("request body abandoned after " + bytesIn + " bytes");
            }
            int max = (int) Math.min(len, cutAfter - bytesIn);
            if (fault.slowBytesPerSecond() > 0) {
                max = (int) Math.min(max, Math.max(512, fault.slowBytesPerSecond() / 20));
            }
            int n = super.read(b, off, max);
            if (n > 0) {
                bytesIn += n;
                if (capture) {
                    capturedRequest.write(b, off, n);
                }
                if (fault.slowBytesPerSecond() > 0) {
                    pause(n, fault.slowBytesPerSecond());
                }
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            byte[] buffer = new byte[(int) Math.min(8192, Math.max(1, n))];
            long skipped = 0;
            while (skipped < n) {
                int r = read(buffer, 0, (int) Math.min(buffer.length, n - skipped));
                if (r < 0) {
                    break;
                }
                skipped += r;
            }
            return skipped;
        }
    }

    static Map<String, List<String>> parseQuery(String rawQuery) {
        if (rawQuery == null || rawQuery.isEmpty()) {
            return Map.of();
        }
        Map<String, List<String>> result = new LinkedHashMap<>();
        for (String pair : rawQuery.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = decode(eq < 0 ? pair : pair.substring(0, eq));
            String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
            result.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
        }
        result.replaceAll((k, v) -> Collections.unmodifiableList(v));
        return Collections.unmodifiableMap(result);
    }

    /** Percent-decoding as AWS and form encoding use it ({@code +} is a space). */
    public static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }
}
