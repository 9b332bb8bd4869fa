package dev.ferry.provider.linode;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.ferry.engine.machine.Neutral;
import dev.ferry.engine.provider.ExpansionContext;
import dev.ferry.engine.provider.SourceHalf;
import dev.ferry.engine.provider.TargetHalf;
import dev.ferry.engine.provider.TargetKind;
import dev.ferry.engine.resource.Expression;
import dev.ferry.engine.resource.ResourceAddress;
import dev.ferry.engine.resource.ResourceDeclaration;
import dev.ferry.engine.spec.FirewallSpec;
import dev.ferry.engine.spec.SourceLocation;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The Linode half of a migration: {@code linode_firewall.<m>} from the source's firewall and the file's rules
 * (unless there is nothing to put in it), and the Linode by one of two roads. The image road ({@code via: image}):
 * {@code linode_image.<m>} made from the source's disk image and {@code linode_instance.<m>} from the image,
 * behind the firewall. The disk road ({@code via: disk}): an empty {@code linode_instance.<m>}, a raw
 * {@code linode_disk.<m>}, the source's disk written onto it ({@code linode_disk_write.<m>}) and the
 * {@code linode_config.<m>} that boots it; when the source hands on its other disks, {@code linode_volumes.<m>}
 * holds them on Block Storage volumes, written with the root disk and attached after it. The image, or the write,
 * is what the source's staging copies were for ({@code imported}); Linode keeps no staging copies of its own. Which
 * road, when the file does not say, is {@link LinodeRoad}'s choice, and its reason is the instance's
 * {@code road_reason} for the plan to show.
 */
final class LinodeTargetExpander implements TargetKind.TargetExpander {

    @Override
    public TargetHalf expand(ExpansionContext context, SourceHalf source) {
        LinodeTarget target = context.target().bind(LinodeTarget.class);
        String name = context.name();
        SourceLocation origin = context.targetLocation();
        String label = target.label().orElse(LinodeLabels.instance(name));
        ArrayNode tags = JsonNodeFactory.instance.arrayNode();
        target.tags().forEach(tags::add);
        List<ResourceDeclaration> declarations = new ArrayList<>();

        FirewallSpec firewall = context.migration().firewall().orElse(FirewallSpec.defaults(source.firewall().isPresent()));
        boolean translate = firewall.from() == FirewallSpec.From.SECURITY_GROUPS && source.firewall().isPresent();
        Optional<ResourceAddress> firewallAddress = Optional.empty();
        Optional<ResourceDeclaration> firewallDeclaration = Optional.empty();
        if (translate || !firewall.rules().isEmpty()) {
            ResourceAddress address = ResourceAddress.managed(FirewallResource.TYPE, name);
            SourceLocation where = context.migration().firewall().isPresent()
                    ? context.file().document().locate(context.migration().pointer() + "/firewall")
                    : origin;
            ResourceDeclaration.Builder builder = ResourceDeclaration.builder(address, where)
                    .argument("label", LinodeLabels.firewall(name))
                    .argument("tags", tags)
                    .argument("from", translate ? "security-groups" : "none");
            if (translate) {
                builder.argument("intent", source.firewall().get());
            }
            builder.argument("inbound_policy", firewall.inboundPolicy().name());
            firewall.outboundPolicy().ifPresent(policy -> builder.argument("outbound_policy", policy.name()));
            builder.argument("rules", Neutral.toJson(firewall.rules()));
            if (!firewall.acceptLosses().isEmpty()) {
                builder.argument("accept_losses", Neutral.toJson(firewall.acceptLosses()));
            }
            firewallDeclaration = Optional.of(builder.build());
            firewallAddress = Optional.of(address);
        }

        ResourceAddress instanceAddress = ResourceAddress.managed(InstanceResource.TYPE, name);
        LinodeRoad road = LinodeRoad.choose(context, source, target);
        if (road.via() == LinodeTarget.Via.DISK) {
            firewallDeclaration.ifPresent(declarations::add);
            return diskRoad(context, source, target, road, label, tags, declarations, firewallAddress, instanceAddress);
        }
        ResourceAddress image = ResourceAddress.managed(ImageResource.TYPE, name);
        declarations.add(ResourceDeclaration.builder(image, origin)
                .argument("source", source.diskImage())
                .argument("machine", source.machine())
                .argument("label", LinodeLabels.image(label))
                .argument("region", target.region())
                .argument("description", "Disk of " + name + " from " + context.file().displayName() + ", uploaded by ferry")
                .argument("tags", tags)
                .argument("cloud_init", target.cloudInit())
                .build());
        firewallDeclaration.ifPresent(declarations::add);

        ArrayNode keys = JsonNodeFactory.instance.arrayNode();
        target.authorizedKeys().forEach(keys::add);
        ResourceDeclaration.Builder instance = ResourceDeclaration.builder(instanceAddress, origin)
                .argument("region", target.region())
                .argument("type", target.type())
                .argument("class", TypeMatcher.spelling(target.typeClass()))
                .argument("machine", source.machine())
                .argument("label", label)
                .reference("image", image, "id")
                .argument("authorized_keys", keys)
                .argument("tags", tags)
                .argument("booted", target.booted())
                .argument(InstanceResource.ROAD_REASON, road.reason());
        if (target.rootPass() != null) {
            instance.argument("root_pass", new Expression.Secret(target.rootPass()));
        }
        firewallAddress.ifPresent(address -> instance.reference("firewall_id", address, "id"));
        declarations.add(instance.build());
        return new TargetHalf(declarations, image, Set.of(),
                Optional.of(new Expression.Reference(ResourceAddress.managed(InstanceResource.TYPE, name), "addresses")));
    }

    /**
     * The disk road: an empty, offline Linode; a raw disk the size of the source's root volume; the source's disk
     * written onto it through a temporary helper; the config that boots it with {@code linode/direct-disk}, behind
     * the firewall (attached only then, so it cannot keep ferry from the helper).
     */
    private static TargetHalf diskRoad(ExpansionContext context, SourceHalf source, LinodeTarget target, LinodeRoad road,
                                       String label, ArrayNode tags, List<ResourceDeclaration> declarations,
                                       Optional<ResourceAddress> firewall, ResourceAddress instance) {
        String name = context.name();
        SourceLocation origin = context.targetLocation();
        declarations.add(ResourceDeclaration.builder(instance, origin)
                .argument("region", target.region())
                .argument("type", target.type())
                .argument("class", TypeMatcher.spelling(target.typeClass()))
                .argument("machine", source.machine())
                .argument("label", label)
                .argument("tags", tags)
                .argument("via", "disk")
                .argument(InstanceResource.ROAD_REASON, road.reason())
                .argument("moves_volumes", source.dataDisks().isPresent())
                .build());
        ResourceAddress disk = ResourceAddress.managed(DiskResource.TYPE, name);
        declarations.add(ResourceDeclaration.builder(disk, origin)
                .reference("linode_id", instance, "id")
                .argument("label", "root")
                .argument("machine", source.machine())
                .build());
        Optional<ResourceAddress> volumes = source.dataDisks().map(disks -> ResourceAddress.managed(VolumesResource.TYPE, name));
        volumes.ifPresent(address -> declarations.add(ResourceDeclaration.builder(address, origin)
                .reference("linode_id", instance, "id")
                .argument("label", label)
                .argument("region", target.region())
                .argument("tags", tags)
                .argument("machine", source.machine())
                .build()));
        ResourceAddress write = ResourceAddress.managed(DiskWriteResource.TYPE, name);
        ResourceDeclaration.Builder writing = ResourceDeclaration.builder(write, origin)
                .reference("linode_id", instance, "id")
                .reference("disk_id", disk, "id")
                .argument("source", source.diskImage())
                .argument("helper_image", DiskWriteResource.HELPER_IMAGE)
                .argument("helper_size_mb", DiskWriteResource.HELPER_SIZE_MB);
        volumes.ifPresent(address -> writing.reference("volume_ids", address, "volume_ids")
                .argument("data_disks", source.dataDisks().get()));
        declarations.add(writing.build());
        ResourceDeclaration.Builder config = ResourceDeclaration.builder(ResourceAddress.managed(ConfigResource.TYPE, name), origin)
                .reference("linode_id", instance, "id")
                .reference("disk_id", disk, "id")
                .argument("label", "boot")
                .argument("kernel", ConfigResource.DIRECT_DISK)
                .reference("written", write, "chunk_sha256");
        volumes.ifPresent(address -> config.reference("volume_ids", address, "volume_ids"));
        firewall.ifPresent(address -> config.reference("firewall_id", address, "id"));
        declarations.add(config.build());
        // verification follows everything the target makes: the probes wait for the config's boot
        return new TargetHalf(declarations, write, Set.of(), Optional.of(new Expression.Reference(instance, "addresses")));
    }
}
