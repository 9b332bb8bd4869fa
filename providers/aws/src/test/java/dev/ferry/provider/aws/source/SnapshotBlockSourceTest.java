package dev.ferry.provider.aws.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.engine.transfer.RangedByteSource;
import dev.ferry.sandbox.Sandbox;
import dev.ferry.sandbox.SandboxOptions;
import dev.ferry.sandbox.world.SandboxWorld;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.retry.RetryMode;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ebs.EbsClient;
import software.amazon.awssdk.services.ec2.Ec2Client;

/**
 * The snapshot block reader against the sandbox's EBS direct APIs over loopback, with the real SDK client:
 * the disk comes back whole and in order, gaps as zeros that cost no request; expired tokens, corrupted
 * blocks, throttling, 5xx answers and cut connections are survived; a block that stays corrupt fails naming
 * its index; a denied account is told which permissions to grant.
 */
class SnapshotBlockSourceTest {

    static final int BLOCK = SnapshotBlockSource.BLOCK_SIZE;
    static final long GIB = 1L << 30;
    /** 90 blocks: written where index % 3 != 1, random bytes, so gaps sit between and inside ranges. */
    static final int IMAGE_BLOCKS = 90;

    @TempDir
    static Path dir;
    static Sandbox sandbox;
    static EbsClient ebs;
    static Ec2Client ec2;
    static byte[] disk;
    static String snapshotId;

    @BeforeAll
    static void start() throws Exception {
        disk = new byte[IMAGE_BLOCKS * BLOCK];
        Random random = new Random(42);
        for (int b = 0; b < IMAGE_BLOCKS; b++) {
            if (b % 3 != 1) {
                byte[] block = new byte[BLOCK];
                random.nextBytes(block);
                System.arraycopy(block, 0, disk, b * BLOCK, BLOCK);
            }
        }
        Path image = dir.resolve("disk.raw");
        Files.write(image, disk);
        SandboxWorld world = SandboxWorld.defaults().withInstance(new SandboxWorld.InstanceSpec("i-0eb50000000000002",
                "blocks-01", "t3.small", null, null, null, "subnet-0abc1234", "10.0.1.91", null,
                List.of("sg-0123456789abcdef0"), "ops", null, null, List.of(), Map.of(),
                List.of(new SandboxWorld.VolumeSpec("vol-0eb50000000000002", "/dev/xvda", 1, "gp3", 3000, 125, false,
                        null, true, image.toString(), null))));
        sandbox = Sandbox.start(SandboxOptions.builder().timeScale(0.01).cacheDirectory(Path.of("target", "sandbox-cache"))
                .world(world).build());
        StaticCredentialsProvider credentials = StaticCredentialsProvider.create(
                AwsBasicCredentials.create(sandbox.accessKeyId(), sandbox.secretAccessKey()));
        ClientOverrideConfiguration overrides = ClientOverrideConfiguration.builder().retryStrategy(RetryMode.STANDARD).build();
        ebs = EbsClient.builder().endpointOverride(sandbox.endpoint()).region(Region.of(sandbox.region()))
                .credentialsProvider(credentials).overrideConfiguration(overrides).build();
        ec2 = Ec2Client.builder().endpointOverride(sandbox.endpoint()).region(Region.of(sandbox.region()))
                .credentialsProvider(credentials).build();
        String imageId = ec2.createImage(r -> r.instanceId("i-0eb50000000000002").name("blocks").noReboot(true)).imageId();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!ec2.describeImages(r -> r.imageIds(imageId)).images().get(0).stateAsString().equals("available")) {
            assertThat(System.nanoTime()).as("the AMI became available").isLessThan(deadline);
            Thread.sleep(20);
        }
        snapshotId = ec2.describeImages(r -> r.imageIds(imageId)).images().get(0).blockDeviceMappings().get(0).ebs()
                .snapshotId();
    }

    @AfterAll
    static void stop() {
        ebs.close();
        ec2.close();
        sandbox.close();
    }

    @AfterEach
    void noFaults() {
        sandbox.faults().clear();
    }

    static SnapshotBlockSource source() {
        return new SnapshotBlockSource(ebs, snapshotId, GIB, new SnapshotBlockSource.Tuning(4, 6, Duration.ofMillis(5), 2));
    }

    static byte[] expected(long offset, int length) {
        byte[] bytes = new byte[length];
        if (offset < disk.length) {
            System.arraycopy(disk, (int) offset, bytes, 0, (int) Math.min(length, disk.length - offset));
        }
        return bytes;
    }

    static byte[] read(RangedByteSource source, long offset, int length) throws IOException {
        try (InputStream in = source.openRange(offset, length)) {
            return in.readAllBytes();
        }
    }

    long gets() {
        return sandbox.requests().count("ebs:GetSnapshotBlock");
    }

    @Test
    void theWholeDiskInOrder_gapsAsZerosWithoutARequest() throws IOException {
        SnapshotBlockSource source = source();
        assertThat(source.size()).isEqualTo(GIB);
        long before = gets();
        int written = 0;
        for (int b = 0; b < IMAGE_BLOCKS; b++) {
            written += b % 3 != 1 ? 1 : 0;
        }
        assertThat(source.writtenBlocks()).hasSize(written);
        // ranges that start and end inside blocks, across gaps, and past the end of what was ever written
        long[][] ranges = {{0, 3 * BLOCK + 100}, {3 * BLOCK + 100, 20 * BLOCK - 7}, {23 * BLOCK + 93, 67 * BLOCK - 93},
                {90L * BLOCK, 40 * BLOCK}, {GIB - 3 * BLOCK, 3 * BLOCK}};
        for (long[] range : ranges) {
            assertThat(read(source, range[0], (int) range[1])).as("bytes " + range[0] + "+" + range[1])
                    .isEqualTo(expected(range[0], (int) range[1]));
        }
        // blocks 3 and 23 (both written) are shared by two ranges, which each read them
        assertThat(gets() - before).as("one request per written block a range reads, none for the gaps")
                .isEqualTo(written + 2);
        // runs of written blocks: 0, then 2-3, 5-6 ... 86-87, then 89
        assertThat(source.writtenExtents()).hasSize(31)
                .first().isEqualTo(new RangedByteSource.Extent(0, BLOCK));
        assertThat(source.writtenExtents().get(1)).isEqualTo(new RangedByteSource.Extent(2L * BLOCK, 2L * BLOCK));
    }

    @Test
    void expiredTokensAreListedAgain() throws IOException {
        SnapshotBlockSource source = source();
        assertThat(read(source, 0, 10 * BLOCK)).isEqualTo(expected(0, 10 * BLOCK));
        long lists = source.listRequests();
        sandbox.world().ebs().expireBlockTokens();
        assertThat(read(source, 10L * BLOCK, 50 * BLOCK)).isEqualTo(expected(10L * BLOCK, 50 * BLOCK));
        assertThat(source.listRequests()).as("listed again for fresh tokens").isGreaterThan(lists);
    }

    @Test
    void aCorruptedBlockIsReadAgain_oneThatStaysCorruptFailsNamingItsIndex() throws IOException {
        SnapshotBlockSource source = source();
        sandbox.world().ebs().corruptSnapshotBlock(snapshotId, 5, 1);
        assertThat(read(source, 4L * BLOCK, 4 * BLOCK)).isEqualTo(expected(4L * BLOCK, 4 * BLOCK));
        sandbox.world().ebs().corruptSnapshotBlock(snapshotId, 8, 2);
        assertThatThrownBy(() -> read(source, 8L * BLOCK, BLOCK))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("block 8 of " + snapshotId)
                .hasMessageContaining("SHA-256");
    }

    @Test
    void throttling5xxAndCutBlocksAreRetriedPerBlock() throws IOException {
        SnapshotBlockSource source = source();
        source.writtenBlocks();
        sandbox.faults().set("services=ebs,actions=GetSnapshotBlock,rate=0.3,statuses=429,500,503,seed=3 ;"
                + " services=ebs,actions=GetSnapshotBlock,cut=0.2,cut-direction=response,seed=4");
        assertThat(read(source, 0, IMAGE_BLOCKS * BLOCK)).isEqualTo(disk);
        assertThat(sandbox.faults().injectedCount()).as("faults were injected").isPositive();
    }

    @Test
    void deniedAccessNamesThePermissionsAndTheExportRoad() {
        sandbox.world().ebs().denyEbsDirect(true);
        try {
            assertThatThrownBy(() -> source().writtenBlocks())
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("ebs:ListSnapshotBlocks")
                    .hasMessageContaining("ebs:GetSnapshotBlock")
                    .hasMessageContaining("kms:Decrypt")
                    .hasMessageContaining("via: export");
        } finally {
            sandbox.world().ebs().denyEbsDirect(false);
        }
    }
}
