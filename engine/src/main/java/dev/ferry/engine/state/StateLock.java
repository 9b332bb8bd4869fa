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
        requireNonNull(path, "path is null");
        Info mine = mine(operation);
        Optional<Info> replaced = Optional.empty();
        Optional<Path> created = Optional.empty();
        for (int attempt = 0; attempt < 3; attempt++) {
            try {
                if (created.isEmpty() && !Files.isDirectory(path.getParent())) {
                    Path highestMissing = path.getParent();
                    while (highestMissing.getParent() != null && !Files.exists(highestMissing.getParent())) {
                        highestMissing = highestMissing.getParent();
                    }
                    FileStateStore.ensureDirectory(path.getParent());
                    created = Optional.of(highestMissing);
                }
                createWhole(path, StateCodec.MAPPER.writeValueAsBytes(mine));
                return new StateLock(path, mine, replaced, created);
            } catch (FileAlreadyExistsException e) {
                Optional<Info> holder = read(path);
                if (holder.isPresent() && isStale(holder.get())) {
                    replaced = holder;
                    deleteIfSame(path, holder.get());
                    continue;
                }
                throw new FerryException(holder.map(StateLock::heldMessage)
                        .orElse("the state is locked (" + path + "), and the lock cannot be read; if no ferry is running, delete that file"));
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
        Path written = path.resolveSibling(path.getFileName() + "." + ProcessHandle.current().pid() + ".tmp");
        Files.deleteIfExists(written);
        try {
            Files.write(Files.createFile(written, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))),
                    content);
            Files.createLink(path, written);
        } finally {
            Files.deleteIfExists(written);
        }
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
    private static boolean isStale(Info holder) {
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
