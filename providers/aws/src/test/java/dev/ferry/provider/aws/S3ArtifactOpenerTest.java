package dev.ferry.provider.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.engine.FerryException;
import dev.ferry.engine.machine.DiskImage;
import dev.ferry.engine.provider.ArtifactOpener;
import dev.ferry.engine.transfer.RangedByteSource;
import dev.ferry.provider.aws.client.Json;
import dev.ferry.sandbox.Sandbox;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The s3 opener: ranges read exactly, and an object replaced under it is detected, never mixed. */
class S3ArtifactOpenerTest {

    static final String BUCKET = "ferry-opener";

    @TempDir
    Path directory;
    Sandbox sandbox;
    AwsSession session;
    byte[] bytes;

    @BeforeEach
    void start() {
        sandbox = Sandboxes.start();
        Map<String, String> environment = new HashMap<>(sandbox.environment());
        environment.put("AWS_EC2_METADATA_DISABLED", "true");
        String yaml = CredentialsAndEndpointTest.file("{region: us-west-1}");
        session = Journey.open(new Journey(sandbox, yaml, directory).file(), environment, directory);
        sandbox.world().s3().createBucket(BUCKET, "BucketOwnerEnforced");
        bytes = new byte[3 * 1024 * 1024 + 17];
        new Random(7).nextBytes(bytes);
        sandbox.world().s3().putObject(BUCKET, "exports/disk.raw", bytes);
    }

    @AfterEach
    void stop() {
        session.close();
        sandbox.close();
    }

    DiskImage image(String etag) {
        var location = Json.object().put("bucket", BUCKET).put("key", "exports/disk.raw").put("region", "us-west-1");
        if (etag != null) {
            location.put("etag", etag);
        }
        return new DiskImage("s3", "raw", bytes.length, location, "s3://" + BUCKET + "/exports/disk.raw");
    }

    ArtifactOpener opener() {
        return session.artifactOpeners().get(0);
    }

    @Test
    void readsAnyRangeOfTheObject() throws IOException {
        RangedByteSource source = opener().open(image(null));

        assertThat(opener().kind()).isEqualTo("s3");
        assertThat(source.size()).isEqualTo(bytes.length);
        assertThat(source.description()).isEqualTo("s3://" + BUCKET + "/exports/disk.raw");
        try (InputStream in = source.openRange(1_000_000, 2_000_001)) {
            assertThat(in.readAllBytes()).isEqualTo(java.util.Arrays.copyOfRange(bytes, 1_000_000, 3_000_001));
        }
        try (InputStream in = source.openRange(bytes.length - 17, 17)) {
            assertThat(in.readAllBytes()).isEqualTo(java.util.Arrays.copyOfRange(bytes, bytes.length - 17, bytes.length));
        }
        assertThat(sandbox.requests().count("s3:GetObject")).isEqualTo(2);
    }

    @Test
    void anObjectReplacedWhileItIsReadIsRefusedInsteadOfMixed() {
        RangedByteSource source = opener().open(image(null));
        try (var s3 = TestClients.s3(sandbox)) {
            s3.putObject(r -> r.bucket(BUCKET).key("exports/disk.raw"),
                    software.amazon.awssdk.core.sync.RequestBody.fromBytes(new byte[bytes.length]));
        }

        assertThatThrownBy(() -> source.openRange(0, 1024)).isInstanceOf(IOException.class)
                .hasMessageContaining("s3://" + BUCKET + "/exports/disk.raw was replaced while ferry read it");
    }

    @Test
    void anObjectChangedSinceItWasExportedIsRefusedWhenOpened() {
        assertThatThrownBy(() -> opener().open(image("\"0123456789abcdef0123456789abcdef-1\"")))
                .isInstanceOf(FerryException.class)
                .hasMessageContaining("changed since ferry exported it")
                .hasMessageContaining("run plan again");
    }
}
