package dev.ferry.engine.state;

import static java.util.Objects.requireNonNull;

import dev.ferry.engine.FerryException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * State in a file ({@code .ferry/NAME/state.json} next to the migration file), written atomically: the
 * new content goes to a temporary file in the same folder, is forced to disk, then renamed over the
 * old one and the folder is forced too. A kill at any moment leaves either the old or the new state,
 * never a torn one. The file is readable by its owner only (it names every resource ferry made).
 */
public final class FileStateStore implements StateStore {

    private static final AtomicLong TEMPORARY = new AtomicLong();

    private final Path path;
    private boolean backedUp;

    public FileStateStore(Path path) {
        this.path = requireNonNull(path, "path is null").toAbsolutePath().normalize();
    }

    public Path path() {
        return path;
    }

    @Override
    public Optional<State> read() {
        try {
            return Optional.of(StateCodec.decode(Files.readAllBytes(path), path.toString()));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new FerryException("cannot read the state file " + path + ": " + e.getMessage());
        }
    }

    @Override
    public synchronized void writeEncoded(byte[] bytes) {
        Path directory = path.getParent();
        Path temporary = directory.resolve("." + path.getFileName() + ".tmp-" + ProcessHandle.current().pid() + "-" + TEMPORARY.incrementAndGet());
        try {
            ensureDirectory(directory);
            backUpOnce();
            Files.createFile(temporary, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.WRITE)) {
                ByteBuffer buffer = ByteBuffer.wrap(bytes);
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
                channel.force(true);
            }
            try {
                Files.move(temporary, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new FerryException("the file system of " + directory + " cannot rename atomically; keep state on a local disk");
            }
            forceDirectory(directory);
        } catch (IOException e) {
            try {
                Files.deleteIfExists(temporary);
            } catch (IOException ignored) {
                // the temporary file is named as ours; a later run may remove it
            }
            throw new FerryException("cannot write the state file " + path + ": " + e.getMessage()
                    + " (ferry stops here so that nothing is done without being recorded)");
        }
    }

    /** Keeps the state as it was before this run's first write, as {@code state.json.backup}. */
    private void backUpOnce() throws IOException {
        if (backedUp) {
            return;
        }
        backedUp = true;
        if (Files.exists(path)) {
            Path backup = path.resolveSibling(path.getFileName() + ".backup");
            Path temporary = path.resolveSibling("." + path.getFileName() + ".backup.tmp-" + ProcessHandle.current().pid());
            Files.copy(path, temporary, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.COPY_ATTRIBUTES);
            Files.move(temporary, backup, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    static void ensureDirectory(Path directory) throws IOException {
        if (!Files.isDirectory(directory)) {
            try {
                Files.createDirectories(directory, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
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
