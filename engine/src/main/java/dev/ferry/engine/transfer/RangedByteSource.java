package dev.ferry.engine.transfer;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;

/**
 * Bytes of known size that can be read from any offset, as often as needed: an exported S3
 * object, a disk image file, a snapshot's blocks. The transfer pipeline reads ranges in parallel
 * and, when a connection is cut, opens the rest of the range again from the last byte it received.
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
     * The parts of the source that may hold bytes other than zero, in order and not overlapping;
     * every byte outside them is zero and is never asked for with {@link #openRange}. A source
     * that knows its holes (a snapshot that lists only the blocks ever written, a sparse file)
     * declares them here so they cost no read; the transfer emits them as zero runs. Called once
     * per transfer, before any read. The default: everything may be written, and is read.
     *
     * @throws IOException when the listing itself fails (the transfer then fails as a source failure)
     */
    default List<Extent> writtenExtents() throws IOException {
        return List.of(new Extent(0, size()));
    }

    /** The bytes {@code [offset, offset + length)}. */
    record Extent(long offset, long length) {

        public Extent {
            if (offset < 0 || length < 0 || offset + length < 0) {
                throw new IllegalArgumentException("an extent needs a non-negative offset and length, not " + offset
                        + "+" + length);
            }
        }

        public long end() {
            return offset + length;
        }
    }
}
