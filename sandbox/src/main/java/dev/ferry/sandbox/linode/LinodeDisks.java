package dev.ferry.sandbox.linode;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.sandbox.http.HttpCall;
import dev.ferry.sandbox.http.Json;
import dev.ferry.sandbox.world.LinodeConfig;
import dev.ferry.sandbox.world.LinodeDisk;
import dev.ferry.sandbox.world.LinodeInstance;
import dev.ferry.sandbox.world.LinodeMachines;
import dev.ferry.sandbox.world.LinodeType;
import dev.ferry.sandbox.world.World;

import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;

import static dev.ferry.sandbox.linode.LinodeInstances.imageSizeMb;
import static dev.ferry.sandbox.linode.LinodeInstances.linode;
import static dev.ferry.sandbox.linode.LinodeInstances.text;
import static java.util.Objects.requireNonNull;

/** A Linode's disks: empty or deployed from an image, within the plan's disk; deleted with their bytes. */
final class LinodeDisks {

    static final int MAX_DISKS = 50;
    private static final Set<String> FILESYSTEMS = Set.of("raw", "swap", "ext3", "ext4", "initrd");

    private final World world;

    LinodeDisks(World world) {
        this.world = requireNonNull(world, "world is null");
    }

    static LinodeDisk disk(World w, LinodeInstance owner, String id) {
        LinodeDisk disk = w.linode().machines().disks().get(Long.parseLong(id));
        if (disk == null || disk.linodeId() != owner.id()) {
            throw LinodeException.notFound();
        }
        return disk;
    }

    JsonNode createDisk(HttpCall call, Matcher path, JsonNode body) {
        JsonNode sizeNode = body.get("size");
        if (sizeNode == null || !sizeNode.canConvertToInt() || !sizeNode.isIntegralNumber()) {
            throw LinodeException.field("size", "size is required and must be a whole number of MB");
        }
        int size = sizeNode.asInt();
        if (size < 1) {
            throw LinodeException.field("size", "size must be at least 1 MB");
        }
        String image = text(body, "image");
        String label = text(body, "label");
        if (label == null && image == null) {
            throw LinodeException.field("label", "label is required when not deploying from an image");
        }
        if (label != null && (label.isEmpty() || label.length() > 48)) {
            throw LinodeException.field("label", "Length must be 1-48 characters");
        }
        String filesystem = text(body, "filesystem");
        if (filesystem != null && !FILESYSTEMS.contains(filesystem)) {
            throw LinodeException.field("filesystem", "filesystem must be one of raw, swap, ext3, ext4, initrd");
        }
        List<String> keys = List.of();
        if (image != null) {
            LinodeValidation.rootPassword(body.get("root_pass"));
            keys = LinodeValidation.sshKeys(body.get("authorized_keys"));
        }
        List<String> authorizedKeys = keys;
        return world.write(w -> {
            LinodeInstance owner = linode(w, path.group(1));
            LinodeMachines machines = w.linode().machines();
            List<LinodeDisk> existing = machines.disksOf(owner.id());
            if (existing.size() >= MAX_DISKS) {
                throw LinodeException.badRequest("A Linode can have at most " + MAX_DISKS + " disks");
            }
            if (image != null) {
                int imageMb = imageSizeMb(w, image, owner.region());
                if (size < imageMb) {
                    throw LinodeException.field("size", "The image " + image + " needs a disk of at least "
                            + imageMb + " MB");
                }
            }
            LinodeType type = w.linode().type(owner.type()).orElseThrow();
            int used = existing.stream().mapToInt(LinodeDisk::sizeMb).sum();
            if (used + size > type.disk()) {
                throw LinodeException.field("size", "Insufficient space: the plan's disk is " + type.disk()
                        + " MB and " + (type.disk() - used) + " MB of it are free");
            }
            String finalLabel = label != null ? label : imageLabel(image) + " Disk";
            return LinodeJson.disk(machines.createDisk(owner, finalLabel, size,
                    filesystem != null ? filesystem : "ext4", image, authorizedKeys));
        });
    }

    private static String imageLabel(String image) {
        return LinodeJson.PUBLIC_IMAGES.stream().filter(p -> p.id().equals(image)).map(LinodeJson.PublicImage::label)
                .findFirst().orElse(image);
    }

    JsonNode deleteDisk(HttpCall call, Matcher path, JsonNode body) {
        world.writeAndForget(w -> {
            LinodeInstance owner = linode(w, path.group(1));
            LinodeDisk disk = disk(w, owner, path.group(2));
            LinodeConfig booted = owner.configId() == null ? null : w.linode().machines().configs().get(owner.configId());
            boolean inUse = booted != null && booted.devices().values().stream()
                    .anyMatch(d -> Long.valueOf(disk.id()).equals(d.diskId()));
            if (!owner.status().equals("offline") && inUse) {
                throw LinodeException.badRequest("Linode busy: the disk is in use by the booted config; shut the "
                        + "Linode down first");
            }
            w.linode().machines().deleteDisk(disk);
        });
        return Json.object();
    }
}
