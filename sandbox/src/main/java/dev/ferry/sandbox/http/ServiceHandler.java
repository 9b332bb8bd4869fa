package dev.ferry.sandbox.http;

import java.io.IOException;
import java.time.Duration;

/** Serves one {@link Service}; the {@link Router} calls these in order for every request. */
public interface ServiceHandler {

    /**
     * Names the action for the request log and fault targeting: an AWS action name, or a method and
     * path template. Query-protocol handlers read the (small) form body here.
     */
    String action(HttpCall call) throws IOException;

    /** Checks credentials; answers the service's own error and returns false when they are wrong. */
    boolean authenticate(HttpCall call) throws IOException;

    /** Serves the request. */
    void handle(HttpCall call) throws IOException;

    /**
     * Answers an injected error in the service's own words: 500, 503, or 429 meaning the service's
     * throttling answer (which for AWS services is not necessarily status 429).
     */
    void injectedError(HttpCall call, int status, Duration retryAfter) throws IOException;

    /** Answers a failure of the sandbox itself. */
    void internalError(HttpCall call, Exception cause) throws IOException;
}
