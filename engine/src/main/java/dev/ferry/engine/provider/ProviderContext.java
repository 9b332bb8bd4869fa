package dev.ferry.engine.provider;

import static java.util.Objects.requireNonNull;

import dev.ferry.engine.resource.SecretResolver;
import dev.ferry.engine.spec.MigrationFile;
import dev.ferry.engine.spec.Section;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * What a provider may read when it connects: its block in the file, the environment (credentials,
 * endpoint overrides), the user's home (for CLI config files) and the engine's secret resolver.
 */
public record ProviderContext(
        Optional<Section> block,
        MigrationFile file,
        Map<String, String> environment,
        Path home,
        SecretResolver secrets) {

    public ProviderContext {
        requireNonNull(block, "block is null");
        requireNonNull(file, "file is null");
        environment = Map.copyOf(environment);
        requireNonNull(home, "home is null");
        requireNonNull(secrets, "secrets is null");
    }

    public Optional<String> variable(String name) {
        return Optional.ofNullable(environment.get(name)).filter(value -> !value.isBlank());
    }
}
