package dev.ferry.provider.linode;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.engine.FerryException;
import dev.ferry.engine.FerryVersion;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Linode API v4 over {@code java.net.http} (HTTP/1.1) with Jackson: bearer token, {@code {data, page, pages,
 * results}} pagination at {@value #PAGE_SIZE} a page, {@code X-Filter} queries, {@code {"errors": [{field,
 * reason}]}} mapped to {@link LinodeApiException}, and retries: a 429 always and for as long as it lasts (honouring
 * {@code Retry-After}, told to the step as queued, never counted as a failed attempt),
 * 5xx answers and broken connections only when repeating the call is harmless (GET, PUT, DELETE, and a POST
 * the caller marks {@link Replay#SAFE}). A connection that could not even be opened is retried for every call,
 * since nothing was sent.
 */
final class LinodeClient {

    static final int PAGE_SIZE = 500;
    static final URI DEFAULT_BASE_URL = URI.create("https://api.linode.com/v4");

    private static final System.Logger LOG = System.getLogger(LinodeClient.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);

    /** Whether a POST may be sent again after a failure whose outcome is unknown. */
    enum Replay {
        /** Repeating it changes nothing (or the caller checks for a twin before retrying). */
        SAFE,
        /** It creates something: sent at most once unless the server said it did nothing (429, refused connection). */
        ONCE
    }

    private final URI baseUrl;
    private final ApiToken token;
    private final HttpClient http;
    private final RetryPolicy retry;
    private final RetryPolicy.Sleeper sleeper;
    private final int pageSize;
    private final Duration requestTimeout;
    private final String userAgent = "ferry/" + FerryVersion.get();

    LinodeClient(URI baseUrl, ApiToken token, HttpClient http, RetryPolicy retry, RetryPolicy.Sleeper sleeper, int pageSize,
                 Duration requestTimeout) {
        this.baseUrl = withoutTrailingSlash(requireNonNull(baseUrl, "baseUrl is null"));
        this.token = requireNonNull(token, "token is null");
        this.http = requireNonNull(http, "http is null");
        this.retry = requireNonNull(retry, "retry is null");
        this.sleeper = requireNonNull(sleeper, "sleeper is null");
        if (pageSize < 25 || pageSize > 500) {
            throw new IllegalArgumentException("page_size must be 25-500");
        }
        this.pageSize = pageSize;
        this.requestTimeout = requireNonNull(requestTimeout, "requestTimeout is null");
    }

    static LinodeClient create(URI baseUrl, ApiToken token) {
        return new LinodeClient(baseUrl, token, newHttpClient(), RetryPolicy.DEFAULT, RetryPolicy.Sleeper.REAL, PAGE_SIZE,
                REQUEST_TIMEOUT);
    }

    /** HTTP/1.1, no redirects followed (an API call never redirects; an upload URL must not be left). */
    static HttpClient newHttpClient() {
        return HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(CONNECT_TIMEOUT)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    URI baseUrl() {
        return baseUrl;
    }

    /** The underlying HTTP client, shared with the image upload (which never gets the token). */
    HttpClient http() {
        return http;
    }

    String userAgent() {
        return userAgent;
    }

    /** Where the token came from, for messages about a refused token. */
    String tokenSource() {
        return token.source();
    }

    JsonNode get(String path) {
        return send("GET", path, null, null, Replay.SAFE);
    }

    /** The object at {@code path}, or empty when the API answers 404. */
    Optional<JsonNode> find(String path) {
        try {
            return Optional.of(get(path));
        } catch (LinodeApiException e) {
            if (e.isNotFound()) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /** Every item of a paginated list, page after page, filtered by {@code filter} ({@code X-Filter}) when given. */
    List<JsonNode> list(String path, ObjectNode filter) {
        return collect(path, filter, true);
    }

    /**
     * Every item of a catalog the API answers whole ({@code /linode/types}, {@code /regions} take no paging
     * parameters); later pages are asked for only if the answer says there are any.
     */
    List<JsonNode> catalog(String path) {
        return collect(path, null, false);
    }

    private List<JsonNode> collect(String path, ObjectNode filter, boolean paged) {
        List<JsonNode> items = new ArrayList<>();
        int page = 1;
        int pages;
        do {
            String query = paged || page > 1
                    ? path + (path.contains("?") ? "&" : "?") + "page=" + page + (paged ? "&page_size=" + pageSize : "")
                    : path;
            JsonNode answer = send("GET", query, null, filter, Replay.SAFE);
            answer.path("data").forEach(items::add);
            pages = Math.max(1, answer.path("pages").asInt(1));
            page++;
        } while (page <= pages);
        return items;
    }

    /** The first page only (25 items), for "the latest" questions such as the newest event about an image. */
    JsonNode firstPage(String path, ObjectNode filter) {
        return send("GET", path + (path.contains("?") ? "&" : "?") + "page=1&page_size=25", null, filter, Replay.SAFE);
    }

    JsonNode post(String path, JsonNode body, Replay replay) {
        return send("POST", path, requireNonNull(body, "body is null"), null, replay);
    }

    /**
     * Sends a POST that creates something until it is answered, within the retry policy's attempts. When a server
     * error or a broken connection leaves it unknown whether it was carried out, {@code lookForIt} looks for what
     * it made (what it finds is the answer; it may also remove an unusable half-made thing) before it is sent again.
     */
    JsonNode postCreating(String path, JsonNode body, Supplier<Optional<JsonNode>> lookForIt) {
        for (int attempt = 1; ; attempt++) {
            try {
                return post(path, body, Replay.ONCE);
            } catch (LinodeApiException e) {
                if (!e.maybeCarriedOut()) {
                    throw e;
                }
                Optional<JsonNode> made = lookForIt.get();
                if (made.isPresent()) {
                    return made.get();
                }
                pause("POST " + path, attempt, attempt >= retry.maxAttempts(), e, retry.backoff(attempt));
            }
        }
    }

    /** A POST whose operation takes no request body ({@code POST /volumes/{volumeId}/detach}); safe to repeat. */
    JsonNode postWithoutBody(String path) {
        return send("POST", path, null, null, Replay.SAFE);
    }

    JsonNode put(String path, JsonNode body) {
        return send("PUT", path, requireNonNull(body, "body is null"), null, Replay.SAFE);
    }

    /** Deletes what {@code path} names; false when it was already gone (404). */
    boolean delete(String path) {
        try {
            send("DELETE", path, null, null, Replay.SAFE);
            return true;
        } catch (LinodeApiException e) {
            if (e.isNotFound()) {
                return false;
            }
            throw e;
        }
    }

    private JsonNode send(String method, String pathAndQuery, JsonNode body, ObjectNode filter, Replay replay) {
        String call = method + " " + pathAndQuery.replaceFirst("\\?.*$", "");
        boolean repeatable = !method.equals("POST") || replay == Replay.SAFE;
        HttpRequest request = request(method, pathAndQuery, body, filter);
        int throttled = 0;
        for (int attempt = 1; ; attempt++) {
            boolean last = attempt >= retry.maxAttempts();
            long started = System.nanoTime();
            HttpResponse<byte[]> response;
            try {
                response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
            } catch (ConnectException | HttpConnectTimeoutException e) {
                // Nothing reached the server: any call can be sent again.
                LinodeApiException failure = LinodeApiException.unanswered(call, "cannot connect to " + baseUrl.getHost()
                        + (baseUrl.getPort() > 0 ? ":" + baseUrl.getPort() : "") + " (" + describe(e) + ")", false, e);
                pause(call, attempt, last, failure, retry.backoff(attempt));
                continue;
            } catch (IOException e) {
                boolean timeout = e instanceof HttpTimeoutException;
                LinodeApiException failure = LinodeApiException.unanswered(call,
                        timeout ? "no answer within " + requestTimeout.toSeconds() + " s" : "the connection broke (" + describe(e) + ")",
                        !repeatable, e);
                if (!repeatable) {
                    throw failure;
                }
                pause(call, attempt, last, failure, retry.backoff(attempt));
                continue;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new FerryException("interrupted while calling the Linode API (" + call + ")", e);
            }
            int status = response.statusCode();
            LOG.log(System.Logger.Level.DEBUG, () -> call + " -> " + status + " in " + (System.nanoTime() - started) / 1_000_000 + " ms");
            if (status >= 200 && status < 300) {
                return parse(call, response.body());
            }
            LinodeApiException failure = error(call, status, response.body());
            if (status == 429) {
                // Nothing was done, and the limit is the account's (other shards count too): back-pressure, not an attempt.
                throttled++;
                Duration wait = retryAfter(response).orElse(retry.backoff(throttled));
                if (wait.compareTo(retry.maxRetryAfter()) > 0) {
                    throw LinodeApiException.answered(call, status, failure.errors(), "rate limited; the API asks to wait "
                            + wait.toSeconds() + " s, longer than ferry waits: run apply again later");
                }
                RateLimitWaits.waiting("queued by Linode: the API's rate limit is reached (HTTP 429); retrying " + call + " in "
                        + Math.max(1, (wait.toMillis() + 999) / 1000) + "s");
                pause(call, attempt, false, failure, wait);
                attempt--;
                continue;
            }
            if (status >= 500 && repeatable) {
                pause(call, attempt, last, failure, retryAfter(response).orElse(retry.backoff(attempt)));
                continue;
            }
            if (status >= 500) {
                // A creating POST answered by a server error may still have created something: the caller looks.
                throw new LinodeApiException(failure.call(), status, failure.errors(), failure.getMessage(), true, null);
            }
            if (status == 401) {
                throw LinodeApiException.answered(call, status, failure.errors(), null).withHint(
                        "the API token from " + token.source() + " was refused: check that it is current and has read/write"
                                + " access to Linodes, Images and Cloud Firewalls");
            }
            throw failure;
        }
    }

    /** Waits before the next attempt, or gives up with {@code failure} when this was the last one. */
    private void pause(String call, int attempt, boolean last, LinodeApiException failure, Duration wait) {
        if (last) {
            throw new LinodeApiException(failure.call(), failure.status(), failure.errors(),
                    failure.getMessage() + " (after " + attempt + " attempts)", failure.maybeCarriedOut(), failure.getCause());
        }
        LOG.log(System.Logger.Level.DEBUG, () -> call + ": attempt " + attempt + " failed (" + failure.getMessage()
                + "); trying again in " + wait.toMillis() + " ms");
        try {
            sleeper.sleep(wait);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FerryException("interrupted while waiting to call the Linode API again (" + call + ")", e);
        }
    }

    private HttpRequest request(String method, String pathAndQuery, JsonNode body, ObjectNode filter) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(baseUrl + pathAndQuery))
                .timeout(requestTimeout)
                .header("Authorization", token.authorization())
                .header("Accept", "application/json")
                .header("User-Agent", userAgent);
        if (filter != null && !filter.isEmpty()) {
            builder.header("X-Filter", filter.toString());
        }
        if (body != null) {
            builder.header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofString(body.toString(), StandardCharsets.UTF_8));
        } else {
            builder.method(method, HttpRequest.BodyPublishers.noBody());
        }
        return builder.build();
    }

    private JsonNode parse(String call, byte[] body) {
        if (body.length == 0) {
            return JsonNodeFactory.instance.objectNode();
        }
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            throw LinodeApiException.answered(call, 200, List.of(), "an answer that is not JSON; is the endpoint "
                    + baseUrl + " the Linode API?");
        }
    }

    private LinodeApiException error(String call, int status, byte[] body) {
        List<LinodeApiException.ApiError> errors = new ArrayList<>();
        String text = new String(body, StandardCharsets.UTF_8);
        try {
            JsonNode node = JSON.readTree(body);
            if (node != null) {
                for (JsonNode error : node.path("errors")) {
                    Optional<String> field = Optional.ofNullable(error.get("field")).filter(f -> !f.isNull()).map(JsonNode::asText);
                    errors.add(new LinodeApiException.ApiError(field.map(token::redact),
                            token.redact(error.path("reason").asText("(no reason given)"))));
                }
            }
        } catch (IOException e) {
            // Not the API's JSON (a proxy's page): the status and the start of the text say enough.
        }
        String fallback = text.isBlank() ? null : token.redact(text.strip().replaceAll("\\s+", " "));
        if (fallback != null && fallback.length() > 200) {
            fallback = fallback.substring(0, 200) + "…";
        }
        return LinodeApiException.answered(call, status, errors, fallback);
    }

    /** {@code Retry-After} in seconds or as an HTTP date. */
    private static Optional<Duration> retryAfter(HttpResponse<?> response) {
        return response.headers().firstValue("Retry-After").flatMap(value -> {
            String trimmed = value.strip();
            try {
                return Optional.of(Duration.ofSeconds(Math.max(0, Long.parseLong(trimmed))));
            } catch (NumberFormatException e) {
                try {
                    Duration until = Duration.between(java.time.Instant.now(),
                            ZonedDateTime.parse(trimmed, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
                    return Optional.of(until.isNegative() ? Duration.ZERO : until);
                } catch (DateTimeParseException unparsable) {
                    return Optional.empty();
                }
            }
        });
    }

    private static String describe(Throwable e) {
        String message = e.getMessage();
        return message == null || message.isBlank() ? e.getClass().getSimpleName() : message;
    }

    private static URI withoutTrailingSlash(URI uri) {
        String text = uri.toString();
        return text.endsWith("/") ? URI.create(text.substring(0, text.length() - 1)) : uri;
    }

    @Override
    public String toString() {
        return "LinodeClient[" + baseUrl + ", token from " + token.source() + "]";
    }
}
