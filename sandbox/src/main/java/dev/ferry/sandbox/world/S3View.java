package dev.ferry.sandbox.world;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/** What tests may see of S3: buckets, objects and their bytes, uploads in progress; and buckets and objects to set up. */
public final class S3View {

    private final World world;

    S3View(World world) {
        this.world = requireNonNull(world, "world is null");
    }

    public List<Bucket> buckets() {
        return world.read(w -> List.copyOf(w.s3().buckets().values()));
    }

    public Optional<Bucket> bucket(String name) {
        return world.read(w -> Optional.ofNullable(w.s3().buckets().get(name)));
    }

    public List<S3Object> objects(String bucket) {
        return world.read(w -> w.s3().buckets().containsKey(bucket) ? List.copyOf(w.s3().objects(bucket).values())
                : List.of());
    }

    public Optional<S3Object> object(String bucket, String key) {
        return world.read(w -> Optional.ofNullable(w.s3().buckets().containsKey(bucket)
                ? w.s3().objects(bucket).get(key) : null));
    }

    /** The bytes of an object, as a stream (the object's files stay until the stream is read or closed). */
    public InputStream openObject(String bucket, String key) {
        S3Object object = object(bucket, key).orElseThrow(() -> new IllegalArgumentException(
                "no object s3://" + bucket + "/" + key));
        return object.blob().open();
    }

    /** The SHA-256 (hex) of an object's bytes. */
    public String objectSha256(String bucket, String key) {
        try (InputStream in = openObject(bucket, key)) {
            java.security.MessageDigest sha = java.security.MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[64 * 1024];
            int n;
            while ((n = in.read(buffer)) >= 0) {
                sha.update(buffer, 0, n);
            }
            return HexFormat.of().formatHex(sha.digest());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public List<MultipartUpload> multipartUploads() {
        return world.read(w -> List.copyOf(w.s3().uploads().values()));
    }

    // ---- mutators for tests ----

    /**
     * Creates a bucket in the sandbox's region directly.
     *
     * @param objectOwnership {@code BucketOwnerEnforced}, {@code BucketOwnerPreferred} or {@code ObjectWriter}
     */
    public void createBucket(String name, String objectOwnership) {
        world.writeAndForget(w -> {
            if (w.s3().buckets().containsKey(name)) {
                throw new IllegalArgumentException("bucket " + name + " exists");
            }
            w.s3().buckets().put(name, new Bucket(name, w.region(), w.now(), objectOwnership, null,
                    List.of(new Grant("CanonicalUser", w.canonicalUserId(), "sandbox", null, "FULL_CONTROL"))));
        });
    }

    /** Stores a copy of a file as an object (a disk image to import, for instance). */
    public void putObject(String bucket, String key, Path file) {
        Path copy = world.blobs().newFile();
        try {
            Files.copy(file, copy, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Blob blob = Blob.ofFile(copy);
        world.writeAndForget(w -> {
            if (!w.s3().buckets().containsKey(bucket)) {
                w.blobs().discard(copy);
                throw new IllegalArgumentException("no bucket " + bucket);
            }
            w.s3().putObject(new S3Object(bucket, key, blob.size(), S3State.multipartEtag(key, blob.size()), w.now(),
                    "application/octet-stream", Map.of(), Map.of(), blob));
        });
    }

    /** Stores bytes as an object. */
    public void putObject(String bucket, String key, byte[] bytes) {
        Blob blob = world.blobs().writeSmall(bytes);
        world.writeAndForget(w -> {
            if (!w.s3().buckets().containsKey(bucket)) {
                w.blobs().release(blob);
                throw new IllegalArgumentException("no bucket " + bucket);
            }
            w.s3().putObject(new S3Object(bucket, key, blob.size(), S3State.multipartEtag(key, blob.size()), w.now(),
                    "application/octet-stream", Map.of(), Map.of(), blob));
        });
    }
}
