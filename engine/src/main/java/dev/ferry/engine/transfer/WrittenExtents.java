package dev.ferry.engine.transfer;

import java.util.Arrays;
import java.util.List;

/**
 * A source's written extents, checked and merged, for quick questions by offset: is anything in
 * {@code [from, to)} written, where does the next written byte start, where does its extent end.
 * Everything outside them is zero.
 */
final class WrittenExtents {

    private final long[] starts;
    private final long[] ends;
    private final long writtenBytes;

    private WrittenExtents(long[] starts, long[] ends) {
        this.starts = starts;
        this.ends = ends;
        long total = 0;
        for (int i = 0; i < starts.length; i++) {
            total += ends[i] - starts[i];
        }
        this.writtenBytes = total;
    }

    static WrittenExtents whole(long size) {
        return size == 0 ? new WrittenExtents(new long[0], new long[0])
                : new WrittenExtents(new long[] {0}, new long[] {size});
    }

    /**
     * Checks what a source declared: in order, not overlapping, within its size. Empty extents
     * are dropped and touching ones merged.
     *
     * @throws IllegalArgumentException naming the first extent at fault
     */
    static WrittenExtents of(List<RangedByteSource.Extent> extents, long size, String description) {
        if (extents == null) {
            throw new IllegalArgumentException(description + " listed no written extents (null)");
        }
        long[] starts = new long[extents.size()];
        long[] ends = new long[extents.size()];
        int count = 0;
        long previousEnd = 0;
        for (int i = 0; i < extents.size(); i++) {
            RangedByteSource.Extent extent = extents.get(i);
            if (extent == null) {
                throw new IllegalArgumentException(description + " listed a null written extent at position " + i);
            }
            if (extent.end() > size) {
                throw new IllegalArgumentException(description + " listed written extent " + i + " (bytes "
                        + extent.offset() + " to " + extent.end() + ") beyond its size of " + size + " bytes");
            }
            if (extent.offset() < previousEnd) {
                throw new IllegalArgumentException(description + " listed written extent " + i + " (bytes "
                        + extent.offset() + " to " + extent.end() + ") out of order or overlapping the one before,"
                        + " which ends at byte " + previousEnd);
            }
            if (extent.length() == 0) {
                continue;
            }
            if (count > 0 && ends[count - 1] == extent.offset()) {
                ends[count - 1] = extent.end();
            } else {
                starts[count] = extent.offset();
                ends[count] = extent.end();
                count++;
            }
            previousEnd = extent.end();
        }
        return new WrittenExtents(Arrays.copyOf(starts, count), Arrays.copyOf(ends, count));
    }

    /** Bytes inside the extents. */
    long writtenBytes() {
        return writtenBytes;
    }

    int count() {
        return starts.length;
    }

    /** Whether any byte of {@code [from, to)} is written. */
    boolean anyWritten(long from, long to) {
        return nextWritten(from) < to;
    }

    /** Whether every byte of {@code [from, to)} is written. */
    boolean allWritten(long from, long to) {
        if (from >= to) {
            return true;
        }
        int i = firstEndingAfter(from);
        return i < starts.length && starts[i] <= from && ends[i] >= to;
    }

    /** The first written offset at or after {@code position}, or {@link Long#MAX_VALUE} when none is left. */
    long nextWritten(long position) {
        int i = firstEndingAfter(position);
        return i == starts.length ? Long.MAX_VALUE : Math.max(position, starts[i]);
    }

    /** The end of the extent holding the written byte {@code position}. */
    long extentEnd(long position) {
        int i = firstEndingAfter(position);
        if (i == starts.length || starts[i] > position) {
            throw new IllegalArgumentException("byte " + position + " is not written");
        }
        return ends[i];
    }

    /** The index of the first extent ending after {@code position}, or the count when none does. */
    private int firstEndingAfter(long position) {
        int low = 0;
        int high = ends.length;
        while (low < high) {
            int middle = (low + high) >>> 1;
            if (ends[middle] <= position) {
                low = middle + 1;
            } else {
                high = middle;
            }
        }
        return low;
    }
}
