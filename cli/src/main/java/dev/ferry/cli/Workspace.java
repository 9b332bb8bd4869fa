package dev.ferry.cli;

import static java.util.Objects.requireNonNull;

import dev.ferry.engine.FerryException;
import dev.ferry.engine.expand.Configuration;
import dev.ferry.engine.expand.Expansion;
import dev.ferry.engine.expand.RequiredPermissions;
import dev.ferry.engine.permission.PermissionDocument;
import dev.ferry.engine.provider.Lookahead;
import dev.ferry.engine.provider.Provider;
import dev.ferry.engine.provider.ProviderContext;
import dev.ferry.engine.provider.ProviderSession;
import dev.ferry.engine.provider.ResourceTypes;
import dev.ferry.engine.verify.VerificationSession;
import dev.ferry.engine.resource.EnvironmentSecretResolver;
import dev.ferry.engine.resource.SecretCheck;
import dev.ferry.engine.resource.SecretResolver;
import dev.ferry.engine.plan.Plan;
import dev.ferry.engine.plan.PlanCodec;
import dev.ferry.engine.spec.Diagnostic;
import dev.ferry.engine.spec.MigrationFile;
import dev.ferry.engine.state.LockScope;
import dev.ferry.engine.state.FileStateStore;
import dev.ferry.engine.state.State;
import dev.ferry.engine.state.StateLock;
import dev.ferry.engine.state.RemoteStateLocation;
import dev.ferry.engine.state.StateBackend;
import dev.ferry.engine.state.StateStore;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
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
    record Opened(MigrationFile file, String digest, StateBackend backend) {
        /** One store for the whole run: a remote one remembers the version it read, to guard what it writes. */
        StateStore store() {
            return backend.store();
        }

        StateBackend.Lock lock(String operation) {
            return backend.lock(operation);
        }

        StateBackend.Lock lock(String operation, LockScope scope) {
            return backend.lock(operation, scope);
        }

        /** Where the state is, for messages: a path, or {@code s3://bucket/key}. */
        String stateName() {
            return backend.describe();
        }
    }

    /** The lock beside the state: {@code .ferry/NAME/state.lock} for {@code .ferry/NAME/state.json}. */
    static Path lockFile(Path stateFile) {
        return StateBackend.lockFile(stateFile);
    }

    Opened open(String path, Optional<String> stateOption, PrintWriter err) {
        MigrationFile file = reader.read(path, err);
        Path resolved = environment.resolve(path);
        return new Opened(file, digest(resolved), backend(file, resolved, stateOption, err));
    }

    /**
     * The state of the migration file at {@code path} and its lock, for commands that only read it ({@code show},
     * {@code state}, {@code force-unlock}): the file is read only when its name or its AWS provider is needed.
     */
    StateBackend backend(String path, Optional<String> stateOption, PrintWriter err) {
        Optional<String> chosen = stateOption.or(() -> environment.variable("FERRY_STATE"));
        if (chosen.isPresent() && !RemoteStateLocation.isRemote(chosen.get())) {
            return StateBackend.file(environment.resolve(chosen.get()));
        }
        return backend(reader.read(path, err), environment.resolve(path), stateOption, err);
    }

    /**
     * {@code --state} or FERRY_STATE ({@code s3://bucket/key} or a file), else the file's {@code state: {s3: ...}},
     * else {@code .ferry/NAME/state.json} beside the file.
     */
    StateBackend backend(MigrationFile file, Path migrationFile, Optional<String> stateOption, PrintWriter err) {
        Optional<String> chosen = stateOption.or(() -> environment.variable("FERRY_STATE"));
        if (chosen.isPresent() && RemoteStateLocation.isRemote(chosen.get())) {
            RemoteStateLocation parsed = RemoteStateLocation.parse(chosen.get());
            return remote(file.remoteState().filter(r -> r.bucket().equals(parsed.bucket())).map(r -> new RemoteStateLocation(
                    parsed.scheme(), parsed.bucket(), parsed.key(), r.region())).orElse(parsed), file);
        }
        if (chosen.isEmpty() && file.remoteState().isPresent()) {
            return remote(file.remoteState().get(), file);
        }
        return StateBackend.file(statePath(file, migrationFile, stateOption, err));
    }

    /** Remote state, kept by the provider that knows its scheme (S3: the AWS provider, with its credentials). */
    private StateBackend remote(RemoteStateLocation location, MigrationFile file) {
        for (Provider provider : providers.values()) {
            Optional<StateBackend> backend = provider.stateBackend(location, new ProviderContext(file.provider(provider.name()), file,
                    environment.variables(), environment.home(), secrets(file), line -> environment.err().println(line)));
            if (backend.isPresent()) {
                return backend.get();
            }
        }
        throw new FerryException("this build of ferry cannot keep state at " + location.uri() + " (no provider keeps "
                + location.scheme() + " state)");
    }

    /**
     * Where the state of the migration file at {@code path} is, for commands that only read it
     * ({@code show}, {@code state}, {@code force-unlock}): the file is read for its name only when
     * neither {@code --state} nor FERRY_STATE says where the state is.
     */
    Path statePath(String path, Optional<String> stateOption, PrintWriter err) {
        Optional<Path> chosen = chosenStatePath(stateOption);
        if (chosen.isPresent()) {
            return chosen.get();
        }
        return statePath(reader.read(path, err), environment.resolve(path), Optional.empty(), err);
    }

    /**
     * {@code --state}, else FERRY_STATE, else {@code .ferry/NAME/state.json} beside the migration file,
     * NAME being its {@code metadata.name}: each file in a folder has its own state, as each root module
     * has in Terraform. A {@code .ferry/state.json} left by an older ferry (one state for the whole folder)
     * is adopted by the first file to use it, with a warning.
     */
    Path statePath(MigrationFile file, Path migrationFile, Optional<String> stateOption, PrintWriter err) {
        Optional<Path> chosen = chosenStatePath(stateOption);
        if (chosen.isPresent()) {
            return chosen.get();
        }
        Path folder = migrationFile.toAbsolutePath().normalize().getParent().resolve(".ferry");
        Path own = folder.resolve(file.name()).resolve("state.json");
        Path legacy = folder.resolve("state.json");
        if (!Files.exists(own) && Files.exists(legacy)) {
            adoptLegacy(file, legacy, own, err);
        }
        return own;
    }

    private Optional<Path> chosenStatePath(Optional<String> stateOption) {
        return stateOption.or(() -> environment.variable("FERRY_STATE")).filter(s -> !RemoteStateLocation.isRemote(s))
                .map(environment::resolve);
    }

    /**
     * Moves the folder-wide {@code .ferry/state.json} of an older ferry (and its backup) to the state of
     * {@code file}, recording the file's name in it, unless it already names another migration.
     */
    private static void adoptLegacy(MigrationFile file, Path legacy, Path own, PrintWriter err) {
        try (StateLock lock = StateLock.acquire(lockFile(legacy), "adopt state")) {
            Optional<State> old = new FileStateStore(legacy).read();
            if (old.isEmpty() || (old.get().migration().isPresent() && !old.get().migration().get().equals(file.name()))) {
                return;
            }
            new FileStateStore(own).write(old.get().withMigration(file.name()));
            Path oldBackup = legacy.resolveSibling(legacy.getFileName() + ".backup");
            if (Files.exists(oldBackup)) {
                Files.move(oldBackup, own.resolveSibling(own.getFileName() + ".backup"), StandardCopyOption.ATOMIC_MOVE);
            }
            Files.delete(legacy);
            err.println("Warning: " + legacy + " was written by an older ferry, which kept one state for every migration file in"
                    + " the folder. It now belongs to '" + file.name() + "' (metadata.name of " + file.displayName() + ") and is kept at "
                    + own + ". If its resources belong to another file of this folder, move it to that file's .ferry/NAME/state.json.");
            err.flush();
        } catch (IOException e) {
            throw new FerryException("cannot move the state " + legacy + " to " + own + ": " + e.getMessage());
        }
    }

    /**
     * The state of {@code opened} under its lock: a new one (not yet written) when there is none, and
     * refused when it belongs to another migration file. State without a migration name (an older
     * ferry's) is adopted: the name is recorded in it at once, with a warning.
     */
    static Optional<State> readOwnState(Opened opened, PrintWriter err) {
        StateStore store = opened.store();
        Optional<State> stored = store.read();
        if (stored.isEmpty()) {
            return stored;
        }
        String name = opened.file().name();
        State state = stored.get();
        if (state.migration().isEmpty()) {
            state = state.withMigration(name);
            store.write(state);
            err.println("Warning: the state " + opened.stateName() + " did not say which migration it belongs to (an older ferry wrote"
                    + " it); it is now recorded as the state of '" + name + "' (" + opened.file().displayName() + ").");
            err.flush();
            return Optional.of(state);
        }
        checkBelongs(state, opened.file(), opened.stateName());
        return stored;
    }

    /** Refuses a state recorded for another migration file than {@code file}. */
    static void checkBelongs(State state, MigrationFile file, String stateFile) {
        if (state.migration().isPresent() && !state.migration().get().equals(file.name())) {
            throw new FerryException("the state " + stateFile + " belongs to the migration '" + state.migration().get() + "', not to '"
                    + file.name() + "' (metadata.name of " + file.displayName() + "); nothing was changed. Each migration file keeps its own"
                    + " state: drop --state (and FERRY_STATE) to use .ferry/" + file.name() + "/state.json beside the file, or give"
                    + " this file a state of its own with --state FILE");
        }
    }

    /** The state of {@code opened}, or a new empty one for it (not yet written) when there is none. */
    static State readState(Opened opened, PrintWriter err) {
        return readOwnState(opened, err).orElseGet(() -> State.empty().withMigration(opened.file().name()));
    }

    /**
     * Writes {@code state} with its serial one higher, for the commands that change the state by hand (import,
     * state rm, state mv; the caller holds the lock): the state as it was is kept first as
     * {@code state.json.backup}, whose path is returned (empty when there was no state before).
     */
    static Optional<String> writeState(StateBackend backend, State state) {
        StateStore store = backend.store();
        boolean existed = store.read().isPresent();
        store.write(state.withSerial(state.serial() + 1));
        if (!existed) {
            return Optional.empty();
        }
        return Optional.of(store instanceof FileStateStore file ? file.path().resolveSibling(file.path().getFileName() + ".backup").toString()
                : "the bucket's earlier object version (if versioning is on)");
    }

    /** A plan saved with {@code ferry plan -out}, checked against its digest (apply, show). */
    Plan savedPlan(String path) {
        try {
            return PlanCodec.decode(Files.readAllBytes(environment.resolve(path)), path);
        } catch (NoSuchFileException e) {
            throw new FerryException(path + ": no such saved plan");
        } catch (IOException e) {
            throw new FerryException(path + ": cannot be read: " + e.getMessage());
        }
    }

    /** Saves {@code plan} for {@code ferry apply PLANFILE}: readable by its owner only, written whole or not at all. */
    void savePlan(Plan plan, String path) {
        Path target = environment.resolve(path);
        try {
            Path absolute = target.toAbsolutePath();
            Path temporary = absolute.resolveSibling("." + absolute.getFileName() + ".tmp");
            Files.deleteIfExists(temporary);
            Files.createFile(temporary, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.write(temporary, PlanCodec.encode(plan, PlanCodec.Flavour.SAVED));
            Files.move(temporary, absolute, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new FerryException("cannot save the plan to " + path + ": " + e.getMessage());
        }
    }

    /**
     * What {@code file} needs the clouds to allow, per provider: its resources' calls, and the remote state's (that of
     * {@code --state} or FERRY_STATE when it names one, else the file's). Reads nothing but the file.
     */
    List<PermissionDocument> permissions(MigrationFile file, Optional<String> stateOption) {
        Optional<String> chosen = stateOption.or(() -> environment.variable("FERRY_STATE"));
        Optional<RemoteStateLocation> state = chosen.isPresent()
                ? chosen.filter(RemoteStateLocation::isRemote).map(RemoteStateLocation::parse)
                        .map(parsed -> file.remoteState().filter(r -> r.bucket().equals(parsed.bucket()))
                                .map(r -> new RemoteStateLocation(parsed.scheme(), parsed.bucket(), parsed.key(), r.region())).orElse(parsed))
                : file.remoteState();
        List<Provider> sorted = providers.values().stream().sorted(java.util.Comparator.comparing(Provider::name)).toList();
        return RequiredPermissions.of(file, expand(file), state, sorted);
    }

    /** Expands {@code file} from the file alone: a road the file leaves open takes its default. */
    Configuration expand(MigrationFile file) {
        return expand(file, Lookahead.NONE);
    }

    /** Expands {@code file}; {@code lookahead} reads the source facts and the state that decide a road the file leaves open. */
    Configuration expand(MigrationFile file, Lookahead lookahead) {
        return new Expansion(providers.values()).expand(file, lookahead);
    }

    SecretResolver secrets(MigrationFile file) {
        return new EnvironmentSecretResolver(environment.variables(), file.directory());
    }

    /**
     * Resolves every secret {@code file} refers to, before anything connects to a cloud: each one that
     * cannot be had (a variable not set, a file missing or unreadable), or whose value the cloud it goes to
     * would refuse (a root password too weak for Linode), is printed to {@code err} as {@code FILE:LINE:COLUMN}
     * with what to do, and then this fails. Returns the resolved values, for the apply.
     */
    SecretResolver checkSecrets(MigrationFile file, PrintWriter err) {
        SecretResolver resolver = secrets(file);
        SecretCheck check = SecretCheck.of(file, resolver, providers.values().stream().flatMap(p -> p.sectionKinds().stream()).toList());
        for (Diagnostic problem : check.problems()) {
            err.println(problem.render());
        }
        err.flush();
        if (!check.ok()) {
            throw new FerryException(check.summary(file.displayName()));
        }
        return check.resolver(resolver);
    }

    /** Connects every provider the file declares; closes them all when closed. */
    Sessions connect(MigrationFile file) {
        List<ProviderSession> sessions = new ArrayList<>();
        SecretResolver secrets = secrets(file);
        try {
            // the engine's own steps (verify.NAME) beside the providers'
            sessions.add(new VerificationSession(environment.variables()));
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
