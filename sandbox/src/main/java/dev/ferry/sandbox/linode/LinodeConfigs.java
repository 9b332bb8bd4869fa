package dev.ferry.sandbox.linode;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.sandbox.http.HttpCall;
import dev.ferry.sandbox.http.Json;
import dev.ferry.sandbox.world.LinodeConfig;
import dev.ferry.sandbox.world.LinodeInstance;
import dev.ferry.sandbox.world.LinodeMachines;
import dev.ferry.sandbox.world.World;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.ferry.sandbox.linode.LinodeInstances.linode;
import static dev.ferry.sandbox.linode.LinodeInstances.text;
import static java.util.Objects.requireNonNull;

/** A Linode's configuration profiles, and booting, rebooting and shutting down into them. */
final class LinodeConfigs {

    private static final Pattern SLOT = Pattern.compile("sd[a-h]");
    private static final Pattern ROOT_DEVICE = Pattern.compile("/dev/sd[a-h]");
    private static final List<String> HELPERS = List.of("devtmpfs_automount", "distro", "modules_dep", "network",
            "updatedb_disabled");
    private static final Set<String> RUN_LEVELS = Set.of("default", "single", "binbash");
    private static final Set<String> VIRT_MODES = Set.of("paravirt", "fullvirt");

    private final World world;

    LinodeConfigs(World world) {
        this.world = requireNonNull(world, "world is null");
    }

    static LinodeConfig config(World w, LinodeInstance owner, String id) {
        LinodeConfig config = w.linode().machines().configs().get(Long.parseLong(id));
        if (config == null || config.linodeId() != owner.id()) {
            throw LinodeException.notFound();
        }
        return config;
    }

    JsonNode createConfig(HttpCall call, Matcher path, JsonNode body) {
        if (text(body, "label") == null) {
            throw LinodeException.field("label", "label is required");
        }
        return world.write(w -> {
            LinodeInstance owner = linode(w, path.group(1));
            LinodeConfig config = merged(w, owner, null, body);
            w.linode().machines().saveConfig(config);
            return LinodeJson.config(config);
        });
    }

    JsonNode updateConfig(HttpCall call, Matcher path, JsonNode body) {
        return world.write(w -> {
            LinodeInstance owner = linode(w, path.group(1));
            LinodeConfig config = merged(w, owner, config(w, owner, path.group(2)), body);
            w.linode().machines().saveConfig(config);
            return LinodeJson.config(config);
        });
    }

    JsonNode deleteConfig(HttpCall call, Matcher path, JsonNode body) {
        world.writeAndForget(w -> {
            LinodeInstance owner = linode(w, path.group(1));
            LinodeConfig config = config(w, owner, path.group(2));
            if (!owner.status().equals("offline") && Long.valueOf(config.id()).equals(owner.configId())) {
                throw LinodeException.badRequest("Linode busy: the config is booted; shut the Linode down first");
            }
            w.linode().machines().deleteConfig(config);
        });
        return Json.object();
    }

    /** A config from the body's fields over {@code before} (a new one when null), checked as Linode does. */
    private static LinodeConfig merged(World w, LinodeInstance owner, LinodeConfig before, JsonNode body) {
        String label = text(body, "label");
        if (label != null && (label.isEmpty() || label.length() > 48)) {
            throw LinodeException.field("label", "Length must be 1-48 characters");
        }
        String kernel = text(body, "kernel");
        if (kernel != null && !kernel.matches("linode/[a-z0-9._-]+")) {
            throw LinodeException.field("kernel", "kernel " + kernel + " is not a valid kernel ID");
        }
        String rootDevice = text(body, "root_device");
        if (rootDevice != null && !ROOT_DEVICE.matcher(rootDevice).matches()) {
            rootDevice = "/dev/sda"; // as the description says of an invalid root device
        }
        String runLevel = text(body, "run_level");
        if (runLevel != null && !RUN_LEVELS.contains(runLevel)) {
            throw LinodeException.field("run_level", "run_level must be default, single or binbash");
        }
        String virtMode = text(body, "virt_mode");
        if (virtMode != null && !VIRT_MODES.contains(virtMode)) {
            throw LinodeException.field("virt_mode", "virt_mode must be paravirt or fullvirt");
        }
        Map<String, LinodeConfig.Device> devices = body.has("devices") ? devices(w, owner, body.get("devices"))
                : before == null ? Map.of() : before.devices();
        Map<String, Boolean> helpers = new LinkedHashMap<>();
        // devtmpfs_automount is off by default, the others on
        HELPERS.forEach(h -> helpers.put(h, before == null ? !h.equals("devtmpfs_automount")
                : before.helpers().getOrDefault(h, !h.equals("devtmpfs_automount"))));
        body.path("helpers").properties().forEach(e -> {
            if (!HELPERS.contains(e.getKey()) || !e.getValue().isBoolean()) {
                throw LinodeException.field("helpers." + e.getKey(), "not a boolean helper setting");
            }
            helpers.put(e.getKey(), e.getValue().asBoolean());
        });
        JsonNode memory = body.get("memory_limit");
        if (memory != null && !memory.isNull() && !memory.isIntegralNumber()) {
            throw LinodeException.field("memory_limit", "memory_limit must be a whole number of MB");
        }
        String comments = body.has("comments") ? body.get("comments").asText("") : null;
        return new LinodeConfig(before == null ? w.linode().machines().nextConfigId() : before.id(), owner.id(),
                label != null ? label : before.label(),
                kernel != null ? kernel : before == null ? "linode/latest-64bit" : before.kernel(),
                rootDevice != null ? rootDevice : before == null ? "/dev/sda" : before.rootDevice(), devices, helpers,
                comments != null ? comments : before == null ? "" : before.comments(),
                runLevel != null ? runLevel : before == null ? "default" : before.runLevel(),
                virtMode != null ? virtMode : before == null ? "paravirt" : before.virtMode(),
                memory != null && !memory.isNull() ? memory.asInt() : before == null ? 0 : before.memoryLimit(),
                before == null ? w.now() : before.created(), w.now());
    }

    private static Map<String, LinodeConfig.Device> devices(World w, LinodeInstance owner, JsonNode node) {
        if (node == null || node.isNull()) {
            return Map.of();
        }
        if (!node.isObject()) {
            throw LinodeException.field("devices", "devices must be an object of slots sda to sdh");
        }
        Map<String, LinodeConfig.Device> devices = new LinkedHashMap<>();
        Set<Long> disksUsed = new HashSet<>();
        node.properties().forEach(e -> {
            String slot = e.getKey();
            JsonNode device = e.getValue();
            if (!SLOT.matcher(slot).matches()) {
                throw LinodeException.field("devices." + slot, "no such device slot (sda to sdh)");
            }
            if (device == null || device.isNull()) {
                return;
            }
            JsonNode disk = device.get("disk_id");
            JsonNode volume = device.get("volume_id");
            boolean hasDisk = disk != null && !disk.isNull();
            boolean hasVolume = volume != null && !volume.isNull();
            if (hasDisk == hasVolume) {
                throw LinodeException.field("devices." + slot, "a device is one disk_id or one volume_id");
            }
            if (hasDisk) {
                var found = w.linode().machines().disks().get(disk.asLong());
                if (!disk.isIntegralNumber() || found == null || found.linodeId() != owner.id()) {
                    throw LinodeException.field("devices." + slot + ".disk_id", "Disk " + disk.asText()
                            + " not found on this Linode");
                }
                if (!disksUsed.add(found.id())) {
                    throw LinodeException.field("devices." + slot + ".disk_id", "Disk " + found.id()
                            + " is already in another slot");
                }
                devices.put(slot, new LinodeConfig.Device(found.id(), null));
            } else {
                var found = w.linode().machines().volumes().get(volume.asLong());
                if (!volume.isIntegralNumber() || found == null
                        || !Long.valueOf(owner.id()).equals(found.linodeId())) {
                    throw LinodeException.field("devices." + slot + ".volume_id", "Volume " + volume.asText()
                            + " is not attached to this Linode");
                }
                devices.put(slot, new LinodeConfig.Device(null, found.id()));
            }
        });
        return devices;
    }

    JsonNode boot(HttpCall call, Matcher path, JsonNode body) {
        return power(path, body, "boot");
    }

    JsonNode reboot(HttpCall call, Matcher path, JsonNode body) {
        return power(path, body, "reboot");
    }

    JsonNode shutdown(HttpCall call, Matcher path, JsonNode body) {
        return power(path, body, "shutdown");
    }

    private JsonNode power(Matcher path, JsonNode body, String action) {
        world.writeAndForget(w -> {
            LinodeInstance owner = linode(w, path.group(1));
            LinodeMachines machines = w.linode().machines();
            String status = owner.status();
            if (action.equals("shutdown")) {
                if (status.equals("running")) {
                    machines.shutdown(owner);
                } else if (!status.equals("offline")) {
                    throw busy(status);
                }
                return;
            }
            boolean allowed = action.equals("boot") ? status.equals("offline")
                    : status.equals("offline") || status.equals("running");
            if (!allowed) {
                throw action.equals("boot") && status.equals("running")
                        ? LinodeException.badRequest("Linode is already running") : busy(status);
            }
            LinodeConfig config = bootConfig(w, owner, body == null ? null : body.get("config_id"));
            boolean disksBusy = config.devices().values().stream().map(LinodeConfig.Device::diskId)
                    .filter(id -> id != null && machines.disks().containsKey(id))
                    .anyMatch(id -> !machines.disks().get(id).status().equals("ready"));
            if (disksBusy) {
                throw LinodeException.badRequest("Linode busy: a disk of the config is not ready yet");
            }
            machines.boot(owner, config);
        });
        return Json.object();
    }

    private static LinodeConfig bootConfig(World w, LinodeInstance owner, JsonNode configId) {
        if (configId != null && !configId.isNull()) {
            LinodeConfig config = w.linode().machines().configs().get(configId.asLong());
            if (!configId.isIntegralNumber() || config == null || config.linodeId() != owner.id()) {
                throw LinodeException.field("config_id", "Config " + configId.asText() + " not found on this "
                        + "Linode");
            }
            return config;
        }
        if (owner.configId() != null && w.linode().machines().configs().containsKey(owner.configId())) {
            return w.linode().machines().configs().get(owner.configId());
        }
        List<LinodeConfig> configs = w.linode().machines().configsOf(owner.id());
        if (configs.size() != 1) {
            throw LinodeException.field("config_id", configs.isEmpty() ? "The Linode has no config to boot"
                    : "The Linode has several configs: name one with config_id");
        }
        return configs.get(0);
    }

    private static LinodeException busy(String status) {
        return LinodeException.badRequest("Linode busy (" + status + ")");
    }
}
