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

/**
 * The JSON form of state ({@code schemas/state.schema.json}): format 1 is the whole state in one document (what an older
 * ferry wrote, and the backup); format 2 is a manifest and one document per part ({@link PartitionedStateStore}).
 */
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

    /**
     * A state document: the whole state (format 1, and the backup), a manifest (format 2, {@code parts} names where its
     * parts are), or one part (format 2, {@code part} names its migration, {@code _shared} for what migrations share).
     */
    record Document(int formatVersion, String lineage, String migration, String part, long serial, long partsSerial,
                    String ferryVersion, String parts, List<ResourceState> resources) {
        boolean isManifest() {
            return formatVersion >= 2 && part == null;
        }
    }

    /** The {@code part} of the object that holds what migrations share. */
    static final String SHARED_PART = "_shared";

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

        /** The whole state as one document (format 1): the backup, {@code ferry show --json}. */
        public synchronized byte[] encode(State state) {
            return encode(1, state.lineage(), state.migration(), null, state.serial(), state.resources(), state.byAddress().size());
        }

        /** One part of the state (format 2) with its object's {@code serial}. */
        synchronized byte[] encode(StatePart part, long serial) {
            return encode(State.FORMAT_VERSION, part.lineage(), part.file(), part.migration().orElse(SHARED_PART), serial,
                    part.resources(), -1);
        }

        private byte[] encode(int format, String lineage, java.util.Optional<String> file, String part, long serial,
                              java.util.Collection<ResourceState> resources, int whole) {
            try {
                java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(64 + resources.size() * 512);
                String header = "{\"format_version\":" + format + ",\"lineage\":" + COMPACT.writeValueAsString(lineage)
                        + (file.isPresent() ? ",\"migration\":" + COMPACT.writeValueAsString(file.get()) : "")
                        + (part != null ? ",\"part\":" + COMPACT.writeValueAsString(part) : "")
                        + ",\"serial\":" + serial + ",\"ferry_version\":" + COMPACT.writeValueAsString(FerryVersion.get())
                        + ",\"resources\":[";
                out.write(header.getBytes(StandardCharsets.UTF_8));
                boolean first = true;
                for (ResourceState resource : resources) {
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
                if (whole >= 0 && cache.size() > 2 * whole + 16) {
                    java.util.Set<ResourceAddress> present = new java.util.HashSet<>();
                    resources.forEach(r -> present.add(r.address()));
                    cache.keySet().retainAll(present);
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
        Document document = decodeDocument(bytes, where);
        if (document.isManifest()) {
            throw new StateFormatException(where + " is the manifest of a state kept one object per migration; read it with its"
                    + " store");
        }
        return toState(document);
    }

    /**
     * The manifest of a state kept one object per migration (format 2): lineage, file name, the state's serial when the
     * manifest was written and the sum of its parts' serials then (the state's serial now is {@code serial} plus what
     * its parts' serials grew by since).
     */
    static byte[] encodeManifest(String lineage, java.util.Optional<String> file, long serial, long partsSerial, String parts) {
        try {
            java.util.Map<String, Object> manifest = new LinkedHashMap<>();
            manifest.put("format_version", State.FORMAT_VERSION);
            manifest.put("lineage", lineage);
            file.ifPresent(name -> manifest.put("migration", name));
            manifest.put("serial", serial);
            manifest.put("parts_serial", partsSerial);
            manifest.put("ferry_version", FerryVersion.get());
            manifest.put("parts", parts);
            return MAPPER.writeValueAsBytes(manifest);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("state cannot be written as JSON", e);
        }
    }

    static State toState(Document document) {
        Map<ResourceAddress, ResourceState> resources = new LinkedHashMap<>();
        if (document.resources() != null) {
            java.util.Optional<String> owner = document.part() == null || document.part().equals(SHARED_PART)
                    ? java.util.Optional.empty() : java.util.Optional.of(document.part());
            for (ResourceState resource : document.resources()) {
                resources.put(resource.address(), resource.withMigration(owner));
            }
        }
        return new State(document.lineage(), document.serial(), java.util.Optional.ofNullable(document.migration()), resources);
    }

    /** Any state document, checked to be ferry state of a format this ferry reads. */
    static Document decodeDocument(byte[] bytes, String where) {
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
        return document;
    }

    /** State that cannot be read; the message says which file and why. */
    public static final class StateFormatException extends dev.ferry.engine.FerryException {
        public StateFormatException(String message) {
            super(message);
        }
    }
}
