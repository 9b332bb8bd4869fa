package dev.ferry.engine.apply;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.OptionalDouble;

/**
 * How long to wait before the next poll of a long operation, following the cloud's pace: the first poll comes
 * soon, each poll that sees the same status and progress waits {@code factor} times longer (up to the ceiling
 * the provider suggests), and a poll that sees the operation move comes back {@code factor} times sooner (never
 * sooner than the first). A sandbox at a tenth of the pace is then followed at about a tenth of the waits, while
 * a slow cloud is polled, after the first few quick looks, about as often as its provider asks.
 *
 * <p>Not thread-safe: one per operation followed.
 */
final class PollPace {

    /** The first wait: short enough that a quick operation is seen done soon after it is. */
    static final Duration FIRST = Duration.ofMillis(500);
    /** How much longer each wait gets while nothing moves (and shorter when something does). */
    static final double FACTOR = 1.5;

    private final Duration first;
    private final double factor;
    private Duration current;
    private Observed last;

    PollPace(Duration first, double factor) {
        this.first = requireNonNull(first, "first is null");
        if (first.isNegative() || first.isZero()) {
            throw new IllegalArgumentException("first wait must be positive, was " + first);
        }
        if (!(factor >= 1) || Double.isInfinite(factor)) {
            throw new IllegalArgumentException("factor must be at least 1, was " + factor);
        }
        this.factor = factor;
    }

    static PollPace standard() {
        return new PollPace(FIRST, FACTOR);
    }

    /**
     * The wait before the next poll, given what the last poll saw and the longest wait the provider suggests
     * (never exceeded: an operation asking for 10 ms gets 10 ms).
     */
    Duration next(String status, OptionalDouble percent, Duration ceiling) {
        requireNonNull(ceiling, "ceiling is null");
        Observed seen = new Observed(requireNonNull(status, "status is null"), requireNonNull(percent, "percent is null"));
        if (current == null) {
            current = first;
        } else if (seen.equals(last)) {
            current = scale(current, factor);
        } else {
            current = max(first, scale(current, 1 / factor));
        }
        last = seen;
        current = min(current, max(ceiling, first));
        return min(current, ceiling);
    }

    /** What a poll saw of the operation: the same twice means it has not moved. */
    private record Observed(String status, OptionalDouble percent) {
    }

    private static Duration scale(Duration duration, double by) {
        return Duration.ofNanos(Math.round(duration.toNanos() * by));
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }
}
