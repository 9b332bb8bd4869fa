package dev.ferry.sandbox.linode;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.sandbox.http.HttpCall;
import dev.ferry.sandbox.http.Json;
import dev.ferry.sandbox.world.Firewall;
import dev.ferry.sandbox.world.FirewallDevice;
import dev.ferry.sandbox.world.LinodeImage;
import dev.ferry.sandbox.world.LinodeInstance;
import dev.ferry.sandbox.world.LinodeType;
import dev.ferry.sandbox.world.World;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;

import static dev.ferry.sandbox.linode.LinodeFirewalls.requireFreeLinode;
import static dev.ferry.sandbox.linode.LinodeImages.privateImage;
import static java.util.Objects.requireNonNull;

/** Linode instances: create (from a private or public image, behind a firewall), update, delete. */
final class LinodeInstances {

    private final World world;

    LinodeInstances(World world) {
        this.world = requireNonNull(world, "world is null");
    }

    static LinodeInstance linode(World w, String id) {
        LinodeInstance linode = w.linode().instances().get(Long.parseLong(id));
        if (linode == null) {
            throw LinodeException.notFound();
        }
        return linode;
    }

    JsonNode createLinode(HttpCall call, Matcher path, JsonNode body) {
        String typeId = text(body, "type");
        if (typeId == null) {
            throw LinodeException.field("type", "type is required");
        }
        String region = text(body, "region");
        if (region == null) {
            throw LinodeException.field("region", "region is required");
        }
        String label = body.has("label") ? LinodeValidation.label("label", body.get("label"), 3, 64) : null;
        String image = text(body, "image");
        if (image != null) {
            LinodeValidation.rootPassword(body.get("root_pass"));
        } else if (body.hasNonNull("root_pass")) {
            LinodeValidation.rootPassword(body.get("root_pass"));
        }
        List<String> keys = LinodeValidation.sshKeys(body.get("authorized_keys"));
        List<String> tags = LinodeValidation.tags(body.get("tags"), 3, 50);
        String group = text(body, "group");
        boolean booted = body.path("booted").asBoolean(true) && image != null;
        Long firewallId = body.hasNonNull("firewall_id") ? body.get("firewall_id").asLong() : null;
        return world.write(w -> {
            LinodeType type = w.linode().type(typeId).orElseThrow(() -> LinodeException.field("type",
                    "A valid plan type by that ID was not found"));
            if (w.linode().region(region).isEmpty()) {
                throw LinodeException.field("region", "region is not valid");
            }
            if (image != null) {
                int sizeMb = imageSizeMb(w, image, region);
                if (sizeMb > type.disk()) {
                    throw LinodeException.field("type", "The image (" + sizeMb + " MB) does not fit on the plan's "
                            + type.disk() + " MB disk");
                }
            }
            Firewall firewall = null;
            if (firewallId != null) {
                firewall = w.linode().firewalls().get(firewallId);
                if (firewall == null) {
                    throw LinodeException.field("firewall_id", "Firewall " + firewallId + " not found");
                }
            }
            long id = w.linode().nextLinodeId();
            String finalLabel = label == null ? "linode" + id : label;
            if (w.linode().instances().values().stream().anyMatch(l -> l.label().equals(finalLabel))) {
                throw LinodeException.field("label", "Label must be unique among your linodes");
            }
            Instant now = w.now();
            Instant bootingAt = now.plus(w.clock().scaled(World.LINODE_PROVISIONING_DURATION));
            Instant readyAt = bootingAt.plus(w.clock().scaled(World.LINODE_BOOTING_DURATION));
            String ip = w.linode().nextLinodePublicIp();
            String ipv6 = String.format("2600:3c0a::f03c:95ff:fe%02x:%04x/128", (id / 65536) % 256, id % 65536);
            LinodeInstance linode = new LinodeInstance(id, finalLabel, region, type.id(), image, "provisioning",
                    booted, now, now, bootingAt, readyAt, List.of(ip), ipv6, tags, group, true, keys, null);
            w.linode().instances().put(id, linode);
            w.linode().addEvent("linode_create", "started", "linode", id, finalLabel, "/v4/linode/instances/" + id, null);
            if (firewall != null) {
                List<FirewallDevice> devices = new ArrayList<>(firewall.devices());
                requireFreeLinode(w, id);
                devices.add(new FirewallDevice(w.linode().nextDeviceId(), id, "linode", now));
                w.linode().firewalls().put(firewall.id(), firewall.withDevices(devices, now));
            }
            return LinodeJson.instance(linode, w);
        });
    }

    /** The size of an image a disk can be deployed from in {@code region} (field {@code image} errors). */
    static int imageSizeMb(World w, String image, String region) {
        Optional<LinodeJson.PublicImage> shared = LinodeJson.PUBLIC_IMAGES.stream()
                .filter(p -> p.id().equals(image)).findFirst();
        if (shared.isPresent()) {
            return shared.get().sizeMb();
        }
        LinodeImage own;
        try {
            own = privateImage(w, image);
        } catch (LinodeException e) {
            throw LinodeException.field("image", "Image " + image + " not found");
        }
        if (!own.status().equals("available")) {
            throw LinodeException.field("image", "Image " + image + " is not available (status " + own.status()
                    + ")");
        }
        if (!own.region().equals(region)) {
            throw LinodeException.field("image", "Image " + image + " is not available in " + region);
        }
        return (int) own.sizeMb();
    }

    static String text(JsonNode body, String field) {
        JsonNode value = body.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw LinodeException.field(field, field + " must be a string");
        }
        return value.asText();
    }

    JsonNode updateLinode(HttpCall call, Matcher path, JsonNode body) {
        return world.write(w -> {
            LinodeInstance linode = linode(w, path.group(1));
            String label = body.has("label") ? LinodeValidation.label("label", body.get("label"), 3, 64)
                    : linode.label();
            if (!label.equals(linode.label()) && w.linode().instances().values().stream()
                    .anyMatch(l -> l.label().equals(label))) {
                throw LinodeException.field("label", "Label must be unique among your linodes");
            }
            List<String> tags = body.has("tags") ? LinodeValidation.tags(body.get("tags"), 3, 50) : linode.tags();
            String group = body.has("group") ? body.get("group").asText() : linode.group();
            boolean watchdog = body.has("watchdog_enabled") ? body.get("watchdog_enabled").asBoolean()
                    : linode.watchdogEnabled();
            LinodeInstance updated = linode.withSettings(label, tags, group, watchdog, w.now());
            w.linode().instances().put(linode.id(), updated);
            w.linode().addEvent("linode_update", "notification", "linode", linode.id(), label,
                    "/v4/linode/instances/" + linode.id(), null);
            return LinodeJson.instance(updated, w);
        });
    }

    JsonNode deleteLinode(HttpCall call, Matcher path, JsonNode body) {
        world.writeAndForget(w -> {
            LinodeInstance linode = linode(w, path.group(1));
            w.linode().instances().remove(linode.id());
            w.linode().machines().removeLinode(linode.id());
            for (Firewall firewall : List.copyOf(w.linode().firewalls().values())) {
                List<FirewallDevice> remaining = firewall.devices().stream()
                        .filter(d -> d.entityId() != linode.id()).toList();
                if (remaining.size() != firewall.devices().size()) {
                    w.linode().firewalls().put(firewall.id(), firewall.withDevices(remaining, w.now()));
                }
            }
            w.linode().addEvent("linode_delete", "notification", "linode", linode.id(), linode.label(),
                    "/v4/linode/instances/" + linode.id(), null);
        });
        return Json.object();
    }
}
