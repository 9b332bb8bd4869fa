package dev.ferry.provider.linode;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.engine.FerryException;
import java.util.List;
import java.util.Optional;

/**
 * One Linode's power and parts, as the disk road drives them: its status, shutting it down and booting a config
 * (each asked once and then followed, so a repeated call after a crash asks nothing twice), its disks and configs
 * found by label, and the temporary helper's disk and config removed.
 */
final class LinodeMachine {

    /** Labels of the temporary helper's disk and config; nothing of the user's is ever labelled so. */
    static final String HELPER_LABEL = "ferry-helper";

    private final LinodeClient client;
    private final long id;

    LinodeMachine(LinodeClient client, long id) {
        this.client = requireNonNull(client, "client is null");
        this.id = id;
    }

    long id() {
        return id;
    }

    private String path() {
        return "/linode/instances/" + id;
    }

    JsonNode linode() {
        return client.find(path()).orElseThrow(() -> new FerryException("the Linode " + id
                + " no longer exists; run plan again to make it afresh"));
    }

    String status() {
        return linode().path("status").asText();
    }

    /**
     * Asks for a shutdown when the Linode runs or boots; returns true once it is {@code offline}. A Linode shutting
     * down is waited for.
     */
    boolean stopped() {
        String status = status();
        switch (status) {
            case "offline":
                return true;
            case "running":
            case "booting":
            case "rebooting":
                client.postWithoutBody(path() + "/shutdown");
                return false;
            default:
                return false;
        }
    }

    /** Asks Linode to boot {@code configId}; follow it with {@link #status()} and {@link #bootFailure()}. */
    void boot(long configId) {
        ObjectNode body = Args.object();
        body.put("config_id", configId);
        client.post(path() + "/boot", body, LinodeClient.Replay.SAFE);
    }

    /** Why the latest boot failed, when it did. */
    Optional<String> bootFailure() {
        return LinodeEvents.latest(client, "linode_boot", id)
                .filter(event -> event.path("status").asText().equals("failed"))
                .map(event -> "linode_boot " + LinodeEvents.describe(event));
    }

    List<JsonNode> disks() {
        return client.list(path() + "/disks", null);
    }

    List<JsonNode> configs() {
        return client.list(path() + "/configs", null);
    }

    Optional<JsonNode> disk(String label) {
        return disks().stream().filter(d -> d.path("label").asText().equals(label)).findFirst();
    }

    Optional<JsonNode> config(String label) {
        return configs().stream().filter(c -> c.path("label").asText().equals(label)).findFirst();
    }

    Optional<JsonNode> disk(long diskId) {
        return client.find(path() + "/disks/" + diskId);
    }

    /** Creates a disk, or finds the one an earlier attempt made ({@code label} is unique on this Linode). */
    JsonNode createDisk(ObjectNode body) {
        String label = body.path("label").asText();
        return client.postCreating(path() + "/disks", body, () -> disk(label));
    }

    JsonNode createConfig(ObjectNode body) {
        String label = body.path("label").asText();
        return client.postCreating(path() + "/configs", body, () -> config(label));
    }

    void deleteConfig(long configId) {
        client.delete(path() + "/configs/" + configId);
    }

    void deleteDisk(long diskId) {
        client.delete(path() + "/disks/" + diskId);
    }

    /** Removes the helper's config and disk, whatever run made them. The Linode must be offline. */
    void removeHelper() {
        config(HELPER_LABEL).ifPresent(c -> deleteConfig(c.path("id").asLong()));
        for (JsonNode disk : disks()) {
            if (disk.path("label").asText().equals(HELPER_LABEL)) {
                deleteDisk(disk.path("id").asLong());
            }
        }
    }

    /** The Linode's first public IPv4 address, where its SSH server answers. */
    String publicAddress() {
        JsonNode ipv4 = linode().path("ipv4");
        if (!ipv4.isArray() || ipv4.isEmpty()) {
            throw new FerryException("the Linode " + id + " has no public IPv4 address to reach its helper over SSH");
        }
        return ipv4.get(0).asText();
    }
}
