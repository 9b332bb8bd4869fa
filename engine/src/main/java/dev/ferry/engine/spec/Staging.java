package dev.ferry.engine.spec;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonProperty;

/** The S3 bucket that holds disk images on their way between clouds. */
public record Staging(String bucket, String prefix, boolean create, Cleanup cleanup) {

    public enum Cleanup {
        @JsonProperty("keep") KEEP,
        @JsonProperty("delete-after-import") DELETE_AFTER_IMPORT;

        public String spelling() {
            return this == KEEP ? "keep" : "delete-after-import";
        }
    }

    public Staging {
        requireNonNull(bucket, "bucket is null");
        prefix = prefix == null ? "exports/" : prefix;
        cleanup = cleanup == null ? Cleanup.KEEP : cleanup;
    }
}
