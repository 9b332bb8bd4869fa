package dev.ferry.engine.state;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.ferry.engine.FerryVersion;
import dev.ferry.engine.resource.ResourceAddress;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
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

    record Document(int formatVersion, String lineage, String migration, long serial, String ferryVersion, List<ResourceState> resources) {
    }

    private StateCodec() {
    }

    public static byte[] encode(State state) {
        return new Encoder().encode(state);
    }

    /**
     * Encodes state again and again as it changes a little at a time: each resource's JSON is kept
     * while its record is unchanged, so a write costs a copy of bytes, not a serialisation of every
     * resource. The document has one resource per line, so it diffs well and stays readable.
     */
    public static final class Encoder {
        private static final ObjectMapper COMPACT = MAPPER.copy().disable(SerializationFeature.INDENT_OUTPUT);
        private final Map<ResourceAddress, Cached> cache = new HashMap<>();

        private record Cached(ResourceState state, byte[] json) {
        }

        public synchronized byte[] encode(State state) {
            try {
                java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(64 + state.byAddress().size() * 512);
                String header = "{\"format_version\":" + State.FORMAT_VERSION + ",\"lineage\":" + COMPACT.writeValueAsString(state.lineage())
                        + (state.migration().isPresent() ? ",\"migration\":" + COMPACT.writeValueAsString(state.migration().get()) : "")
                        + ",\"serial\":" + state.serial() + ",\"ferry_version\":" + COMPACT.writeValueAsString(FerryVersion.get())
                        + ",\"resources\":[";
                out.write(header.getBytes(StandardCharsets.UTF_8));
                boolean first = true;
                for (ResourceState resource : state.resources()) {
                    Cached cached = cache.get(resource.address());
                    if (cached == null || cached.state() != resource) {
                        cached = new Cached(resource, COMPACT.writeValueAsBytes(resource));
                        cache.put(resource.address(), cached);
                    }
                    out.write(first ? NEWLINE : COMMA_NEWLINE);
                    out.write(cached.json());
                    first = false;
                }
                out.write("\n]}\n".getBytes(StandardCharsets.UTF_8));
                if (cache.size() > 2 * state.byAddress().size() + 16) {
                    cache.keySet().retainAll(state.byAddress().keySet());
                }
                return out.toByteArray();
            } catch (java.io.IOException e) {
                throw new IllegalStateException("state cannot be written as JSON", e);
            }
        }

        private static final byte[] NEWLINE = "\n".getBytes(StandardCharsets.UTF_8);
        private static final byte[] COMMA_NEWLINE = ",\n".getBytes(StandardCharsets.UTF_8);
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
        return new State(document.lineage(), document.serial(), java.util.Optional.ofNullable(document.migration()), resources);
    }

    /** State that cannot be read; the message says which file and why. */
    public static final class StateFormatException extends dev.ferry.engine.FerryException {
        public StateFormatException(String message) {
            super(message);
        }
    }
}
