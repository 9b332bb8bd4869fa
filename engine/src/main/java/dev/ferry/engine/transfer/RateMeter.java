package dev.ferry.engine.transfer;

import java.util.ArrayDeque;

/** A rate over a sliding window of samples of a growing counter: recent enough to react, long enough to be steady. */
final class RateMeter {

    private final long windowNanos;
    private final ArrayDeque<long[]> samples = new ArrayDeque<>();

    RateMeter(long windowNanos) {
        this.windowNanos = windowNanos;
    }

    /** Adds the counter's value at {@code nanos}; a value lower than the last one (a restart) starts over. */
    void record(long nanos, long value) {
        long[] last = samples.peekLast();
        if (last != null && value < last[1]) {
            samples.clear();
        }
        samples.addLast(new long[] {nanos, value});
        // Keeps one sample at or before the window's start, so the window is always fully covered.
        while (samples.size() > 2) {
            long[] first = samples.pollFirst();
            long[] second = samples.peekFirst();
            if (nanos - second[0] < windowNanos) {
                samples.addFirst(first);
                break;
            }
        }
    }

    /** Forgets every sample: the counter starts over. */
    void reset() {
        samples.clear();
    }

    /** Units per second over the window; 0 before two samples. */
    double perSecond() {
        if (samples.size() < 2) {
            return 0;
        }
        long[] first = samples.peekFirst();
        long[] last = samples.peekLast();
        long nanos = last[0] - first[0];
        return nanos <= 0 ? 0 : (last[1] - first[1]) * 1e9 / nanos;
    }
}
