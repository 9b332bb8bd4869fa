package dev.ferry.sandbox.aws;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.sandbox.http.Json;
import dev.ferry.sandbox.world.Blob;
import dev.ferry.sandbox.world.Snapshot;
import dev.ferry.sandbox.world.SnapshotBlocks;
import dev.ferry.sandbox.world.World;

import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.regex.Pattern;

import static java.util.Objects.requireNonNull;

/**
 * ListSnapshotBlocks and GetSnapshotBlock over the world's snapshots: only completed snapshots are read,
 * only blocks ever written are listed, in ascending order, each with a temporary token.
 */
final class EbsBlocks {

    /** The largest page the API gives; AWS documents 100 to 10000 and answers at least 100 when asked for fewer. */
    static final int MAX_RESULTS = 10000;
    static final int MIN_RESULTS = 100;

    private static final Pattern SNAPSHOT_ID = Pattern.compile("snap-[0-9a-f]+");
    private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9+/=]{1,256}");

    private final World world;

    EbsBlocks(World world) {
        this.world = requireNonNull(world, "world is null");
    }

    record Block(byte[] data, String checksum) {
    }

    /** An error with the EBS direct APIs' {@code Reason}. */
    static final class EbsError extends RuntimeException {
        private final AwsException exception;
        private final String reason;

        EbsError(AwsException exception, String reason) {
            super(exception.getMessage());
            this.exception = exception;
            this.reason = reason;
        }

        AwsException exception() {
            return exception;
        }

        String reason() {
            return reason;
        }
    }

    static EbsError validation(String reason, String message) {
        return new EbsError(new AwsException(400, "ValidationException", message), reason);
    }

    private record Found(Snapshot snapshot, Blob disk) {
    }

    private Found snapshot(String snapshotId, String action) {
        if (!SNAPSHOT_ID.matcher(snapshotId).matches()) {
            throw validation("INVALID_SNAPSHOT_ID", "The snapshot ID '" + snapshotId + "' is not valid.");
        }
        Snapshot snapshot = world.read(w -> {
            if (w.ec2().snapshotBlocks().denied()) {
                throw new EbsError(new AwsException(403, "AccessDeniedException", "User: arn:aws:iam::"
                        + w.account() + ":user/ferry-sandbox is not authorized to perform: ebs:" + action
                        + " on resource: arn:aws:ec2:" + w.region() + "::snapshot/" + snapshotId
                        + " with an explicit deny in an identity-based policy"), "UNAUTHORIZED_ACCOUNT");
            }
            Snapshot s = w.ec2().snapshots().get(snapshotId);
            if (s == null || !s.ownerId().equals(w.account())) {
                throw new EbsError(new AwsException(404, "ResourceNotFoundException",
                        "The snapshot '" + snapshotId + "' does not exist."), "SNAPSHOT_NOT_FOUND");
            }
            return s;
        });
        if (!snapshot.state().equals("completed")) {
            throw validation("INVALID_SNAPSHOT_ID", "The snapshot '" + snapshotId + "' is " + snapshot.state()
                    + "; the EBS direct APIs read completed snapshots only.");
        }
        return new Found(snapshot, world.disks().blob(snapshot.disk()));
    }

    ObjectNode list(String snapshotId, String maxResults, String pageToken, String startingBlockIndex) {
        int max = MAX_RESULTS;
        if (maxResults != null) {
            max = parse(maxResults, "maxResults");
            if (max > MAX_RESULTS) {
                throw validation("INVALID_PARAMETER_VALUE", "1 validation error detected: Value '" + maxResults
                        + "' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal"
                        + " to " + MAX_RESULTS);
            }
            max = Math.max(MIN_RESULTS, max);
        }
        int start = 0;
        if (pageToken != null) {
            start = pageIndex(snapshotId, pageToken);
        } else if (startingBlockIndex != null) {
            start = parse(startingBlockIndex, "startingBlockIndex");
        }
        Found found = snapshot(snapshotId, "ListSnapshotBlocks");
        Snapshot snapshot = found.snapshot();
        long volumeBlocks = (long) snapshot.volumeSizeGiB() * (1L << 30) / SnapshotBlocks.BLOCK_SIZE;
        int[] written = SnapshotBlocks.writtenBlocks(found.disk());
        int from = Arrays.binarySearch(written, start);
        from = from >= 0 ? from : -from - 1;
        Instant expiry = Instant.ofEpochSecond(world.now().plus(SnapshotBlocks.TOKEN_LIFETIME).getEpochSecond());
        ObjectNode body = Json.object();
        ArrayNode blocks = body.putArray("Blocks");
        int i = from;
        SnapshotBlocks tokens = world.read(w -> w.ec2().snapshotBlocks());
        for (; i < written.length && i < from + max && written[i] < volumeBlocks; i++) {
            blocks.addObject().put("BlockIndex", written[i])
                    .put("BlockToken", tokens.token(snapshotId, written[i], expiry));
        }
        body.put("ExpiryTime", BigDecimal.valueOf(expiry.getEpochSecond()));
        body.put("VolumeSize", snapshot.volumeSizeGiB());
        body.put("BlockSize", SnapshotBlocks.BLOCK_SIZE);
        if (i < written.length && written[i] < volumeBlocks) {
            body.put("NextToken", pageToken(snapshotId, written[i]));
        }
        return body;
    }

    Block get(String snapshotId, String blockIndex, String token) {
        int index = parse(blockIndex, "blockIndex");
        if (token == null || token.isEmpty()) {
            throw validation("INVALID_BLOCK_TOKEN", "The block token is missing.");
        }
        if (!TOKEN.matcher(token).matches()) {
            throw validation("INVALID_BLOCK_TOKEN", "The block token is not valid.");
        }
        Found found = snapshot(snapshotId, "GetSnapshotBlock");
        Snapshot snapshot = found.snapshot();
        long volumeBlocks = (long) snapshot.volumeSizeGiB() * (1L << 30) / SnapshotBlocks.BLOCK_SIZE;
        if (index >= volumeBlocks) {
            throw validation("INVALID_BLOCK", "The block index " + index + " is outside the volume of "
                    + snapshot.volumeSizeGiB() + " GiB.");
        }
        SnapshotBlocks blocks = world.read(w -> w.ec2().snapshotBlocks());
        if (snapshot.encrypted() && blocks.decryptDenied(snapshot.kmsKeyId())) {
            throw new EbsError(new AwsException(403, "AccessDeniedException", "The caller is not authorized to"
                    + " perform kms:Decrypt on the key " + snapshot.kmsKeyId() + " that encrypts " + snapshotId
                    + "."), "DEPENDENCY_ACCESS_DENIED");
        }
        blocks.refuse(snapshotId, index, token, world.now()).ifPresent(why -> {
            throw validation("INVALID_BLOCK_TOKEN", why);
        });
        byte[] data = blocks.read(snapshotId, found.disk(), index);
        String checksum = SnapshotBlocks.checksum(data);
        blocks.tamper(snapshotId, index, data);
        return new Block(data, checksum);
    }

    private static int parse(String value, String name) {
        try {
            int n = Integer.parseInt(value);
            if (n < 0) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw validation("INVALID_PARAMETER_VALUE", "1 validation error detected: Value '" + value + "' at '"
                    + name + "' failed to satisfy constraint: Member must be a non-negative integer");
        }
    }

    private static String pageToken(String snapshotId, int next) {
        byte[] id = snapshotId.getBytes(StandardCharsets.US_ASCII);
        ByteBuffer buffer = ByteBuffer.allocate(4 + id.length).putInt(next).put(id);
        return Base64.getEncoder().encodeToString(buffer.array());
    }

    private static int pageIndex(String snapshotId, String token) {
        try {
            if (!TOKEN.matcher(token).matches()) {
                throw new IllegalArgumentException();
            }
            ByteBuffer buffer = ByteBuffer.wrap(Base64.getDecoder().decode(token));
            int next = buffer.getInt();
            byte[] rest = new byte[buffer.remaining()];
            buffer.get(rest);
            if (next < 0 || !new String(rest, StandardCharsets.US_ASCII).equals(snapshotId)) {
                throw new IllegalArgumentException();
            }
            return next;
        } catch (RuntimeException e) {
            throw validation("INVALID_PAGE_TOKEN", "The pagination token is not valid.");
        }
    }
}
