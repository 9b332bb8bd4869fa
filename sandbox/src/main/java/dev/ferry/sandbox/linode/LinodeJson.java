package dev.ferry.sandbox.linode;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.sandbox.http.Json;
import dev.ferry.sandbox.world.Firewall;
import dev.ferry.sandbox.world.FirewallDevice;
import dev.ferry.sandbox.world.FirewallRule;
import dev.ferry.sandbox.world.FirewallRules;
import dev.ferry.sandbox.world.LinodeConfig;
import dev.ferry.sandbox.world.LinodeDisk;
import dev.ferry.sandbox.world.LinodeEvent;
import dev.ferry.sandbox.world.LinodeImage;
import dev.ferry.sandbox.world.LinodeInstance;
import dev.ferry.sandbox.world.LinodeRegion;
import dev.ferry.sandbox.world.LinodeType;
import dev.ferry.sandbox.world.LinodeVolume;
import dev.ferry.sandbox.world.World;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.UUID;

/** The Linode API's JSON shapes, with the fields its OpenAPI description allows. */
final class LinodeJson {

    private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss")
            .withZone(ZoneOffset.UTC);

    /** A public distribution image (always available). */
    record PublicImage(String id, String label, String vendor, int sizeMb) {
    }

    static final List<PublicImage> PUBLIC_IMAGES = List.of(
            new PublicImage("linode/debian12", "Debian 12", "Debian", 1300),
            new PublicImage("linode/ubuntu24.04", "Ubuntu 24.04 LTS", "Ubuntu", 2500),
            new PublicImage("linode/almalinux9", "AlmaLinux 9", "AlmaLinux", 1900));

    private LinodeJson() {
    }

    static String date(Instant instant) {
        return DATE.format(instant);
    }

    /**
     * The one Block Storage volume type with its price per GB, as {@code GET /volumes/types} lists it: $0.10 a GB
     * a month, 20% more in the two regions that charge more (as the Linode types).
     */
    static ObjectNode volumeType() {
        ObjectNode node = Json.object();
        node.put("id", "volume");
        node.put("label", "Storage Volume");
        node.put("transfer", 0);
        ObjectNode price = node.putObject("price");
        price.put("hourly", 0.00015);
        price.put("monthly", 0.1);
        ArrayNode regionPrices = node.putArray("region_prices");
        for (String region : List.of("id-cgk", "br-gru")) {
            ObjectNode rp = regionPrices.addObject();
            rp.put("id", region);
            rp.put("hourly", 0.00018);
            rp.put("monthly", 0.12);
        }
        return node;
    }

    static ObjectNode type(LinodeType t) {
        ObjectNode node = Json.object();
        node.put("id", t.id());
        node.put("label", t.label());
        node.put("class", t.typeClass());
        node.put("vcpus", t.vcpus());
        node.put("memory", t.memory());
        node.put("disk", t.disk());
        node.put("transfer", t.transfer());
        node.put("network_out", t.networkOut());
        node.put("gpus", 0);
        ObjectNode price = node.putObject("price");
        price.put("hourly", t.hourly());
        price.put("monthly", t.monthly());
        ArrayNode regionPrices = node.putArray("region_prices");
        for (String region : List.of("id-cgk", "br-gru")) {
            ObjectNode rp = regionPrices.addObject();
            rp.put("id", region);
            rp.put("hourly", round(t.hourly() * 1.2, 3));
            rp.put("monthly", round(t.monthly() * 1.2, 2));
        }
        ObjectNode backups = node.putObject("addons").putObject("backups");
        ObjectNode backupPrice = backups.putObject("price");
        backupPrice.put("hourly", t.backupsHourly());
        backupPrice.put("monthly", t.backupsMonthly());
        backups.putArray("region_prices");
        node.putNull("successor");
        return node;
    }

    private static double round(double value, int places) {
        double factor = Math.pow(10, places);
        return Math.round(value * factor) / factor;
    }

    static ObjectNode region(LinodeRegion r) {
        ObjectNode node = Json.object();
        node.put("id", r.id());
        node.put("label", r.label());
        node.put("country", r.country());
        ArrayNode capabilities = node.putArray("capabilities");
        r.capabilities().forEach(capabilities::add);
        node.put("status", "ok");
        ObjectNode resolvers = node.putObject("resolvers");
        resolvers.put("ipv4", r.resolverIpv4());
        resolvers.put("ipv6", r.resolverIpv6());
        ObjectNode limits = node.putObject("placement_group_limits");
        limits.put("maximum_linodes_per_pg", 5);
        limits.put("maximum_pgs_per_customer", 100);
        node.put("site-type", "core");
        return node;
    }

    static ObjectNode image(LinodeImage i) {
        ObjectNode node = Json.object();
        node.put("id", i.id());
        node.put("label", i.label());
        node.put("created", date(i.created()));
        node.put("updated", date(i.updated()));
        node.put("created_by", "ferry-sandbox");
        node.put("deprecated", false);
        node.put("is_public", false);
        node.put("size", i.sizeMb());
        node.put("total_size", i.sizeMb());
        node.put("status", i.status());
        node.put("type", "manual");
        node.putNull("vendor");
        node.putNull("expiry");
        node.putNull("eol");
        ArrayNode capabilities = node.putArray("capabilities");
        if (i.cloudInit()) {
            capabilities.add("cloud-init");
        }
        ArrayNode tags = node.putArray("tags");
        i.tags().forEach(tags::add);
        ArrayNode regions = node.putArray("regions");
        ObjectNode region = regions.addObject();
        region.put("region", i.region());
        region.put("status", switch (i.status()) {
            case "available" -> "available";
            case "creating" -> "creating";
            default -> "pending";
        });
        return node;
    }

    static ObjectNode publicImage(PublicImage p) {
        ObjectNode node = Json.object();
        node.put("id", p.id());
        node.put("label", p.label());
        node.put("created", "2024-06-10T00:00:00");
        node.put("updated", "2024-06-10T00:00:00");
        node.put("created_by", "linode");
        node.put("deprecated", false);
        node.put("is_public", true);
        node.put("size", p.sizeMb());
        node.put("total_size", p.sizeMb());
        node.put("status", "available");
        node.put("type", "manual");
        node.put("vendor", p.vendor());
        node.putNull("expiry");
        node.putNull("eol");
        node.putArray("capabilities").add("cloud-init").add("distributed-sites");
        node.putArray("tags");
        node.putArray("regions");
        return node;
    }

    static ObjectNode instance(LinodeInstance l, World w) {
        ObjectNode node = Json.object();
        node.put("id", l.id());
        node.put("label", l.label());
        node.put("group", l.group() == null ? "" : l.group());
        node.put("status", l.status());
        node.put("created", date(l.created()));
        node.put("updated", date(l.updated()));
        node.put("type", l.type());
        ArrayNode ipv4 = node.putArray("ipv4");
        l.ipv4().forEach(ipv4::add);
        node.put("ipv6", l.ipv6());
        if (l.image() == null) {
            node.putNull("image");
        } else {
            node.put("image", l.image());
        }
        node.put("region", l.region());
        LinodeType type = w.linode().type(l.type()).orElseThrow();
        ObjectNode specs = node.putObject("specs");
        specs.put("disk", type.disk());
        specs.put("memory", type.memory());
        specs.put("vcpus", type.vcpus());
        specs.put("gpus", 0);
        specs.put("transfer", type.transfer());
        ObjectNode alerts = node.putObject("alerts");
        alerts.put("cpu", 90 * type.vcpus());
        alerts.put("network_in", 10);
        alerts.put("network_out", 10);
        alerts.put("transfer_quota", 80);
        alerts.put("io", 10000);
        ObjectNode backups = node.putObject("backups");
        backups.put("enabled", false);
        backups.put("available", false);
        ObjectNode schedule = backups.putObject("schedule");
        schedule.putNull("day");
        schedule.putNull("window");
        node.put("hypervisor", "kvm");
        node.put("watchdog_enabled", l.watchdogEnabled());
        ArrayNode tags = node.putArray("tags");
        l.tags().forEach(tags::add);
        node.put("host_uuid", UUID.nameUUIDFromBytes(("host-" + l.id()).getBytes()).toString());
        node.put("has_user_data", false);
        node.putNull("placement_group");
        node.putNull("lke_cluster_id");
        node.putArray("capabilities");
        return node;
    }

    static ObjectNode disk(LinodeDisk d) {
        ObjectNode node = Json.object();
        node.put("id", d.id());
        node.put("label", d.label());
        node.put("status", d.status());
        node.put("size", d.sizeMb());
        node.put("filesystem", d.filesystem());
        node.put("created", date(d.created()));
        node.put("updated", date(d.updated()));
        return node;
    }

    static ObjectNode volume(LinodeVolume v, World w) {
        ObjectNode node = Json.object();
        node.put("id", v.id());
        node.put("label", v.label());
        node.put("status", v.status());
        node.put("size", v.sizeGb());
        node.put("region", v.region());
        LinodeInstance machine = v.linodeId() == null ? null : w.linode().instances().get(v.linodeId());
        if (machine == null) {
            node.putNull("linode_id");
            node.putNull("linode_label");
        } else {
            node.put("linode_id", machine.id());
            node.put("linode_label", machine.label());
        }
        node.put("filesystem_path", "/dev/disk/by-id/scsi-0Linode_Volume_" + v.label());
        node.put("hardware_type", "nvme");
        node.put("encryption", v.encryption());
        ArrayNode tags = node.putArray("tags");
        v.tags().forEach(tags::add);
        node.put("created", date(v.created()));
        node.put("updated", date(v.updated()));
        return node;
    }

    /** Empty slots are left out, and so is the other half of a slot (the description does not allow null). */
    static ObjectNode config(LinodeConfig c) {
        ObjectNode node = Json.object();
        node.put("id", c.id());
        node.put("label", c.label());
        node.put("kernel", c.kernel());
        node.put("root_device", c.rootDevice());
        ObjectNode devices = node.putObject("devices");
        c.devices().forEach((slot, device) -> {
            ObjectNode d = devices.putObject(slot);
            if (device.diskId() != null) {
                d.put("disk_id", device.diskId());
            } else {
                d.put("volume_id", device.volumeId());
            }
        });
        ObjectNode helpers = node.putObject("helpers");
        c.helpers().forEach(helpers::put);
        node.put("comments", c.comments());
        node.put("run_level", c.runLevel());
        node.put("virt_mode", c.virtMode());
        node.put("memory_limit", c.memoryLimit());
        // no interfaces: the legacy network setup (the description's array must not be empty)
        return node;
    }

    static ObjectNode firewall(Firewall f) {
        ObjectNode node = Json.object();
        node.put("id", f.id());
        node.put("label", f.label());
        node.put("created", date(f.created()));
        node.put("updated", date(f.updated()));
        node.put("status", f.status());
        node.set("rules", rules(f.rules()));
        ArrayNode tags = node.putArray("tags");
        f.tags().forEach(tags::add);
        return node;
    }

    static ObjectNode rules(FirewallRules r) {
        ObjectNode node = Json.object();
        node.put("inbound_policy", r.inboundPolicy());
        node.put("outbound_policy", r.outboundPolicy());
        ArrayNode inbound = node.putArray("inbound");
        r.inbound().forEach(rule -> inbound.add(rule(rule)));
        ArrayNode outbound = node.putArray("outbound");
        r.outbound().forEach(rule -> outbound.add(rule(rule)));
        node.put("version", r.version());
        node.put("fingerprint", r.fingerprint());
        return node;
    }

    private static ObjectNode rule(FirewallRule r) {
        ObjectNode node = Json.object();
        node.put("action", r.action());
        node.put("protocol", r.protocol());
        if (r.ports() != null) {
            node.put("ports", r.ports());
        }
        ObjectNode addresses = node.putObject("addresses");
        if (r.ipv4() != null) {
            ArrayNode v4 = addresses.putArray("ipv4");
            r.ipv4().forEach(v4::add);
        }
        if (r.ipv6() != null) {
            ArrayNode v6 = addresses.putArray("ipv6");
            r.ipv6().forEach(v6::add);
        }
        if (r.label() != null) {
            node.put("label", r.label());
        }
        return node;
    }

    static ObjectNode device(FirewallDevice d, World w) {
        ObjectNode node = Json.object();
        node.put("id", d.id());
        node.put("created", date(d.created()));
        node.put("updated", date(d.created()));
        ObjectNode entity = node.putObject("entity");
        entity.put("id", d.entityId());
        LinodeInstance linode = w.linode().instances().get(d.entityId());
        entity.put("label", linode == null ? "" : linode.label());
        entity.put("type", d.type());
        entity.put("url", "/v4/linode/instances/" + d.entityId());
        return node;
    }

    static ObjectNode event(LinodeEvent e) {
        ObjectNode node = Json.object();
        node.put("id", e.id());
        node.put("action", e.action());
        node.put("created", date(e.created()));
        ObjectNode entity = node.putObject("entity");
        entity.put("id", e.entityId());
        entity.put("label", e.entityLabel());
        entity.put("type", e.entityType());
        entity.put("url", e.entityUrl());
        if (e.message() == null) {
            node.putNull("message");
        } else {
            node.put("message", e.message());
        }
        node.put("percent_complete", e.percentComplete());
        node.put("read", false);
        node.put("seen", false);
        node.put("status", e.status());
        node.putNull("time_remaining");
        node.put("username", "ferry-sandbox");
        return node;
    }
}
