package dev.ferry.engine.state;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.ferry.engine.FerryVersion;
import dev.ferry.engine.resource.ResourceAddress;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The JSON form of state ({@code schemas/state.schema.json}). */
public final class StateCodec {

    /** Shared by everything ferry writes as JSON for people and tools: state, saved plans, locks. */
    public static final ObjectMapper MAPPER = JsonMapper.builder()
            .addModule(new Jdk8Module())
            .addModule(new JavaTimeModule())
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .serializationInclusion(JsonInclude.Include.NON_ABSENT)
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    record Document(int formatVersion, String lineage, long serial, String ferryVersion, List<ResourceState> resources) {
    }

    private StateCodec() {
    }

    public static byte[] encode(State state) {
        try {
            Document document = new Document(State.FORMAT_VERSION, state.lineage(), state.serial(), FerryVersion.get(),
                    List.copyOf(state.resources()));
            return MAPPER.writeValueAsBytes(document);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("state cannot be written as JSON", e);
        }
    }

    /**
     * Reads state written by this or an older ferry.
     *
     * @throws StateFormatException when it is not ferry state, or was written by a newer format
     */
    public static State decode(byte[] bytes, String where) {
        Document document;
        try {
            document = MAPPER.readValue(bytes, Document.class);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            String at = e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
            throw new StateFormatException(where + " is not valid ferry state" + at + ": " + e.getOriginalMessage());
        } catch (java.io.IOException e) {
            throw new StateFormatException(where + " cannot be read: " + e.getMessage());
        }
        if (document == null || document.lineage() == null) {
            throw new StateFormatException(where + " is not ferry state (it has no lineage)");
        }
        if (document.formatVersion() > State.FORMAT_VERSION) {
            throw new StateFormatException(where + " was written by a newer ferry (state format " + document.formatVersion()
                    + "; this ferry " + FerryVersion.get() + " reads format " + State.FORMAT_VERSION + "): upgrade ferry");
        }
        Map<ResourceAddress, ResourceState> resources = new LinkedHashMap<>();
        if (document.resources() != null) {
            for (ResourceState resource : document.resources()) {
                resources.put(resource.address(), resource);
            }
        }
        return new State(document.lineage(), document.serial(), resources);
    }

    /** State that cannot be read; the message says which file and why. */
    public static final class StateFormatException extends dev.ferry.engine.FerryException {
        public StateFormatException(String message) {
            super(message);
        }
    }
}
