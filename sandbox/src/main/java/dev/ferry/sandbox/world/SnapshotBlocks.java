package dev.ferry.sandbox.world;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the EBS direct APIs see of the snapshots: which 512 KiB blocks of a snapshot were ever written,
 * the block tokens that name them for a while, and each block's bytes.
 *
 * <p>A block is listed when its bytes are not all zeros. Where a disk image has a sidecar file
 * {@code IMAGE.extents} (lines of {@code offset length}: the byte ranges ever written, as the sandbox's
 * sparse disks record them when built) only those ranges are examined, so an 8 GiB volume with a few MiB
 * written costs a few MiB of reading; other images are read once in full. Bytes past the end of the image
 * (a volume larger than its image) were never written. Maps are cached per image.
 *
 * <p>Block tokens carry the block index, an expiry time and a generation, sealed by a digest over the
 * snapshot id: a token is refused after its expiry, after {@link #expireTokens()} (the test's way to make
 * every token issued so far expire), or for another snapshot or block.
 */
public final class SnapshotBlocks {

    public static final int BLOCK_SIZE = 512 * 1024;
    /** How long a listed block token stays valid (real time: tokens are about the client's pace, not the world's). */
    public static final Duration TOKEN_LIFETIME = Duration.ofMinutes(60);

    private static final byte[] ZEROS = new byte[BLOCK_SIZE];
    private static final Map<Blob, int[]> MAPS = new ConcurrentHashMap<>();

    private final String secret;
    private final AtomicLong generation = new AtomicLong();
    private final Map<String, AtomicInteger> corruptions = new ConcurrentHashMap<>();
    private volatile boolean denied;
    private final java.util.Set<String> deniedKeys = ConcurrentHashMap.newKeySet();

    SnapshotBlocks(String secret) {
        this.secret = secret;
    }

    /** The indexes of the blocks of {@code disk} that hold anything but zeros, ascending. */
    public static int[] writtenBlocks(Blob disk) {
        return MAPS.computeIfAbsent(disk, SnapshotBlocks::scan).clone();
    }

    /** The bytes of one block: {@link #BLOCK_SIZE} bytes, zeros past the end of the image. */
    public byte[] read(String snapshotId, Blob disk, int blockIndex) {
        byte[] block = new byte[BLOCK_SIZE];
        long offset = (long) blockIndex * BLOCK_SIZE;
        if (offset < disk.size()) {
            byte[] data = disk.read(offset, BLOCK_SIZE);
            System.arraycopy(data, 0, block, 0, data.length);
        }
        return block;
    }

    /** Spoils a block just read when {@link #corrupt} asked for it (after its checksum was taken). */
    public void tamper(String snapshotId, int blockIndex, byte[] block) {
        AtomicInteger corrupt = corruptions.get(snapshotId + "/" + blockIndex);
        if (corrupt != null && corrupt.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            block[block.length / 2] ^= 0x5a;
        }
    }

    /** A token for a block, valid until {@code expiry}. */
    public String token(String snapshotId, int blockIndex, Instant expiry) {
        long gen = generation.get();
        ByteBuffer body = ByteBuffer.allocate(4 + 8 + 8 + 16);
        body.putInt(blockIndex).putLong(expiry.getEpochSecond()).putLong(gen);
        body.put(seal(snapshotId, blockIndex, expiry.getEpochSecond(), gen));
        return Base64.getEncoder().encodeToString(body.array());
    }

    /** Why a token does not open a block now, or empty when it does. */
    public Optional<String> refuse(String snapshotId, int blockIndex, String token, Instant now) {
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(token);
        } catch (IllegalArgumentException e) {
            return Optional.of("The block token is not valid.");
        }
        if (bytes.length != 36) {
            return Optional.of("The block token is not valid.");
        }
        ByteBuffer body = ByteBuffer.wrap(bytes);
        int index = body.getInt();
        long expiry = body.getLong();
        long gen = body.getLong();
        byte[] seal = new byte[16];
        body.get(seal);
        if (index != blockIndex || !MessageDigest.isEqual(seal, seal(snapshotId, index, expiry, gen))) {
            return Optional.of("The block token is not valid for block " + blockIndex + " of " + snapshotId + ".");
        }
        if (gen != generation.get() || !now.isBefore(Instant.ofEpochSecond(expiry))) {
            return Optional.of("The block token has expired.");
        }
        return Optional.empty();
    }

    /** Every token issued so far expires now. */
    public void expireTokens() {
        generation.incrementAndGet();
    }

    /** The next {@code times} reads of a block return bytes that do not match its checksum. */
    public void corrupt(String snapshotId, int blockIndex, int times) {
        corruptions.computeIfAbsent(snapshotId + "/" + blockIndex, k -> new AtomicInteger()).addAndGet(times);
    }

    /** Whether the account's policy denies the EBS direct APIs. */
    public boolean denied() {
        return denied;
    }

    public void deny(boolean deny) {
        this.denied = deny;
    }

    /** Whether the caller may not use {@code kmsKeyId} to decrypt. */
    public boolean decryptDenied(String kmsKeyId) {
        return kmsKeyId != null && deniedKeys.contains(kmsKeyId);
    }

    public void denyDecrypt(String kmsKeyId, boolean deny) {
        if (deny) {
            deniedKeys.add(kmsKeyId);
        } else {
            deniedKeys.remove(kmsKeyId);
        }
    }

    private byte[] seal(String snapshotId, int index, long expiry, long gen) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update((secret + "|" + snapshotId + "|" + index + "|" + expiry + "|" + gen)
                    .getBytes(StandardCharsets.UTF_8));
            return Arrays.copyOf(sha.digest(), 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The SHA-256 of a block, base64: its {@code x-amz-Checksum}. */
    public static String checksum(byte[] block) {
        try {
            return Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(block));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Reads a sidecar {@code IMAGE.extents}: the byte ranges ever written, or empty when there is none. */
    static Optional<List<long[]>> extents(Path image) {
        Path sidecar = image.resolveSibling(image.getFileName() + ".extents");
        if (!Files.isRegularFile(sidecar)) {
            return Optional.empty();
        }
        try {
            List<long[]> ranges = new ArrayList<>();
            for (String line : Files.readAllLines(sidecar, StandardCharsets.US_ASCII)) {
                String[] parts = line.trim().split("\\s+");
                if (parts.length == 2) {
                    ranges.add(new long[] {Long.parseLong(parts[0]), Long.parseLong(parts[1])});
                }
            }
            return Optional.of(ranges);
        } catch (IOException | NumberFormatException e) {
            throw new IllegalStateException("cannot read " + sidecar + ": " + e.getMessage(), e);
        }
    }

    private static int[] scan(Blob disk) {
        long size = disk.size();
        int blocks = (int) ((size + BLOCK_SIZE - 1) / BLOCK_SIZE);
        boolean[] candidates = new boolean[blocks];
        Optional<List<long[]>> extents = disk.segments().size() == 1 && disk.segments().get(0).path() != null
                && disk.segments().get(0).offset() == 0
                ? extents(Path.of(disk.segments().get(0).path())) : Optional.empty();
        if (extents.isPresent()) {
            for (long[] range : extents.get()) {
                if (range[1] <= 0) {
                    continue;
                }
                long first = range[0] / BLOCK_SIZE;
                long last = Math.min(blocks - 1L, (range[0] + range[1] - 1) / BLOCK_SIZE);
                for (long b = first; b <= last; b++) {
                    candidates[(int) b] = true;
                }
            }
        } else {
            Arrays.fill(candidates, true);
        }
        List<Integer> written = new ArrayList<>();
        long position = 0;
        for (BlobSegment segment : disk.segments()) {
            if (!segment.isZeros()) {
                scanSegment(segment, position, candidates, written);
            }
            position += segment.length();
        }
        return written.stream().sorted().distinct().mapToInt(Integer::intValue).toArray();
    }

    private static void scanSegment(BlobSegment segment, long start, boolean[] candidates, List<Integer> written) {
        ByteBuffer buffer = ByteBuffer.allocateDirect(BLOCK_SIZE);
        ByteBuffer zeros = ByteBuffer.wrap(ZEROS);
        try (FileChannel channel = FileChannel.open(Path.of(segment.path()), StandardOpenOption.READ)) {
            long end = start + segment.length();
            long firstBlock = start / BLOCK_SIZE;
            long lastBlock = (end - 1) / BLOCK_SIZE;
            for (long b = firstBlock; b <= lastBlock; b++) {
                if (!candidates[(int) b]) {
                    continue;
                }
                long from = Math.max(start, b * BLOCK_SIZE);
                long to = Math.min(end, (b + 1) * BLOCK_SIZE);
                buffer.clear().limit((int) (to - from));
                long filePosition = segment.offset() + (from - start);
                while (buffer.hasRemaining()) {
                    if (channel.read(buffer, filePosition + buffer.position()) < 0) {
                        break;
                    }
                }
                buffer.flip();
                if (buffer.mismatch(zeros.clear().limit(buffer.limit())) >= 0) {
                    written.add((int) b);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + segment.path(), e);
        }
    }
}
