package dev.ferry.sandbox.linode;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.sandbox.http.HttpCall;
import dev.ferry.sandbox.http.Json;
import dev.ferry.sandbox.world.LinodeConfig;
import dev.ferry.sandbox.world.LinodeInstance;
import dev.ferry.sandbox.world.LinodeVolume;
import dev.ferry.sandbox.world.World;

import java.util.List;
import java.util.regex.Matcher;

import static dev.ferry.sandbox.linode.LinodeInstances.text;
import static java.util.Objects.requireNonNull;

/** Block Storage volumes: create (attached to a Linode or not), attach, detach, delete. */
final class LinodeVolumes {

    /** GB, as Linode allows. */
    static final int MIN_SIZE = 10;
    static final int MAX_SIZE = 16384;

    private final World world;

    LinodeVolumes(World world) {
        this.world = requireNonNull(world, "world is null");
    }

    static LinodeVolume volume(World w, String id) {
        LinodeVolume volume = w.linode().machines().volumes().get(Long.parseLong(id));
        if (volume == null) {
            throw LinodeException.notFound();
        }
        return volume;
    }

    JsonNode createVolume(HttpCall call, Matcher path, JsonNode body) {
        if (!body.hasNonNull("label")) {
            throw LinodeException.field("label", "label is required");
        }
        String label = LinodeValidation.label("label", body.get("label"), 1, 32);
        JsonNode sizeNode = body.get("size");
        if (sizeNode != null && !sizeNode.isIntegralNumber()) {
            throw LinodeException.field("size", "size must be a whole number of GB");
        }
        int size = sizeNode == null ? 20 : sizeNode.asInt();
        if (size < MIN_SIZE || size > MAX_SIZE) {
            throw LinodeException.field("size", "Size must be between " + MIN_SIZE + " and " + MAX_SIZE + " GB");
        }
        String region = text(body, "region");
        Long linodeId = body.hasNonNull("linode_id") ? body.get("linode_id").asLong() : null;
        if (region == null && linodeId == null) {
            throw LinodeException.field("region", "region or linode_id is required");
        }
        List<String> tags = LinodeValidation.tags(body.get("tags"), 3, 50);
        String encryption = body.hasNonNull("encryption") ? text(body, "encryption") : "disabled";
        if (!encryption.equals("enabled") && !encryption.equals("disabled")) {
            throw LinodeException.field("encryption", "encryption must be enabled or disabled");
        }
        return world.write(w -> {
            LinodeInstance machine = linodeId == null ? null : machine(w, linodeId, "linode_id");
            String where = region != null ? region : machine.region();
            if (w.linode().region(where).isEmpty()) {
                throw LinodeException.field("region", "region is not valid");
            }
            if (machine != null && !machine.region().equals(where)) {
                throw LinodeException.field("linode_id", "The Linode is in " + machine.region() + ", not " + where);
            }
            if (w.linode().machines().volumes().values().stream().anyMatch(v -> v.label().equals(label))) {
                throw LinodeException.field("label", "Label must be unique among your volumes");
            }
            LinodeVolume volume = w.linode().machines().createVolume(label, where, size, tags, encryption);
            if (machine != null) {
                volume = w.linode().machines().attach(volume, machine, configFor(w, machine, body.get("config_id")));
            }
            return LinodeJson.volume(volume, w);
        });
    }

    JsonNode attach(HttpCall call, Matcher path, JsonNode body) {
        if (!body.hasNonNull("linode_id")) {
            throw LinodeException.field("linode_id", "linode_id is required");
        }
        return world.write(w -> {
            LinodeVolume volume = volume(w, path.group(1));
            LinodeInstance machine = machine(w, body.get("linode_id").asLong(), "linode_id");
            if (volume.linodeId() != null) {
                throw LinodeException.badRequest("Volume is already attached to Linode " + volume.linodeId());
            }
            if (!machine.region().equals(volume.region())) {
                throw LinodeException.field("linode_id", "The Linode is in " + machine.region() + " and the volume in "
                        + volume.region());
            }
            return LinodeJson.volume(w.linode().machines().attach(volume, machine,
                    configFor(w, machine, body.get("config_id"))), w);
        });
    }

    JsonNode detach(HttpCall call, Matcher path, JsonNode body) {
        world.writeAndForget(w -> {
            LinodeVolume volume = volume(w, path.group(1));
            if (volume.linodeId() == null) {
                throw LinodeException.badRequest("Volume is not attached to a Linode");
            }
            w.linode().machines().detach(volume);
        });
        return Json.object();
    }

    JsonNode deleteVolume(HttpCall call, Matcher path, JsonNode body) {
        world.writeAndForget(w -> {
            LinodeVolume volume = volume(w, path.group(1));
            if (volume.linodeId() != null) {
                throw LinodeException.badRequest("Volume must be detached before it can be deleted");
            }
            w.linode().machines().deleteVolume(volume);
        });
        return Json.object();
    }

    private static LinodeInstance machine(World w, long id, String field) {
        LinodeInstance machine = w.linode().instances().get(id);
        if (machine == null) {
            throw LinodeException.field(field, "Linode " + id + " not found");
        }
        return machine;
    }

    /** The config a volume goes into: the one named, else the last booted, else the only one (or none). */
    private static LinodeConfig configFor(World w, LinodeInstance machine, JsonNode configId) {
        if (configId != null && !configId.isNull()) {
            LinodeConfig config = w.linode().machines().configs().get(configId.asLong());
            if (config == null || config.linodeId() != machine.id()) {
                throw LinodeException.field("config_id", "Config " + configId.asText() + " not found on Linode "
                        + machine.id());
            }
            return config;
        }
        if (machine.configId() != null && w.linode().machines().configs().containsKey(machine.configId())) {
            return w.linode().machines().configs().get(machine.configId());
        }
        List<LinodeConfig> configs = w.linode().machines().configsOf(machine.id());
        return configs.size() == 1 ? configs.get(0) : null;
    }
}
