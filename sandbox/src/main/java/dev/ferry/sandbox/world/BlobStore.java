package dev.ferry.sandbox.world;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

import static java.util.Objects.requireNonNull;

/**
 * The files that hold stored bytes (S3 objects, parts, container wrappers), under a directory the
 * sandbox owns. Files are counted by the blobs that refer to them and deleted when the last goes;
 * files outside the directory (the disk image cache, a world's own image files) are never deleted.
 */
public final class BlobStore implements AutoCloseable {

    private final Path directory;
    private final boolean deleteOnClose;
    private final Map<String, Integer> references = new HashMap<>();

    public BlobStore(Path directory, boolean deleteOnClose) {
        this.directory = requireNonNull(directory, "directory is null").toAbsolutePath();
        this.deleteOnClose = deleteOnClose;
        try {
            Files.createDirectories(this.directory);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the sandbox's storage directory " + directory, e);
        }
    }

    public Path directory() {
        return directory;
    }

    /** A fresh file name in the store (not yet created, not yet counted). */
    public Path newFile() {
        return directory.resolve(UUID.randomUUID().toString());
    }

    /** Writes a small file (container headers and footers) and returns it as a blob. */
    public Blob writeSmall(byte[] bytes) {
        Path file = newFile();
        try {
            Files.write(file, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Blob.ofFile(file);
    }

    public synchronized void retain(Blob blob) {
        for (BlobSegment segment : blob.segments()) {
            if (owned(segment)) {
                references.merge(segment.path(), 1, Integer::sum);
            }
        }
    }

    public synchronized void release(Blob blob) {
        for (BlobSegment segment : blob.segments()) {
            if (!owned(segment)) {
                continue;
            }
            Integer count = references.get(segment.path());
            if (count == null || count <= 1) {
                references.remove(segment.path());
                deleteQuietly(Path.of(segment.path()));
            } else {
                references.put(segment.path(), count - 1);
            }
        }
    }

    /** Deletes a file that never became part of a stored blob (an upload that failed). */
    public void discard(Path file) {
        deleteQuietly(file);
    }

    private boolean owned(BlobSegment segment) {
        return segment.path() != null && Path.of(segment.path()).startsWith(directory);
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // A leftover file in a directory that is removed on close at the latest.
        }
    }

    @Override
    public void close() {
        if (!deleteOnClose) {
            return;
        }
        try {
            if (Files.exists(directory)) {
                Files.walkFileTree(directory, new SimpleFileVisitor<>() {
                    @Override
                    public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                        Files.deleteIfExists(file);
                        return FileVisitResult.CONTINUE;
                    }

                    @Override
                    public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
                        Files.deleteIfExists(dir);
                        return FileVisitResult.CONTINUE;
                    }
                });
            }
        } catch (IOException e) {
            // Best effort: a temporary directory.
        }
    }
}
