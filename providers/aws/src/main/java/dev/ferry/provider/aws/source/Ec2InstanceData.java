package dev.ferry.provider.aws.source;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.engine.FerryException;
import dev.ferry.engine.machine.FirewallIntent;
import dev.ferry.engine.machine.MachineFacts;
import dev.ferry.engine.permission.Permission;
import dev.ferry.engine.provider.DataRequest;
import dev.ferry.engine.provider.DataResult;
import dev.ferry.engine.provider.DataSourceType;
import dev.ferry.engine.provider.Note;
import dev.ferry.engine.resource.Attributes;
import dev.ferry.engine.resource.ResourceAddress;
import dev.ferry.provider.aws.client.AwsCalls;
import dev.ferry.provider.aws.client.AwsClients;
import dev.ferry.provider.aws.client.Ec2Tags;
import dev.ferry.provider.aws.client.Ec2Units;
import dev.ferry.provider.aws.price.PriceCatalog;
import dev.ferry.provider.aws.client.IamPolicy;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import software.amazon.awssdk.services.ec2.model.GroupIdentifier;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.InstanceTypeInfo;
import software.amazon.awssdk.services.ec2.model.ProductCode;
import software.amazon.awssdk.services.ec2.model.Reservation;
import software.amazon.awssdk.services.ec2.model.SecurityGroup;
import software.amazon.awssdk.services.ec2.model.SecurityGroupRule;
import software.amazon.awssdk.services.ec2.model.Volume;
import software.amazon.awssdk.services.ec2.model.VolumeAttachment;

/**
 * {@code data.aws_ec2_instance}: the source instance, read for every migration of a plan at once. Each
 * describe call covers all instances (a page at a time): DescribeInstances, DescribeInstanceTypes for the
 * distinct types, DescribeVolumes for every attached volume, DescribeSecurityGroups and
 * DescribeSecurityGroupRules for every group, DescribeVpcs when a rule needs a suggestion, and one
 * Pricing GetProducts per distinct type. Its outputs are the neutral machine facts and firewall intent,
 * and what the export needs to know (root volume, encryption, product codes).
 */
public final class Ec2InstanceData implements DataSourceType {

    public static final String NAME = "aws_ec2_instance";
    private static final Pattern INSTANCE_ID = Pattern.compile("i-([0-9a-f]{8}|[0-9a-f]{17})");
    /** EC2 takes up to 200 values in one filter. */
    private static final int FILTER_VALUES = 200;
    private static final int INSTANCE_TYPES_PER_CALL = 100;

    private final AwsClients clients;
    private final AwsCalls calls;
    private final PriceCatalog prices;

    public Ec2InstanceData(AwsClients clients, AwsCalls calls, PriceCatalog prices) {
        this.clients = requireNonNull(clients, "clients is null");
        this.calls = requireNonNull(calls, "calls is null");
        this.prices = requireNonNull(prices, "prices is null");
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Map<ResourceAddress, DataResult> read(List<DataRequest> requests) {
        Map<ResourceAddress, DataResult> results = new LinkedHashMap<>();
        Map<ResourceAddress, String> wanted = new LinkedHashMap<>();
        String region = clients.regionName();
        for (DataRequest request : requests) {
            String id = request.arguments().optionalText("instance").orElse("");
            Optional<String> askedRegion = request.arguments().optionalText("region");
            if (!INSTANCE_ID.matcher(id).matches()) {
                results.put(request.address(), new DataResult.Failed("'" + id + "' is not an EC2 instance id (such as i-0e1dc0292b0ae7293)"));
            } else if (askedRegion.isPresent() && !askedRegion.get().equals(region)) {
                results.put(request.address(), new DataResult.Failed("instance " + id + " is to be read in " + askedRegion.get()
                        + ", but the AWS provider is connected to " + region + "; set providers.aws.region"));
            } else {
                wanted.put(request.address(), id);
            }
        }
        if (wanted.isEmpty()) {
            return results;
        }
        Snapshot snapshot;
        try {
            snapshot = describe(Set.copyOf(wanted.values()));
        } catch (FerryException e) {
            wanted.keySet().forEach(address -> results.put(address, new DataResult.Failed(e.getMessage())));
            return results;
        }
        for (Map.Entry<ResourceAddress, String> entry : wanted.entrySet()) {
            results.put(entry.getKey(), result(entry.getValue(), snapshot));
        }
        return results;
    }

    /** Everything the describe calls gave, for all instances of the plan. */
    private record Snapshot(Map<String, Instance> instances, Map<String, InstanceTypeInfo> types, Map<String, List<Volume>> volumesByInstance,
                            Map<String, SecurityGroup> groups, Map<String, List<SecurityGroupRule>> rulesByGroup, Map<String, String> vpcCidrs) {
    }

    private Snapshot describe(Set<String> ids) {
        Map<String, Instance> instances = new LinkedHashMap<>();
        for (List<String> chunk : Ec2Units.chunks(ids, FILTER_VALUES)) {
            calls.call("EC2 DescribeInstances", () -> {
                clients.ec2().describeInstancesPaginator(r -> r.filters(Ec2Tags.filter("instance-id", chunk)).maxResults(1000))
                        .forEach(page -> page.reservations().stream().map(Reservation::instances).flatMap(List::stream)
                                .forEach(instance -> instances.put(instance.instanceId(), instance)));
                return null;
            });
        }
        Set<String> typeNames = instances.values().stream().map(Instance::instanceTypeAsString).collect(Collectors.toCollection(LinkedHashSet::new));
        Map<String, InstanceTypeInfo> types = new HashMap<>();
        for (List<String> chunk : Ec2Units.chunks(typeNames, INSTANCE_TYPES_PER_CALL)) {
            calls.call("EC2 DescribeInstanceTypes", () -> {
                clients.ec2().describeInstanceTypesPaginator(r -> r.instanceTypesWithStrings(chunk))
                        .forEach(page -> page.instanceTypes().forEach(type -> types.put(type.instanceTypeAsString(), type)));
                return null;
            });
        }
        Map<String, List<Volume>> volumes = new HashMap<>();
        for (List<String> chunk : Ec2Units.chunks(instances.keySet(), FILTER_VALUES)) {
            // A listing sent again after a lost answer starts afresh, so each attempt collects into its own list.
            List<Volume> listed = calls.call("EC2 DescribeVolumes", () -> {
                List<Volume> found = new ArrayList<>();
                clients.ec2().describeVolumesPaginator(r -> r.filters(Ec2Tags.filter("attachment.instance-id", chunk)).maxResults(500))
                        .forEach(page -> found.addAll(page.volumes()));
                return found;
            });
            for (Volume volume : listed) {
                volume.attachments().stream().map(VolumeAttachment::instanceId).filter(chunk::contains)
                        .forEach(instance -> volumes.computeIfAbsent(instance, i -> new ArrayList<>()).add(volume));
            }
        }
        Set<String> groupIds = instances.values().stream().flatMap(i -> i.securityGroups().stream()).map(GroupIdentifier::groupId)
                .collect(Collectors.toCollection(LinkedHashSet::new));
        Map<String, SecurityGroup> groups = new LinkedHashMap<>();
        Map<String, List<SecurityGroupRule>> rules = new LinkedHashMap<>();
        for (List<String> chunk : Ec2Units.chunks(groupIds, FILTER_VALUES)) {
            calls.call("EC2 DescribeSecurityGroups", () -> {
                clients.ec2().describeSecurityGroupsPaginator(r -> r.filters(Ec2Tags.filter("group-id", chunk)).maxResults(1000))
                        .forEach(page -> page.securityGroups().forEach(group -> groups.put(group.groupId(), group)));
                return null;
            });
            List<SecurityGroupRule> listedRules = calls.call("EC2 DescribeSecurityGroupRules", () -> {
                List<SecurityGroupRule> found = new ArrayList<>();
                clients.ec2().describeSecurityGroupRulesPaginator(r -> r.filters(Ec2Tags.filter("group-id", chunk)).maxResults(1000))
                        .forEach(page -> found.addAll(page.securityGroupRules()));
                return found;
            });
            listedRules.forEach(rule -> rules.computeIfAbsent(rule.groupId(), g -> new ArrayList<>()).add(rule));
        }
        // The VPC ranges are needed only to suggest a replacement for rules naming other groups or prefix lists.
        Set<String> vpcIds = new LinkedHashSet<>();
        boolean suggestionsNeeded = rules.values().stream().flatMap(List::stream)
                .anyMatch(rule -> rule.referencedGroupInfo() != null || rule.prefixListId() != null);
        if (suggestionsNeeded) {
            groups.values().forEach(group -> Optional.ofNullable(group.vpcId()).ifPresent(vpcIds::add));
        }
        Map<String, String> vpcCidrs = new HashMap<>();
        for (List<String> chunk : Ec2Units.chunks(vpcIds, FILTER_VALUES)) {
            calls.call("EC2 DescribeVpcs", () -> {
                clients.ec2().describeVpcsPaginator(r -> r.filters(Ec2Tags.filter("vpc-id", chunk)))
                        .forEach(page -> page.vpcs().forEach(vpc -> vpcCidrs.put(vpc.vpcId(), vpc.cidrBlock())));
                return null;
            });
        }
        Map<String, String> groupCidrs = new HashMap<>();
        groups.values().forEach(group -> Optional.ofNullable(vpcCidrs.get(group.vpcId())).ifPresent(cidr -> groupCidrs.put(group.groupId(), cidr)));
        return new Snapshot(instances, types, volumes, groups, rules, groupCidrs);
    }

    private DataResult result(String id, Snapshot snapshot) {
        String region = clients.regionName();
        Instance instance = snapshot.instances().get(id);
        if (instance == null) {
            return new DataResult.Failed("instance " + id + " does not exist in " + region
                    + " (or this account cannot see it); check the id in the file and providers.aws.region");
        }
        String state = instance.state() == null ? "unknown" : instance.state().nameAsString();
        if (state.equals("terminated") || state.equals("shutting-down")) {
            return new DataResult.Failed("instance " + id + " in " + region + " is " + state + "; a terminated instance cannot be migrated");
        }
        List<Note> notes = new ArrayList<>();
        InstanceTypeInfo type = snapshot.types().get(instance.instanceTypeAsString());
        int vcpus = type == null || type.vCpuInfo() == null ? 0 : type.vCpuInfo().defaultVCpus();
        long memoryMib = type == null || type.memoryInfo() == null ? 0 : type.memoryInfo().sizeInMiB();
        if (type == null) {
            notes.add(Note.warning("EC2 did not describe the instance type " + instance.instanceTypeAsString()
                    + "; its vCPUs and memory are unknown"));
        }

        List<Volume> volumes = new ArrayList<>(snapshot.volumesByInstance().getOrDefault(id, List.of()));
        String rootDevice = instance.rootDeviceName();
        volumes.sort(Comparator.comparing((Volume v) -> !device(v, id).equals(rootDevice)).thenComparing(v -> device(v, id)));
        Optional<Volume> root = volumes.stream().filter(v -> device(v, id).equals(rootDevice)).findFirst();
        ArrayNode volumeJson = JsonNodeFactory.instance.arrayNode();
        List<MachineFacts.Disk> disks = new ArrayList<>();
        for (Volume volume : volumes) {
            boolean isRoot = root.isPresent() && root.get().volumeId().equals(volume.volumeId());
            long size = volume.size() == null ? 0 : volume.size() * Ec2Units.GIB;
            boolean encrypted = Boolean.TRUE.equals(volume.encrypted());
            volumeJson.addObject().put("id", volume.volumeId()).put("device", device(volume, id)).put("size_bytes", size)
                    .put("type", volume.volumeTypeAsString()).put("encrypted", encrypted).put("root", isRoot);
            disks.add(new MachineFacts.Disk(volume.volumeId(), size, isRoot, Optional.ofNullable(volume.volumeTypeAsString()), encrypted));
        }
        // the volumes besides the root are the target's to move or to name (it knows its road)

        List<String> productCodes = instance.productCodes().stream().map(ProductCode::productCodeId).toList();
        Map<String, String> tags = Ec2Tags.map(instance.tags());
        String name = tags.getOrDefault("Name", id);
        String platformDetails = Optional.ofNullable(instance.platformDetails()).orElse(
                "windows".equalsIgnoreCase(instance.platformAsString()) ? "Windows" : "Linux/UNIX");
        String platform = platformDetails.toLowerCase(Locale.ROOT).startsWith("windows") ? "windows" : "linux";
        String architecture = switch (Optional.ofNullable(instance.architectureAsString()).orElse("x86_64")) {
            case "arm64", "arm64_mac" -> MachineFacts.ARM64;
            case "i386" -> "i386";
            default -> MachineFacts.X86_64;
        };

        PriceCatalog.Quote quote = prices.monthly(instance.instanceTypeAsString(), platformDetails);
        quote.problem().ifPresent(problem -> notes.add(Note.info("no price for " + instance.instanceTypeAsString() + ": " + problem)));

        List<String> publicAddresses = new ArrayList<>();
        Optional.ofNullable(instance.publicIpAddress()).ifPresent(publicAddresses::add);
        List<String> privateAddresses = new ArrayList<>();
        Optional.ofNullable(instance.privateIpAddress()).ifPresent(privateAddresses::add);
        instance.networkInterfaces().forEach(eni -> eni.ipv6Addresses().forEach(v6 -> publicAddresses.add(v6.ipv6Address())));
        MachineFacts facts = new MachineFacts("aws:ec2", name, vcpus, memoryMib, architecture, platform, Optional.of(platformDetails), disks,
                publicAddresses, privateAddresses, withoutFerryTags(tags), Optional.of(instance.instanceTypeAsString()), quote.price(),
                Optional.of(state), bootMode(instance));

        List<SecurityGroupTranslation.SgRule> sgRules = new ArrayList<>();
        Map<String, String> groupNames = new LinkedHashMap<>();
        for (GroupIdentifier group : instance.securityGroups()) {
            groupNames.put(group.groupId(), group.groupName());
            snapshot.rulesByGroup().getOrDefault(group.groupId(), List.of()).forEach(rule -> sgRules.add(sgRule(rule)));
        }
        snapshot.groups().values().forEach(group -> groupNames.putIfAbsent(group.groupId(), group.groupName()));
        FirewallIntent firewall = SecurityGroupTranslation.translate(sgRules, new SecurityGroupTranslation.Groups(groupNames,
                snapshot.vpcCidrs()));

        ObjectNode outputs = JsonNodeFactory.instance.objectNode();
        outputs.put("instance_id", id);
        outputs.put("region", region);
        outputs.put("name", name);
        outputs.put("instance_type", instance.instanceTypeAsString());
        outputs.put("state", state);
        outputs.put("architecture", architecture);
        outputs.put("platform", platformDetails);
        outputs.put("image_id", instance.imageId());
        outputs.put("vpc_id", instance.vpcId());
        outputs.put("subnet_id", instance.subnetId());
        ArrayNode groupsJson = outputs.putArray("security_groups");
        instance.securityGroups().forEach(group -> groupsJson.add(group.groupId()));
        ArrayNode codes = outputs.putArray("product_codes");
        productCodes.forEach(codes::add);
        outputs.set("volumes", volumeJson);
        if (root.isPresent()) {
            Volume volume = root.get();
            ObjectNode rootJson = outputs.putObject("root_volume");
            rootJson.put("id", volume.volumeId()).put("device", rootDevice).put("size_bytes", volume.size() * Ec2Units.GIB)
                    .put("type", volume.volumeTypeAsString()).put("encrypted", Boolean.TRUE.equals(volume.encrypted()));
            if (Boolean.TRUE.equals(volume.encrypted()) && volume.kmsKeyId() != null) {
                rootJson.put("kms_key_id", volume.kmsKeyId());
            }
            outputs.put("root_volume_size_bytes", volume.size() * Ec2Units.GIB);
            outputs.put("encrypted", Boolean.TRUE.equals(volume.encrypted()));
        } else {
            notes.add(Note.warning("EC2 lists no volume at the root device " + rootDevice + " of " + id + "; its size is unknown"));
            outputs.putNull("root_volume");
            outputs.put("root_volume_size_bytes", 0);
            outputs.put("encrypted", false);
        }
        outputs.set("machine", facts.toJson());
        outputs.set("firewall", firewall.toJson());
        return new DataResult.Found(outputs, notes);
    }

    /**
     * How the instance boots: the mode it was launched with ({@code bootMode}: {@code uefi} means UEFI only, while
     * {@code uefi-preferred} images carry a BIOS boot loader too), else the mode it booted in.
     */
    private static Optional<String> bootMode(Instance instance) {
        return Optional.ofNullable(instance.bootModeAsString()).filter(mode -> !mode.isBlank())
                .or(() -> Optional.ofNullable(instance.currentInstanceBootModeAsString()).filter(mode -> !mode.isBlank()));
    }

    private static Map<String, String> withoutFerryTags(Map<String, String> tags) {
        Map<String, String> kept = new LinkedHashMap<>(tags);
        kept.keySet().removeIf(key -> key.startsWith("ferry:") || key.startsWith("aws:"));
        return kept;
    }

    private static String device(Volume volume, String instanceId) {
        return volume.attachments().stream().filter(a -> instanceId.equals(a.instanceId())).map(VolumeAttachment::device)
                .findFirst().orElse("");
    }

    private static SecurityGroupTranslation.SgRule sgRule(SecurityGroupRule rule) {
        return new SecurityGroupTranslation.SgRule(rule.groupId(), Optional.ofNullable(rule.securityGroupRuleId()).orElse("?"),
                Boolean.TRUE.equals(rule.isEgress()), Optional.ofNullable(rule.ipProtocol()).orElse("-1"), rule.fromPort(), rule.toPort(),
                Optional.ofNullable(rule.cidrIpv4()), Optional.ofNullable(rule.cidrIpv6()),
                Optional.ofNullable(rule.referencedGroupInfo()).map(r -> r.groupId()), Optional.ofNullable(rule.prefixListId()),
                Optional.ofNullable(rule.description()));
    }

    /** What reading the source needs: the instance, its type, volumes, network and security groups, and its price. */
    public static List<Permission> permissions(IamPolicy.Scope scope, String address, Attributes arguments) {
        String why = address + " reads the source instance at plan time";
        List<Permission> needed = new java.util.ArrayList<>();
        for (String action : List.of("ec2:DescribeInstances", "ec2:DescribeInstanceTypes", "ec2:DescribeVolumes", "ec2:DescribeVpcs",
                "ec2:DescribeSecurityGroups", "ec2:DescribeSecurityGroupRules")) {
            needed.add(Permission.of(action, List.of("*"), why));
        }
        needed.add(Permission.of("pricing:GetProducts", List.of("*"), address + " looks up the source type's on-demand price"));
        return needed;
    }
}
