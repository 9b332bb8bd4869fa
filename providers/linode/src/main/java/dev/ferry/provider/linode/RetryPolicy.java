package dev.ferry.provider.linode;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * How the client tries again: at most {@code maxAttempts} in all, waiting {@code baseDelay} doubled after
 * every failure (with jitter, up to {@code maxDelay}), or what a 429's {@code Retry-After} asks for (up to
 * {@code maxRetryAfter}, beyond which waiting is pointless and the call fails with the server's words).
 */
record RetryPolicy(int maxAttempts, Duration baseDelay, Duration maxDelay, Duration maxRetryAfter) {

    static final RetryPolicy DEFAULT = new RetryPolicy(6, Duration.ofMillis(500), Duration.ofSeconds(20), Duration.ofMinutes(5));

    RetryPolicy {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1");
        }
        requireNonNull(baseDelay, "baseDelay is null");
        requireNonNull(maxDelay, "maxDelay is null");
        requireNonNull(maxRetryAfter, "maxRetryAfter is null");
    }

    /** The pause before retry {@code retry} (1 for the first), with full jitter on the upper half. */
    Duration backoff(int retry) {
        long cap = maxDelay.toMillis();
        long exponential = baseDelay.toMillis() << Math.min(retry - 1, 20);
        long ceiling = Math.min(cap, Math.max(1, exponential));
        long half = ceiling / 2;
        return Duration.ofMillis(half + ThreadLocalRandom.current().nextLong(ceiling - half + 1));
    }

    /** Pauses the calling thread; a seam so tests can record the pauses instead of waiting them out. */
    @FunctionalInterface
    interface Sleeper {
        void sleep(Duration duration) throws InterruptedException;

        Sleeper REAL = duration -> Thread.sleep(Math.max(0, duration.toMillis()));
    }
}
