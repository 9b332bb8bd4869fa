package dev.ferry.sandbox.world;

import static java.util.Objects.requireNonNull;

/**
 * What tests may see of the EBS direct APIs: a snapshot's written blocks and bytes, and switches for the failures
 * a reader of blocks must survive (expired tokens, corrupt blocks, denied access).
 */
public final class EbsView {

    private final World world;

    EbsView(World world) {
        this.world = requireNonNull(world, "world is null");
    }

    /** The indexes of a snapshot's written 512 KiB blocks: what ListSnapshotBlocks lists, ascending. */
    public int[] writtenBlocks(String snapshotId) {
        return SnapshotBlocks.writtenBlocks(world.disks().blob(snapshotDisk(snapshotId)));
    }

    /** The hex SHA-256 of the first {@code length} bytes of an EBS snapshot (past its content: zeros). */
    public String snapshotSha256(String snapshotId, long length) {
        return DiskBytes.sha256(world.disks().blob(snapshotDisk(snapshotId)), length);
    }

    private DiskSource snapshotDisk(String snapshotId) {
        return world.read(w -> {
            Snapshot snapshot = w.ec2().snapshots().get(snapshotId);
            if (snapshot == null) {
                throw new IllegalArgumentException("no snapshot " + snapshotId);
            }
            return snapshot.disk();
        });
    }

    /** Every block token listed so far expires now (GetSnapshotBlock refuses them as expired). */
    public void expireBlockTokens() {
        world.ec2().snapshotBlocks().expireTokens();
    }

    /** The next {@code times} GetSnapshotBlock answers for this block carry bytes that do not match their checksum. */
    public void corruptSnapshotBlock(String snapshotId, int blockIndex, int times) {
        world.ec2().snapshotBlocks().corrupt(snapshotId, blockIndex, times);
    }

    /** The account's policy denies (or again allows) ebs:ListSnapshotBlocks and ebs:GetSnapshotBlock. */
    public void denyEbsDirect(boolean deny) {
        world.ec2().snapshotBlocks().deny(deny);
    }

    /** The caller may not (or again may) use this KMS key to decrypt: encrypted snapshots' blocks are refused. */
    public void denyKmsDecrypt(String kmsKeyId, boolean deny) {
        world.ec2().snapshotBlocks().denyDecrypt(kmsKeyId, deny);
    }
}
