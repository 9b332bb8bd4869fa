package dev.ferry.sandbox.aws;

import dev.ferry.sandbox.world.Ami;
import dev.ferry.sandbox.world.Cidr;
import dev.ferry.sandbox.world.Ec2Instance;
import dev.ferry.sandbox.world.InstanceState;
import dev.ferry.sandbox.world.InstanceTypeSpec;
import dev.ferry.sandbox.world.LaunchTemplate;
import dev.ferry.sandbox.world.LaunchTemplateVersion;
import dev.ferry.sandbox.world.SecurityGroup;
import dev.ferry.sandbox.world.Subnet;
import dev.ferry.sandbox.world.Volume;
import dev.ferry.sandbox.world.World;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static dev.ferry.sandbox.aws.Ec2Ids.byIds;
import static dev.ferry.sandbox.aws.Ec2Ids.checkIds;
import static dev.ferry.sandbox.aws.Ec2Networking.defaultVpc;
import static dev.ferry.sandbox.aws.Ec2Tags.tagSpecifications;
import static java.util.Objects.requireNonNull;

/** EC2 instances and their volumes: describe, launch, terminate. */
final class Ec2Instances {

    private final World world;

    Ec2Instances(World world) {
        this.world = requireNonNull(world, "world is null");
    }

    String describeInstances(QueryParams params, String requestId) {
        List<String> ids = params.list("InstanceId");
        if (!ids.isEmpty() && params.has("MaxResults")) {
            throw AwsException.badRequest("InvalidParameterCombination",
                    "The parameter instancesSet cannot be used with the parameter maxResults");
        }
        checkIds("i", "InvalidInstanceID.Malformed", ids);
        return world.read(w -> {
            List<Ec2Instance> instances = ids.isEmpty() ? List.copyOf(w.ec2().instances().values())
                    : byIds(w.ec2().instances(), ids, "InvalidInstanceID.NotFound", "instance ID");
            Ec2Filters<Ec2Instance> filters = new Ec2Filters<>(Ec2Instance::tags)
                    .single("instance-id", Ec2Instance::id)
                    .single("instance-state-name", i -> i.state().apiName())
                    .single("instance-state-code", i -> i.state().code())
                    .single("instance-type", Ec2Instance::instanceType)
                    .single("image-id", Ec2Instance::imageId)
                    .single("vpc-id", Ec2Instance::vpcId)
                    .single("subnet-id", Ec2Instance::subnetId)
                    .single("private-ip-address", Ec2Instance::privateIp)
                    .single("ip-address", Ec2Instance::publicIp)
                    .single("key-name", Ec2Instance::keyName)
                    .single("availability-zone", Ec2Instance::availabilityZone)
                    .single("architecture", Ec2Instance::architecture)
                    .single("reservation-id", Ec2Instance::reservationId)
                    .single("client-token", Ec2Instance::clientToken)
                    .single("platform-details", Ec2Instance::platformDetails)
                    .field("instance.group-id", Ec2Instance::securityGroupIds)
                    .field("group-id", Ec2Instance::securityGroupIds)
                    .field("instance.group-name", i -> groupNames(w, i))
                    .field("group-name", i -> groupNames(w, i))
                    .field("product-code", Ec2Instance::productCodes);
            List<Ec2Instance> matching = filters.apply(instances, Ec2Filters.parse(params, "Filter"));
            // Pages count reservations, as the real API does.
            Map<String, List<Ec2Instance>> reservations = new LinkedHashMap<>();
            matching.forEach(i -> reservations.computeIfAbsent(i.reservationId(), r -> new ArrayList<>()).add(i));
            Page<List<Ec2Instance>> page = Page.of(List.copyOf(reservations.values()), params.integer("MaxResults"),
                    params.get("NextToken"), 5, 1000, null, "DescribeInstances");
            XmlWriter xml = Ec2Xml.response("DescribeInstances", requestId).start("reservationSet");
            for (List<Ec2Instance> reservation : page.items()) {
                Ec2Instance first = reservation.get(0);
                xml.start("item").leaf("reservationId", first.reservationId()).leaf("ownerId", w.account());
                xml.start("groupSet").end().start("instancesSet");
                reservation.forEach(i -> Ec2Xml.instance(xml, i, w));
                xml.end().end();
            }
            return xml.end().leaf("nextToken", page.nextToken()).end().toString();
        });
    }

    private static List<String> groupNames(World w, Ec2Instance instance) {
        return instance.securityGroupIds().stream().map(g -> w.ec2().securityGroups().get(g))
                .filter(g -> g != null).map(SecurityGroup::name).toList();
    }

    String describeVolumes(QueryParams params, String requestId) {
        List<String> ids = params.list("VolumeId");
        checkIds("vol", "InvalidVolumeID.Malformed", ids);
        return world.read(w -> {
            List<Volume> volumes = ids.isEmpty() ? List.copyOf(w.ec2().volumes().values())
                    : byIds(w.ec2().volumes(), ids, "InvalidVolume.NotFound", "volume");
            Ec2Filters<Volume> filters = new Ec2Filters<>(Volume::tags)
                    .single("volume-id", Volume::id)
                    .single("attachment.instance-id", Volume::instanceId)
                    .single("attachment.device", Volume::device)
                    .single("attachment.delete-on-termination", Volume::deleteOnTermination)
                    .single("status", Volume::state)
                    .single("size", Volume::sizeGiB)
                    .single("volume-type", Volume::volumeType)
                    .single("encrypted", Volume::encrypted)
                    .single("availability-zone", Volume::availabilityZone)
                    .single("snapshot-id", Volume::snapshotId);
            List<Volume> matching = filters.apply(volumes, Ec2Filters.parse(params, "Filter"));
            Page<Volume> page = Page.of(matching, params.integer("MaxResults"), params.get("NextToken"), 5, 500, null,
                    "DescribeVolumes");
            XmlWriter xml = Ec2Xml.response("DescribeVolumes", requestId).start("volumeSet");
            page.items().forEach(v -> Ec2Xml.volume(xml, v));
            return xml.end().leaf("nextToken", page.nextToken()).end().toString();
        });
    }

    /**
     * The version of the launch template a RunInstances names ({@code LaunchTemplate.LaunchTemplateId} or
     * {@code .LaunchTemplateName}, {@code .Version}: a number, {@code $Latest} or {@code $Default}, the default when
     * absent), or null when it names none.
     */
    private LaunchTemplateVersion launchTemplate(QueryParams spec) {
        if (spec.isEmpty()) {
            return null;
        }
        String id = spec.get("LaunchTemplateId");
        String name = spec.get("LaunchTemplateName");
        String version = spec.get("Version") == null ? "$Default" : spec.get("Version");
        return world.read(w -> {
            LaunchTemplate template = w.ec2().launchTemplates().values().stream()
                    .filter(t -> t.id().equals(id) || t.name().equals(name)).findFirst()
                    .orElseThrow(() -> id != null
                            ? AwsException.badRequest("InvalidLaunchTemplateId.NotFound", "The specified launch template,"
                                    + " with template ID " + id + ", does not exist.")
                            : AwsException.badRequest("InvalidLaunchTemplateName.NotFoundException", "The specified launch"
                                    + " template, with template name " + name + ", does not exist."));
            return switch (version) {
                case "$Latest" -> template.latest();
                case "$Default" -> template.defaults();
                default -> template.versions().stream().filter(v -> String.valueOf(v.number()).equals(version)).findFirst()
                        .orElseThrow(() -> AwsException.badRequest("InvalidLaunchTemplateId.VersionNotFound", "Could not"
                                + " find launch template version " + version + " for the launch template "
                                + template.id() + "."));
            };
        });
    }

    String runInstances(QueryParams params, String requestId) {
        LaunchTemplateVersion template = launchTemplate(params.sub("LaunchTemplate"));
        if (template != null && params.get("ImageId") == null && template.imageId() == null) {
            throw AwsException.missingParameter("ImageId");
        }
        String imageId = params.get("ImageId") != null || template == null ? params.require("ImageId") : template.imageId();
        String instanceType = params.get("InstanceType") != null ? params.get("InstanceType")
                : template != null && template.instanceType() != null ? template.instanceType() : "m1.small";
        Integer minCount = params.integer("MinCount");
        Integer maxCount = params.integer("MaxCount");
        if (minCount == null) {
            throw AwsException.missingParameter("MinCount");
        }
        if (maxCount == null) {
            throw AwsException.missingParameter("MaxCount");
        }
        if (minCount < 1 || maxCount < minCount) {
            throw AwsException.badRequest("InvalidParameterValue",
                    "MinCount must be at least 1 and MaxCount at least MinCount");
        }
        List<QueryParams> interfaces = params.indexed("NetworkInterface");
        String subnetId = params.get("SubnetId");
        List<String> groupIds = new ArrayList<>(params.list("SecurityGroupId"));
        if (template != null && interfaces.isEmpty() && subnetId == null && groupIds.isEmpty()) {
            // what the request leaves out, the template's version gives
            subnetId = template.subnetId();
            groupIds.addAll(template.securityGroupIds());
        }
        String privateIp = params.get("PrivateIpAddress");
        if (!interfaces.isEmpty()) {
            QueryParams eni = interfaces.get(0);
            subnetId = subnetId == null ? eni.get("SubnetId") : subnetId;
            groupIds.addAll(eni.list("SecurityGroupId"));
            privateIp = privateIp == null ? eni.get("PrivateIpAddress") : privateIp;
        }
        if (privateIp != null && maxCount > 1) {
            throw AwsException.badRequest("InvalidParameterCombination",
                    "Cannot specify a private IP address when launching more than one instance");
        }
        checkIds("ami", "InvalidAMIID.Malformed", List.of(imageId));
        Map<String, Map<String, String>> tagSpecs = new LinkedHashMap<>(
                template == null ? Map.of() : template.tagSpecifications());
        tagSpecifications(params, Set.of("instance", "volume")).forEach((type, tags) -> tagSpecs.merge(type, tags,
                (fromTemplate, fromRequest) -> {
                    Map<String, String> merged = new java.util.TreeMap<>(fromTemplate);
                    merged.putAll(fromRequest);
                    return merged;
                }));
        String clientToken = params.get("ClientToken");
        String keyName = params.get("KeyName");
        String finalSubnetId = subnetId;
        String finalPrivateIp = privateIp;

        record Launch(List<Ec2Instance> instances, String reservationId) {
        }
        Launch launch = world.write(w -> {
            if (clientToken != null) {
                List<Ec2Instance> same = w.ec2().instances().values().stream()
                        .filter(i -> clientToken.equals(i.clientToken())).toList();
                if (!same.isEmpty()) {
                    if (!same.get(0).imageId().equals(imageId)) {
                        throw AwsException.badRequest("IdempotentParameterMismatch", "The client token "
                                + clientToken + " was already used with different parameters");
                    }
                    return new Launch(same, same.get(0).reservationId());
                }
            }
            Ami ami = w.ec2().amis().get(imageId);
            if (ami == null) {
                throw AwsException.badRequest("InvalidAMIID.NotFound", "The image id '[" + imageId
                        + "]' does not exist");
            }
            if (!ami.state().equals("available")) {
                throw AwsException.badRequest("InvalidAMIID.Unavailable", "The image id '[" + imageId
                        + "]' is not available");
            }
            InstanceTypeSpec type = w.ec2().instanceType(instanceType).orElseThrow(() -> AwsException.badRequest(
                    "InvalidParameterValue", "Invalid value '" + instanceType + "' for InstanceType."));
            if (!type.architectures().contains(ami.architecture())) {
                throw AwsException.badRequest("InvalidParameterValue", "The architecture '"
                        + type.architectures().get(0) + "' of the specified instance type does not match the "
                        + "architecture '" + ami.architecture() + "' of the specified AMI. Specify an instance type "
                        + "and an AMI that have matching architectures, and try again.");
            }
            Subnet subnet;
            if (finalSubnetId == null) {
                String defaultVpc = defaultVpc(w);
                subnet = w.ec2().subnets().values().stream().filter(s -> s.vpcId().equals(defaultVpc)).findFirst()
                        .orElseThrow(() -> AwsException.badRequest("VPCIdNotSpecified",
                                "No default VPC for this user"));
            } else {
                checkIds("subnet", "InvalidSubnetID.Malformed", List.of(finalSubnetId));
                subnet = byIds(w.ec2().subnets(), List.of(finalSubnetId), "InvalidSubnetID.NotFound", "subnet ID").get(0);
            }
            checkIds("sg", "InvalidGroupId.Malformed", groupIds);
            List<String> groups = groupIds.isEmpty()
                    ? w.ec2().securityGroups().values().stream().filter(g -> g.vpcId().equals(subnet.vpcId())
                    && g.name().equals("default")).map(SecurityGroup::id).toList()
                    : groupIds.stream().distinct().toList();
            for (SecurityGroup group : byIds(w.ec2().securityGroups(), groups, "InvalidGroup.NotFound", "security group")) {
                if (!group.vpcId().equals(subnet.vpcId())) {
                    throw AwsException.badRequest("InvalidParameter", "Security group " + group.id() + " and subnet "
                            + subnet.id() + " belong to different networks.");
                }
            }
            List<String> addresses = new ArrayList<>();
            if (finalPrivateIp != null) {
                Cidr cidr = Cidr.parse(subnet.cidrBlock());
                try {
                    if (!cidr.contains(finalPrivateIp)) {
                        throw AwsException.badRequest("InvalidParameterValue", "Address " + finalPrivateIp
                                + " does not fall within the subnet's address range");
                    }
                } catch (IllegalArgumentException e) {
                    throw AwsException.badRequest("InvalidParameterValue", "Invalid IPv4 address: "
                            + finalPrivateIp);
                }
                long offset = Cidr.parseAddress(finalPrivateIp) - cidr.firstAddress();
                if (offset < 4 || offset == cidr.size() - 1) {
                    throw AwsException.badRequest("InvalidParameterValue", "Address " + finalPrivateIp
                            + " is reserved by AWS in subnet " + subnet.id());
                }
                boolean used = w.ec2().instances().values().stream().anyMatch(i -> i.state() != InstanceState.TERMINATED
                        && i.privateIp().equals(finalPrivateIp));
                if (used) {
                    throw AwsException.badRequest("InvalidIPAddress.InUse", "Address " + finalPrivateIp
                            + " is in use.");
                }
                addresses.add(finalPrivateIp);
            } else {
                for (int n = 0; n < maxCount; n++) {
                    String free = w.ec2().freePrivateIp(subnet, addresses);
                    if (free == null) {
                        if (n < minCount) {
                            throw AwsException.badRequest("InsufficientFreeAddressesInSubnet",
                                    "The specified subnet " + subnet.id() + " does not have enough free addresses");
                        }
                        break;
                    }
                    addresses.add(free);
                }
            }
            List<Ec2Instance> launched = w.ec2().runInstances(ami, type.name(), subnet, groups, addresses, keyName,
                    clientToken, tagSpecs.getOrDefault("instance", Map.of()), tagSpecs.getOrDefault("volume",
                            Map.of()));
            return new Launch(launched, launched.get(0).reservationId());
        });
        return world.read(w -> {
            XmlWriter xml = Ec2Xml.response("RunInstances", requestId)
                    .leaf("reservationId", launch.reservationId())
                    .leaf("ownerId", w.account())
                    .start("groupSet").end()
                    .start("instancesSet");
            launch.instances().forEach(i -> Ec2Xml.instance(xml, w.ec2().instances().getOrDefault(i.id(), i), w));
            return xml.end().end().toString();
        });
    }

    String terminateInstances(QueryParams params, String requestId) {
        List<String> ids = params.list("InstanceId");
        if (ids.isEmpty()) {
            throw AwsException.missingParameter("InstanceId");
        }
        checkIds("i", "InvalidInstanceID.Malformed", ids);
        return world.write(w -> {
            byIds(w.ec2().instances(), ids, "InvalidInstanceID.NotFound", "instance ID");
            XmlWriter xml = Ec2Xml.response("TerminateInstances", requestId).start("instancesSet");
            for (String id : ids.stream().distinct().toList()) {
                InstanceState previous = w.ec2().terminate(id);
                InstanceState current = w.ec2().instances().get(id).state();
                xml.start("item").leaf("instanceId", id)
                        .start("currentState").leaf("code", current.code()).leaf("name", current.apiName()).end()
                        .start("previousState").leaf("code", previous.code()).leaf("name", previous.apiName()).end()
                        .end();
            }
            return xml.end().end().toString();
        });
    }
}
