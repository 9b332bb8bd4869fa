package dev.ferry.sandbox.world;

/**
 * A run of bytes: {@code length} bytes of the file {@code path} from {@code offset}, or zeros when
 * {@code path} is null.
 */
public record BlobSegment(String path, long offset, long length) {
    public BlobSegment {
        if (offset < 0 || length < 0) {
            throw new IllegalArgumentException("negative offset or length");
        }
    }

    static BlobSegment zeros(long length) {
        return new BlobSegment(null, 0, length);
    }

    boolean isZeros() {
        return path == null;
    }
}
