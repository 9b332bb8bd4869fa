package dev.ferry.engine.apply;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * How apply runs: how many steps at once, the longest pause between two polls of a long operation
 * (providers suggest a pause; tests and the demo shorten it), how often a still-running step says
 * so, how long running steps may take to reach a safe point after Ctrl-C, and the longest wait before
 * trying again a start the cloud queued (a limit counted for the whole account: the provider's wait, jittered,
 * is kept rather than shortened to the poll interval, so that many processes do not all come back at once).
 */
public record ApplyOptions(int parallelism, Duration maxPollInterval, Duration stillRunningEvery, Duration gracePeriod,
                           Duration maxQueuedWait) {

    public static final int DEFAULT_PARALLELISM = 10;

    public ApplyOptions {
        if (parallelism < 1) {
            throw new IllegalArgumentException("parallelism must be at least 1");
        }
        requireNonNull(maxPollInterval, "maxPollInterval is null");
        requireNonNull(stillRunningEvery, "stillRunningEvery is null");
        requireNonNull(gracePeriod, "gracePeriod is null");
        requireNonNull(maxQueuedWait, "maxQueuedWait is null");
    }

    public static ApplyOptions defaults() {
        return new ApplyOptions(DEFAULT_PARALLELISM, Duration.ofSeconds(15), Duration.ofSeconds(10), Duration.ofSeconds(30),
                Duration.ofMinutes(10));
    }

    public ApplyOptions withParallelism(int value) {
        return new ApplyOptions(value, maxPollInterval, stillRunningEvery, gracePeriod, maxQueuedWait);
    }

    /** Polls at least every {@code value}; queued starts are tried again at least as often (tests, FERRY_POLL_INTERVAL). */
    public ApplyOptions withMaxPollInterval(Duration value) {
        return new ApplyOptions(parallelism, value, stillRunningEvery, gracePeriod,
                maxQueuedWait.compareTo(value) <= 0 ? maxQueuedWait : value);
    }

    public ApplyOptions withMaxQueuedWait(Duration value) {
        return new ApplyOptions(parallelism, maxPollInterval, stillRunningEvery, gracePeriod, value);
    }

    public ApplyOptions withStillRunningEvery(Duration value) {
        return new ApplyOptions(parallelism, maxPollInterval, value, gracePeriod, maxQueuedWait);
    }
}
