package dev.ferry.sandbox.world;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

import static java.util.Objects.requireNonNull;

/**
 * Wall-clock time, and operation durations multiplied by the time scale (1.0 is the demo's pace;
 * tests use 0.01 so an AMI that takes 3 s is ready in 30 ms).
 */
public final class WorldClock {

    private final Clock clock;
    private final double timeScale;

    public WorldClock(Clock clock, double timeScale) {
        this.clock = requireNonNull(clock, "clock is null");
        if (!(timeScale >= 0) || Double.isInfinite(timeScale)) {
            throw new IllegalArgumentException("time scale must be zero or positive, was " + timeScale);
        }
        this.timeScale = timeScale;
    }

    public Instant now() {
        return clock.instant();
    }

    public double timeScale() {
        return timeScale;
    }

    /** {@code base} multiplied by the time scale. */
    public Duration scaled(Duration base) {
        return Duration.ofNanos(Math.round(base.toNanos() * timeScale));
    }

    /** How far {@code now} is from {@code start} to {@code end}, in whole percent from 0 to 100. */
    static int percent(Instant start, Instant end, Instant now) {
        long total = Duration.between(start, end).toNanos();
        if (total <= 0) {
            return 100;
        }
        long done = Duration.between(start, now).toNanos();
        return (int) Math.max(0, Math.min(100, done * 100 / total));
    }
}
