package dev.ferry.provider.linode;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.engine.machine.DiskImage;
import dev.ferry.engine.machine.MachineFacts;
import dev.ferry.engine.provider.ExpansionContext;
import dev.ferry.engine.provider.Lookahead;
import dev.ferry.engine.provider.SourceHalf;
import dev.ferry.engine.resource.ResourceAddress;
import java.util.Optional;

/**
 * Which road a Linode target takes, and why, in the words the plan shows. {@code via} in the file wins. Without it a
 * road the state already holds resources of is kept (changing roads would replace the Linode); otherwise the source's
 * disk decides: the image road when it fits Linode's image limit, the disk road when it is larger. The disk's size is
 * read before the plan through the lookahead (the source's machine facts, else its disk image); when it cannot be
 * known there (commands that connect to nothing), the image road, as it always was.
 */
record LinodeRoad(LinodeTarget.Via via, String reason) {

    LinodeRoad {
        requireNonNull(via, "via is null");
        requireNonNull(reason, "reason is null");
    }

    static LinodeRoad choose(ExpansionContext context, SourceHalf source, LinodeTarget target) {
        if (target.via().isPresent()) {
            return new LinodeRoad(target.via().get(), "target.linode.via: " + spelling(target.via().get()));
        }
        Optional<LinodeRoad> kept = kept(context.lookahead(), context.name());
        if (kept.isPresent()) {
            return kept.get();
        }
        Optional<Disk> disk = disk(context, source);
        if (disk.isEmpty()) {
            return new LinodeRoad(LinodeTarget.Via.IMAGE, "the default while the source's disk size is not known; set"
                    + " target.linode.via to choose");
        }
        if (disk.get().bytes() > ImageResource.RAW_LIMIT) {
            return new LinodeRoad(LinodeTarget.Via.DISK, "the " + Sizes.bytes(disk.get().bytes()) + " " + disk.get().what()
                    + " is over Linode's " + Sizes.bytes(ImageResource.RAW_LIMIT) + " image limit");
        }
        return new LinodeRoad(LinodeTarget.Via.IMAGE, "the " + Sizes.bytes(disk.get().bytes()) + " " + disk.get().what()
                + " fits Linode's " + Sizes.bytes(ImageResource.RAW_LIMIT) + " image limit");
    }

    /** The road of what an earlier apply made (or began to make) for migration {@code name}. */
    private static Optional<LinodeRoad> kept(Lookahead lookahead, String name) {
        for (String type : new String[] {DiskResource.TYPE, DiskWriteResource.TYPE, ConfigResource.TYPE}) {
            ResourceAddress address = ResourceAddress.managed(type, name);
            if (lookahead.recorded(address).isPresent()) {
                return Optional.of(new LinodeRoad(LinodeTarget.Via.DISK, "kept: " + address + " is in the state from an earlier"
                        + " apply on this road; set target.linode.via to change roads, which replaces the Linode"));
            }
        }
        ResourceAddress instance = ResourceAddress.managed(InstanceResource.TYPE, name);
        boolean instanceOnDisk = lookahead.recorded(instance)
                .map(resource -> resource.arguments().path("via").asText("image").equals("disk")).orElse(false);
        if (instanceOnDisk) {
            return Optional.of(new LinodeRoad(LinodeTarget.Via.DISK, "kept: " + instance + " was made for the disk road by an"
                    + " earlier apply; set target.linode.via to change roads, which replaces the Linode"));
        }
        ResourceAddress image = ResourceAddress.managed(ImageResource.TYPE, name);
        if (lookahead.recorded(image).isPresent() || lookahead.recorded(instance).isPresent()) {
            ResourceAddress made = lookahead.recorded(image).isPresent() ? image : instance;
            return Optional.of(new LinodeRoad(LinodeTarget.Via.IMAGE, "kept: " + made + " is in the state from an earlier"
                    + " apply on this road; set target.linode.via to change roads, which replaces the Linode"));
        }
        return Optional.empty();
    }

    private record Disk(long bytes, String what) {
    }

    /** The source's root disk as the image would hold it: its machine facts' root volume, else its disk image. */
    private static Optional<Disk> disk(ExpansionContext context, SourceHalf source) {
        Optional<MachineFacts> machine = context.lookAhead(source, source.machine()).filter(JsonNode::isObject)
                .map(MachineFacts::fromJson);
        Optional<Disk> root = machine.flatMap(facts -> facts.rootDisk().filter(d -> d.sizeBytes() > 0)
                .map(d -> new Disk(d.sizeBytes(), "root volume of " + facts.name() + " (" + d.name() + ")")));
        if (root.isPresent()) {
            return root;
        }
        return context.lookAhead(source, source.diskImage()).filter(JsonNode::isObject).map(DiskImage::fromJson)
                .filter(image -> image.sizeBytes() > 0)
                .map(image -> new Disk(image.sizeBytes(), "disk image " + image.description()));
    }

    static String spelling(LinodeTarget.Via via) {
        return switch (via) {
            case IMAGE -> "image";
            case DISK -> "disk";
        };
    }
}
