package dev.ferry.sandbox.linode;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.sandbox.http.HttpCall;
import dev.ferry.sandbox.http.Json;
import dev.ferry.sandbox.world.Firewall;
import dev.ferry.sandbox.world.FirewallDevice;
import dev.ferry.sandbox.world.FirewallRules;
import dev.ferry.sandbox.world.World;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;

import static java.util.Objects.requireNonNull;

/** Linode Cloud Firewalls: create, update, delete, their rules, and the devices (Linodes) behind them. */
final class LinodeFirewalls {

    private final World world;

    LinodeFirewalls(World world) {
        this.world = requireNonNull(world, "world is null");
    }

    static Firewall firewall(World w, String id) {
        Firewall firewall = w.linode().firewalls().get(Long.parseLong(id));
        if (firewall == null) {
            throw LinodeException.notFound();
        }
        return firewall;
    }

    static FirewallDevice device(Firewall firewall, String id) {
        long deviceId = Long.parseLong(id);
        return firewall.devices().stream().filter(d -> d.id() == deviceId).findFirst()
                .orElseThrow(LinodeException::notFound);
    }

    /** A Linode can be behind one firewall only. */
    static void requireFreeLinode(World w, long linodeId) {
        for (Firewall firewall : w.linode().firewalls().values()) {
            if (firewall.devices().stream().anyMatch(d -> d.entityId() == linodeId && d.type().equals("linode"))) {
                throw LinodeException.field("id", "Linode " + linodeId + " already belongs to firewall "
                        + firewall.id() + "; a Linode can be assigned to only one firewall");
            }
        }
    }

    JsonNode createFirewall(HttpCall call, Matcher path, JsonNode body) {
        if (!body.has("label")) {
            throw LinodeException.field("label", "label is required");
        }
        String label = LinodeValidation.label("label", body.get("label"), 3, 32);
        if (!body.has("rules")) {
            throw LinodeException.field("rules", "rules is required");
        }
        FirewallRules rules = LinodeValidation.rules(body.get("rules"), 1);
        List<String> tags = LinodeValidation.tags(body.get("tags"), 3, 50);
        List<Long> linodes = new ArrayList<>();
        JsonNode devices = body.get("devices");
        if (devices != null && !devices.isNull()) {
            devices.path("linodes").forEach(n -> linodes.add(n.asLong()));
            if (devices.path("nodebalancers").size() > 0) {
                throw LinodeException.field("devices.nodebalancers", "The sandbox has no NodeBalancers");
            }
        }
        return world.write(w -> {
            if (w.linode().firewalls().values().stream().anyMatch(f -> f.label().equals(label))) {
                throw LinodeException.field("label", "Label must be unique among your firewalls");
            }
            Instant now = w.now();
            List<FirewallDevice> attached = new ArrayList<>();
            for (long linodeId : linodes) {
                if (!w.linode().instances().containsKey(linodeId)) {
                    throw LinodeException.field("devices.linodes", "Linode " + linodeId + " not found");
                }
                requireFreeLinode(w, linodeId);
                attached.add(new FirewallDevice(w.linode().nextDeviceId(), linodeId, "linode", now));
            }
            long id = w.linode().nextFirewallId();
            Firewall firewall = new Firewall(id, label, "enabled", rules, tags, attached, now, now);
            w.linode().firewalls().put(id, firewall);
            w.linode().addEvent("firewall_create", "notification", "firewall", id, label, "/v4/networking/firewalls/" + id,
                    null);
            return LinodeJson.firewall(firewall);
        });
    }

    JsonNode updateFirewall(HttpCall call, Matcher path, JsonNode body) {
        return world.write(w -> {
            Firewall firewall = firewall(w, path.group(1));
            String label = body.has("label") ? LinodeValidation.label("label", body.get("label"), 3, 32)
                    : firewall.label();
            if (!label.equals(firewall.label()) && w.linode().firewalls().values().stream()
                    .anyMatch(f -> f.label().equals(label))) {
                throw LinodeException.field("label", "Label must be unique among your firewalls");
            }
            String status = body.has("status") ? body.get("status").asText() : firewall.status();
            if (!status.equals("enabled") && !status.equals("disabled")) {
                throw LinodeException.field("status", "Must be one of enabled, disabled");
            }
            List<String> tags = body.has("tags") ? LinodeValidation.tags(body.get("tags"), 3, 50) : firewall.tags();
            Firewall updated = firewall.withSettings(label, status, tags, w.now());
            w.linode().firewalls().put(firewall.id(), updated);
            w.linode().addEvent("firewall_update", "notification", "firewall", firewall.id(), label,
                    "/v4/networking/firewalls/" + firewall.id(), null);
            return LinodeJson.firewall(updated);
        });
    }

    JsonNode deleteFirewall(HttpCall call, Matcher path, JsonNode body) {
        world.writeAndForget(w -> {
            Firewall firewall = firewall(w, path.group(1));
            w.linode().firewalls().remove(firewall.id());
            w.linode().addEvent("firewall_delete", "notification", "firewall", firewall.id(), firewall.label(),
                    "/v4/networking/firewalls/" + firewall.id(), null);
        });
        return Json.object();
    }

    JsonNode updateRules(HttpCall call, Matcher path, JsonNode body) {
        return world.write(w -> {
            Firewall firewall = firewall(w, path.group(1));
            FirewallRules rules = LinodeValidation.rules(body, firewall.rules().version() + 1);
            Firewall updated = firewall.withRules(rules, w.now());
            w.linode().firewalls().put(firewall.id(), updated);
            w.linode().addEvent("firewall_update", "notification", "firewall", firewall.id(), firewall.label(),
                    "/v4/networking/firewalls/" + firewall.id(), null);
            return LinodeJson.rules(rules);
        });
    }

    JsonNode addDevice(HttpCall call, Matcher path, JsonNode body) {
        if (!body.hasNonNull("id")) {
            throw LinodeException.field("id", "id is required");
        }
        if (!body.hasNonNull("type")) {
            throw LinodeException.field("type", "type is required");
        }
        String type = body.get("type").asText();
        if (!type.equals("linode") && !type.equals("nodebalancer")) {
            throw LinodeException.field("type", "Must be one of linode, nodebalancer");
        }
        if (type.equals("nodebalancer")) {
            throw LinodeException.field("id", "The sandbox has no NodeBalancers");
        }
        long linodeId = body.get("id").asLong();
        return world.write(w -> {
            Firewall firewall = firewall(w, path.group(1));
            if (!w.linode().instances().containsKey(linodeId)) {
                throw LinodeException.field("id", "Linode " + linodeId + " not found");
            }
            requireFreeLinode(w, linodeId);
            FirewallDevice device = new FirewallDevice(w.linode().nextDeviceId(), linodeId, "linode", w.now());
            List<FirewallDevice> devices = new ArrayList<>(firewall.devices());
            devices.add(device);
            w.linode().firewalls().put(firewall.id(), firewall.withDevices(devices, w.now()));
            w.linode().addEvent("firewall_device_add", "notification", "firewall", firewall.id(), firewall.label(),
                    "/v4/networking/firewalls/" + firewall.id(), null);
            return LinodeJson.device(device, w);
        });
    }

    JsonNode removeDevice(HttpCall call, Matcher path, JsonNode body) {
        world.writeAndForget(w -> {
            Firewall firewall = firewall(w, path.group(1));
            FirewallDevice device = device(firewall, path.group(2));
            w.linode().firewalls().put(firewall.id(), firewall.withDevices(firewall.devices().stream()
                    .filter(d -> d.id() != device.id()).toList(), w.now()));
            w.linode().addEvent("firewall_device_remove", "notification", "firewall", firewall.id(), firewall.label(),
                    "/v4/networking/firewalls/" + firewall.id(), null);
        });
        return Json.object();
    }
}
