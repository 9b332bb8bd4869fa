package dev.ferry.cli.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.sandbox.Sandbox;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A RAW disk image exported by hand from vSphere, bound for a Linode with no {@code via}: its size, read from the
 * file at plan time, chooses the road as an EC2 volume's does.
 */
class VsphereFileRoadTest {

    @TempDir
    Path dir;
    Sandbox sandbox;

    @BeforeEach
    void start() {
        sandbox = Sandbox.start(Journeys.sandbox().build());
    }

    @AfterEach
    void stop() {
        sandbox.close();
    }

    /** A sparse RAW disk of {@code bytes}: an MBR with boot code, one Linux partition and the boot signature. */
    private Path raw(String name, long bytes) throws IOException {
        Path file = dir.resolve(name + ".raw");
        try (RandomAccessFile disk = new RandomAccessFile(file.toFile(), "rw")) {
            byte[] sector = new byte[512];
            sector[0] = (byte) 0xEB;
            sector[1] = 0x63;
            sector[446] = (byte) 0x80;
            sector[446 + 4] = (byte) 0x83;
            sector[510] = 0x55;
            sector[511] = (byte) 0xAA;
            disk.write(sector);
            disk.setLength(bytes);
        }
        return file;
    }

    private Ferry.Result plan(String name) throws IOException {
        Files.writeString(dir.resolve("migration.yaml"), """
                apiVersion: ferry/v1
                kind: Migration
                metadata: {name: by-hand}
                providers:
                  vsphere: {}
                  linode: {token: "${env:LINODE_TOKEN}"}
                migrations:
                  - name: %s
                    source: {vsphere: {disk_image: %s.raw}}
                    target: {linode: {region: us-lax, type: g6-standard-2, root_pass: "${env:ROOT_PASSWORD}"}}
                """.formatted(name, name));
        return Ferry.in(dir, sandbox, Journeys.distinctiveSecret("Root-")).run("plan");
    }

    @Test
    void aSevenGibRawFileTakesTheDiskRoadSayingWhy() throws IOException {
        raw("big-01", 7L << 30);

        Ferry.Result plan = plan("big-01");

        assertThat(plan.exitCode()).as(plan.toString()).isZero();
        assertThat(plan.out()).contains("note: road: disk (the 7 GiB root volume of big-01 (big-01.raw) is over Linode's 6 GiB"
                        + " image limit)")
                .contains("linode_disk_write.big-01").doesNotContain("linode_image.");
    }

    @Test
    void aSmallRawFileStaysOnTheImageRoad() throws IOException {
        raw("small-01", 64L << 20);

        Ferry.Result plan = plan("small-01");

        assertThat(plan.exitCode()).as(plan.toString()).isZero();
        assertThat(plan.out()).contains("note: road: image (the 64 MiB root volume of small-01 (small-01.raw) fits Linode's 6 GiB"
                        + " image limit)")
                .contains("linode_image.small-01").doesNotContain("linode_disk_write.");
    }
}
