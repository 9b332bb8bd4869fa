package dev.ferry.sandbox.world;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static java.util.Objects.requireNonNull;

/**
 * S3's buckets, objects and multipart uploads, and the holds they keep on their blobs. The maps are live: use them
 * only inside {@link World#read}/{@link World#write}.
 */
public final class S3State {

    final Map<String, Bucket> buckets = new TreeMap<>();
    final Map<String, TreeMap<String, S3Object>> objects = new TreeMap<>();
    final Map<String, MultipartUpload> uploads = new LinkedHashMap<>();

    private final BlobStore blobs;

    S3State(BlobStore blobs) {
        this.blobs = requireNonNull(blobs, "blobs is null");
    }

    public Map<String, Bucket> buckets() {
        return buckets;
    }

    public Map<String, MultipartUpload> uploads() {
        return uploads;
    }

    /** The objects of a bucket by key (empty for a bucket that does not exist). */
    public TreeMap<String, S3Object> objects(String bucket) {
        return objects.computeIfAbsent(bucket, b -> new TreeMap<>());
    }

    /** Stores an object, replacing (and releasing) any previous one under the key. */
    public void putObject(S3Object object) {
        blobs.retain(object.blob());
        S3Object previous = objects(object.bucket()).put(object.key(), object);
        if (previous != null) {
            blobs.release(previous.blob());
        }
    }

    public boolean deleteObject(String bucket, String key) {
        S3Object previous = objects(bucket).remove(key);
        if (previous != null) {
            blobs.release(previous.blob());
            return true;
        }
        return false;
    }

    public void putUpload(MultipartUpload upload) {
        MultipartUpload previous = uploads.put(upload.uploadId(), upload);
        // Parts are counted while the upload holds them.
        for (UploadedPart part : upload.parts().values()) {
            if (previous == null || previous.parts().get(part.partNumber()) != part) {
                blobs.retain(part.blob());
            }
        }
        if (previous != null) {
            for (UploadedPart part : previous.parts().values()) {
                if (upload.parts().get(part.partNumber()) != part) {
                    blobs.release(part.blob());
                }
            }
        }
    }

    /** Ends an upload (completed or aborted), releasing its hold on its parts. */
    public void removeUpload(String uploadId) {
        MultipartUpload upload = uploads.remove(uploadId);
        if (upload != null) {
            for (UploadedPart part : upload.parts().values()) {
                blobs.release(part.blob());
            }
        }
    }

    public void deleteBucket(String name) {
        buckets.remove(name);
        TreeMap<String, S3Object> gone = objects.remove(name);
        if (gone != null) {
            gone.values().forEach(o -> blobs.release(o.blob()));
        }
        List<String> abandoned = uploads.values().stream().filter(u -> u.bucket().equals(name))
                .map(MultipartUpload::uploadId).toList();
        abandoned.forEach(this::removeUpload);
    }

    /** An ETag in the shape S3 gives objects written in parts, as the export service writes them. */
    static String multipartEtag(String seed, long size) {
        try {
            byte[] md5 = MessageDigest.getInstance("MD5").digest(seed.getBytes(StandardCharsets.UTF_8));
            long parts = Math.max(1, (size + 8L * 1024 * 1024 - 1) / (8L * 1024 * 1024));
            return "\"" + HexFormat.of().formatHex(md5) + "-" + parts + "\"";
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Every object of every bucket, for the state file. */
    List<S3Object> allObjects() {
        return objects.values().stream().flatMap(m -> m.values().stream()).toList();
    }

    /** Replaces this state with a saved one. */
    void restore(PersistedWorld saved) {
        buckets.clear();
        objects.clear();
        uploads.clear();
        saved.buckets().forEach(v -> buckets.put(v.name(), v));
        saved.objects().forEach(this::putObject);
        saved.uploads().forEach(this::putUpload);
    }
}
