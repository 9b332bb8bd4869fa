package dev.ferry.cli;

import static java.util.Objects.requireNonNull;

import dev.ferry.engine.event.Event;
import dev.ferry.engine.event.EventSink;
import dev.ferry.engine.render.Style;
import dev.ferry.engine.resource.ResourceAddress;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * Shows the engine's events the way Terraform does ("aws_ami.web-01: Creating...", "Still
 * creating... [1m20s elapsed]", "Creation complete after 2m3s [id=ami-0abc]"), with the cloud's own
 * status and percent for long waits, and a progress bar for byte transfers: redrawn in place on a
 * terminal, a line every tenth of the way otherwise.
 */
final class EventPrinter implements EventSink {

    private final PrintWriter out;
    private final Style style;
    private final boolean terminal;
    private final boolean debug;
    private final Map<ResourceAddress, Event.BytesProgress> transfers = new LinkedHashMap<>();
    private final Map<ResourceAddress, Integer> transferTenths = new LinkedHashMap<>();
    private final Map<ResourceAddress, String> lastStatus = new LinkedHashMap<>();
    private Instant lastBarDrawn = Instant.EPOCH;
    private boolean barShown;

    EventPrinter(PrintWriter out, Style style, boolean terminal, boolean debug) {
        this.out = requireNonNull(out, "out is null");
        this.style = requireNonNull(style, "style is null");
        this.terminal = terminal;
        this.debug = debug;
    }

    @Override
    public synchronized void accept(Event event) {
        if (event instanceof Event.Refreshing refreshing) {
            line(refreshing.address() + ": Refreshing state... [id=" + refreshing.id() + "]");
        } else if (event instanceof Event.StepStarted started) {
            line(style.bold(started.address() + ":") + " " + started.verb().progressive() + "..."
                    + started.note().map(note -> " (" + note + ")").orElse(""));
        } else if (event instanceof Event.StepQueued queued) {
            line(queued.address() + ": Waiting for a free slot (" + queued.limit() + " is full)...");
        } else if (event instanceof Event.StepProgress progress) {
            String status = progress.status() + percent(progress.percent());
            if (!status.equals(lastStatus.put(progress.address(), status))) {
                line(progress.address() + ": " + progress.status() + percent(progress.percent())
                        + " [" + elapsed(progress.elapsed()) + " elapsed]");
            }
        } else if (event instanceof Event.StillRunning still) {
            line(still.address() + ": Still " + still.verb().progressive().toLowerCase(Locale.ROOT) + "... ["
                    + elapsed(still.elapsed()) + " elapsed]" + still.status().map(s -> " " + s).orElse(""));
        } else if (event instanceof Event.BytesProgress bytes) {
            transfer(bytes);
        } else if (event instanceof Event.StepFinished finished) {
            transfers.remove(finished.address());
            lastStatus.remove(finished.address());
            String done = finished.verb() == Event.Verb.KEEP
                    ? "Kept in the cloud and removed from state"
                    : finished.verb().noun() + " complete after " + elapsed(finished.elapsed());
            line(style.bold(finished.address() + ":") + " " + done + finished.id().map(id -> " [id=" + id + "]").orElse(""));
        } else if (event instanceof Event.StepFailed failed) {
            transfers.remove(failed.address());
            line(style.red(failed.address() + ": " + failed.verb().noun() + " failed: " + failed.message()));
            if (debug) {
                // FERRY_LOG=debug: where it failed, for a bug report
                failed.cause().ifPresent(cause -> cause.printStackTrace(out));
            }
        } else if (event instanceof Event.StepSkipped skipped) {
            line(style.dim(skipped.address() + ": Skipped, because " + skipped.cause() + " failed"));
        } else if (event instanceof Event.StepInterrupted interrupted) {
            transfers.remove(interrupted.address());
            lastStatus.remove(interrupted.address());
            line(style.yellow(interrupted.address() + ": " + interrupted.verb().noun() + " interrupted; resumes on the next apply"));
        } else if (event instanceof Event.StepNotStarted notStarted) {
            line(style.dim(notStarted.address() + ": " + notStarted.verb().noun() + " not started"));
        } else if (event instanceof Event.Warning warning) {
            line(style.yellow("Warning: ") + warning.message());
        }
        out.flush();
    }

    private void transfer(Event.BytesProgress bytes) {
        transfers.put(bytes.address(), bytes);
        if (terminal) {
            Instant now = Instant.now();
            if (Duration.between(lastBarDrawn, now).toMillis() >= 100 || bytes.bytes() >= bytes.totalBytes()) {
                lastBarDrawn = now;
                drawBars();
            }
            return;
        }
        int tenths = bytes.totalBytes() <= 0 ? 0 : (int) (bytes.bytes() * 10 / bytes.totalBytes());
        Integer previous = transferTenths.put(bytes.address(), tenths);
        if (previous == null || tenths > previous) {
            out.println(describe(bytes));
        }
    }

    private void drawBars() {
        StringBuilder bars = new StringBuilder();
        for (Event.BytesProgress bytes : transfers.values()) {
            if (bars.length() > 0) {
                bars.append("  |  ");
            }
            bars.append(describe(bytes));
        }
        out.print("\r\u001b[K" + bars);
        barShown = true;
    }

    private String describe(Event.BytesProgress bytes) {
        double fraction = bytes.totalBytes() <= 0 ? 0 : Math.min(1.0, (double) bytes.bytes() / bytes.totalBytes());
        int width = 20;
        int filled = (int) Math.round(fraction * width);
        String bar = "[" + "=".repeat(Math.max(0, filled - 1)) + (filled > 0 ? ">" : "") + " ".repeat(width - filled) + "]";
        return bytes.address() + ": " + bytes.status() + " " + bar + String.format(Locale.ROOT, " %3.0f%% ", fraction * 100)
                + size(bytes.bytes()) + " / " + size(bytes.totalBytes()) + ", " + size((long) bytes.bytesPerSecond()) + "/s"
                + bytes.eta().map(eta -> ", ETA " + elapsed(eta)).orElse("");
    }

    private void line(String text) {
        if (barShown) {
            out.print("\r\u001b[K");
            barShown = false;
        }
        out.println(text);
        if (terminal && !transfers.isEmpty()) {
            drawBars();
        }
    }

    private static String percent(OptionalDouble percent) {
        return percent.isPresent() ? String.format(Locale.ROOT, " (%.0f%%)", percent.getAsDouble()) : "";
    }

    static String elapsed(Duration duration) {
        long seconds = Math.max(0, duration.getSeconds());
        if (seconds < 60) {
            return seconds + "s";
        }
        if (seconds < 3600) {
            return (seconds / 60) + "m" + (seconds % 60) + "s";
        }
        return (seconds / 3600) + "h" + ((seconds % 3600) / 60) + "m" + (seconds % 60) + "s";
    }

    static String size(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double value = bytes;
        int unit = -1;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        return String.format(Locale.ROOT, value >= 100 ? "%.0f %s" : "%.1f %s", value, units[unit]);
    }
}
