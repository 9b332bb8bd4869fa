package dev.ferry.sandbox.world;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/** The world's state between runs: {@code world.json} in the state directory, written atomically. */
public final class WorldStateFile {

    private static final int FORMAT = 1;

    private final Path file;
    private final ObjectMapper mapper;

    public WorldStateFile(Path directory) {
        this.file = requireNonNull(directory, "directory is null").resolve("world.json");
        SimpleModule instants = new SimpleModule("instants");
        instants.addSerializer(Instant.class, new JsonSerializer<>() {
            @Override
            public void serialize(Instant value, JsonGenerator gen, SerializerProvider serializers) throws IOException {
                gen.writeString(value.toString());
            }
        });
        instants.addDeserializer(Instant.class, new JsonDeserializer<>() {
            @Override
            public Instant deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
                return Instant.parse(p.getValueAsString());
            }
        });
        this.mapper = new ObjectMapper().registerModule(instants)
                .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
                // an import's disks were a single blob in states written before multi-disk imports
                .configure(DeserializationFeature.ACCEPT_SINGLE_VALUE_AS_ARRAY, true);
    }

    public Path file() {
        return file;
    }

    private record Envelope(int format, String account, PersistedWorld world) {
    }

    public Optional<PersistedWorld> load(String account) {
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try {
            Envelope envelope = mapper.readValue(file.toFile(), Envelope.class);
            if (envelope.format() != FORMAT) {
                throw new IllegalStateException(file + " has state format " + envelope.format() + "; this sandbox "
                        + "reads format " + FORMAT + " (move the directory away to start afresh)");
            }
            if (!account.equals(envelope.account())) {
                throw new IllegalStateException(file + " holds the state of account " + envelope.account()
                        + ", not " + account + " (use another state directory)");
            }
            return Optional.of(envelope.world());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the sandbox state " + file + ": " + e.getMessage(), e);
        }
    }

    public void save(String account, PersistedWorld world) {
        Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
        try {
            Files.createDirectories(file.getParent());
            mapper.writeValue(temporary.toFile(), new Envelope(FORMAT, account, world));
            try {
                Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the sandbox state " + file + ": " + e.getMessage(), e);
        }
    }
}
