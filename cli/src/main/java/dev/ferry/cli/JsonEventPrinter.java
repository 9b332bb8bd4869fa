package dev.ferry.cli;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.engine.apply.ApplyResult;
import dev.ferry.engine.event.Event;
import dev.ferry.engine.event.EventSink;
import dev.ferry.engine.plan.Plan;
import dev.ferry.engine.plan.PlanCodec;
import dev.ferry.engine.resource.ResourceAddress;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;

/**
 * {@code apply --json} and {@code destroy --json}: every event as one JSON object on one line of stdout
 * ({@code schemas/events.schema.json}), for CI systems and dashboards. The plan travels in its report
 * form, where secrets are {@code (sensitive)}; messages are the same words the text output uses, which
 * never hold a secret value.
 */
final class JsonEventPrinter implements EventSink {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final PrintWriter out;
    private final Clock clock;

    JsonEventPrinter(PrintWriter out, Clock clock) {
        this.out = requireNonNull(out, "out is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    @Override
    public void accept(Event event) {
        if (event instanceof Event.Refreshing refreshing) {
            emit(step("refreshing", refreshing.address()).put("id", refreshing.id()));
        } else if (event instanceof Event.StepStarted started) {
            ObjectNode line = step("step_started", started.address(), started.verb());
            started.note().ifPresent(note -> line.put("note", note));
            emit(line);
        } else if (event instanceof Event.StepQueued queued) {
            emit(step("step_queued", queued.address(), queued.verb()).put("limit", queued.limit()));
        } else if (event instanceof Event.StepProgress progress) {
            ObjectNode line = step("step_progress", progress.address(), progress.verb()).put("status", progress.status());
            progress.percent().ifPresent(percent -> line.put("percent", percent));
            emit(line.put("elapsed_seconds", seconds(progress.elapsed())));
        } else if (event instanceof Event.BytesProgress bytes) {
            ObjectNode line = step("bytes_progress", bytes.address()).put("status", bytes.status()).put("bytes", bytes.bytes())
                    .put("total_bytes", bytes.totalBytes()).put("bytes_per_second", Math.round(bytes.bytesPerSecond()));
            bytes.eta().ifPresent(eta -> line.put("eta_seconds", seconds(eta)));
            emit(line);
        } else if (event instanceof Event.StillRunning still) {
            ObjectNode line = step("still_running", still.address(), still.verb()).put("elapsed_seconds", seconds(still.elapsed()));
            still.status().ifPresent(status -> line.put("status", status));
            emit(line);
        } else if (event instanceof Event.StepFinished finished) {
            ObjectNode line = step("step_finished", finished.address(), finished.verb());
            finished.id().ifPresent(id -> line.put("id", id));
            emit(line.put("elapsed_seconds", seconds(finished.elapsed())));
        } else if (event instanceof Event.StepFailed failed) {
            emit(step("step_failed", failed.address(), failed.verb()).put("message", failed.message()));
        } else if (event instanceof Event.StepSkipped skipped) {
            emit(step("step_skipped", skipped.address(), skipped.verb()).put("because", skipped.cause().toString()));
        } else if (event instanceof Event.StepInterrupted interrupted) {
            emit(step("step_interrupted", interrupted.address(), interrupted.verb()));
        } else if (event instanceof Event.StepNotStarted notStarted) {
            emit(step("step_not_started", notStarted.address(), notStarted.verb()).put("because", notStarted.cause().toString()));
        } else if (event instanceof Event.Warning warning) {
            emit(line("warning").put("message", warning.message()));
        }
    }

    /** What is about to be done (or that nothing is). */
    void planned(Plan plan) {
        ObjectNode line = line("planned");
        line.set("plan", PlanCodec.toJson(plan, PlanCodec.Flavour.REPORT));
        emit(line);
    }

    /** The last line of a run that got as far as applying. */
    void summary(ApplyResult result, boolean destroy) {
        ObjectNode line = line("summary").put("operation", destroy ? "destroy" : "apply").put("succeeded", result.succeeded())
                .put("added", result.added()).put("changed", result.changed()).put("destroyed", result.destroyed())
                .put("cleaned_up", result.cleanedUp()).put("kept", result.kept()).put("skipped", result.skipped()).put("cancelled", result.cancelled());
        var failures = line.putArray("failures");
        result.failures().forEach(failure -> failures.addObject().put("address", failure.step()).put("message", failure.message()));
        var verified = line.putArray("verified");
        result.verified().forEach(passed -> passed.toJson(verified.addObject()));
        emit(line);
    }

    /** A failure that stopped the command before or outside any step (the lock, the file, a stale plan). */
    void error(String message) {
        emit(line("error").put("message", message));
    }

    private ObjectNode step(String type, ResourceAddress address, Event.Verb verb) {
        return step(type, address).put("verb", verb.name().toLowerCase(Locale.ROOT));
    }

    private ObjectNode step(String type, ResourceAddress address) {
        return line(type).put("address", address.toString());
    }

    private ObjectNode line(String type) {
        ObjectNode line = JSON.createObjectNode();
        line.put("type", type);
        line.put("timestamp", clock.instant().toString());
        return line;
    }

    private static double seconds(Duration duration) {
        return duration.toMillis() / 1000.0;
    }

    private synchronized void emit(ObjectNode line) {
        try {
            out.println(JSON.writeValueAsString(line));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        out.flush();
    }
}
