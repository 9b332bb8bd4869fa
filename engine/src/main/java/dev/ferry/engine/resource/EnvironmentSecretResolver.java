package dev.ferry.engine.resource;

import static java.util.Objects.requireNonNull;

import dev.ferry.engine.FerryException;
import dev.ferry.engine.spec.SecretReference;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Resolves {@code ${env:NAME}} from the environment and {@code ${file:PATH}} from a file relative to
 * the migration file's folder (one trailing newline removed, as editors add one).
 */
public final class EnvironmentSecretResolver implements SecretResolver {

    private static final long MAX_SECRET_FILE_BYTES = 64 * 1024;

    private final Map<String, String> environment;
    private final Path directory;

    public EnvironmentSecretResolver(Map<String, String> environment, Path directory) {
        this.environment = Map.copyOf(environment);
        this.directory = requireNonNull(directory, "directory is null");
    }

    @Override
    public Secret resolve(SecretReference reference) {
        return switch (reference.kind()) {
            case ENV -> {
                String value = environment.get(reference.name());
                if (value == null || value.isEmpty()) {
                    throw new FerryException("the environment variable " + reference.name() + " is not set (the file refers to it as "
                            + reference + "); export it before running ferry");
                }
                yield new Secret(value);
            }
            case FILE -> {
                Path path = directory.resolve(reference.name()).normalize();
                try {
                    if (Files.size(path) > MAX_SECRET_FILE_BYTES) {
                        throw new FerryException("the secret file " + path + " (" + reference + ") is larger than 64 KiB; is it the right file?");
                    }
                    String value = Files.readString(path, StandardCharsets.UTF_8);
                    if (value.endsWith("\r\n")) {
                        value = value.substring(0, value.length() - 2);
                    } else if (value.endsWith("\n")) {
                        value = value.substring(0, value.length() - 1);
                    }
                    if (value.isEmpty()) {
                        throw new FerryException("the secret file " + path + " (" + reference + ") is empty");
                    }
                    yield new Secret(value);
                } catch (IOException e) {
                    throw new FerryException("cannot read the secret file " + path + " (" + reference + "): "
                            + (Files.exists(path) ? "permission denied or unreadable" : "no such file"));
                }
            }
        };
    }
}
