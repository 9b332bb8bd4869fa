package dev.ferry.provider.linode;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Optional;

/** A Linode put behind a Cloud Firewall, or taken from behind one, through the firewall's devices endpoint. */
final class FirewallDevices {

    private final LinodeClient client;

    FirewallDevices(LinodeClient client) {
        this.client = requireNonNull(client, "client is null");
    }

    /** Puts the Linode behind {@code firewall} through the devices endpoint (at creation, {@code firewall_id} does it). */
    void attach(long firewall, long linodeId) {
        if (device(firewall, linodeId).isPresent()) {
            return;
        }
        ObjectNode body = Args.object();
        body.put("id", linodeId);
        body.put("type", "linode");
        client.postCreating("/networking/firewalls/" + firewall + "/devices", body,
                () -> device(firewall, linodeId).map(device -> (JsonNode) Args.object()));
    }

    void detach(long firewall, long linodeId) {
        try {
            device(firewall, linodeId).ifPresent(device -> client.delete("/networking/firewalls/" + firewall + "/devices/" + device));
        } catch (LinodeApiException e) {
            if (!e.isNotFound()) {
                throw e;
            }
        }
    }

    private Optional<Long> device(long firewall, long linodeId) {
        for (JsonNode device : client.list("/networking/firewalls/" + firewall + "/devices", null)) {
            if (device.path("entity").path("type").asText().equals("linode") && device.path("entity").path("id").asLong() == linodeId) {
                return Optional.of(device.path("id").asLong());
            }
        }
        return Optional.empty();
    }

}
