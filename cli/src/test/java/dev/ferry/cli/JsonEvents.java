package dev.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Reads what {@code apply --json} printed: every line one event that follows schemas/events.schema.json. */
public final class JsonEvents {

    private static final ObjectMapper JSON = new ObjectMapper();

    private JsonEvents() {
    }

    /** Every line parsed and checked against its schema (a planned event's plan against plan.schema.json). */
    public static List<JsonNode> parse(String stdout) {
        JsonSchema events = schema("events.schema.json");
        JsonSchema plan = schema("plan.schema.json");
        List<JsonNode> parsed = new ArrayList<>();
        assertThat(stdout).as("one event per line, nothing else").isNotEmpty().endsWith("\n");
        for (String line : stdout.split("\n")) {
            JsonNode event;
            try {
                event = JSON.readTree(line);
            } catch (IOException e) {
                throw new AssertionError("not a JSON line: " + line, e);
            }
            assertThat(events.validate(event)).as(line).isEmpty();
            if (event.path("type").asText().equals("planned")) {
                assertThat(plan.validate(event.get("plan"))).as("the planned event's plan").isEmpty();
            }
            parsed.add(event);
        }
        return parsed;
    }

    /** One of the repository's schemas/, for checking what a command printed. */
    public static JsonSchema schema(String name) {
        Path here = Path.of("").toAbsolutePath();
        Path root = here.getFileName().toString().equals("cli") ? here.getParent() : here;
        try {
            return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(
                    JSON.readTree(Files.readAllBytes(root.resolve("schemas").resolve(name))),
                    SchemaValidatorsConfig.builder().formatAssertionsEnabled(true).build());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
