package dev.ferry.cli;

import static java.util.Objects.requireNonNull;

import dev.ferry.engine.FerryException;
import dev.ferry.engine.expand.Configuration;
import dev.ferry.engine.expand.Expansion;
import dev.ferry.engine.provider.Provider;
import dev.ferry.engine.provider.ProviderContext;
import dev.ferry.engine.provider.ProviderSession;
import dev.ferry.engine.provider.ResourceTypes;
import dev.ferry.engine.resource.EnvironmentSecretResolver;
import dev.ferry.engine.resource.SecretResolver;
import dev.ferry.engine.spec.MigrationFile;
import dev.ferry.engine.state.FileStateStore;
import dev.ferry.engine.state.State;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Everything a command needs around a migration file: the checked file and its digest, where its
 * state and lock live ({@code .ferry/} next to the file, or {@code --state}), its expansion into
 * resources, and the provider sessions it uses.
 */
final class Workspace {

    private final CliEnvironment environment;
    private final Map<String, Provider> providers;
    private final MigrationFileReader reader;

    @Inject
    Workspace(CliEnvironment environment, Map<String, Provider> providers, MigrationFileReader reader) {
        this.environment = requireNonNull(environment, "environment is null");
        this.providers = requireNonNull(providers, "providers is null");
        this.reader = requireNonNull(reader, "reader is null");
    }

    /** A checked migration file, its digest, and where its state is. */
    record Opened(MigrationFile file, String digest, Path stateFile) {
        Path lockFile() {
            return Workspace.lockFile(stateFile);
        }

        FileStateStore store() {
            return new FileStateStore(stateFile);
        }
    }

    /** The lock beside the state: {@code .ferry/state.lock} for {@code .ferry/state.json}. */
    static Path lockFile(Path stateFile) {
        return stateFile.resolveSibling(stateFile.getFileName().toString().replaceAll("\\.json$", "") + ".lock");
    }

    Opened open(String path, Optional<String> stateOption, PrintWriter err) {
        MigrationFile file = reader.read(path, err);
        Path resolved = environment.resolve(path);
        return new Opened(file, digest(resolved), statePath(resolved, stateOption));
    }

    /** {@code --state}, else FERRY_STATE, else {@code .ferry/state.json} beside the migration file. */
    Path statePath(Path migrationFile, Optional<String> stateOption) {
        return stateOption.or(() -> environment.variable("FERRY_STATE"))
                .map(environment::resolve)
                .orElseGet(() -> migrationFile.toAbsolutePath().normalize().getParent().resolve(".ferry").resolve("state.json"));
    }

    /** The state, or a new empty one (not yet written) when there is none. */
    static State readState(FileStateStore store) {
        return store.read().orElseGet(State::empty);
    }

    Configuration expand(MigrationFile file) {
        return new Expansion(providers.values()).expand(file);
    }

    SecretResolver secrets(MigrationFile file) {
        return new EnvironmentSecretResolver(environment.variables(), file.directory());
    }

    /** Connects every provider the file declares; closes them all when closed. */
    Sessions connect(MigrationFile file) {
        List<ProviderSession> sessions = new ArrayList<>();
        SecretResolver secrets = secrets(file);
        try {
            for (String name : file.providers().keySet()) {
                Provider provider = providers.get(name);
                if (provider == null) {
                    throw new FerryException("this build of ferry has no provider '" + name + "'");
                }
                sessions.add(provider.open(new ProviderContext(file.provider(name), file, environment.variables(), environment.home(),
                        secrets, line -> environment.err().println(line))));
            }
        } catch (RuntimeException e) {
            sessions.forEach(ProviderSession::close);
            throw e;
        }
        return new Sessions(sessions);
    }

    /** Open provider sessions and their resource types. */
    static final class Sessions implements AutoCloseable {
        private final List<ProviderSession> sessions;
        private final ResourceTypes types;

        Sessions(List<ProviderSession> sessions) {
            this.sessions = List.copyOf(sessions);
            this.types = new ResourceTypes(sessions);
        }

        ResourceTypes types() {
            return types;
        }

        @Override
        public void close() {
            sessions.forEach(ProviderSession::close);
        }
    }

    static String digest(Path file) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file));
            return "sha256:" + HexFormat.of().formatHex(hash);
        } catch (IOException e) {
            throw new FerryException("cannot read " + file + ": " + e.getMessage());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
