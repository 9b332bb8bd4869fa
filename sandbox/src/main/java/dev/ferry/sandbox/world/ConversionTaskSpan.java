package dev.ferry.sandbox.world;

import java.time.Instant;

import static java.util.Objects.requireNonNull;

/**
 * When one conversion task (export image, import image, instance export) was active; {@code end}
 * is null while it still is.
 */
public record ConversionTaskSpan(String taskId, String kind, Instant start, Instant end) {
    public ConversionTaskSpan {
        requireNonNull(taskId, "taskId is null");
        requireNonNull(kind, "kind is null");
        requireNonNull(start, "start is null");
    }

    ConversionTaskSpan ended(Instant at) {
        return new ConversionTaskSpan(taskId, kind, start, at);
    }
}
