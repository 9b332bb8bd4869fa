package dev.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** schemas/events.schema.json refuses what an event must not be, so the stream tests can fail. */
class JsonEventsSchemaTest {

    @Test
    void aWellFormedEventPasses() {
        assertThat(JsonEvents.parse("{\"type\":\"step_started\",\"timestamp\":\"2026-12-03T10:00:00Z\",\"address\":\"aws_ami.web-01\",\"verb\":\"create\"}\n"))
                .hasSize(1);
    }

    @Test
    void anUnknownFieldAMissingFieldOrAnUnknownTypeIsRefused() {
        assertThatThrownBy(() -> JsonEvents.parse("{\"type\":\"step_started\",\"timestamp\":\"2026-12-03T10:00:00Z\","
                + "\"address\":\"aws_ami.web-01\",\"verb\":\"create\",\"root_pass\":\"x\"}\n")).isInstanceOf(AssertionError.class);
        assertThatThrownBy(() -> JsonEvents.parse("{\"type\":\"step_started\",\"timestamp\":\"2026-12-03T10:00:00Z\"}\n"))
                .isInstanceOf(AssertionError.class);
        assertThatThrownBy(() -> JsonEvents.parse("{\"type\":\"hello\",\"timestamp\":\"2026-12-03T10:00:00Z\"}\n"))
                .isInstanceOf(AssertionError.class);
        assertThatThrownBy(() -> JsonEvents.parse("Apply complete!\n")).isInstanceOf(AssertionError.class);
    }
}
