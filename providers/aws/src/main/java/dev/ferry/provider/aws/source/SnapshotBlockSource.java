package dev.ferry.provider.aws.source;

import static java.util.Objects.requireNonNull;

import dev.ferry.engine.transfer.RangedByteSource;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.ebs.EbsClient;
import software.amazon.awssdk.services.ebs.model.AccessDeniedException;
import software.amazon.awssdk.services.ebs.model.Block;
import software.amazon.awssdk.services.ebs.model.GetSnapshotBlockResponse;
import software.amazon.awssdk.services.ebs.model.ListSnapshotBlocksResponse;
import software.amazon.awssdk.services.ebs.model.ResourceNotFoundException;
import software.amazon.awssdk.services.ebs.model.ValidationException;

/**
 * The whole raw disk of an EBS snapshot, read with the EBS direct APIs: ListSnapshotBlocks (every page)
 * names the blocks ever written, each with a token; GetSnapshotBlock reads them, several at once, and each
 * block's SHA-256 ({@code x-amz-Checksum}) is checked. Blocks never written read as zeros and cost no
 * request. Per block: a checksum mismatch reads it again, then fails naming the block; an expired token
 * lists the blocks again from that index; throttling, 5xx answers and a cut connection (after the SDK's
 * own retries) are tried again with backoff.
 */
public final class SnapshotBlockSource implements RangedByteSource {

    public static final int BLOCK_SIZE = 512 * 1024;
    private static final byte[] ZEROS = new byte[BLOCK_SIZE];
    /** A token this close to its expiry is renewed before use. */
    private static final Duration EXPIRY_MARGIN = Duration.ofSeconds(30);

    /** How hard to try: blocks read at once per range, attempts per block, first backoff, reads per checksum. */
    public record Tuning(int parallelBlocks, int blockAttempts, Duration baseDelay, int checksumAttempts) {
        public static final Tuning STANDARD = new Tuning(8, 6, Duration.ofMillis(250), 2);

        public Tuning {
            if (parallelBlocks < 1 || blockAttempts < 1 || checksumAttempts < 1) {
                throw new IllegalArgumentException("tuning values must be positive");
            }
            requireNonNull(baseDelay, "baseDelay is null");
        }
    }

    private final EbsClient ebs;
    private final String snapshotId;
    private final long size;
    private final Tuning tuning;
    private final Clock clock;
    private final ThreadPoolExecutor pool;
    private final AtomicLong getRequests = new AtomicLong();
    private final AtomicLong listRequests = new AtomicLong();

    private final Object listing = new Object();
    private volatile int[] written;
    private final ConcurrentHashMap<Integer, String> tokens = new ConcurrentHashMap<>();
    private volatile Instant expiry = Instant.MIN;

    public SnapshotBlockSource(EbsClient ebs, String snapshotId, long sizeBytes, Tuning tuning) {
        this(ebs, snapshotId, sizeBytes, tuning, Clock.systemUTC());
    }

    SnapshotBlockSource(EbsClient ebs, String snapshotId, long sizeBytes, Tuning tuning, Clock clock) {
        this.ebs = requireNonNull(ebs, "ebs is null");
        this.snapshotId = requireNonNull(snapshotId, "snapshotId is null");
        this.size = sizeBytes;
        this.tuning = requireNonNull(tuning, "tuning is null");
        this.clock = requireNonNull(clock, "clock is null");
        AtomicInteger threads = new AtomicInteger();
        this.pool = new ThreadPoolExecutor(tuning.parallelBlocks() * 4, tuning.parallelBlocks() * 4, 5, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), r -> {
                    Thread thread = new Thread(r, "ferry-ebs-" + snapshotId + "-" + threads.incrementAndGet());
                    thread.setDaemon(true);
                    return thread;
                });
        this.pool.allowCoreThreadTimeOut(true);
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public String description() {
        return "EBS snapshot " + snapshotId;
    }

    /** GetSnapshotBlock requests made so far (every attempt counts). */
    public long getRequests() {
        return getRequests.get();
    }

    /** ListSnapshotBlocks requests made so far. */
    public long listRequests() {
        return listRequests.get();
    }

    /** The indexes of the blocks ever written, ascending (listed on first use). */
    public int[] writtenBlocks() throws IOException {
        int[] known = written;
        if (known != null) {
            return known;
        }
        synchronized (listing) {
            if (written == null) {
                List<Integer> indexes = new ArrayList<>();
                String page = null;
                do {
                    String token = page;
                    ListSnapshotBlocksResponse response = list(r -> r.snapshotId(snapshotId).maxResults(10000).nextToken(token));
                    for (Block block : response.blocks()) {
                        if ((long) block.blockIndex() * BLOCK_SIZE < size) {
                            indexes.add(block.blockIndex());
                            tokens.put(block.blockIndex(), block.blockToken());
                        }
                    }
                    note(response);
                    page = response.nextToken();
                } while (page != null);
                written = indexes.stream().mapToInt(Integer::intValue).sorted().distinct().toArray();
            }
            return written;
        }
    }

    /** The runs of written blocks, as the engine's transfer reads them: every other byte is zero and never asked for. */
    @Override
    public List<Extent> writtenExtents() throws IOException {
        int[] blocks = writtenBlocks();
        List<Extent> extents = new ArrayList<>();
        long start = -1;
        long end = -1;
        for (int index : blocks) {
            long from = (long) index * BLOCK_SIZE;
            long to = Math.min(size, from + BLOCK_SIZE);
            if (from == end) {
                end = to;
            } else {
                if (start >= 0) {
                    extents.add(new Extent(start, end - start));
                }
                start = from;
                end = to;
            }
        }
        if (start >= 0) {
            extents.add(new Extent(start, end - start));
        }
        return List.copyOf(extents);
    }

    private ListSnapshotBlocksResponse list(java.util.function.Consumer<software.amazon.awssdk.services.ebs.model.ListSnapshotBlocksRequest.Builder> request)
            throws IOException {
        for (int attempt = 1; ; attempt++) {
            listRequests.incrementAndGet();
            try {
                return ebs.listSnapshotBlocks(request);
            } catch (AccessDeniedException e) {
                throw new IOException(EbsErrors.accessDenied(snapshotId, e), e);
            } catch (ResourceNotFoundException e) {
                throw new IOException(snapshotId + " no longer exists (EBS: " + EbsErrors.message(e) + "); run plan again", e);
            } catch (ValidationException e) {
                throw new IOException("EBS refused to list the blocks of " + snapshotId + ": " + EbsErrors.message(e), e);
            } catch (SdkException e) {
                // throttling, 5xx and cut answers that outlasted the SDK's own retries
                if (attempt >= tuning.blockAttempts()) {
                    throw new IOException("listing the blocks of " + snapshotId + " failed " + attempt + " times: "
                            + EbsErrors.message(e), e);
                }
                sleep(tuning.baseDelay().multipliedBy(1L << Math.min(6, attempt - 1)));
            }
        }
    }

    private void note(ListSnapshotBlocksResponse response) {
        if (response.expiryTime() != null && (expiry == Instant.MIN || response.expiryTime().isBefore(expiry))) {
            expiry = response.expiryTime();
        }
    }

    /** Lists again from {@code index} for fresh tokens, unless another reader already did since {@code stale}. */
    private void renew(int index, String stale) throws IOException {
        synchronized (listing) {
            String current = tokens.get(index);
            if (current != null && !current.equals(stale) && clock.instant().plus(EXPIRY_MARGIN).isBefore(expiry)) {
                return;
            }
            ListSnapshotBlocksResponse response = list(r -> r.snapshotId(snapshotId).maxResults(10000).startingBlockIndex(index));
            expiry = Instant.MIN;
            for (Block block : response.blocks()) {
                tokens.put(block.blockIndex(), block.blockToken());
            }
            note(response);
        }
    }

    /** One written block, checked. */
    byte[] fetch(int index) throws IOException {
        int mismatches = 0;
        int failures = 0;
        int renewals = 0;
        String lastProblem = null;
        while (true) {
            String token = tokens.get(index);
            if (token == null || !clock.instant().plus(EXPIRY_MARGIN).isBefore(expiry)) {
                renew(index, token);
                token = tokens.get(index);
                if (token == null) {
                    throw new IOException("block " + index + " of " + snapshotId + " is no longer listed by ListSnapshotBlocks");
                }
            }
            String used = token;
            getRequests.incrementAndGet();
            try {
                Received received = ebs.getSnapshotBlock(r -> r.snapshotId(snapshotId).blockIndex(index).blockToken(used),
                        Received::read);
                byte[] data = received.data();
                GetSnapshotBlockResponse response = received.response();
                if (received.length() != BLOCK_SIZE
                        || (response.dataLength() != null && response.dataLength() != received.length())) {
                    lastProblem = "block " + index + " came back " + (received.length() > BLOCK_SIZE ? "longer than "
                            + BLOCK_SIZE + " bytes" : received.length() + " bytes long, not " + BLOCK_SIZE);
                    failures++;
                } else {
                    String actual = received.sha256();
                    if (actual.equals(response.checksum())) {
                        return data;
                    }
                    mismatches++;
                    if (mismatches >= tuning.checksumAttempts()) {
                        throw new ChecksumMismatch("block " + index + " of " + snapshotId + " failed its SHA-256 check "
                                + mismatches + " times in a row (EBS gives " + response.checksum() + ", the bytes read hash to "
                                + actual + "); the snapshot may be damaged: take a new image, or use 'via: export'");
                    }
                    continue;
                }
            } catch (ValidationException e) {
                if ("INVALID_BLOCK_TOKEN".equals(e.reasonAsString()) && renewals < 3) {
                    renewals++;
                    renew(index, used);
                    continue;
                }
                throw new IOException("EBS refused block " + index + " of " + snapshotId + ": " + EbsErrors.message(e), e);
            } catch (AccessDeniedException e) {
                throw new IOException(EbsErrors.accessDenied(snapshotId, e), e);
            } catch (ResourceNotFoundException e) {
                throw new IOException(snapshotId + " no longer exists (EBS: " + EbsErrors.message(e) + "); run plan again", e);
            } catch (SdkException e) {
                lastProblem = EbsErrors.message(e);
                failures++;
            }
            if (failures >= tuning.blockAttempts()) {
                throw new IOException("reading block " + index + " of " + snapshotId + " failed " + failures + " times: " + lastProblem);
            }
            sleep(tuning.baseDelay().multipliedBy(1L << Math.min(6, failures - 1)));
        }
    }

    /**
     * A block's body read straight into one array of the block's size, digested on the way: no growing buffer and no
     * copy, so a block costs its own 512 KiB and nothing more. A longer body shows as {@code BLOCK_SIZE + 1}.
     */
    private record Received(GetSnapshotBlockResponse response, byte[] data, int length, String sha256) {
        static Received read(GetSnapshotBlockResponse response, InputStream body) throws IOException {
            byte[] data = new byte[BLOCK_SIZE];
            int length = body.readNBytes(data, 0, BLOCK_SIZE);
            if (length == BLOCK_SIZE && body.read() >= 0) {
                length++;
            }
            MessageDigest sha;
            try {
                sha = MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
            sha.update(data, 0, Math.min(length, BLOCK_SIZE));
            return new Received(response, data, length, Base64.getEncoder().encodeToString(sha.digest()));
        }
    }

    /** A block whose bytes keep disagreeing with their checksum. */
    static final class ChecksumMismatch extends IOException {
        ChecksumMismatch(String message) {
            super(message);
        }
    }

    private static void sleep(Duration delay) throws IOException {
        try {
            Thread.sleep(delay.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted");
        }
    }

    static String sha256(byte[] data) {
        try {
            return Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public InputStream openRange(long offset, long length) throws IOException {
        if (offset < 0 || length < 0 || offset + length > size) {
            throw new IllegalArgumentException("range " + offset + "+" + length + " is outside 0.." + size);
        }
        int[] blocks = writtenBlocks();
        return new RangeStream(offset, offset + length, blocks);
    }

    /** The bytes of a range in order: written blocks fetched a few ahead, the others zeros. */
    private final class RangeStream extends InputStream {
        private final long end;
        private final int[] blocks;
        private final Deque<Future<byte[]>> ahead = new ArrayDeque<>();
        private long position;
        private long nextToSchedule;
        private byte[] current;
        private long currentIndex = -1;
        private boolean closed;

        RangeStream(long start, long end, int[] blocks) {
            this.position = start;
            this.end = end;
            this.blocks = blocks;
            this.nextToSchedule = start / BLOCK_SIZE;
        }

        private void schedule() {
            long last = end == 0 ? -1 : (end - 1) / BLOCK_SIZE;
            while (ahead.size() < tuning.parallelBlocks() && nextToSchedule <= last) {
                int index = (int) nextToSchedule++;
                if (java.util.Arrays.binarySearch(blocks, index) >= 0) {
                    ahead.add(pool.submit(() -> fetch(index)));
                } else {
                    ahead.add(CompletableFuture.completedFuture(ZEROS));
                }
            }
        }

        private void load() throws IOException {
            long index = position / BLOCK_SIZE;
            if (index == currentIndex) {
                return;
            }
            schedule();
            Future<byte[]> next = ahead.poll();
            try {
                current = next.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while reading block " + index + " of " + snapshotId);
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                throw cause instanceof IOException io ? io : new IOException(cause.getMessage(), cause);
            }
            currentIndex = index;
            schedule();
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] buffer, int off, int len) throws IOException {
            if (closed) {
                throw new IOException("stream closed");
            }
            if (position >= end) {
                return -1;
            }
            if (len == 0) {
                return 0;
            }
            load();
            int within = (int) (position - currentIndex * BLOCK_SIZE);
            int n = (int) Math.min(len, Math.min(BLOCK_SIZE - within, end - position));
            System.arraycopy(current, within, buffer, off, n);
            position += n;
            return n;
        }

        @Override
        public void close() {
            closed = true;
            for (Future<byte[]> future : ahead) {
                future.cancel(true);
            }
            ahead.clear();
        }
    }

    @Override
    public String toString() {
        return description() + " (" + size + " bytes)";
    }
}
