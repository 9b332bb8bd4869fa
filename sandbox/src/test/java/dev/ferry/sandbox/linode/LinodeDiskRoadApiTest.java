package dev.ferry.sandbox.linode;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.sandbox.Sandbox;
import dev.ferry.sandbox.TestSandboxes;
import dev.ferry.sandbox.testing.LinodeOpenApiValidator;
import dev.ferry.sandbox.world.LinodeConfig;
import dev.ferry.sandbox.world.LinodeMachines;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Linode API calls of the disk road (a Linode without an image, a raw disk, a helper disk, configs, boot,
 * shutdown, reboot), every exchange checked against the OpenAPI description.
 */
public class LinodeDiskRoadApiTest {

    private static final Sandbox sandbox = TestSandboxes.start(0.01);
    private static final LinodeTestClient linode = new LinodeTestClient(sandbox);

    @RegisterExtension
    static final LinodeOpenApiValidator openApi = LinodeOpenApiValidator.attachTo(sandbox);

    private static final String KEY = publicKeyLine(helperKey());

    /** An ephemeral key as ferry makes one for the helper. */
    public static KeyPair helperKey() {
        try {
            return KeyUtils.generateKeyPair(KeyPairProvider.ECDSA_SHA2_NISTP256, 256);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The key as an OpenSSH {@code authorized_keys} line. */
    public static String publicKeyLine(KeyPair key) {
        return PublicKeyEntry.toString(key.getPublic()) + " ferry-helper";
    }

    @AfterAll
    static void stop() {
        sandbox.close();
    }

    public static long offlineLinode(LinodeTestClient linode, String label) {
        LinodeTestClient.Reply created = linode.post("/linode/instances", Map.of("type", "g6-nanode-1",
                "region", "us-lax", "label", label, "booted", false, "tags", List.of("ferry")));
        assertThat(created.status()).as(created.body().toString()).isEqualTo(200);
        long id = created.body().get("id").asLong();
        waitForStatus(linode, id, "offline");
        return id;
    }

    public static void waitForStatus(LinodeTestClient linode, long id, String status) {
        TestSandboxes.waitUntil(status, Duration.ofSeconds(10), () ->
                linode.get("/linode/instances/" + id).body().path("status").asText().equals(status));
    }

    public static long readyDisk(LinodeTestClient linode, long id, Map<String, Object> body) {
        LinodeTestClient.Reply disk = linode.post("/linode/instances/" + id + "/disks", body);
        assertThat(disk.status()).as(disk.body().toString()).isEqualTo(200);
        assertThat(disk.body().get("status").asText()).isEqualTo("not ready");
        long diskId = disk.body().get("id").asLong();
        TestSandboxes.waitUntil("disk ready", Duration.ofSeconds(10), () -> linode.get("/linode/instances/" + id
                + "/disks/" + diskId).body().path("status").asText().equals("ready"));
        return diskId;
    }

    public static Map<String, Object> helperDisk(String key) {
        return Map.of("label", "ferry-helper", "size", 1500, "image", "linode/debian12",
                "root_pass", "Helper-Pass-2026!x", "authorized_keys", List.of(key));
    }

    public static Map<String, Object> config(String label, String kernel, Map<String, Object> devices) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("label", label);
        body.put("kernel", kernel);
        body.put("root_device", "/dev/sda");
        body.put("devices", devices);
        return body;
    }

    @Test
    void aLinodeWithoutImageGetsARawDiskAHelperDiskAConfigAndBootsIntoIt() {
        long id = offlineLinode(linode, "disk-road");
        long raw = readyDisk(linode, id, Map.of("label", "root", "size", 8192, "filesystem", "raw"));
        long helper = readyDisk(linode, id, helperDisk(KEY));
        assertThat(sandbox.world().linode().diskAuthorizedKeys(helper)).containsExactly(KEY);
        assertThat(sandbox.world().linode().diskAuthorizedKeys(raw)).isEmpty();

        LinodeTestClient.Reply disks = linode.get("/linode/instances/" + id + "/disks");
        assertThat(disks.body().get("results").asInt()).isEqualTo(2);
        assertThat(disks.body().get("data")).extracting(d -> d.get("filesystem").asText())
                .containsExactly("raw", "ext4");

        LinodeTestClient.Reply config = linode.post("/linode/instances/" + id + "/configs", config("helper",
                "linode/grub2", Map.of("sda", Map.of("disk_id", helper), "sdb", Map.of("disk_id", raw))));
        assertThat(config.status()).as(config.body().toString()).isEqualTo(200);
        long configId = config.body().get("id").asLong();
        assertThat(config.body().at("/devices/sdb/disk_id").asLong()).isEqualTo(raw);
        assertThat(config.body().get("kernel").asText()).isEqualTo("linode/grub2");

        assertThat(linode.post("/linode/instances/" + id + "/boot", Map.of("config_id", configId)).status())
                .isEqualTo(200);
        waitForStatus(linode, id, "running");
        assertThat(linode.post("/linode/instances/" + id + "/reboot", Map.of()).status()).isEqualTo(200);
        waitForStatus(linode, id, "running");
        assertThat(linode.delete("/linode/instances/" + id + "/disks/" + helper).status()).isEqualTo(400);

        assertThat(linode.post("/linode/instances/" + id + "/shutdown", null).status()).isEqualTo(200);
        waitForStatus(linode, id, "offline");

        LinodeTestClient.Reply swapped = linode.put("/linode/instances/" + id + "/configs/" + configId,
                config("boot", LinodeMachines.DIRECT_DISK, Map.of("sda", Map.of("disk_id", raw))));
        assertThat(swapped.status()).as(swapped.body().toString()).isEqualTo(200);
        assertThat(swapped.body().get("devices").has("sdb")).isFalse();
        assertThat(linode.delete("/linode/instances/" + id + "/disks/" + helper).status()).isEqualTo(200);
        assertThat(sandbox.world().linode().disks(id)).extracting(d -> d.id()).containsExactly(raw);
        assertThat(sandbox.world().linode().configs(id)).extracting(LinodeConfig::kernel)
                .containsExactly("linode/direct-disk");

        // the raw disk was never written: no boot sector, so direct-disk cannot boot it
        assertThat(linode.post("/linode/instances/" + id + "/boot", Map.of("config_id", configId)).status())
                .isEqualTo(200);
        waitForStatus(linode, id, "offline");
        assertThat(events(id)).contains("disk_create:finished", "disk_delete:finished",
                "linode_config_create:notification", "linode_config_update:notification", "linode_boot:finished",
                "linode_reboot:finished", "linode_shutdown:finished", "linode_boot:failed");

        assertThat(linode.delete("/linode/instances/" + id).status()).isEqualTo(200);
        assertThat(sandbox.world().linode().disks(id)).isEmpty();
        assertThat(sandbox.world().linode().configs(id)).isEmpty();
    }

    private static List<String> events(long id) {
        JsonNode data = linode.get("/account/events?page_size=500", Map.of("X-Filter", "{\"entity.id\": " + id
                + "}")).body().get("data");
        return StreamSupport.stream(data.spliterator(), false)
                .map(e -> e.get("action").asText() + ":" + e.get("status").asText()).toList();
    }

    @Test
    void refusesDisksThatDoNotFitOrLackWhatAnImageNeeds() {
        long id = offlineLinode(linode, "disk-checks");
        String disks = "/linode/instances/" + id + "/disks";
        assertField(linode.post(disks, Map.of("label", "too-big", "size", 25601, "filesystem", "raw")), "size");
        assertField(linode.post(disks, Map.of("label", "no-size", "filesystem", "raw")), "size");
        assertField(linode.post(disks, Map.of("size", 100, "filesystem", "raw")), "label");
        assertField(linode.post(disks, Map.of("label", "x", "size", 100, "filesystem", "zfs")), "filesystem");
        Map<String, Object> noPassword = new LinkedHashMap<>(helperDisk(KEY));
        noPassword.remove("root_pass");
        assertField(linode.post(disks, noPassword), "root_pass");
        Map<String, Object> weak = new LinkedHashMap<>(helperDisk(KEY));
        weak.put("root_pass", "password1");
        assertField(linode.post(disks, weak), "root_pass");
        assertField(linode.post(disks, helperDisk("ecdsa-sha2-nistp256 not-base64!")), "authorized_keys");
        Map<String, Object> small = new LinkedHashMap<>(helperDisk(KEY));
        small.put("size", 1000);
        assertField(linode.post(disks, small), "size");

        // the plan's 25600 MB: 24500 fit, 1500 more do not
        readyDisk(linode, id, Map.of("label", "root", "size", 24500, "filesystem", "raw"));
        assertField(linode.post(disks, helperDisk(KEY)), "size");
        assertField(linode.post("/linode/instances/" + id + "/configs", config("bad", "linode/grub2",
                Map.of("sda", Map.of("disk_id", 1)))), "devices.sda.disk_id");
        assertField(linode.post("/linode/instances/" + id + "/configs", Map.of("kernel", "linode/grub2")), "label");
        assertField(linode.post("/linode/instances/" + id + "/boot", Map.of()), "config_id");
        assertThat(linode.get(disks + "/1").status()).isEqualTo(404);
    }

    private static void assertField(LinodeTestClient.Reply reply, String field) {
        assertThat(reply.status()).as(reply.body().toString()).isEqualTo(400);
        assertThat(reply.firstField()).as(reply.body().toString()).isEqualTo(field);
        assertThat(reply.firstReason()).isNotBlank();
    }

    @Test
    void disksConfigsAndTheirBytesOutliveARestartWithAStateDirectory(@TempDir Path state) {
        long id;
        long disk;
        try (Sandbox first = Sandbox.start(TestSandboxes.options(0.01).stateDirectory(state).build())) {
            LinodeTestClient client = new LinodeTestClient(first);
            id = offlineLinode(client, "kept");
            disk = readyDisk(client, id, Map.of("label", "root", "size", 16, "filesystem", "raw"));
            assertThat(client.post("/linode/instances/" + id + "/configs", config("boot", LinodeMachines.DIRECT_DISK,
                    Map.of("sda", Map.of("disk_id", disk)))).status()).isEqualTo(200);
        }
        try (Sandbox second = Sandbox.start(TestSandboxes.options(0.01).stateDirectory(state).build())) {
            assertThat(second.world().linode().disks(id)).extracting(d -> d.id()).containsExactly(disk);
            assertThat(second.world().linode().configs(id)).extracting(c -> c.diskIn("sda")).containsExactly(disk);
            LinodeTestClient client = new LinodeTestClient(second);
            long next = readyDisk(client, id, Map.of("label", "more", "size", 16, "filesystem", "raw"));
            assertThat(next).as("ids go on from the saved counters").isGreaterThan(disk);
        }
    }

    @Test
    void aVolumeIsMadeAttachedIntoAConfigSlotDetachedAndDeleted() {
        long id = offlineLinode(linode, "with-volume");
        long raw = readyDisk(linode, id, Map.of("label", "root", "size", 1024, "filesystem", "raw"));
        long configId = linode.post("/linode/instances/" + id + "/configs", config("boot", LinodeMachines.DIRECT_DISK,
                Map.of("sda", Map.of("disk_id", raw)))).body().get("id").asLong();

        LinodeTestClient.Reply created = linode.post("/volumes", Map.of("label", "data-01", "size", 20,
                "region", "us-lax", "tags", List.of("ferry")));
        assertThat(created.status()).as(created.body().toString()).isEqualTo(200);
        assertThat(created.body().get("status").asText()).isEqualTo("creating");
        assertThat(created.body().get("linode_id").isNull()).isTrue();
        long volume = created.body().get("id").asLong();
        TestSandboxes.waitUntil("volume active", Duration.ofSeconds(10), () ->
                linode.get("/volumes/" + volume).body().path("status").asText().equals("active"));

        LinodeTestClient.Reply attached = linode.post("/volumes/" + volume + "/attach", Map.of("linode_id", id,
                "config_id", configId));
        assertThat(attached.status()).as(attached.body().toString()).isEqualTo(200);
        assertThat(attached.body().get("linode_id").asLong()).isEqualTo(id);
        assertThat(linode.get("/linode/instances/" + id + "/configs/" + configId).body()
                .at("/devices/sdb/volume_id").asLong()).isEqualTo(volume);
        assertThat(linode.delete("/volumes/" + volume).status()).as("attached").isEqualTo(400);
        assertThat(linode.get("/volumes").body().get("results").asInt()).isEqualTo(1);

        assertThat(linode.post("/volumes/" + volume + "/detach", null).status()).isEqualTo(200);
        assertThat(linode.get("/linode/instances/" + id + "/configs/" + configId).body().get("devices").has("sdb"))
                .isFalse();
        assertThat(linode.delete("/volumes/" + volume).status()).isEqualTo(200);
        assertThat(linode.get("/volumes/" + volume).status()).isEqualTo(404);

        assertField(linode.post("/volumes", Map.of("label", "tiny", "size", 5, "region", "us-lax")), "size");
        assertField(linode.post("/volumes", Map.of("label", "nowhere", "size", 10)), "region");
        assertField(linode.post("/volumes", Map.of("size", 10, "region", "us-lax")), "label");
        LinodeTestClient.Reply onLinode = linode.post("/volumes", Map.of("label", "data-02", "size", 10,
                "linode_id", id));
        assertThat(onLinode.status()).as(onLinode.body().toString()).isEqualTo(200);
        assertThat(onLinode.body().get("region").asText()).isEqualTo("us-lax");
        assertThat(linode.get("/linode/instances/" + id + "/configs/" + configId).body()
                .at("/devices/sdb/volume_id").asLong()).as("the Linode's only config").isEqualTo(
                        onLinode.body().get("id").asLong());
        assertThat(events(onLinode.body().get("id").asLong())).contains("volume_attach:finished");
    }
}
