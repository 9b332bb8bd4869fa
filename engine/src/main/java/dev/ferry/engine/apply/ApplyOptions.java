package dev.ferry.engine.apply;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * How apply runs: how many steps at once, the longest pause between two polls of a long operation
 * (providers suggest a pause; tests and the demo shorten it), how often a still-running step says
 * so, and how long running steps may take to reach a safe point after Ctrl-C.
 */
public record ApplyOptions(int parallelism, Duration maxPollInterval, Duration stillRunningEvery, Duration gracePeriod) {

    public static final int DEFAULT_PARALLELISM = 10;

    public ApplyOptions {
        if (parallelism < 1) {
            throw new IllegalArgumentException("parallelism must be at least 1");
        }
        requireNonNull(maxPollInterval, "maxPollInterval is null");
        requireNonNull(stillRunningEvery, "stillRunningEvery is null");
        requireNonNull(gracePeriod, "gracePeriod is null");
    }

    public static ApplyOptions defaults() {
        return new ApplyOptions(DEFAULT_PARALLELISM, Duration.ofSeconds(15), Duration.ofSeconds(10), Duration.ofSeconds(30));
    }

    public ApplyOptions withParallelism(int value) {
        return new ApplyOptions(value, maxPollInterval, stillRunningEvery, gracePeriod);
    }

    public ApplyOptions withMaxPollInterval(Duration value) {
        return new ApplyOptions(parallelism, value, stillRunningEvery, gracePeriod);
    }

    public ApplyOptions withStillRunningEvery(Duration value) {
        return new ApplyOptions(parallelism, maxPollInterval, value, gracePeriod);
    }
}
