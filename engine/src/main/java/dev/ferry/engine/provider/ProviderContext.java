package dev.ferry.engine.provider;

import static java.util.Objects.requireNonNull;

import dev.ferry.engine.resource.SecretResolver;
import dev.ferry.engine.spec.MigrationFile;
import dev.ferry.engine.spec.Section;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * What a provider may read when it connects: its block in the file, the environment (credentials,
 * endpoint overrides), the user's home (for CLI config files) and the engine's secret resolver; and
 * where to tell the user, one line at a time, what it is doing that takes long (retrying a call).
 */
public record ProviderContext(
        Optional<Section> block,
        MigrationFile file,
        Map<String, String> environment,
        Path home,
        SecretResolver secrets,
        Consumer<String> notices) {

    public ProviderContext {
        requireNonNull(block, "block is null");
        requireNonNull(file, "file is null");
        environment = Map.copyOf(environment);
        requireNonNull(home, "home is null");
        requireNonNull(secrets, "secrets is null");
        requireNonNull(notices, "notices is null");
    }

    /** A context whose notices go nowhere (tests, and commands that print none). */
    public ProviderContext(Optional<Section> block, MigrationFile file, Map<String, String> environment, Path home,
                           SecretResolver secrets) {
        this(block, file, environment, home, secrets, line -> { });
    }

    public Optional<String> variable(String name) {
        return Optional.ofNullable(environment.get(name)).filter(value -> !value.isBlank());
    }
}
