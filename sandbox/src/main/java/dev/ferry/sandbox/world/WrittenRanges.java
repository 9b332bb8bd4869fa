package dev.ferry.sandbox.world;

import java.nio.file.Path;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which byte ranges of a disk file this sandbox has written since it made the file, so that reading what was never
 * written costs nothing, as it costs a thin-provisioned cloud disk nothing. Reading a hole of a sparse file is not
 * free here: the kernel fills the page cache with zeros first (a few hundred MiB/s on a small machine), which would
 * make the helper's digest of an unwritten 6 GiB the slowest part of a disk road that the sandbox is meant to time
 * ferry on. Only a file this class saw created is known; one found already there (a world kept with
 * {@code --state}) is read in full, so the answer is the same either way.
 */
final class WrittenRanges {

    private static final Map<Path, NavigableMap<Long, Long>> KNOWN = new ConcurrentHashMap<>();

    private WrittenRanges() {
    }

    /**
     * The file was just made empty by this sandbox: nothing of it is written yet. Two writes that both found it
     * missing (the helper writes chunks on two channels at once) leave one map: a range already recorded by one is
     * never dropped by the other.
     */
    static void created(Path file) {
        KNOWN.putIfAbsent(key(file), new TreeMap<>());
    }

    /** {@code [from, to)} of the file now holds written bytes (it stays known only if it was seen created). */
    static void written(Path file, long from, long to) {
        NavigableMap<Long, Long> ranges = KNOWN.get(key(file));
        if (ranges == null || from >= to) {
            return;
        }
        synchronized (ranges) {
            long start = from;
            long end = to;
            Map.Entry<Long, Long> before = ranges.floorEntry(start);
            if (before != null && before.getValue() >= start) {
                start = before.getKey();
                end = Math.max(end, before.getValue());
            }
            for (Map.Entry<Long, Long> next = ranges.ceilingEntry(start); next != null && next.getKey() <= end;
                 next = ranges.ceilingEntry(start)) {
                end = Math.max(end, next.getValue());
                ranges.remove(next.getKey());
            }
            ranges.put(start, end);
        }
    }

    /** The file is gone (its disk deleted): what is made there next starts unknown until seen created. */
    static void forget(Path file) {
        KNOWN.remove(key(file));
    }

    /** Where the next written range starts at or after {@code from} (or {@code Long.MAX_VALUE}), if the file is known. */
    static Optional<Long> nextWritten(Path file, long from) {
        NavigableMap<Long, Long> ranges = KNOWN.get(key(file));
        if (ranges == null) {
            return Optional.empty();
        }
        synchronized (ranges) {
            Map.Entry<Long, Long> before = ranges.floorEntry(from);
            if (before != null && before.getValue() > from) {
                return Optional.of(from);
            }
            Long next = ranges.higherKey(from);
            return Optional.of(next == null ? Long.MAX_VALUE : next);
        }
    }

    private static Path key(Path file) {
        return file.toAbsolutePath().normalize();
    }
}
