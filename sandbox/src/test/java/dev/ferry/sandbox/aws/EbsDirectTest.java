package dev.ferry.sandbox.aws;

import dev.ferry.sandbox.AwsClients;
import dev.ferry.sandbox.Sandbox;
import dev.ferry.sandbox.TestSandboxes;
import dev.ferry.sandbox.http.FaultSpec;
import dev.ferry.sandbox.world.SandboxWorld;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.services.ebs.EbsClient;
import software.amazon.awssdk.services.ebs.model.AccessDeniedException;
import software.amazon.awssdk.services.ebs.model.Block;
import software.amazon.awssdk.services.ebs.model.GetSnapshotBlockResponse;
import software.amazon.awssdk.services.ebs.model.ListSnapshotBlocksResponse;
import software.amazon.awssdk.services.ebs.model.RequestThrottledException;
import software.amazon.awssdk.services.ebs.model.ResourceNotFoundException;
import software.amazon.awssdk.services.ebs.model.ValidationException;
import software.amazon.awssdk.services.ec2.Ec2Client;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The EBS direct APIs through the real SDK client: listing, paging, tokens, checksums and the errors. */
class EbsDirectTest {

    static final int BLOCK = 512 * 1024;
    /** The test disk: 250 blocks, every even block written (125 blocks, more than one page of 100). */
    static final int IMAGE_BLOCKS = 250;

    @TempDir
    static Path dir;
    private static Sandbox sandbox;
    private static AwsClients clients;
    private static EbsClient ebs;
    private static Ec2Client ec2;
    private static Path image;
    private static String snapshotId;

    @BeforeAll
    static void start() throws IOException {
        image = dir.resolve("gaps.raw");
        try (RandomAccessFile file = new RandomAccessFile(image.toFile(), "rw")) {
            file.setLength((long) IMAGE_BLOCKS * BLOCK);
            for (int b = 0; b < IMAGE_BLOCKS; b += 2) {
                file.seek((long) b * BLOCK + 1000);
                file.write(("block " + b).getBytes());
            }
        }
        SandboxWorld world = SandboxWorld.defaults().withInstance(new SandboxWorld.InstanceSpec("i-0eb50000000000001",
                "gaps-01", "t3.small", null, null, null, "subnet-0abc1234", "10.0.1.90", null,
                List.of("sg-0123456789abcdef0"), "ops", null, null, List.of(), Map.of(),
                List.of(new SandboxWorld.VolumeSpec("vol-0eb50000000000001", "/dev/xvda", 1, "gp3", 3000, 125, true,
                        "arn:aws:kms:us-west-1:123456789012:key/ebs-test", true, image.toString(), null))));
        sandbox = Sandbox.start(TestSandboxes.options(0.01).world(world).build());
        clients = new AwsClients(sandbox);
        ebs = clients.ebs();
        ec2 = clients.ec2();
        String imageId = Ec2ImageAndInstanceTest.createAndWait(ec2, "i-0eb50000000000001", "gaps-image");
        snapshotId = ec2.describeImages(r -> r.imageIds(imageId)).images().get(0).blockDeviceMappings().get(0).ebs()
                .snapshotId();
    }

    @AfterAll
    static void stop() {
        ebs.close();
        ec2.close();
        clients.close();
        sandbox.close();
    }

    private static List<Block> listAll(int maxResults) {
        List<Block> all = new ArrayList<>();
        String token = null;
        do {
            String page = token;
            ListSnapshotBlocksResponse response = ebs.listSnapshotBlocks(r -> r.snapshotId(snapshotId)
                    .maxResults(maxResults).nextToken(page));
            assertThat(response.blockSize()).isEqualTo(BLOCK);
            assertThat(response.volumeSize()).isEqualTo(1L);
            assertThat(response.expiryTime()).isAfter(java.time.Instant.now());
            assertThat(response.blocks()).hasSizeLessThanOrEqualTo(Math.max(100, maxResults));
            all.addAll(response.blocks());
            token = response.nextToken();
        } while (token != null);
        return all;
    }

    @Test
    void listsOnlyTheWrittenBlocksInOrderOverPages() {
        List<Block> blocks = listAll(100);
        int[] expected = new int[IMAGE_BLOCKS / 2];
        Arrays.setAll(expected, i -> i * 2);
        assertThat(blocks).extracting(Block::blockIndex).containsExactly(Arrays.stream(expected).boxed()
                .toArray(Integer[]::new));
        assertThat(sandbox.world().ebs().writtenBlocks(snapshotId)).containsExactly(expected);
        // one page of 10000 holds them all; below the minimum of 100 the API still answers 100
        ListSnapshotBlocksResponse one = ebs.listSnapshotBlocks(r -> r.snapshotId(snapshotId));
        assertThat(one.blocks()).hasSize(125);
        assertThat(one.nextToken()).isNull();
        assertThat(ebs.listSnapshotBlocks(r -> r.snapshotId(snapshotId).maxResults(5)).blocks()).hasSize(100);
    }

    @Test
    void startsAtTheGivenIndexOrTheNextWrittenOne() {
        ListSnapshotBlocksResponse response = ebs.listSnapshotBlocks(r -> r.snapshotId(snapshotId)
                .startingBlockIndex(201));
        assertThat(response.blocks()).extracting(Block::blockIndex).startsWith(202, 204).hasSize(24);
    }

    @Test
    void getsABlockWithItsSha256() throws Exception {
        Block block = listAll(1000).get(3);
        ResponseBytes<GetSnapshotBlockResponse> bytes = ebs.getSnapshotBlockAsBytes(r -> r.snapshotId(snapshotId)
                .blockIndex(block.blockIndex()).blockToken(block.blockToken()));
        byte[] data = bytes.asByteArray();
        assertThat(data).hasSize(BLOCK);
        assertThat(new String(data, 1000, 7)).isEqualTo("block 6");
        assertThat(bytes.response().dataLength()).isEqualTo(BLOCK);
        assertThat(bytes.response().checksumAlgorithmAsString()).isEqualTo("SHA256");
        assertThat(bytes.response().checksum()).isEqualTo(Base64.getEncoder().encodeToString(
                MessageDigest.getInstance("SHA-256").digest(data)));
    }

    @Test
    void aCorruptedReadStillCarriesTheTrueChecksum() throws Exception {
        Block block = listAll(1000).get(5);
        sandbox.world().ebs().corruptSnapshotBlock(snapshotId, block.blockIndex(), 1);
        ResponseBytes<GetSnapshotBlockResponse> bad = ebs.getSnapshotBlockAsBytes(r -> r.snapshotId(snapshotId)
                .blockIndex(block.blockIndex()).blockToken(block.blockToken()));
        String actual = Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256")
                .digest(bad.asByteArray()));
        assertThat(actual).isNotEqualTo(bad.response().checksum());
        ResponseBytes<GetSnapshotBlockResponse> good = ebs.getSnapshotBlockAsBytes(r -> r.snapshotId(snapshotId)
                .blockIndex(block.blockIndex()).blockToken(block.blockToken()));
        assertThat(Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256")
                .digest(good.asByteArray()))).isEqualTo(good.response().checksum());
    }

    @Test
    void tokensAreForTheirBlockAndExpire() {
        List<Block> blocks = listAll(1000);
        Block first = blocks.get(0);
        assertThatThrownBy(() -> ebs.getSnapshotBlockAsBytes(r -> r.snapshotId(snapshotId).blockIndex(2)
                .blockToken(first.blockToken())))
                .isInstanceOfSatisfying(ValidationException.class, e -> {
                    assertThat(e.reasonAsString()).isEqualTo("INVALID_BLOCK_TOKEN");
                    assertThat(e.statusCode()).isEqualTo(400);
                });
        sandbox.world().ebs().expireBlockTokens();
        assertThatThrownBy(() -> ebs.getSnapshotBlockAsBytes(r -> r.snapshotId(snapshotId)
                .blockIndex(first.blockIndex()).blockToken(first.blockToken())))
                .isInstanceOfSatisfying(ValidationException.class, e -> {
                    assertThat(e.reasonAsString()).isEqualTo("INVALID_BLOCK_TOKEN");
                    assertThat(e.getMessage()).contains("expired");
                });
        Block fresh = listAll(1000).get(0);
        assertThat(ebs.getSnapshotBlockAsBytes(r -> r.snapshotId(snapshotId).blockIndex(fresh.blockIndex())
                .blockToken(fresh.blockToken())).asByteArray()).hasSize(BLOCK);
    }

    @Test
    void badInputAnswersTheApisErrors() {
        assertThatThrownBy(() -> ebs.listSnapshotBlocks(r -> r.snapshotId("snap-0123456789abcdef9")))
                .isInstanceOfSatisfying(ResourceNotFoundException.class, e -> {
                    assertThat(e.reasonAsString()).isEqualTo("SNAPSHOT_NOT_FOUND");
                    assertThat(e.statusCode()).isEqualTo(404);
                });
        assertThatThrownBy(() -> ebs.listSnapshotBlocks(r -> r.snapshotId(snapshotId).nextToken("bm90IGEgdG9rZW4=")))
                .isInstanceOfSatisfying(ValidationException.class,
                        e -> assertThat(e.reasonAsString()).isEqualTo("INVALID_PAGE_TOKEN"));
        assertThatThrownBy(() -> ebs.listSnapshotBlocks(r -> r.snapshotId(snapshotId).maxResults(10001)))
                .isInstanceOfSatisfying(ValidationException.class,
                        e -> assertThat(e.reasonAsString()).isEqualTo("INVALID_PARAMETER_VALUE"));
        assertThatThrownBy(() -> ebs.getSnapshotBlockAsBytes(r -> r.snapshotId(snapshotId).blockIndex(4096)
                .blockToken("AAAA")))
                .isInstanceOfSatisfying(ValidationException.class,
                        e -> assertThat(e.reasonAsString()).isEqualTo("INVALID_BLOCK"));
    }

    @Test
    void deniedAccessAndKeysAreAccessDenied() {
        sandbox.world().ebs().denyEbsDirect(true);
        try {
            assertThatThrownBy(() -> ebs.listSnapshotBlocks(r -> r.snapshotId(snapshotId)))
                    .isInstanceOfSatisfying(AccessDeniedException.class, e -> {
                        assertThat(e.statusCode()).isEqualTo(403);
                        assertThat(e.reasonAsString()).isEqualTo("UNAUTHORIZED_ACCOUNT");
                        assertThat(e.getMessage()).contains("ebs:ListSnapshotBlocks");
                    });
        } finally {
            sandbox.world().ebs().denyEbsDirect(false);
        }
        Block block = listAll(1000).get(0);
        sandbox.world().ebs().denyKmsDecrypt("arn:aws:kms:us-west-1:123456789012:key/ebs-test", true);
        try {
            assertThatThrownBy(() -> ebs.getSnapshotBlockAsBytes(r -> r.snapshotId(snapshotId)
                    .blockIndex(block.blockIndex()).blockToken(block.blockToken())))
                    .isInstanceOfSatisfying(AccessDeniedException.class, e -> {
                        assertThat(e.reasonAsString()).isEqualTo("DEPENDENCY_ACCESS_DENIED");
                        assertThat(e.getMessage()).contains("kms:Decrypt");
                    });
        } finally {
            sandbox.world().ebs().denyKmsDecrypt("arn:aws:kms:us-west-1:123456789012:key/ebs-test", false);
        }
    }

    @Test
    void throttlingIsTheApisOwnAndRetriedByTheSdk() {
        try (AwsClients once = clients.withoutRetries(); EbsClient noRetry = once.ebs()) {
            sandbox.faults().set("services=ebs,rate=1,statuses=429,count=1");
            assertThatThrownBy(() -> noRetry.listSnapshotBlocks(r -> r.snapshotId(snapshotId)))
                    .isInstanceOfSatisfying(RequestThrottledException.class, e -> {
                        assertThat(e.statusCode()).isEqualTo(400);
                        assertThat(e.reasonAsString()).isEqualTo("ACCOUNT_THROTTLED");
                    });
            sandbox.faults().set("services=ebs,rate=1,statuses=429,count=1");
            assertThat(ebs.listSnapshotBlocks(r -> r.snapshotId(snapshotId)).blocks()).hasSize(125);
        } finally {
            sandbox.faults().set(FaultSpec.none());
        }
        assertThat(sandbox.requests().count("ebs:ListSnapshotBlocks")).isPositive();
    }

    @Test
    void pendingSnapshotsAreNotReadable() {
        String imageId = ec2.createImage(r -> r.instanceId("i-0eb50000000000001").name("gaps-pending")
                .noReboot(true)).imageId();
        String pending = ec2.describeImages(r -> r.imageIds(imageId)).images().get(0).blockDeviceMappings().get(0)
                .ebs().snapshotId();
        if (sandbox.world().ec2().snapshots().stream().anyMatch(s -> s.id().equals(pending)
                && s.state().equals("pending"))) {
            assertThatThrownBy(() -> ebs.listSnapshotBlocks(r -> r.snapshotId(pending)))
                    .isInstanceOfSatisfying(ValidationException.class, e -> assertThat(e.getMessage())
                            .contains("completed snapshots only"));
        }
    }
}
