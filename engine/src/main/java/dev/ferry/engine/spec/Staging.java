package dev.ferry.engine.spec;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Optional;

/**
 * The S3 bucket that holds disk images on their way between clouds, and what happens to the staging copies. The
 * bucket may be left out where no migration moves an image through S3 (EC2 sources on the snapshot road), so a
 * file can still say {@code cleanup:} for the AMIs those roads make.
 */
public record Staging(String bucket, String prefix, boolean create, Cleanup cleanup) {

    public enum Cleanup {
        @JsonProperty("keep") KEEP,
        @JsonProperty("delete-after-import") DELETE_AFTER_IMPORT;

        public String spelling() {
            return this == KEEP ? "keep" : "delete-after-import";
        }
    }

    public Staging {
        prefix = prefix == null ? "exports/" : prefix;
        cleanup = cleanup == null ? Cleanup.KEEP : cleanup;
    }

    /** The bucket's name, absent when the file names none. */
    public Optional<String> bucketName() {
        return Optional.ofNullable(bucket);
    }

    /** The bucket, for roads that need one: callers check {@link #bucketName()} (or validation did) first. */
    @Override
    public String bucket() {
        return requireNonNull(bucket, "the staging block names no bucket");
    }
}
