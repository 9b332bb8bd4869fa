package dev.ferry.sandbox.http;

import java.time.Duration;
import java.time.Instant;

import static java.util.Objects.requireNonNull;

/**
 * One request the sandbox received.
 *
 * @param time      when it arrived
 * @param service   service id ({@code ec2}, {@code s3}, {@code linode}, ...) or {@code unknown}
 * @param action    the AWS action ({@code CreateImage}, {@code PutObject}) or, for Linode,
 *                  the method and path template ({@code POST /images/upload})
 * @param method    HTTP method
 * @param path      request path as received
 * @param status    HTTP status sent, or 0 when the connection was cut before a status was sent
 * @param duration  time from arrival to the end of the response
 * @param bytesIn   request body bytes read
 * @param bytesOut  response body bytes written
 * @param fault     the injected fault ({@code error:503}, {@code cut:response}, ...) or null
 * @param requestId the request id the sandbox sent back
 */
public record LoggedRequest(
        Instant time,
        String service,
        String action,
        String method,
        String path,
        int status,
        Duration duration,
        long bytesIn,
        long bytesOut,
        String fault,
        String requestId) {

    public LoggedRequest {
        requireNonNull(time, "time is null");
        requireNonNull(service, "service is null");
        requireNonNull(action, "action is null");
        requireNonNull(method, "method is null");
        requireNonNull(path, "path is null");
        requireNonNull(duration, "duration is null");
        requireNonNull(requestId, "requestId is null");
    }

    /** The counter key: {@code service:action}, e.g. {@code ec2:CreateImage}, {@code linode:POST /images/upload}. */
    public String key() {
        return service + ":" + action;
    }

    public boolean succeeded() {
        return status >= 200 && status < 300;
    }

    @Override
    public String toString() {
        return time + " " + key() + " " + method + " " + path + " -> " + status + " in " + duration.toMillis()
                + "ms, " + bytesIn + "B in, " + bytesOut + "B out" + (fault == null ? "" : " [" + fault + "]");
    }
}
