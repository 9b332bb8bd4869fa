package dev.ferry.engine.transfer;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Optional;

/**
 * Bytes of known size that can be read from any offset, as often as needed: an exported S3
 * object, a disk image file. The transfer pipeline reads ranges in parallel and, when a
 * connection is cut, opens the rest of the range again from the last byte it received.
 */
public interface RangedByteSource {

    /** Total size in bytes. */
    long size();

    /**
     * Opens the bytes {@code [offset, offset + length)}. The stream may end early or throw when
     * the connection is cut; the caller then opens the remainder again.
     */
    InputStream openRange(long offset, long length) throws IOException;

    /** Where the bytes come from, for messages (never containing credentials): {@code s3://bucket/key}. */
    String description();

    /**
     * The byte ranges {@code [offset, offset + length)} that were ever written, ascending and apart, when
     * the source knows them (an EBS snapshot's listed blocks); every byte outside them reads as zero.
     * Empty when the source does not know.
     */
    default Optional<List<Extent>> writtenExtents() {
        return Optional.empty();
    }

    /** The bytes {@code [offset, offset + length)}. */
    record Extent(long offset, long length) {
    }
}
