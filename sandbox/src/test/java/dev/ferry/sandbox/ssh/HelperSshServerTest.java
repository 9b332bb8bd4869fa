package dev.ferry.sandbox.ssh;

import dev.ferry.sandbox.Sandbox;
import dev.ferry.sandbox.TestSandboxes;
import dev.ferry.sandbox.linode.LinodeTestClient;
import dev.ferry.sandbox.world.LinodeMachines;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.channel.ChannelExec;
import org.apache.sshd.client.channel.ClientChannelEvent;
import org.apache.sshd.client.keyverifier.AcceptAllServerKeyVerifier;
import org.apache.sshd.client.session.ClientSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.zip.GZIPOutputStream;

import static dev.ferry.sandbox.linode.LinodeDiskRoadApiTest.config;
import static dev.ferry.sandbox.linode.LinodeDiskRoadApiTest.helperDisk;
import static dev.ferry.sandbox.linode.LinodeDiskRoadApiTest.helperKey;
import static dev.ferry.sandbox.linode.LinodeDiskRoadApiTest.offlineLinode;
import static dev.ferry.sandbox.linode.LinodeDiskRoadApiTest.publicKeyLine;
import static dev.ferry.sandbox.linode.LinodeDiskRoadApiTest.readyDisk;
import static dev.ferry.sandbox.linode.LinodeDiskRoadApiTest.waitForStatus;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The helper's SSH server as ferry's disk road uses it, through MINA's own client. */
class HelperSshServerTest {

    private static final int MIB = 1024 * 1024;
    private static final Sandbox sandbox = TestSandboxes.start(0.01);
    private static final LinodeTestClient linode = new LinodeTestClient(sandbox);
    private static final KeyPair key = helperKey();
    private static final SshClient client = SshClient.setUpDefaultClient();
    private static long linodeId;
    private static long raw;
    private static long helper;
    private static long configId;

    /** What a command did: its exit status (null when the channel closed without one), stdout, stderr. */
    private record Ran(Integer status, String stdout, String stderr) {
    }

    @BeforeAll
    static void bootAHelper() {
        client.setServerKeyVerifier(AcceptAllServerKeyVerifier.INSTANCE);
        client.start();
        linodeId = offlineLinode(linode, "ssh-helper");
        raw = readyDisk(linode, linodeId, Map.of("label", "root", "size", 64, "filesystem", "raw"));
        helper = readyDisk(linode, linodeId, helperDisk(publicKeyLine(key)));
        configId = linode.post("/linode/instances/" + linodeId + "/configs", config("helper", "linode/grub2",
                Map.of("sda", Map.of("disk_id", helper), "sdb", Map.of("disk_id", raw)))).body().get("id").asLong();
        assertThat(linode.post("/linode/instances/" + linodeId + "/boot", Map.of("config_id", configId)).status())
                .isEqualTo(200);
        waitForStatus(linode, linodeId, "running");
    }

    @AfterAll
    static void stop() {
        client.stop();
        sandbox.close();
    }

    private static ClientSession login(KeyPair identity) throws IOException {
        String[] endpoint = sandbox.sshEndpoint().split(":");
        ClientSession session = client.connect("root", endpoint[0], Integer.parseInt(endpoint[1]))
                .verify(Duration.ofSeconds(10)).getSession();
        session.addPublicKeyIdentity(identity);
        session.auth().verify(Duration.ofSeconds(10));
        return session;
    }

    private static Ran run(String command, byte[] stdin) {
        try (ClientSession session = login(key); ChannelExec exec = session.createExecChannel(command)) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            exec.setIn(new ByteArrayInputStream(stdin));
            exec.setOut(out);
            exec.setErr(err);
            exec.open().verify(Duration.ofSeconds(10));
            exec.waitFor(EnumSet.of(ClientChannelEvent.CLOSED), Duration.ofSeconds(60));
            return new Ran(exec.getExitStatus(), out.toString(StandardCharsets.UTF_8),
                    err.toString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String write(String device, long offset, long length) {
        return "gunzip -c | dd of=/dev/" + device + " bs=1M oflag=seek_bytes seek=" + offset
                + " conv=notrunc,fsync status=none && dd if=/dev/" + device + " bs=1M iflag=skip_bytes,count_bytes skip="
                + offset + " count=" + length + " status=none | sha256sum";
    }

    static String digest(String device, long offset, long length) {
        return "dd if=/dev/" + device + " bs=1M iflag=skip_bytes,count_bytes skip=" + offset + " count=" + length
                + " status=none | sha256sum";
    }

    /** 3 MiB: random, zeros, random; with a boot signature at byte 510. */
    private static byte[] chunk(long seed) {
        byte[] data = new byte[3 * MIB];
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < data.length; i++) {
            if (i < MIB || i >= 2 * MIB) {
                data[i] = (byte) random.nextInt(256);
            }
        }
        data[510] = 0x55;
        data[511] = (byte) 0xAA;
        return data;
    }

    private static byte[] gzip(byte[] data) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(bytes)) {
            gzip.write(data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void writesAGzipChunkAndReadsItsDigestBack() {
        byte[] data = chunk(1);
        Ran written = run(write("sdb", 0, data.length), gzip(data));
        assertThat(written.status()).as(written.stderr()).isZero();
        assertThat(written.stdout()).isEqualTo(sha256(data) + "  -\n");

        Ran read = run(digest("sdb", 0, data.length), new byte[0]);
        assertThat(read.status()).isZero();
        assertThat(read.stdout()).isEqualTo(sha256(data) + "  -\n");
        assertThat(sandbox.world().linode().diskSha256(raw, data.length)).isEqualTo(sha256(data));
        assertThat(run("blockdev --getsize64 /dev/sdb", new byte[0]).stdout()).isEqualTo(64L * MIB + "\n");
        assertThat(run("sync", new byte[0]).status()).isZero();
    }

    @Test
    void comparesARangeWithDevZeroAsCmpDoes() {
        byte[] data = chunk(7);
        assertThat(run(write("sdb", 40L * MIB, data.length), gzip(data)).status()).isZero();
        assertThat(run(zeros("sdb", 32L * MIB, 8L * MIB)).status()).as("never written").isZero();
        assertThat(run(zeros("sdb", 41L * MIB, MIB)).status()).as("written as zeros").isZero();
        assertThat(run(zeros("sdb", 40L * MIB, data.length)).status()).as("written").isEqualTo(1);
        assertThat(run(zeros("sdb", 60L * MIB, 8L * MIB)).status()).as("past the end").isEqualTo(1);
        Ran missing = run(zeros("sdh", 0, MIB));
        assertThat(missing.status()).isEqualTo(2);
        assertThat(missing.stderr()).isEqualTo("cmp: /dev/sdh: No such file or directory\n");
    }

    private static Ran run(String command) {
        return run(command, new byte[0]);
    }

    private static String zeros(String device, long offset, long length) {
        return "cmp -s -i " + offset + ":0 -n " + length + " /dev/" + device + " /dev/zero";
    }

    @Test
    void answersAnyOtherCommandAsAMissingToolAndBadInputAsTheRealToolsDo() {
        Ran rm = run("rm -rf /", new byte[0]);
        assertThat(rm.status()).isEqualTo(127);
        assertThat(rm.stderr()).isEqualTo("sh: 1: rm: not found\n");
        assertThat(run("dd if=/dev/sdb of=/dev/null", new byte[0]).status()).isEqualTo(127);

        Ran notGzip = run(write("sdb", 0, 4), "plain".getBytes(StandardCharsets.UTF_8));
        assertThat(notGzip.status()).isEqualTo(1);
        assertThat(notGzip.stderr()).isEqualTo("gzip: stdin: not in gzip format\n");
        byte[] whole = gzip(chunk(2));
        byte[] truncated = Arrays.copyOf(whole, whole.length / 2);
        Ran cutShort = run(write("sdb", 8L * MIB, 3 * MIB), truncated);
        assertThat(cutShort.status()).isEqualTo(1);
        assertThat(cutShort.stderr()).isEqualTo("gzip: stdin: unexpected end of file\n");

        Ran pastTheEnd = run(write("sdb", 63L * MIB, 3 * MIB), whole);
        assertThat(pastTheEnd.status()).isEqualTo(1);
        assertThat(pastTheEnd.stderr()).isEqualTo("dd: error writing '/dev/sdb': No space left on device\n");
        assertThat(run("blockdev --getsize64 /dev/sdh", new byte[0]).status()).isEqualTo(1);
    }

    @Test
    void writesABlockStorageVolumeInAConfigSlotTheSameWay() {
        var created = linode.post("/volumes", Map.of("label", "ssh-data", "size", 10, "linode_id", linodeId,
                "config_id", configId));
        assertThat(created.status()).as(created.body().toString()).isEqualTo(200);
        long volume = created.body().get("id").asLong();
        assertThat(linode.get("/linode/instances/" + linodeId + "/configs/" + configId).body()
                .at("/devices/sdc/volume_id").asLong()).isEqualTo(volume);
        assertThat(run("blockdev --getsize64 /dev/sdc", new byte[0]).stdout()).isEqualTo(10L * 1024 * MIB + "\n");
        byte[] data = chunk(5);
        Ran written = run(write("sdc", 0, data.length), gzip(data));
        assertThat(written.status()).as(written.stderr()).isZero();
        assertThat(sandbox.world().linode().volumeSha256(volume, data.length)).isEqualTo(sha256(data));
        assertThat(linode.post("/volumes/" + volume + "/detach", null).status()).isEqualTo(200);
        assertThat(run("blockdev --getsize64 /dev/sdc", new byte[0]).status()).isEqualTo(1);
    }

    @Test
    void refusesAKeyThatNoHelperDiskWasGiven() {
        assertThatThrownBy(() -> login(helperKey()).close()).isInstanceOf(IOException.class);
    }

    @Test
    void aFaultRuleCutsTheSessionMidStreamAndTheNextWriteSucceeds() {
        byte[] data = chunk(3);
        byte[] gzip = gzip(data);
        sandbox.faults().cutSshAfter(gzip.length / 3);
        Ran cut = run(write("sdb", 16L * MIB, data.length), gzip);
        assertThat(cut.status()).as("a cut session ends without an exit status").isNull();
        assertThat(cut.stdout()).isEmpty();
        assertThat(sandbox.faults().injectedCount()).isPositive();

        Ran again = run(write("sdb", 16L * MIB, data.length), gzip);
        assertThat(again.status()).as(again.stderr()).isZero();
        assertThat(again.stdout()).isEqualTo(sha256(data) + "  -\n");
        sandbox.faults().clear();
    }

    @Test
    void theRawDiskBootsByDirectDiskOnceWrittenAndTheHelperKeyNoLongerLogsIn() throws IOException {
        KeyPair own = helperKey();
        long id = offlineLinode(linode, "ssh-road");
        long rawDisk = readyDisk(linode, id, Map.of("label", "root", "size", 16, "filesystem", "raw"));
        long helperDisk = readyDisk(linode, id, helperDisk(publicKeyLine(own)));
        long config = linode.post("/linode/instances/" + id + "/configs", config("helper", "linode/grub2",
                Map.of("sda", Map.of("disk_id", helperDisk), "sdb", Map.of("disk_id", rawDisk)))).body().get("id")
                .asLong();
        linode.post("/linode/instances/" + id + "/boot", Map.of("config_id", config));
        waitForStatus(linode, id, "running");
        byte[] data = chunk(4);
        try (ClientSession session = login(own); ChannelExec exec = session.createExecChannel(
                write("sdb", 0, data.length))) {
            exec.setIn(new ByteArrayInputStream(gzip(data)));
            exec.setOut(new ByteArrayOutputStream());
            exec.open().verify(Duration.ofSeconds(10));
            exec.waitFor(EnumSet.of(ClientChannelEvent.CLOSED), Duration.ofSeconds(60));
            assertThat(exec.getExitStatus()).isZero();
        }
        linode.post("/linode/instances/" + id + "/shutdown", null);
        waitForStatus(linode, id, "offline");
        assertThat(linode.put("/linode/instances/" + id + "/configs/" + config, config("boot",
                LinodeMachines.DIRECT_DISK, Map.of("sda", Map.of("disk_id", rawDisk)))).status()).isEqualTo(200);
        assertThat(linode.delete("/linode/instances/" + id + "/disks/" + helperDisk).status()).isEqualTo(200);
        linode.post("/linode/instances/" + id + "/boot", Map.of("config_id", config));
        waitForStatus(linode, id, "running");
        assertThat(sandbox.world().linode().diskSha256(rawDisk, data.length)).isEqualTo(sha256(data));
        assertThatThrownBy(() -> login(own).close()).isInstanceOf(IOException.class);
    }
}
