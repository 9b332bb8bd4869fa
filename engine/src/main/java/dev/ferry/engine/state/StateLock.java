package dev.ferry.engine.state;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.ferry.engine.FerryException;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Keeps two ferry runs from changing the same state: a lock file ({@code .ferry/NAME/state.lock}) made
 * with an atomic create-if-absent, holding who holds it. A second run fails at once naming the
 * holder. A lock left by a process that no longer runs on this machine (killed with -9) is taken
 * over with a warning; any other lock can be removed with {@code ferry force-unlock ID}.
 */
public final class StateLock implements StateBackend.Lock {

    /** What the lock file says. */
    public record Info(String id, String holder, long pid, String host, String operation, Instant created,
                       Optional<Instant> processStarted) {
        public Info {
            processStarted = processStarted == null ? Optional.empty() : processStarted;
        }
    }

    private final Path path;
    private final Info info;
    private final Optional<Info> takenOver;
    /** The directory this lock had to create ({@code .ferry/}), removed with the lock if nothing else went in. */
    private final Optional<Path> createdDirectory;
    /** Releases the lock when the process is stopped (SIGTERM, or Ctrl-C where nothing handles it) before close. */
    private final Thread releaseOnExit;
    private boolean released;

    /** A lock refused because another run holds it (or a conflicting one): waiting and trying again may succeed. */
    public static final class Held extends FerryException {
        private final Optional<Info> holder;

        public Held(String message) {
            this(message, Optional.empty());
        }

        public Held(String message, Optional<Info> holder) {
            super(message);
            this.holder = holder;
        }

        /** Who holds the whole-state lock, when that lock is what refused this run (not shard locks). */
        public Optional<Info> wholeHolder() {
            return holder;
        }
    }

    private StateLock(Path path, Info info, Optional<Info> takenOver, Optional<Path> createdDirectory) {
        this.path = path;
        this.info = info;
        this.takenOver = takenOver;
        this.createdDirectory = createdDirectory;
        this.releaseOnExit = new Thread(this::release, "ferry-release-lock");
        Runtime.getRuntime().addShutdownHook(releaseOnExit);
    }

    @Override
    public Info info() {
        return info;
    }

    /** The stale lock this one replaced, if any (the caller says so to the user). */
    @Override
    public Optional<Info> takenOver() {
        return takenOver;
    }

    /**
     * Takes the lock at {@code path} for {@code operation} ({@code "apply"}).
     *
     * @throws FerryException when another live process holds it
     */
    public static StateLock acquire(Path path, String operation) {
        return acquire(path, operation, Optional.empty());
    }

    /**
     * Takes the lock of {@code scope} on the state whose whole-state lock is {@code lockFile} ({@code state.lock}): that
     * file itself, or {@code state.lock.d/shard-I-of-N.lock} beside it, then checks the others as {@link LockScope}
     * says, releasing its own and refusing on a conflict. Locks of processes gone from this machine are removed.
     */
    public static StateLock acquire(Path lockFile, String operation, LockScope scope) {
        requireNonNull(scope, "scope is null");
        Path shards = shardDirectory(lockFile);
        StateLock mine;
        try {
            mine = scope.whole() ? acquire(lockFile, operation) : acquire(shards.resolve(scope.name() + ".lock"), operation, Optional.of(shards));
        } catch (Held e) {
            throw scope.whole() ? e : new Held(e.getMessage());
        }
        Optional<Info> whole = Optional.empty();
        Optional<String> conflict;
        try {
            whole = scope.whole() ? Optional.empty() : live(lockFile);
            conflict = scope.conflict(whole, liveShards(shards, mine.info));
        } catch (RuntimeException e) {
            mine.close();
            throw e;
        }
        if (conflict.isPresent()) {
            mine.close();
            throw new Held(conflict.get(), whole);
        }
        return mine;
    }

    /** Where the shard locks of the state locked by {@code lockFile} are: {@code state.lock.d/} beside it. */
    public static Path shardDirectory(Path lockFile) {
        return lockFile.resolveSibling(lockFile.getFileName() + ".d");
    }

    /** How often a lock that is there but did not read is read again before it counts as unreadable. */
    private static final int REREADS = 4;

    /** The lock at {@code path} when a live process holds it; a stale one is removed. */
    private static Optional<Info> live(Path path) {
        for (int read = 0; ; read++) {
            Optional<Info> holder = read(path);
            if (holder.isPresent() && isStale(holder.get())) {
                deleteIfSame(path, holder.get());
                return Optional.empty();
            }
            if (holder.isPresent() || !Files.exists(path, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                return holder;
            }
            // There, but it did not read: locks are linked into place whole, so it was taken between the read and this
            // look (a shard moving the state to parts, for a moment), and reads now. Only a lock that keeps failing to
            // read (left half-written by an older ferry) is reported as such, held by someone.
            if (read == REREADS) {
                return Optional.of(new Info("unknown", "an unreadable lock " + path, 0, "", "?", Instant.EPOCH, Optional.empty()));
            }
        }
    }

    /** The shard locks in {@code directory} held by live processes, but {@code own}; stale ones are removed. */
    private static java.util.Map<LockScope, Info> liveShards(Path directory, Info own) {
        java.util.Map<LockScope, Info> found = new java.util.TreeMap<>(java.util.Comparator.comparing(LockScope::count)
                .thenComparing(LockScope::index));
        for (java.util.Map.Entry<LockScope, Path> lock : shardLocks(directory).entrySet()) {
            live(lock.getValue()).filter(info -> !info.id().equals(own.id())).ifPresent(info -> found.put(lock.getKey(), info));
        }
        return found;
    }

    /** The shard lock files in {@code directory} ({@code shard-I-of-N.lock}; temporary files aside). */
    private static java.util.Map<LockScope, Path> shardLocks(Path directory) {
        java.util.Map<LockScope, Path> found = new java.util.HashMap<>();
        try (java.util.stream.Stream<Path> files = Files.list(directory)) {
            files.forEach(file -> {
                String name = file.getFileName().toString();
                if (name.endsWith(".lock")) {
                    LockScope.ofName(name.substring(0, name.length() - ".lock".length())).ifPresent(scope -> found.put(scope, file));
                }
            });
        } catch (NoSuchFileException e) {
            return found;
        } catch (IOException e) {
            throw new FerryException("cannot read the shard locks in " + directory + ": " + e.getMessage());
        }
        return found;
    }

    /** Tries to create a lock file that keeps being replaced or released under it, before giving up. */
    private static final int ATTEMPTS = 8;

    private static StateLock acquire(Path path, String operation, Optional<Path> removeWhenEmpty) {
        requireNonNull(path, "path is null");
        Info mine = mine(operation);
        Optional<Info> replaced = Optional.empty();
        Optional<Path> created = Optional.empty();
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            try {
                if (!Files.isDirectory(path.getParent())) {
                    Path highestMissing = path.getParent();
                    while (highestMissing.getParent() != null && !Files.exists(highestMissing.getParent())) {
                        highestMissing = highestMissing.getParent();
                    }
                    FileStateStore.ensureDirectory(path.getParent());
                    if (created.isEmpty() || created.get().startsWith(highestMissing)) {
                        created = Optional.of(highestMissing);
                    }
                }
                createWhole(path, StateCodec.MAPPER.writeValueAsBytes(mine));
                return new StateLock(path, mine, replaced, created.or(() -> removeWhenEmpty));
            } catch (NoSuchFileException e) {
                // the folder of shard locks was removed by the last shard leaving it, meanwhile: made again
                continue;
            } catch (FileAlreadyExistsException e) {
                Optional<Info> holder = read(path);
                if (holder.isPresent() && isStale(holder.get())) {
                    replaced = holder;
                    deleteIfSame(path, holder.get());
                    continue;
                }
                if (holder.isEmpty() && attempt < ATTEMPTS - 1) {
                    // released between our create and our read (another run finished just then, and maybe a third
                    // took it): try again; a lock that stays unreadable is reported below
                    continue;
                }
                throw new Held(holder.map(StateLock::heldMessage)
                        .orElse("the state is locked (" + path + "), and the lock cannot be read; if no ferry is running, delete that file"),
                        holder);
            } catch (IOException e) {
                removeIfEmpty(path.getParent(), created);
                throw new FerryException("cannot create the state lock " + path + ": " + e.getMessage());
            } catch (FerryException e) {
                removeIfEmpty(path.getParent(), created);
                throw e;
            }
        }
        throw new FerryException("cannot take the state lock " + path + ": it keeps changing; is another ferry starting?");
    }

    /**
     * Creates {@code path} holding {@code content}, or fails with {@link FileAlreadyExistsException}: the content is
     * written to a private file first and then linked into place, so the lock never exists half-written (a run
     * killed between creating the file and writing it left an empty lock that nobody could read or take over).
     */
    private static void createWhole(Path path, byte[] content) throws IOException {
        Path written = path.resolveSibling(path.getFileName() + "." + ProcessHandle.current().pid() + "-" + Thread.currentThread().getId() + ".tmp");
        Files.deleteIfExists(written);
        try {
            Files.write(Files.createFile(written, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))),
                    content);
            Files.createLink(path, written);
        } finally {
            Files.deleteIfExists(written);
        }
    }

    /**
     * Removes the lock with {@code id} of the state locked by {@code lockFile}: the whole-state lock, or one of the shard
     * locks beside it, whoever holds it; for a lock left by a process that is gone.
     */
    public static Info forceUnlockAny(Path lockFile, String id) {
        java.util.Map<LockScope, Path> shards = shardLocks(shardDirectory(lockFile));
        if (shards.isEmpty() || Files.exists(lockFile, java.nio.file.LinkOption.NOFOLLOW_LINKS)
                && read(lockFile).map(info -> info.id().equals(id)).orElse(false)) {
            return forceUnlock(lockFile, id);
        }
        List<String> held = new java.util.ArrayList<>();
        read(lockFile).ifPresent(info -> held.add(info.id() + " (the whole state, " + info.holder() + ", pid " + info.pid() + ")"));
        for (java.util.Map.Entry<LockScope, Path> shard : shards.entrySet()) {
            Optional<Info> holder = read(shard.getValue());
            if (holder.isPresent() && holder.get().id().equals(id)) {
                return forceUnlock(shard.getValue(), id);
            }
            holder.ifPresent(info -> held.add(info.id() + " (" + shard.getKey().describe() + ", " + info.holder() + ", pid " + info.pid() + ")"));
        }
        held.sort(null);
        throw new FerryException("no lock of the state has the id " + id + "; nothing was unlocked. The locks held are: "
                + String.join("; ", held) + ". Check that the holder is really gone before removing its lock");
    }

    /** Removes the lock with {@code id}, whoever holds it; for a lock left by a process that is gone. */
    public static Info forceUnlock(Path path, String id) {
        if (!Files.exists(path, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            throw new FerryException("the state is not locked (no " + path + ")");
        }
        Info holder = read(path).orElseThrow(() -> new FerryException("the lock " + path + " is there but cannot be read, so it"
                + " names no lock id to check; nothing was unlocked. If no ferry is running, delete that file"));
        if (!holder.id().equals(id)) {
            throw new FerryException("the lock id is " + holder.id() + ", not " + id + "; nothing was unlocked."
                    + " Check that the holder (" + holder.holder() + ", pid " + holder.pid() + ") is really gone");
        }
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            throw new FerryException("cannot remove the lock " + path + ": " + e.getMessage());
        }
        return holder;
    }

    public static Optional<Info> read(Path path) {
        try {
            return Optional.of(StateCodec.MAPPER.readValue(Files.readAllBytes(path), Info.class));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (JsonProcessingException e) {
            return Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** A new lock's content for {@code operation}: this process, this machine, now. */
    public static Info mine(String operation) {
        ProcessHandle self = ProcessHandle.current();
        return new Info(UUID.randomUUID().toString(), System.getProperty("user.name", "unknown") + "@" + hostName(),
                self.pid(), hostName(), operation, Instant.now(), self.info().startInstant());
    }

    /** "the state is locked by HOLDER (pid, operation, since); wait, or force-unlock ID". */
    public static String heldMessage(Info holder) {
        return "the state is locked by " + holder.holder() + " (pid " + holder.pid() + ", running 'ferry " + holder.operation()
                + "' since " + holder.created() + "). Wait for it to finish. If that process is gone, run: ferry force-unlock "
                + holder.id();
    }

    /** A lock from this machine whose process is no longer running (or is another process with the same pid). */
    public static boolean isStale(Info holder) {
        if (!holder.host().equals(hostName())) {
            return false;
        }
        Optional<ProcessHandle> process = ProcessHandle.of(holder.pid());
        if (process.isEmpty() || !process.get().isAlive()) {
            return true;
        }
        Optional<Instant> started = process.get().info().startInstant();
        return holder.processStarted().isPresent() && started.isPresent() && !holder.processStarted().equals(started);
    }

    private static void deleteIfSame(Path path, Info expected) {
        Optional<Info> current = read(path);
        if (current.isPresent() && current.get().id().equals(expected.id())) {
            try {
                Files.deleteIfExists(path);
            } catch (IOException e) {
                throw new FerryException("cannot remove the stale lock " + path + ": " + e.getMessage());
            }
        }
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "localhost";
        }
    }

    @Override
    public void close() {
        try {
            Runtime.getRuntime().removeShutdownHook(releaseOnExit);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running, or about to: it releases the lock too
        }
        release();
    }

    private synchronized void release() {
        if (released) {
            return;
        }
        released = true;
        Optional<Info> current = read(path);
        if (current.isPresent() && current.get().id().equals(info.id())) {
            try {
                Files.deleteIfExists(path);
            } catch (IOException e) {
                // Left behind, it is recognised as stale by the next run on this machine.
            }
        }
        // A plan of a file never applied leaves no empty .ferry/ behind.
        removeIfEmpty(path.getParent(), createdDirectory);
    }

    /** Removes {@code directory} and its parents up to {@code created} (which this lock made), while they are empty. */
    private static void removeIfEmpty(Path directory, Optional<Path> created) {
        if (created.isEmpty()) {
            return;
        }
        for (Path current = directory; current != null && current.startsWith(created.get()); current = current.getParent()) {
            try {
                Files.deleteIfExists(current);
            } catch (IOException notEmpty) {
                return; // the state (or anything else) went in: it stays
            }
        }
    }
}
