package dev.ferry.sandbox.http;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** What one request suffers, decided before it is served. */
record FaultDecision(Duration latency, int errorStatus, Cut cut, long slowBytesPerSecond, Duration retryAfter,
                     long cutAfterBytes) {

    static final FaultDecision NONE = new FaultDecision(Duration.ZERO, 0, Cut.NONE, 0, Duration.ZERO, 0);

    enum Cut { NONE, REQUEST, RESPONSE }

    boolean isNone() {
        return latency.isZero() && errorStatus == 0 && cut == Cut.NONE && slowBytesPerSecond == 0;
    }

    /** Whether anything beyond latency happens (what counts against a rule's {@code count}). */
    boolean injectsFault() {
        return errorStatus != 0 || cut != Cut.NONE || slowBytesPerSecond != 0;
    }

    /** A short label for the request log, or null when nothing happened. */
    String label() {
        List<String> parts = new ArrayList<>();
        if (errorStatus != 0) {
            parts.add("error:" + errorStatus);
        }
        switch (cut) {
            case NONE -> { }
            case REQUEST -> parts.add("cut:request");
            case RESPONSE -> parts.add("cut:response");
        }
        if (slowBytesPerSecond != 0) {
            parts.add("slow");
        }
        if (!latency.isZero()) {
            parts.add("latency:" + latency.toMillis() + "ms");
        }
        return parts.isEmpty() ? null : String.join(",", parts);
    }
}
