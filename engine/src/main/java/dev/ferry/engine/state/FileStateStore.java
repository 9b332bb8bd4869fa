package dev.ferry.engine.state;

import static java.util.Objects.requireNonNull;

import dev.ferry.engine.FerryException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * State in files beside the migration file: {@code .ferry/NAME/state.json} (the manifest) and {@code .ferry/NAME/state.d/}
 * ({@code _shared.json}, {@code migrations/MIGRATION.json}), kept as {@link PartitionedStateStore} says. Each file is written
 * atomically: the new content goes to a temporary file in the same folder, is forced to disk, then renamed over the old
 * one and the folder is forced too. A kill at any moment leaves each file old or new, never torn. The files are readable
 * by their owner only (they name every resource ferry made). Before a run's first write, the whole state as it was is
 * kept as {@code state.json.backup}.
 */
public final class FileStateStore implements StateStore {

    private static final AtomicLong TEMPORARY = new AtomicLong();
    /** How long a write of the shared object waits for another run's write of it (each takes milliseconds). */
    private static final java.time.Duration HOLD_WAIT = java.time.Duration.ofSeconds(30);

    private final Path path;
    private final Path parts;
    private final PartitionedStateStore store;

    public FileStateStore(Path path) {
        this.path = requireNonNull(path, "path is null").toAbsolutePath().normalize();
        this.parts = partsFolder(this.path);
        this.store = new PartitionedStateStore(new StateFiles(), parts.getFileName() + "/", this.path.toString());
    }

    /** The folder of the parts of the state at {@code stateFile}: {@code state.d} beside {@code state.json}. */
    public static Path partsFolder(Path stateFile) {
        return stateFile.resolveSibling(stateFile.getFileName().toString().replaceAll("\\.json$", "") + ".d");
    }

    public Path path() {
        return path;
    }

    public Path backup() {
        return path.resolveSibling(path.getFileName() + ".backup");
    }

    @Override
    public Optional<State> read() {
        try {
            return store.read();
        } catch (StateCodec.StateFormatException e) {
            Path backup = backup();
            if (!java.nio.file.Files.isRegularFile(backup) || e.getMessage().contains("newer ferry")) {
                throw e;
            }
            throw new StateCodec.StateFormatException(e.getMessage() + ". The state as it was before the last run's first change is in "
                    + backup + ": check it and, if no ferry is running, copy it over " + path.getFileName() + " to go back to it");
        }
    }

    @Override
    public void write(State state) {
        store.write(state);
    }

    @Override
    public void writePart(StatePart part) {
        store.writePart(part);
    }

    @Override
    public boolean hasParts() {
        return store.hasParts();
    }

    /** The state's objects as files: the manifest at {@code path}, the parts below {@code parts}. */
    private final class StateFiles implements StateObjects {
        private Path file(String name) {
            return name.equals(PartitionedStateStore.MANIFEST) ? path : parts.resolve(name);
        }

        @Override
        public Optional<byte[]> read(String name) {
            Path file = file(name);
            try {
                return Optional.of(java.nio.file.Files.readAllBytes(file));
            } catch (NoSuchFileException e) {
                return Optional.empty();
            } catch (IOException e) {
                throw new FerryException("cannot read the state file " + file + ": " + e.getMessage());
            }
        }

        @Override
        public List<String> parts() {
            List<String> names = new ArrayList<>();
            if (java.nio.file.Files.isRegularFile(parts.resolve(PartitionedStateStore.SHARED))) {
                names.add(PartitionedStateStore.SHARED);
            }
            Path migrations = parts.resolve(PartitionedStateStore.MIGRATIONS);
            if (java.nio.file.Files.isDirectory(migrations)) {
                try (DirectoryStream<Path> listing = java.nio.file.Files.newDirectoryStream(migrations, "[!.]*.json")) {
                    listing.forEach(file -> names.add(PartitionedStateStore.MIGRATIONS + file.getFileName()));
                } catch (IOException e) {
                    throw new FerryException("cannot list the state folder " + migrations + ": " + e.getMessage());
                }
            }
            return names;
        }

        @Override
        public void write(String name, byte[] bytes) {
            writeAtomically(file(name), bytes);
        }

        /** A lock file beside the object ({@code _shared.json.lock}), waited for while another run holds it. */
        @Override
        public AutoCloseable hold(String name) {
            Path lock = file(name).resolveSibling(file(name).getFileName() + ".lock");
            long deadline = System.nanoTime() + HOLD_WAIT.toNanos();
            while (true) {
                try {
                    return StateLock.acquire(lock, "write " + name);
                } catch (FerryException e) {
                    if (System.nanoTime() > deadline) {
                        throw new FerryException("waited " + HOLD_WAIT.toSeconds() + " s to write " + file(name) + ": " + e.getMessage());
                    }
                }
                try {
                    Thread.sleep(2 + java.util.concurrent.ThreadLocalRandom.current().nextInt(10));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new FerryException("stopped while waiting to write " + file(name));
                }
            }
        }

        @Override
        public void backUp(byte[] bytes) {
            writeAtomically(backup(), bytes);
        }

        @Override
        public String describe(String name) {
            return file(name).toString();
        }
    }

    /** Writes {@code file} whole: a temporary file beside it, forced to disk, renamed over it, the folder forced. */
    static void writeAtomically(Path file, byte[] bytes) {
        Path directory = file.getParent();
        Path temporary = directory.resolve("." + file.getFileName() + ".tmp-" + ProcessHandle.current().pid() + "-" + TEMPORARY.incrementAndGet());
        try {
            ensureDirectory(directory);
            java.nio.file.Files.createFile(temporary, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.WRITE)) {
                ByteBuffer buffer = ByteBuffer.wrap(bytes);
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
                channel.force(true);
            }
            try {
                java.nio.file.Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new FerryException("the file system of " + directory + " cannot rename atomically; keep state on a local disk");
            }
            forceDirectory(directory);
        } catch (IOException e) {
            try {
                java.nio.file.Files.deleteIfExists(temporary);
            } catch (IOException ignored) {
                // the temporary file is named as ours; a later run may remove it
            }
            throw new FerryException("cannot write the state file " + file + ": " + e.getMessage()
                    + " (ferry stops here so that nothing is done without being recorded)");
        }
    }

    static void ensureDirectory(Path directory) throws IOException {
        if (!java.nio.file.Files.isDirectory(directory)) {
            try {
                java.nio.file.Files.createDirectories(directory, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            } catch (FileAlreadyExistsException e) {
                throw new FerryException(directory + " exists but is not a directory");
            }
        }
    }

    private static void forceDirectory(Path directory) {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException e) {
            // Some file systems cannot sync a directory; the rename itself is still atomic.
        }
    }

    @Override
    public String describe() {
        return path.toString();
    }
}
