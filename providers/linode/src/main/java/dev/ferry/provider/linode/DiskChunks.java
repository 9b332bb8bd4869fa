package dev.ferry.provider.linode;

import static java.util.Objects.requireNonNull;

import dev.ferry.engine.transfer.ByteSink;
import dev.ferry.engine.transfer.ByteSinkFactory;
import dev.ferry.engine.transfer.RangedByteSource;
import dev.ferry.engine.transfer.SinkReceipt;
import dev.ferry.provider.linode.ssh.HelperCommands;
import dev.ferry.provider.linode.ssh.HelperShell;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/**
 * The source disk written onto a helper's device in chunks, two at a time: each chunk gzipped by the engine's
 * pipeline into {@code gunzip | dd} on the helper (a cut connection starts the chunk over on a fresh channel), read
 * back there through {@code sha256sum} and compared with the SHA-256 of the source's bytes. A chunk the source never
 * wrote (a hole of the snapshot) costs no read and no bytes sent when the Linode disk already reads as zeros there,
 * which the helper's {@code cmp} of it against {@code /dev/zero} shows. Chunks already verified by an earlier run are
 * checked on the helper and skipped; the first that no longer matches is written again, and everything after it.
 */
final class DiskChunks {

    /** The longest run of never-written chunks checked with one command on the helper. */
    static final long HOLE_RUN = 1L << 30;

    /** Chunks written at once, each on its own channel. */
    static final int IN_FLIGHT = 2;

    /** Zeros, fed to the digest recorded for a chunk left as zeros; never written to. */
    private static final byte[] ZEROS = new byte[1 << 20];

    /** Hears the chunks as they are verified; called one at a time, from the threads that write and check. */
    interface Listener {
        void verified(int chunk, String sha256, List<String> all);

        void progress(long bytes, long total);

        void note(String message);
    }

    record Result(boolean cancelled, List<String> digests) {
    }

    private final RangedByteSource source;
    private final long chunkBytes;
    private final ImageTransfer transfer;
    private final HelperShell shell;
    private final String device;
    private final Map<Long, String> zeroDigests = new HashMap<>();

    DiskChunks(RangedByteSource source, long chunkBytes, ImageTransfer transfer, HelperShell shell, String device) {
        this.source = requireNonNull(source, "source is null");
        this.chunkBytes = chunkBytes;
        this.transfer = requireNonNull(transfer, "transfer is null");
        this.shell = requireNonNull(shell, "shell is null");
        this.device = requireNonNull(device, "device is null");
    }

    int count() {
        return (int) ((source.size() + chunkBytes - 1) / chunkBytes);
    }

    Result write(List<String> earlier, Listener listener, BooleanSupplier cancelled) throws IOException {
        long size = source.size();
        long deviceSize = deviceSize();
        if (deviceSize < size) {
            throw new IOException("the raw disk is " + Sizes.bytes(deviceSize) + ", smaller than the source's "
                    + Sizes.bytes(size));
        }
        Progress progress = new Progress(listener);
        List<String> kept = kept(earlier, listener);
        progress.kept(kept);
        if (!kept.isEmpty()) {
            listener.note(kept.size() + " of " + count() + " chunks were written and verified by an earlier run;"
                    + " going on from " + Sizes.bytes(kept.size() * chunkBytes));
        }
        List<RangedByteSource.Extent> extents = source.writtenExtents();
        List<Integer> data = new ArrayList<>();
        List<int[]> holes = new ArrayList<>();
        for (int chunk = kept.size(); chunk < count(); ) {
            int run = holeRun(extents, chunk);
            if (run > 0) {
                holes.add(new int[] {chunk, run});
                chunk += run;
            } else {
                data.add(chunk++);
            }
        }
        // The never-written runs are checked on a channel of their own while the written chunks stream in order on
        // another, so the helper digests zeros and writes data at once.
        ExecutorService checker = Executors.newSingleThreadExecutor(runnable -> {
            Thread thread = new Thread(runnable, "ferry-disk-zeros");
            thread.setDaemon(true);
            return thread;
        });
        try {
            List<Future<Boolean>> checks = new ArrayList<>();
            holes.forEach(hole -> checks.add(checker.submit(() -> zerosThere(hole[0], hole[1], progress))));
            if (!writeAll(data, extents, progress, cancelled)) {
                return progress.result(true);
            }
            List<Integer> unwrittenButNotZeros = new ArrayList<>();
            for (int h = 0; h < holes.size(); h++) {
                if (!zerosThere(checks.get(h))) {
                    for (int chunk = holes.get(h)[0]; chunk < holes.get(h)[0] + holes.get(h)[1]; chunk++) {
                        unwrittenButNotZeros.add(chunk);
                    }
                }
            }
            if (!writeAll(unwrittenButNotZeros, extents, progress, cancelled)) {
                return progress.result(true);
            }
        } finally {
            checker.shutdownNow();
        }
        shell.run(HelperCommands.sync());
        return progress.result(false);
    }

    private long length(int chunk) {
        return Math.min(chunkBytes, source.size() - chunk * chunkBytes);
    }

    /**
     * Whether the Linode disk already reads as zeros over a run of chunks the source never wrote (a new disk does),
     * asked of the helper with {@code cmp} against {@code /dev/zero}: then the run is verified without a byte sent or
     * digested here; else (or when the helper cannot tell) its zeros are written as any chunk.
     */
    private boolean zerosThere(int first, int run, Progress progress) {
        long offset = first * chunkBytes;
        long runLength = Math.min((long) run * chunkBytes, source.size() - offset);
        try {
            if (!shell.run(HelperCommands.zeros(device, offset, runLength)).ok()) {
                return false;
            }
        } catch (IOException | IllegalArgumentException e) {
            return false;
        }
        for (int chunk = first; chunk < first + run; chunk++) {
            progress.verified(chunk, zeroDigest(length(chunk)));
        }
        return true;
    }

    private static boolean zerosThere(Future<Boolean> check) throws IOException {
        try {
            return check.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while the helper checked the disk's unwritten parts", e);
        } catch (ExecutionException e) {
            return false;
        }
    }

    /**
     * Writes the chunks in order, {@link #IN_FLIGHT} at a time on channels of their own, so one chunk streams while
     * the helper flushes and reads back the one before; false when the user asked to stop. After a failure no further
     * chunk starts; the first failure, in chunk order, is thrown once those in flight are done.
     */
    private boolean writeAll(List<Integer> chunks, List<RangedByteSource.Extent> extents, Progress progress,
                             BooleanSupplier cancelled) throws IOException {
        if (chunks.isEmpty()) {
            return true;
        }
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger threads = new AtomicInteger();
        ExecutorService writers = Executors.newFixedThreadPool(Math.min(IN_FLIGHT, chunks.size()), runnable -> {
            Thread thread = new Thread(runnable, "ferry-disk-write-" + threads.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        try {
            List<Future<Boolean>> written = new ArrayList<>();
            for (int chunk : chunks) {
                written.add(writers.submit(() -> {
                    if (stop.get() || cancelled.getAsBoolean()) {
                        return false;
                    }
                    try {
                        boolean done = writeChunk(chunk, extents, progress, cancelled);
                        if (!done) {
                            stop.set(true);
                        }
                        return done;
                    } catch (IOException | RuntimeException e) {
                        stop.set(true);
                        throw e;
                    }
                }));
            }
            boolean all = true;
            IOException failure = null;
            for (Future<Boolean> chunk : written) {
                try {
                    all &= chunk.get();
                } catch (ExecutionException e) {
                    if (failure == null) {
                        failure = e.getCause() instanceof IOException io ? io : new IOException(e.getCause().getMessage(),
                                e.getCause());
                    }
                }
            }
            if (failure != null) {
                throw failure;
            }
            return all;
        } catch (InterruptedException e) {
            stop.set(true);
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while writing the disk", e);
        } finally {
            writers.shutdown();
        }
    }

    /** Streams one chunk and checks what the helper read back; false when the user asked to stop. */
    private boolean writeChunk(int chunk, List<RangedByteSource.Extent> extents, Progress progress, BooleanSupplier cancelled)
            throws IOException {
        long offset = chunk * chunkBytes;
        long length = length(chunk);
        ImageTransfer.Report report;
        try {
            report = transfer.run(new Slice(source, extents, offset, length), sinks(offset, length),
                    new ImageTransfer.Listener() {
                        @Override
                        public void progress(long rawBytes, long totalBytes) {
                            progress.streaming(chunk, rawBytes);
                        }

                        @Override
                        public void restarting(int attempt, String reason) {
                            progress.note("chunk " + (chunk + 1) + " starts over (attempt " + attempt + "): " + reason);
                        }
                    }, cancelled);
        } catch (ImageTransfer.Cancelled e) {
            return false;
        } catch (ImageTransfer.Failed e) {
            throw new IOException("chunk " + (chunk + 1) + " of " + count() + " (at " + offset + "): " + e.getMessage(), e);
        }
        String written = report.receipt().detail();
        if (!written.equals(report.rawSha256())) {
            throw new IOException("chunk " + (chunk + 1) + " of " + count() + " reads back from the Linode disk with SHA-256 "
                    + written + ", but the source's bytes have " + report.rawSha256());
        }
        progress.verified(chunk, written);
        return true;
    }

    /**
     * The chunks verified so far, from both channels: each is reported to the listener once the chunks before it are
     * verified too, so what is checkpointed is always a prefix of the disk.
     */
    private final class Progress {
        private final Listener listener;
        private final String[] digests = new String[count()];
        private final Map<Integer, Long> streaming = new HashMap<>();
        private int prefix;
        private long verifiedBytes;

        Progress(Listener listener) {
            this.listener = listener;
        }

        synchronized void verified(int chunk, String digest) {
            digests[chunk] = digest;
            verifiedBytes += length(chunk);
            streaming.remove(chunk);
            int before = prefix;
            while (prefix < digests.length && digests[prefix] != null) {
                prefix++;
            }
            if (prefix > before) {
                listener.verified(prefix - 1, digests[prefix - 1], done());
            }
            listener.progress(verifiedBytes, source.size());
        }

        /** The chunks an earlier run verified (checked again on the helper), reported once. */
        synchronized void kept(List<String> earlier) {
            for (int chunk = 0; chunk < earlier.size(); chunk++) {
                digests[chunk] = earlier.get(chunk);
                verifiedBytes += length(chunk);
            }
            prefix = earlier.size();
            if (prefix > 0) {
                listener.verified(prefix - 1, digests[prefix - 1], done());
                listener.progress(verifiedBytes, source.size());
            }
        }

        /** A chunk in flight has sent {@code rawBytes} of itself (a chunk that starts over counts from 0 again). */
        synchronized void streaming(int chunk, long rawBytes) {
            streaming.put(chunk, rawBytes);
            long inFlight = streaming.values().stream().mapToLong(Long::longValue).sum();
            listener.progress(verifiedBytes + inFlight, source.size());
        }

        synchronized void note(String message) {
            listener.note(message);
        }

        synchronized Result result(boolean cancelled) {
            return new Result(cancelled, done());
        }

        private List<String> done() {
            return List.of(Arrays.copyOf(digests, prefix));
        }
    }

    /** How many chunks from {@code chunk} on hold nothing the source wrote (at most {@link #HOLE_RUN} bytes' worth). */
    private int holeRun(List<RangedByteSource.Extent> extents, int chunk) {
        int run = 0;
        while (chunk + run < count() && (long) (run + 1) * chunkBytes <= HOLE_RUN) {
            long offset = (chunk + run) * chunkBytes;
            long end = Math.min(offset + chunkBytes, source.size());
            if (extents.stream().anyMatch(e -> e.offset() < end && e.end() > offset)) {
                break;
            }
            run++;
        }
        return run;
    }


    /** The SHA-256 of {@code length} zero bytes (a chunk's, recorded for a chunk left as zeros), once per length. */
    private synchronized String zeroDigest(long length) {
        return zeroDigests.computeIfAbsent(length, n -> {
            try {
                MessageDigest sha = MessageDigest.getInstance("SHA-256");
                for (long left = n; left > 0; left -= ZEROS.length) {
                    sha.update(ZEROS, 0, (int) Math.min(ZEROS.length, left));
                }
                return HexFormat.of().formatHex(sha.digest());
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("this Java cannot digest with SHA-256: " + e.getMessage(), e);
            }
        });
    }

    private long deviceSize() throws IOException {
        HelperShell.Result result = shell.run(HelperCommands.size(device));
        if (!result.ok()) {
            throw new IOException("the helper cannot see its /dev/" + device + ": " + result.reason());
        }
        try {
            return Long.parseLong(result.stdout().strip());
        } catch (NumberFormatException e) {
            throw new IOException("blockdev printed '" + result.stdout().strip() + "' for /dev/" + device);
        }
    }

    /** The earlier run's chunks that still read back the same on the helper, in order up to the first that does not. */
    private List<String> kept(List<String> earlier, Listener listener) throws IOException {
        List<String> kept = new ArrayList<>();
        for (int chunk = 0; chunk < Math.min(earlier.size(), count()); chunk++) {
            long offset = chunk * chunkBytes;
            long length = Math.min(chunkBytes, source.size() - offset);
            HelperShell.Result result = shell.run(HelperCommands.readDigest(device, offset, length));
            if (!result.ok() || !HelperCommands.digest(result.stdout()).equals(earlier.get(chunk))) {
                listener.note("chunk " + (chunk + 1) + " no longer reads back as written; writing again from there");
                break;
            }
            kept.add(earlier.get(chunk));
        }
        return kept;
    }

    private ByteSinkFactory sinks(long offset, long length) {
        return new ByteSinkFactory() {
            @Override
            public ByteSink attempt(int number) {
                return body -> send(body, offset, length);
            }

            @Override
            public long rawLimit() {
                return Long.MAX_VALUE;
            }

            @Override
            public long compressedLimit() {
                return Long.MAX_VALUE;
            }
        };
    }

    private SinkReceipt send(InputStream body, long offset, long length) throws IOException {
        HelperShell.Result result = shell.run(HelperCommands.writeChunk(device, offset, length), body);
        if (!result.ok()) {
            throw new IOException("the helper's gunzip | dd failed: " + result.reason());
        }
        try {
            return new SinkReceipt(200, HelperCommands.digest(result.stdout()));
        } catch (IllegalArgumentException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    /** {@code [offset, offset + length)} of the source as a source of its own, its written extents clipped to it. */
    private record Slice(RangedByteSource whole, List<Extent> wholeExtents, long offset, long length)
            implements RangedByteSource {
        @Override
        public long size() {
            return length;
        }

        @Override
        public InputStream openRange(long at, long count) throws IOException {
            return whole.openRange(offset + at, count);
        }

        @Override
        public String description() {
            return whole.description();
        }

        @Override
        public List<Extent> writtenExtents() {
            List<Extent> clipped = new ArrayList<>();
            long end = offset + length;
            for (Extent extent : wholeExtents) {
                long from = Math.max(extent.offset(), offset);
                long to = Math.min(extent.end(), end);
                if (from < to) {
                    clipped.add(new Extent(from - offset, to - from));
                }
            }
            return clipped;
        }
    }
}
