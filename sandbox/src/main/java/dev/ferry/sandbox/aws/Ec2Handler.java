package dev.ferry.sandbox.aws;

import dev.ferry.sandbox.http.HttpCall;
import dev.ferry.sandbox.world.Ami;
import dev.ferry.sandbox.world.Blob;
import dev.ferry.sandbox.world.Bucket;
import dev.ferry.sandbox.world.Cidr;
import dev.ferry.sandbox.world.DiskImportReader;
import dev.ferry.sandbox.world.DiskSource;
import dev.ferry.sandbox.world.Ec2Instance;
import dev.ferry.sandbox.world.ExportImageTask;
import dev.ferry.sandbox.world.Grant;
import dev.ferry.sandbox.world.GuestOs;
import dev.ferry.sandbox.world.IamRole;
import dev.ferry.sandbox.world.ImportImageTask;
import dev.ferry.sandbox.world.InstanceExportTask;
import dev.ferry.sandbox.world.InstanceState;
import dev.ferry.sandbox.world.InstanceTypeSpec;
import dev.ferry.sandbox.world.PublicImage;
import dev.ferry.sandbox.world.S3Object;
import dev.ferry.sandbox.world.SecurityGroup;
import dev.ferry.sandbox.world.SecurityGroupRule;
import dev.ferry.sandbox.world.Snapshot;
import dev.ferry.sandbox.world.Subnet;
import dev.ferry.sandbox.world.Volume;
import dev.ferry.sandbox.world.Vpc;
import dev.ferry.sandbox.world.World;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** The EC2 Query API: instances, images, snapshots, security groups, conversion tasks. */
public final class Ec2Handler extends QueryService {

    private static final Set<String> TAGGABLE = Set.of("instance", "volume", "image", "snapshot", "security-group",
            "subnet", "vpc", "export-image-task", "import-image-task", "export-instance-task");
    private static final Pattern AMI_NAME = Pattern.compile("[a-zA-Z0-9()\\[\\] ./\\-'@_]{3,128}");
    private static final String VMIE = "vmie.amazonaws.com";

    public Ec2Handler(World world) {
        super(world);
    }

    @Override
    protected Map<String, String> headers(HttpCall call) {
        return Map.of();
    }

    @Override
    protected String errorXml(AwsException error, String requestId) {
        return Ec2Xml.error(error, requestId);
    }

    @Override
    protected AwsException missingCredentials() {
        return new AwsException(401, "AuthFailure", "AWS was not able to validate the provided access credentials");
    }

    @Override
    protected AwsException unknownAccessKey() {
        return new AwsException(401, "AuthFailure", "AWS was not able to validate the provided access credentials");
    }

    @Override
    protected AwsException throttled() {
        return new AwsException(503, "RequestLimitExceeded", "Request limit exceeded.");
    }

    @Override
    protected AwsException unavailable() {
        return new AwsException(503, "Unavailable", "The server is overloaded and can't handle the request.");
    }

    @Override
    protected AwsException internalFailure() {
        return new AwsException(500, "InternalError", "An internal error has occurred");
    }

    @Override
    protected String serve(String action, QueryParams params, HttpCall call) {
        if (params.bool("DryRun", false)) {
            throw new AwsException(412, "DryRunOperation", "Request would have succeeded, but DryRun flag is set.");
        }
        String id = call.requestId();
        return switch (action) {
            case "DescribeInstances" -> describeInstances(params, id);
            case "DescribeInstanceTypes" -> describeInstanceTypes(params, id);
            case "DescribeVolumes" -> describeVolumes(params, id);
            case "DescribeSecurityGroups" -> describeSecurityGroups(params, id);
            case "DescribeSecurityGroupRules" -> describeSecurityGroupRules(params, id);
            case "DescribeSubnets" -> describeSubnets(params, id);
            case "DescribeVpcs" -> describeVpcs(params, id);
            case "CreateImage" -> createImage(params, id);
            case "DescribeImages" -> describeImages(params, id);
            case "DeregisterImage" -> deregisterImage(params, id);
            case "DescribeSnapshots" -> describeSnapshots(params, id);
            case "DeleteSnapshot" -> deleteSnapshot(params, id);
            case "CreateTags" -> createTags(params, id);
            case "DescribeTags" -> describeTags(params, id);
            case "ExportImage" -> exportImage(params, id);
            case "DescribeExportImageTasks" -> describeExportImageTasks(params, id);
            case "CancelExportTask" -> cancelExportTask(params, id);
            case "ImportImage" -> importImage(params, id);
            case "DescribeImportImageTasks" -> describeImportImageTasks(params, id);
            case "RunInstances" -> runInstances(params, id);
            case "TerminateInstances" -> terminateInstances(params, id);
            case "CreateInstanceExportTask" -> createInstanceExportTask(params, id);
            case "DescribeExportTasks" -> describeExportTasks(params, id);
            default -> throw new AwsException(400, "InvalidAction",
                    "The action " + action + " is not valid for this web service.");
        };
    }

    // ---- ids ----

    private static void checkIds(String prefix, String code, Collection<String> ids) {
        Pattern pattern = Pattern.compile(Pattern.quote(prefix) + "-([0-9a-f]{8}|[0-9a-f]{17})");
        for (String id : ids) {
            if (!pattern.matcher(id).matches()) {
                throw AwsException.badRequest(code, "Invalid id: \"" + id + "\"");
            }
        }
    }

    private static <T> List<T> byIds(Map<String, T> all, List<String> ids, String code, String noun) {
        List<String> missing = ids.stream().filter(i -> !all.containsKey(i)).distinct().toList();
        if (!missing.isEmpty()) {
            String list = String.join(", ", missing);
            throw AwsException.badRequest(code, missing.size() == 1
                    ? "The " + noun + " '" + list + "' does not exist"
                    : "The " + noun + "s '" + list + "' do not exist");
        }
        return ids.stream().distinct().map(all::get).toList();
    }

    // ---- describe ----

    private String describeInstances(QueryParams params, String requestId) {
        List<String> ids = params.list("InstanceId");
        if (!ids.isEmpty() && params.has("MaxResults")) {
            throw AwsException.badRequest("InvalidParameterCombination",
                    "The parameter instancesSet cannot be used with the parameter maxResults");
        }
        checkIds("i", "InvalidInstanceID.Malformed", ids);
        return world.read(w -> {
            List<Ec2Instance> instances = ids.isEmpty() ? List.copyOf(w.instances().values())
                    : byIds(w.instances(), ids, "InvalidInstanceID.NotFound", "instance ID");
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
        return instance.securityGroupIds().stream().map(g -> w.securityGroups().get(g))
                .filter(g -> g != null).map(SecurityGroup::name).toList();
    }

    private String describeInstanceTypes(QueryParams params, String requestId) {
        List<String> names = params.list("InstanceType");
        return world.read(w -> {
            List<InstanceTypeSpec> types;
            if (names.isEmpty()) {
                types = w.instanceTypes();
            } else {
                List<String> missing = names.stream().filter(n -> w.instanceType(n).isEmpty()).toList();
                if (!missing.isEmpty()) {
                    throw AwsException.badRequest("InvalidInstanceType",
                            "The following supplied instance types do not exist: [" + String.join(", ", missing) + "]");
                }
                types = names.stream().distinct().map(n -> w.instanceType(n).orElseThrow()).toList();
            }
            Ec2Filters<InstanceTypeSpec> filters = new Ec2Filters<InstanceTypeSpec>(null)
                    .single("instance-type", InstanceTypeSpec::name)
                    .single("current-generation", InstanceTypeSpec::currentGeneration)
                    .single("vcpu-info.default-vcpus", InstanceTypeSpec::vcpus)
                    .single("vcpu-info.default-cores", InstanceTypeSpec::cores)
                    .single("vcpu-info.default-threads-per-core", InstanceTypeSpec::threadsPerCore)
                    .single("memory-info.size-in-mib", InstanceTypeSpec::memoryMiB)
                    .field("processor-info.supported-architecture", InstanceTypeSpec::architectures)
                    .single("burstable-performance-supported", InstanceTypeSpec::burstable)
                    .single("bare-metal", t -> false)
                    .single("network-info.network-performance", InstanceTypeSpec::networkPerformance)
                    .single("free-tier-eligible", t -> t.name().equals("t2.micro") || t.name().equals("t3.micro"));
            List<InstanceTypeSpec> matching = filters.apply(types, Ec2Filters.parse(params, "Filter"));
            Page<InstanceTypeSpec> page = Page.of(matching, params.integer("MaxResults"), params.get("NextToken"),
                    5, 100, 100, "DescribeInstanceTypes");
            XmlWriter xml = Ec2Xml.response("DescribeInstanceTypes", requestId).start("instanceTypeSet");
            page.items().forEach(t -> Ec2Xml.instanceType(xml, t));
            return xml.end().leaf("nextToken", page.nextToken()).end().toString();
        });
    }

    private String describeVolumes(QueryParams params, String requestId) {
        List<String> ids = params.list("VolumeId");
        checkIds("vol", "InvalidVolumeID.Malformed", ids);
        return world.read(w -> {
            List<Volume> volumes = ids.isEmpty() ? List.copyOf(w.volumes().values())
                    : byIds(w.volumes(), ids, "InvalidVolume.NotFound", "volume");
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

    private String describeSecurityGroups(QueryParams params, String requestId) {
        List<String> ids = params.list("GroupId");
        List<String> names = params.list("GroupName");
        if ((!ids.isEmpty() || !names.isEmpty()) && params.has("MaxResults")) {
            throw AwsException.badRequest("InvalidParameterCombination",
                    "The parameter groupIds cannot be used with the parameter maxResults");
        }
        checkIds("sg", "InvalidGroupId.Malformed", ids);
        return world.read(w -> {
            List<SecurityGroup> groups = ids.isEmpty() ? List.copyOf(w.securityGroups().values())
                    : byIds(w.securityGroups(), ids, "InvalidGroup.NotFound", "security group");
            if (!names.isEmpty()) {
                List<String> missing = names.stream()
                        .filter(n -> w.securityGroups().values().stream().noneMatch(g -> g.name().equals(n))).toList();
                if (!missing.isEmpty()) {
                    throw AwsException.badRequest("InvalidGroup.NotFound", "The security group '" + missing.get(0)
                            + "' does not exist in default VPC '" + defaultVpc(w) + "'");
                }
                groups = groups.stream().filter(g -> names.contains(g.name())).toList();
            }
            Ec2Filters<SecurityGroup> filters = new Ec2Filters<>(SecurityGroup::tags)
                    .single("group-id", SecurityGroup::id)
                    .single("group-name", SecurityGroup::name)
                    .single("vpc-id", SecurityGroup::vpcId)
                    .single("description", SecurityGroup::description)
                    .single("owner-id", g -> w.account())
                    .field("ip-permission.group-id", g -> g.ingress().stream().map(SecurityGroupRule::referencedGroupId)
                            .filter(x -> x != null).toList())
                    .field("ip-permission.cidr", g -> g.ingress().stream().map(SecurityGroupRule::cidrIpv4)
                            .filter(x -> x != null).toList())
                    .field("ip-permission.from-port", g -> g.ingress().stream()
                            .map(r -> String.valueOf(r.fromPort())).toList())
                    .field("ip-permission.to-port", g -> g.ingress().stream()
                            .map(r -> String.valueOf(r.toPort())).toList())
                    .field("ip-permission.protocol", g -> g.ingress().stream().map(SecurityGroupRule::protocol)
                            .toList());
            List<SecurityGroup> matching = filters.apply(groups, Ec2Filters.parse(params, "Filter"));
            Page<SecurityGroup> page = Page.of(matching, params.integer("MaxResults"), params.get("NextToken"), 5,
                    1000, null, "DescribeSecurityGroups");
            XmlWriter xml = Ec2Xml.response("DescribeSecurityGroups", requestId).start("securityGroupInfo");
            page.items().forEach(g -> Ec2Xml.securityGroup(xml, g, w.account(), w.region()));
            return xml.end().leaf("nextToken", page.nextToken()).end().toString();
        });
    }

    private static String defaultVpc(World w) {
        return w.vpcs().values().stream().filter(Vpc::isDefault).map(Vpc::id).findFirst().orElse("");
    }

    private record RuleOf(String groupId, SecurityGroupRule rule) {
    }

    private String describeSecurityGroupRules(QueryParams params, String requestId) {
        List<String> ruleIds = params.list("SecurityGroupRuleId");
        return world.read(w -> {
            List<RuleOf> rules = new ArrayList<>();
            for (SecurityGroup group : w.securityGroups().values()) {
                group.rules().forEach(r -> rules.add(new RuleOf(group.id(), r)));
            }
            List<RuleOf> selected = rules;
            if (!ruleIds.isEmpty()) {
                for (String ruleId : ruleIds) {
                    if (rules.stream().noneMatch(r -> r.rule().ruleId().equals(ruleId))) {
                        throw AwsException.badRequest("InvalidSecurityGroupRuleId.NotFound",
                                "The security group rule ID '" + ruleId + "' does not exist");
                    }
                }
                selected = rules.stream().filter(r -> ruleIds.contains(r.rule().ruleId())).toList();
            }
            Ec2Filters<RuleOf> filters = new Ec2Filters<RuleOf>(r -> Map.of())
                    .single("group-id", RuleOf::groupId)
                    .single("security-group-rule-id", r -> r.rule().ruleId())
                    .single("is-egress", r -> r.rule().egress());
            List<RuleOf> matching = filters.apply(selected, Ec2Filters.parse(params, "Filter"));
            Page<RuleOf> page = Page.of(matching, params.integer("MaxResults"), params.get("NextToken"), 5, 1000, null,
                    "DescribeSecurityGroupRules");
            XmlWriter xml = Ec2Xml.response("DescribeSecurityGroupRules", requestId).start("securityGroupRuleSet");
            page.items().forEach(r -> Ec2Xml.securityGroupRule(xml, r.rule(), r.groupId(), w.account(), w.region()));
            return xml.end().leaf("nextToken", page.nextToken()).end().toString();
        });
    }

    private String describeSubnets(QueryParams params, String requestId) {
        List<String> ids = params.list("SubnetId");
        checkIds("subnet", "InvalidSubnetID.Malformed", ids);
        return world.read(w -> {
            List<Subnet> subnets = ids.isEmpty() ? List.copyOf(w.subnets().values())
                    : byIds(w.subnets(), ids, "InvalidSubnetID.NotFound", "subnet ID");
            Ec2Filters<Subnet> filters = new Ec2Filters<>(Subnet::tags)
                    .single("subnet-id", Subnet::id)
                    .single("vpc-id", Subnet::vpcId)
                    .single("availability-zone", Subnet::availabilityZone)
                    .single("cidr-block", Subnet::cidrBlock)
                    .single("cidrBlock", Subnet::cidrBlock)
                    .single("cidr", Subnet::cidrBlock)
                    .single("state", s -> "available")
                    .single("default-for-az", s -> false)
                    .single("owner-id", s -> w.account());
            List<Subnet> matching = filters.apply(subnets, Ec2Filters.parse(params, "Filter"));
            Page<Subnet> page = Page.of(matching, params.integer("MaxResults"), params.get("NextToken"), 5, 1000, null,
                    "DescribeSubnets");
            XmlWriter xml = Ec2Xml.response("DescribeSubnets", requestId).start("subnetSet");
            page.items().forEach(s -> Ec2Xml.subnet(xml, s, w.account(), w.region()));
            return xml.end().leaf("nextToken", page.nextToken()).end().toString();
        });
    }

    private String describeVpcs(QueryParams params, String requestId) {
        List<String> ids = params.list("VpcId");
        checkIds("vpc", "InvalidVpcID.Malformed", ids);
        return world.read(w -> {
            List<Vpc> vpcs = ids.isEmpty() ? List.copyOf(w.vpcs().values())
                    : byIds(w.vpcs(), ids, "InvalidVpcID.NotFound", "vpc ID");
            Ec2Filters<Vpc> filters = new Ec2Filters<>(Vpc::tags)
                    .single("vpc-id", Vpc::id)
                    .single("cidr", Vpc::cidrBlock)
                    .single("cidr-block-association.cidr-block", Vpc::cidrBlock)
                    .single("is-default", Vpc::isDefault)
                    .single("state", v -> "available")
                    .single("owner-id", v -> w.account());
            List<Vpc> matching = filters.apply(vpcs, Ec2Filters.parse(params, "Filter"));
            Page<Vpc> page = Page.of(matching, params.integer("MaxResults"), params.get("NextToken"), 5, 1000, null,
                    "DescribeVpcs");
            XmlWriter xml = Ec2Xml.response("DescribeVpcs", requestId).start("vpcSet");
            page.items().forEach(v -> Ec2Xml.vpc(xml, v, w.account()));
            return xml.end().leaf("nextToken", page.nextToken()).end().toString();
        });
    }

    // ---- tags ----

    /** TagSpecification.N as resource type to tags; types outside {@code allowed} are refused. */
    private static Map<String, Map<String, String>> tagSpecifications(QueryParams params, Set<String> allowed) {
        Map<String, Map<String, String>> result = new LinkedHashMap<>();
        for (QueryParams spec : params.indexed("TagSpecification")) {
            String type = spec.get("ResourceType");
            if (type == null || !allowed.contains(type)) {
                throw AwsException.badRequest("InvalidParameterValue", "'" + type
                        + "' is not a valid taggable resource type for this operation.");
            }
            Map<String, String> tags = tags(spec.indexed("Tag"));
            result.computeIfAbsent(type, t -> new TreeMap<>()).putAll(tags);
        }
        return result;
    }

    private static Map<String, String> tags(List<QueryParams> tagParams) {
        Map<String, String> tags = new TreeMap<>();
        for (QueryParams tag : tagParams) {
            String key = tag.get("Key");
            String value = tag.get("Value") == null ? "" : tag.get("Value");
            if (key == null || key.isEmpty() || key.length() > 128) {
                throw AwsException.badRequest("InvalidParameterValue", "Tag key must be 1 to 128 characters long");
            }
            if (key.toLowerCase(Locale.ROOT).startsWith("aws:")) {
                throw AwsException.badRequest("InvalidParameterValue",
                        "Tag keys starting with 'aws:' are reserved for internal use");
            }
            if (value.length() > 256) {
                throw AwsException.badRequest("InvalidParameterValue", "Tag value exceeds the maximum length of 256");
            }
            tags.put(key, value);
        }
        if (tags.size() > 50) {
            throw AwsException.badRequest("TagLimitExceeded", "The maximum number of tags per resource is 50");
        }
        return tags;
    }

    private String createTags(QueryParams params, String requestId) {
        List<String> resources = params.list("ResourceId");
        if (resources.isEmpty()) {
            throw AwsException.missingParameter("ResourceId");
        }
        Map<String, String> tags = tags(params.indexed("Tag"));
        world.writeAndForget(w -> {
            for (String id : resources) {
                String type = World.resourceType(id);
                if (!TAGGABLE.contains(type)) {
                    throw AwsException.badRequest("InvalidID", "The ID '" + id + "' is not valid");
                }
                if (w.tagsOf(id) == null) {
                    throw notFound(type, id);
                }
                Map<String, String> merged = new TreeMap<>(w.tagsOf(id));
                merged.putAll(tags);
                if (merged.size() > 50) {
                    throw AwsException.badRequest("TagLimitExceeded",
                            "The maximum number of tags per resource is 50");
                }
            }
            resources.forEach(id -> w.tag(id, tags));
        });
        return Ec2Xml.response("CreateTags", requestId).leaf("return", true).end().toString();
    }

    private static AwsException notFound(String type, String id) {
        return switch (type) {
            case "instance" -> AwsException.badRequest("InvalidInstanceID.NotFound",
                    "The instance ID '" + id + "' does not exist");
            case "volume" -> AwsException.badRequest("InvalidVolume.NotFound", "The volume '" + id + "' does not exist.");
            case "image" -> AwsException.badRequest("InvalidAMIID.NotFound", "The image id '[" + id
                    + "]' does not exist");
            case "snapshot" -> AwsException.badRequest("InvalidSnapshot.NotFound", "The snapshot '" + id
                    + "' does not exist.");
            case "security-group" -> AwsException.badRequest("InvalidGroup.NotFound", "The security group '" + id
                    + "' does not exist");
            case "subnet" -> AwsException.badRequest("InvalidSubnetID.NotFound", "The subnet ID '" + id
                    + "' does not exist");
            case "vpc" -> AwsException.badRequest("InvalidVpcID.NotFound", "The vpc ID '" + id + "' does not exist");
            default -> AwsException.badRequest("InvalidExportTaskID.NotFound", "The task ID '" + id
                    + "' does not exist");
        };
    }

    private record TagRow(String resourceId, String resourceType, String key, String value) {
    }

    private String describeTags(QueryParams params, String requestId) {
        return world.read(w -> {
            List<TagRow> rows = new ArrayList<>();
            List<String> ids = new ArrayList<>();
            ids.addAll(w.instances().keySet());
            ids.addAll(w.volumes().keySet());
            ids.addAll(w.amis().keySet());
            ids.addAll(w.snapshots().keySet());
            ids.addAll(w.securityGroups().keySet());
            ids.addAll(w.subnets().keySet());
            ids.addAll(w.vpcs().keySet());
            ids.addAll(w.exportImageTasks().keySet());
            ids.addAll(w.importImageTasks().keySet());
            ids.addAll(w.instanceExportTasks().keySet());
            ids.sort(String::compareTo);
            for (String id : ids) {
                w.tagsOf(id).forEach((k, v) -> rows.add(new TagRow(id, World.resourceType(id), k, v)));
            }
            Ec2Filters<TagRow> filters = new Ec2Filters<TagRow>(null)
                    .single("resource-id", TagRow::resourceId)
                    .single("resource-type", TagRow::resourceType)
                    .single("key", TagRow::key)
                    .single("value", TagRow::value);
            List<Ec2Filters.Filter> parsed = new ArrayList<>();
            for (Ec2Filters.Filter f : Ec2Filters.parse(params, "Filter")) {
                if (f.name().startsWith("tag:")) {
                    // tag:KEY=VALUE on DescribeTags means key KEY with that value.
                    parsed.add(new Ec2Filters.Filter("key", List.of(f.name().substring(4))));
                    parsed.add(new Ec2Filters.Filter("value", f.values()));
                } else {
                    parsed.add(f);
                }
            }
            List<TagRow> matching = filters.apply(rows, parsed);
            Page<TagRow> page = Page.of(matching, params.integer("MaxResults"), params.get("NextToken"), 5, 1000, null,
                    "DescribeTags");
            XmlWriter xml = Ec2Xml.response("DescribeTags", requestId).start("tagSet");
            page.items().forEach(r -> xml.start("item").leaf("resourceId", r.resourceId())
                    .leaf("resourceType", r.resourceType()).leaf("key", r.key()).leaf("value", r.value()).end());
            return xml.end().leaf("nextToken", page.nextToken()).end().toString();
        });
    }

    // ---- images and snapshots ----

    private String createImage(QueryParams params, String requestId) {
        String instanceId = params.require("InstanceId");
        String name = params.require("Name");
        checkIds("i", "InvalidInstanceID.Malformed", List.of(instanceId));
        if (!AMI_NAME.matcher(name).matches()) {
            throw AwsException.badRequest("InvalidAMIName.Malformed", "AMI names must be between 3 and 128 characters "
                    + "long, and may contain letters, numbers, '(', ')', '.', '-', '/' and '_'");
        }
        String description = params.get("Description");
        if (description != null && description.length() > 255) {
            throw AwsException.invalidValue("Description", description, "It must be at most 255 characters.");
        }
        Map<String, Map<String, String>> tagSpecs = tagSpecifications(params, Set.of("image", "snapshot"));
        Ami ami = world.write(w -> {
            Ec2Instance instance = byIds(w.instances(), List.of(instanceId), "InvalidInstanceID.NotFound",
                    "instance ID").get(0);
            if (instance.state() == InstanceState.TERMINATED || instance.state() == InstanceState.SHUTTING_DOWN
                    || instance.state() == InstanceState.PENDING) {
                throw AwsException.badRequest("IncorrectInstanceState", "The instance '" + instanceId
                        + "' is not in a state from which it can be imaged.");
            }
            w.amis().values().stream().filter(a -> a.name().equals(name)).findFirst().ifPresent(a -> {
                throw AwsException.badRequest("InvalidAMIName.Duplicate", "AMI name " + name
                        + " is already in use by AMI " + a.id());
            });
            return w.createImage(instance, name, description, tagSpecs.getOrDefault("image", Map.of()),
                    tagSpecs.getOrDefault("snapshot", Map.of()));
        });
        return Ec2Xml.response("CreateImage", requestId).leaf("imageId", ami.id()).end().toString();
    }

    private String describeImages(QueryParams params, String requestId) {
        List<String> ids = params.list("ImageId");
        List<String> owners = params.list("Owner");
        if (!ids.isEmpty() && params.has("MaxResults")) {
            throw AwsException.badRequest("InvalidParameterCombination",
                    "The parameter imageIds cannot be used with the parameter maxResults");
        }
        for (String id : ids) {
            if (!Pattern.matches("ami-([0-9a-f]{8}|[0-9a-f]{17})", id)) {
                throw AwsException.badRequest("InvalidAMIID.Malformed", "Invalid id: \"" + id
                        + "\" (expecting \"ami-...\")");
            }
        }
        return world.read(w -> {
            record Row(Ami owned, PublicImage shared) {
                String id() {
                    return owned != null ? owned.id() : shared.id();
                }

                String owner() {
                    return owned != null ? owned.ownerId() : shared.ownerId();
                }

                Map<String, String> tags() {
                    return owned != null ? owned.tags() : Map.of();
                }
            }
            List<Row> rows = new ArrayList<>();
            w.amis().values().forEach(a -> rows.add(new Row(a, null)));
            w.publicImages().values().forEach(p -> rows.add(new Row(null, p)));
            List<Row> selected = rows;
            if (!ids.isEmpty()) {
                List<String> missing = ids.stream().filter(i -> rows.stream().noneMatch(r -> r.id().equals(i)))
                        .toList();
                if (!missing.isEmpty()) {
                    throw AwsException.badRequest("InvalidAMIID.NotFound", "The image id '[" + String.join(", ",
                            missing) + "]' does not exist");
                }
                selected = rows.stream().filter(r -> ids.contains(r.id())).toList();
            }
            if (!owners.isEmpty()) {
                selected = selected.stream().filter(r -> owners.stream().anyMatch(o ->
                        o.equals(r.owner()) || (o.equals("self") && r.owned() != null)
                                || (o.equals("amazon") && r.owner().equals("137112412989"))
                                || (o.equals("aws-marketplace") && r.owner().equals("679593333241")))).toList();
            }
            Ec2Filters<Row> filters = new Ec2Filters<>(Row::tags)
                    .single("image-id", Row::id)
                    .single("name", r -> r.owned() != null ? r.owned().name() : r.shared().name())
                    .single("state", r -> r.owned() != null ? r.owned().state() : "available")
                    .single("owner-id", Row::owner)
                    .single("architecture", r -> r.owned() != null ? r.owned().architecture()
                            : r.shared().architecture())
                    .single("is-public", r -> r.owned() == null)
                    .single("image-type", r -> "machine")
                    .single("root-device-type", r -> "ebs")
                    .field("product-code", r -> r.owned() != null ? r.owned().productCodes()
                            : r.shared().productCodes())
                    .field("block-device-mapping.snapshot-id", r -> r.owned() == null ? List.of()
                            : r.owned().blockDevices().stream().map(d -> d.snapshotId()).toList());
            List<Row> matching = filters.apply(selected, Ec2Filters.parse(params, "Filter"));
            Page<Row> page = Page.of(matching, params.integer("MaxResults"), params.get("NextToken"), 5, 1000, null,
                    "DescribeImages");
            XmlWriter xml = Ec2Xml.response("DescribeImages", requestId).start("imagesSet");
            for (Row row : page.items()) {
                if (row.owned() != null) {
                    Ec2Xml.image(xml, row.owned());
                } else {
                    Ec2Xml.publicImage(xml, row.shared());
                }
            }
            return xml.end().leaf("nextToken", page.nextToken()).end().toString();
        });
    }

    private String deregisterImage(QueryParams params, String requestId) {
        String imageId = params.require("ImageId");
        checkIds("ami", "InvalidAMIID.Malformed", List.of(imageId));
        boolean deleteSnapshots = params.bool("DeleteAssociatedSnapshots", false);
        List<String> deleted = world.write(w -> {
            if (!w.amis().containsKey(imageId)) {
                if (w.publicImages().containsKey(imageId)) {
                    throw new AwsException(400, "AuthFailure", "Not authorized for image:" + imageId);
                }
                throw AwsException.badRequest("InvalidAMIID.NotFound", "The image id '[" + imageId
                        + "]' does not exist");
            }
            return w.deregisterImage(imageId, deleteSnapshots);
        });
        XmlWriter xml = Ec2Xml.response("DeregisterImage", requestId).leaf("return", true);
        if (deleteSnapshots) {
            xml.start("deleteSnapshotResultSet");
            deleted.forEach(s -> xml.start("item").leaf("snapshotId", s).leaf("returnCode", "success").end());
            xml.end();
        }
        return xml.end().toString();
    }

    private String describeSnapshots(QueryParams params, String requestId) {
        List<String> ids = params.list("SnapshotId");
        List<String> owners = params.list("Owner");
        checkIds("snap", "InvalidSnapshotID.Malformed", ids);
        return world.read(w -> {
            List<Snapshot> snapshots = ids.isEmpty() ? List.copyOf(w.snapshots().values())
                    : byIds(w.snapshots(), ids, "InvalidSnapshot.NotFound", "snapshot");
            if (!owners.isEmpty()) {
                snapshots = snapshots.stream().filter(s -> owners.contains("self")
                        || owners.contains(s.ownerId())).toList();
            }
            Ec2Filters<Snapshot> filters = new Ec2Filters<>(Snapshot::tags)
                    .single("snapshot-id", Snapshot::id)
                    .single("volume-id", Snapshot::volumeId)
                    .single("status", Snapshot::state)
                    .single("owner-id", Snapshot::ownerId)
                    .single("description", Snapshot::description)
                    .single("encrypted", Snapshot::encrypted)
                    .single("progress", s -> s.progress() + "%")
                    .single("volume-size", Snapshot::volumeSizeGiB);
            List<Snapshot> matching = filters.apply(snapshots, Ec2Filters.parse(params, "Filter"));
            Page<Snapshot> page = Page.of(matching, params.integer("MaxResults"), params.get("NextToken"), 5, 1000,
                    null, "DescribeSnapshots");
            XmlWriter xml = Ec2Xml.response("DescribeSnapshots", requestId).start("snapshotSet");
            page.items().forEach(s -> Ec2Xml.snapshot(xml, s));
            return xml.end().leaf("nextToken", page.nextToken()).end().toString();
        });
    }

    private String deleteSnapshot(QueryParams params, String requestId) {
        String snapshotId = params.require("SnapshotId");
        checkIds("snap", "InvalidSnapshotID.Malformed", List.of(snapshotId));
        world.writeAndForget(w -> {
            byIds(w.snapshots(), List.of(snapshotId), "InvalidSnapshot.NotFound", "snapshot");
            w.amiUsingSnapshot(snapshotId).ifPresent(a -> {
                throw AwsException.badRequest("InvalidSnapshot.InUse", "The snapshot " + snapshotId
                        + " is currently in use by " + a.id());
            });
            w.deleteSnapshot(snapshotId);
        });
        return Ec2Xml.response("DeleteSnapshot", requestId).leaf("return", true).end().toString();
    }

    // ---- conversion tasks ----

    private static void requireCapacity(World w) {
        if (w.activeConversionTasks() >= World.MAX_ACTIVE_CONVERSION_TASKS) {
            throw AwsException.badRequest("ResourceCountLimitExceeded",
                    "You have exceeded the maximum number of concurrent conversion tasks ("
                            + World.MAX_ACTIVE_CONVERSION_TASKS + ") for this region. Wait for active import and "
                            + "export tasks to complete, then try again.");
        }
    }

    /** The VM Import/Export service role must trust vmie.amazonaws.com and allow what the task does in S3. */
    private static void requireServiceRole(World w, String roleName, List<Map.Entry<String, String>> needed) {
        AwsException refused = AwsException.badRequest("InvalidParameter", "The service role <" + roleName
                + "> provided does not exist or does not have sufficient permissions");
        IamRole role = w.roles().get(roleName);
        if (role == null) {
            throw refused;
        }
        PolicyDocument trust = PolicyDocument.parse(role.assumeRolePolicyDocument(), PolicyDocument.Kind.TRUST,
                "MalformedPolicyDocument", null);
        if (!trust.trusts(VMIE)) {
            throw refused;
        }
        List<PolicyDocument> policies = role.inlinePolicies().values().stream()
                .map(p -> PolicyDocument.parse(p, PolicyDocument.Kind.IDENTITY, "MalformedPolicyDocument", null))
                .toList();
        for (Map.Entry<String, String> permission : needed) {
            boolean allowed = policies.stream().anyMatch(p -> p.allows(permission.getKey(), permission.getValue()));
            if (!allowed) {
                throw AwsException.badRequest("InvalidParameter", "The service role <" + roleName
                        + "> provided does not exist or does not have sufficient permissions (it must allow "
                        + permission.getKey() + " on " + permission.getValue() + ")");
            }
        }
    }

    /** Permissions to check, in the order given (so the first one missing is the one reported). */
    private static List<Map.Entry<String, String>> ordered(String... actionsAndResources) {
        List<Map.Entry<String, String>> result = new ArrayList<>();
        for (int i = 0; i < actionsAndResources.length; i += 2) {
            result.add(Map.entry(actionsAndResources[i], actionsAndResources[i + 1]));
        }
        return result;
    }

    private static Bucket requireBucket(World w, String bucket) {
        Bucket b = w.buckets().get(bucket);
        if (b == null) {
            throw AwsException.badRequest("InvalidParameter", "The given S3 bucket '" + bucket + "' does not exist");
        }
        if (!b.region().equals(w.region())) {
            throw AwsException.badRequest("InvalidParameter", "The given S3 bucket '" + bucket + "' is in region "
                    + b.region() + ", not " + w.region());
        }
        return b;
    }

    private record ExportPlan(ExportImageTask existing, DiskSource disk) {
    }

    private String exportImage(QueryParams params, String requestId) {
        String imageId = params.require("ImageId");
        String format = params.require("DiskImageFormat").toUpperCase(Locale.ROOT);
        if (!Set.of("RAW", "VMDK", "VHD").contains(format)) {
            throw AwsException.invalidValue("DiskImageFormat", params.get("DiskImageFormat"),
                    "Valid values: VMDK, RAW, VHD.");
        }
        String bucket = params.require("S3ExportLocation.S3Bucket");
        String prefix = params.get("S3ExportLocation.S3Prefix") == null ? "" : params.get("S3ExportLocation.S3Prefix");
        String roleName = params.get("RoleName") == null ? "vmimport" : params.get("RoleName");
        String description = params.get("Description");
        if (description != null && description.length() > 255) {
            throw AwsException.invalidValue("Description", description, "It must be at most 255 characters.");
        }
        String clientToken = params.get("ClientToken");
        checkIds("ami", "InvalidAMIID.Malformed", List.of(imageId));
        Map<String, String> tags = tagSpecifications(params, Set.of("export-image-task"))
                .getOrDefault("export-image-task", Map.of());

        java.util.function.Function<World, ExportPlan> validate = w -> {
            if (clientToken != null) {
                Optional<ExportImageTask> same = w.exportImageTasks().values().stream()
                        .filter(t -> clientToken.equals(t.clientToken())).findFirst();
                if (same.isPresent()) {
                    ExportImageTask t = same.get();
                    if (!t.imageId().equals(imageId) || !t.s3Bucket().equals(bucket)
                            || !t.diskImageFormat().equalsIgnoreCase(format) || !t.s3Prefix().equals(prefix)) {
                        throw AwsException.badRequest("IdempotentParameterMismatch", "The client token "
                                + clientToken + " was already used with different parameters");
                    }
                    return new ExportPlan(t, null);
                }
            }
            Ami ami = w.amis().get(imageId);
            if (ami == null) {
                if (w.publicImages().containsKey(imageId)) {
                    throw AwsException.badRequest("NotExportable", "The image ID provided (" + imageId
                            + ") is not owned by this account and is not exportable.");
                }
                throw AwsException.badRequest("InvalidAMIID.NotFound", "The image id '[" + imageId
                        + "]' does not exist");
            }
            if (!ami.productCodes().isEmpty()) {
                throw AwsException.badRequest("NotExportable", "The image ID provided (" + imageId
                        + ") is a marketplace AMI and is not exportable.");
            }
            if (ami.blockDevices().stream().anyMatch(d -> d.encrypted())) {
                throw AwsException.badRequest("NotExportable", "The image ID provided (" + imageId
                        + ") has encrypted snapshots and is not exportable.");
            }
            if (!ami.state().equals("available")) {
                throw AwsException.badRequest("IncorrectState", "The image ID provided (" + imageId
                        + ") is in state '" + ami.state() + "'; it must be 'available' to be exported.");
            }
            requireBucket(w, bucket);
            String objectArn = "arn:aws:s3:::" + bucket + "/" + prefix + "export-ami-00000000000000000."
                    + format.toLowerCase(Locale.ROOT);
            requireServiceRole(w, roleName, ordered("s3:PutObject", objectArn,
                    "s3:GetBucketLocation", "arn:aws:s3:::" + bucket));
            requireCapacity(w);
            Snapshot root = w.snapshots().get(ami.rootDevice().snapshotId());
            if (root == null) {
                throw AwsException.badRequest("InvalidSnapshot.NotFound", "The snapshot '"
                        + ami.rootDevice().snapshotId() + "' of image " + imageId + " does not exist.");
            }
            return new ExportPlan(null, root.disk());
        };

        ExportPlan plan = world.read(validate);
        ExportImageTask task;
        if (plan.existing() != null) {
            task = plan.existing();
        } else {
            // Build the disk image now, outside the world's lock, so the export's completion only wraps it.
            world.disks().blob(plan.disk());
            task = world.write(w -> {
                ExportPlan again = validate.apply(w);
                if (again.existing() != null) {
                    return again.existing();
                }
                return w.startExportImage(w.amis().get(imageId), format, bucket, prefix, roleName, description,
                        clientToken, tags);
            });
        }
        XmlWriter xml = Ec2Xml.response("ExportImage", requestId)
                .leaf("description", task.description())
                .leaf("diskImageFormat", task.diskImageFormat())
                .leaf("exportImageTaskId", task.id())
                .leaf("imageId", task.imageId())
                .leaf("roleName", task.roleName())
                .leaf("progress", task.active() ? String.valueOf(task.progress()) : null)
                .start("s3ExportLocation").leaf("s3Bucket", task.s3Bucket()).leaf("s3Prefix", task.s3Prefix()).end()
                .leaf("status", task.status())
                .leaf("statusMessage", task.statusMessage());
        Ec2Xml.tags(xml, task.tags());
        return xml.end().toString();
    }

    private String describeExportImageTasks(QueryParams params, String requestId) {
        List<String> ids = params.list("ExportImageTaskId");
        return world.read(w -> {
            List<ExportImageTask> tasks = ids.isEmpty() ? List.copyOf(w.exportImageTasks().values())
                    : byIds(w.exportImageTasks(), ids, "InvalidExportImageTaskId.NotFound", "export image task ID");
            Ec2Filters<ExportImageTask> filters = new Ec2Filters<>(ExportImageTask::tags)
                    .single("export-image-task-id", ExportImageTask::id)
                    .single("status", ExportImageTask::status);
            List<ExportImageTask> matching = filters.apply(tasks, Ec2Filters.parse(params, "Filter"));
            Page<ExportImageTask> page = Page.of(matching, params.integer("MaxResults"), params.get("NextToken"), 1,
                    500, null, "DescribeExportImageTasks");
            XmlWriter xml = Ec2Xml.response("DescribeExportImageTasks", requestId).start("exportImageTaskSet");
            page.items().forEach(t -> Ec2Xml.exportImageTask(xml, t));
            return xml.end().leaf("nextToken", page.nextToken()).end().toString();
        });
    }

    private String cancelExportTask(QueryParams params, String requestId) {
        String taskId = params.require("ExportTaskId");
        world.writeAndForget(w -> {
            if (!w.exportImageTasks().containsKey(taskId) && !w.instanceExportTasks().containsKey(taskId)) {
                throw AwsException.badRequest("InvalidExportTaskID.NotFound", "The export task ID '" + taskId
                        + "' does not exist");
            }
            if (!w.cancelExport(taskId)) {
                throw AwsException.badRequest("IncorrectState", "Export task " + taskId
                        + " is not in a cancelable state");
            }
        });
        return Ec2Xml.response("CancelExportTask", requestId).leaf("return", true).end().toString();
    }

    /** One DiskContainer of an ImportImage: where the image is and the format it is said to be in. */
    private record ImportSource(String bucket, String key, String format) {
    }

    private record ImportPlan(ImportImageTask existing, List<S3Object> objects) {
    }

    private String importImage(QueryParams params, String requestId) {
        List<QueryParams> containers = params.indexed("DiskContainer");
        if (containers.isEmpty()) {
            throw AwsException.missingParameter("DiskContainer");
        }
        List<ImportSource> sources = new ArrayList<>();
        for (int i = 0; i < containers.size(); i++) {
            QueryParams disk = containers.get(i);
            String bucket = disk.get("UserBucket.S3Bucket");
            String key = disk.get("UserBucket.S3Key");
            if (bucket == null || key == null) {
                if (disk.get("Url") != null) {
                    throw AwsException.badRequest("InvalidParameter",
                            "The sandbox imports from UserBucket (S3Bucket and S3Key), not from a URL");
                }
                throw AwsException.missingParameter("DiskContainer." + (i + 1) + ".UserBucket");
            }
            String declared = disk.get("Format") == null ? null : disk.get("Format").toUpperCase(Locale.ROOT);
            if (declared != null && !DiskImportReader.FORMATS.contains(declared)) {
                throw AwsException.invalidValue("Format", disk.get("Format"), "Valid values: OVA, VHD, VHDX, VMDK, RAW.");
            }
            sources.add(new ImportSource(bucket, key, declared != null ? declared : formatFromKey(key)));
        }
        if (sources.size() > 1 && sources.stream().anyMatch(c -> "OVA".equals(c.format()))) {
            throw AwsException.badRequest("InvalidParameter", "An OVA holds a whole VM: import it as the only "
                    + "DiskContainer");
        }
        String roleName = params.get("RoleName") == null ? "vmimport" : params.get("RoleName");
        String clientToken = params.get("ClientToken");
        String description = params.get("Description");
        Map<String, String> tags = tagSpecifications(params, Set.of("import-image-task"))
                .getOrDefault("import-image-task", Map.of());
        String architecture = params.get("Architecture");
        if (architecture != null && !Set.of("i386", "x86_64", "arm64").contains(architecture)) {
            throw AwsException.invalidValue("Architecture", architecture, "Valid values: i386, x86_64, arm64.");
        }
        String platform = params.get("Platform");
        if (platform != null && !Set.of("windows", "linux").contains(platform.toLowerCase(Locale.ROOT))) {
            throw AwsException.invalidValue("Platform", platform, "Valid values: Windows, Linux.");
        }
        ImportSource first = sources.get(0);

        java.util.function.Function<World, ImportPlan> validate = w -> {
            if (clientToken != null) {
                Optional<ImportImageTask> same = w.importImageTasks().values().stream()
                        .filter(t -> clientToken.equals(t.clientToken())).findFirst();
                if (same.isPresent()) {
                    ImportImageTask t = same.get();
                    if (!first.bucket().equals(t.s3Bucket()) || !first.key().equals(t.s3Key())) {
                        throw AwsException.badRequest("IdempotentParameterMismatch", "The client token "
                                + clientToken + " was already used with different parameters");
                    }
                    return new ImportPlan(t, List.of());
                }
            }
            List<String> permissions = new ArrayList<>();
            for (ImportSource source : sources) {
                requireBucket(w, source.bucket());
                permissions.addAll(List.of("s3:GetObject", "arn:aws:s3:::" + source.bucket() + "/" + source.key(),
                        "s3:GetBucketLocation", "arn:aws:s3:::" + source.bucket(),
                        "s3:ListBucket", "arn:aws:s3:::" + source.bucket()));
            }
            if (sources.size() > 1) {
                permissions.addAll(multiDiskPermissions(w));
            }
            requireServiceRole(w, roleName, ordered(permissions.toArray(String[]::new)));
            requireCapacity(w);
            List<S3Object> objects = new ArrayList<>();
            for (ImportSource source : sources) {
                S3Object object = w.objects(source.bucket()).get(source.key());
                if (object != null && object.size() == 0) {
                    throw AwsException.badRequest("InvalidParameter",
                            "Parameter disk-image-size=0 has an invalid format.");
                }
                objects.add(object);
            }
            return new ImportPlan(null, objects);
        };

        ImportPlan plan = world.read(validate);
        ImportImageTask task;
        if (plan.existing() != null) {
            task = plan.existing();
        } else {
            // Read the images outside the lock (a stream-optimized VMDK has to be inflated).
            ImportReading reading = readImport(sources, plan.objects(), roleName);
            String finalPlatform = reading.guest().map(GuestOs::importPlatform)
                    .orElse(platform == null ? "Linux" : platform.equalsIgnoreCase("windows") ? "Windows" : "Linux");
            String finalArchitecture = reading.guest().map(GuestOs::architecture)
                    .orElse(architecture == null ? "x86_64" : architecture);
            String bootMode = params.get("BootMode") != null ? params.get("BootMode") : reading.bootMode();
            task = world.write(w -> {
                ImportPlan again = validate.apply(w);
                if (again.existing() != null) {
                    return again.existing();
                }
                return w.startImportImage(description, clientToken, reading.details(), roleName, finalArchitecture,
                        finalPlatform, params.get("LicenseType"), bootMode, reading.raws(), reading.failure(), tags);
            });
        }
        XmlWriter xml = Ec2Xml.response("ImportImage", requestId);
        Ec2Xml.importImageTaskFields(xml, task);
        return xml.end().toString();
    }

    /** What the images of an import hold, or why it will fail. */
    private record ImportReading(List<ImportImageTask.SnapshotDetail> details, List<Blob> raws,
                                 Optional<GuestOs> guest, String bootMode, String failure) {
    }

    private ImportReading readImport(List<ImportSource> sources, List<S3Object> objects, String roleName) {
        List<ImportImageTask.SnapshotDetail> details = new ArrayList<>();
        List<Blob> raws = new ArrayList<>();
        Optional<GuestOs> guest = Optional.empty();
        String bootMode = null;
        String failure = null;
        DiskImportReader reader = new DiskImportReader(world.formats());
        for (int i = 0; i < sources.size(); i++) {
            ImportSource source = sources.get(i);
            S3Object object = objects.get(i);
            if (object == null) {
                failure = failure != null ? failure : "ClientError: Disk validation failed [We do not have access to "
                        + "the given resource. Reason 404 Not Found]";
                details.add(new ImportImageTask.SnapshotDetail(source.format() == null ? "RAW" : source.format(), 0,
                        source.bucket(), source.key(), null, null));
                continue;
            }
            // Keep the object's files while they are read, whatever happens to the object meanwhile.
            world.writeAndForget(w -> w.blobs().retain(object.blob()));
            try {
                DiskImportReader.Contents contents = reader.read(object.blob(), source.format());
                for (DiskImportReader.Disk disk : contents.disks()) {
                    long size = contents.disks().size() == 1 ? object.size() : disk.raw().size();
                    details.add(new ImportImageTask.SnapshotDetail(disk.format(), size, source.bucket(), source.key(),
                            null, null));
                    raws.add(disk.raw());
                }
                guest = guest.or(contents::guest);
                bootMode = bootMode != null ? bootMode : contents.bootMode();
            } catch (DiskImportReader.Refused e) {
                failure = failure != null ? failure : e.getMessage();
                details.add(new ImportImageTask.SnapshotDetail(source.format() == null ? "RAW" : source.format(),
                        object.size(), source.bucket(), source.key(), null, null));
            } finally {
                world.writeAndForget(w -> w.blobs().release(object.blob()));
            }
        }
        if (failure == null && raws.size() > 1 && sources.size() == 1) {
            // an OVA of several disks: the role must let the service register them together
            List<String> needed = world.read(Ec2Handler::multiDiskPermissions);
            try {
                world.read(w -> {
                    requireServiceRole(w, roleName, ordered(needed.toArray(String[]::new)));
                    return null;
                });
            } catch (AwsException e) {
                failure = "ClientError: The service role " + roleName + " does not have sufficient permissions to "
                        + "import an image of " + raws.size() + " disks (it must allow ec2:RegisterImage and "
                        + "ec2:CopySnapshot)";
            }
        }
        if (failure != null) {
            raws.clear();
        }
        return new ImportReading(details, raws, guest, bootMode, failure);
    }

    /** What VM Import/Export does in EC2 to register an image of several disks. */
    private static List<String> multiDiskPermissions(World w) {
        return List.of("ec2:RegisterImage", "arn:aws:ec2:" + w.region() + "::image/*",
                "ec2:CopySnapshot", "arn:aws:ec2:" + w.region() + "::snapshot/*");
    }

    private static String formatFromKey(String key) {
        String lower = key.toLowerCase(Locale.ROOT);
        for (String f : List.of("ova", "vmdk", "vhdx", "vhd", "raw", "img")) {
            if (lower.endsWith("." + f)) {
                return f.equals("img") ? "RAW" : f.toUpperCase(Locale.ROOT);
            }
        }
        return null;
    }

    private String describeImportImageTasks(QueryParams params, String requestId) {
        List<String> ids = params.list("ImportTaskId");
        return world.read(w -> {
            List<ImportImageTask> tasks = ids.isEmpty() ? List.copyOf(w.importImageTasks().values())
                    : byIds(w.importImageTasks(), ids, "InvalidConversionTaskId.NotFound", "import task ID");
            Ec2Filters<ImportImageTask> filters = new Ec2Filters<>(ImportImageTask::tags)
                    .single("task-state", ImportImageTask::status)
                    .single("import-task-id", ImportImageTask::id);
            List<ImportImageTask> matching = filters.apply(tasks, Ec2Filters.parse(params, "Filters"));
            Page<ImportImageTask> page = Page.of(matching, params.integer("MaxResults"), params.get("NextToken"), 1,
                    500, null, "DescribeImportImageTasks");
            XmlWriter xml = Ec2Xml.response("DescribeImportImageTasks", requestId).start("importImageTaskSet");
            page.items().forEach(t -> Ec2Xml.importImageTask(xml, t));
            return xml.end().leaf("nextToken", page.nextToken()).end().toString();
        });
    }

    // ---- instances ----

    private String runInstances(QueryParams params, String requestId) {
        String imageId = params.require("ImageId");
        String instanceType = params.get("InstanceType") == null ? "m1.small" : params.get("InstanceType");
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
        Map<String, Map<String, String>> tagSpecs = tagSpecifications(params, Set.of("instance", "volume"));
        String clientToken = params.get("ClientToken");
        String keyName = params.get("KeyName");
        String finalSubnetId = subnetId;
        String finalPrivateIp = privateIp;

        record Launch(List<Ec2Instance> instances, String reservationId) {
        }
        Launch launch = world.write(w -> {
            if (clientToken != null) {
                List<Ec2Instance> same = w.instances().values().stream()
                        .filter(i -> clientToken.equals(i.clientToken())).toList();
                if (!same.isEmpty()) {
                    if (!same.get(0).imageId().equals(imageId)) {
                        throw AwsException.badRequest("IdempotentParameterMismatch", "The client token "
                                + clientToken + " was already used with different parameters");
                    }
                    return new Launch(same, same.get(0).reservationId());
                }
            }
            Ami ami = w.amis().get(imageId);
            if (ami == null) {
                throw AwsException.badRequest("InvalidAMIID.NotFound", "The image id '[" + imageId
                        + "]' does not exist");
            }
            if (!ami.state().equals("available")) {
                throw AwsException.badRequest("InvalidAMIID.Unavailable", "The image id '[" + imageId
                        + "]' is not available");
            }
            InstanceTypeSpec type = w.instanceType(instanceType).orElseThrow(() -> AwsException.badRequest(
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
                subnet = w.subnets().values().stream().filter(s -> s.vpcId().equals(defaultVpc)).findFirst()
                        .orElseThrow(() -> AwsException.badRequest("VPCIdNotSpecified",
                                "No default VPC for this user"));
            } else {
                checkIds("subnet", "InvalidSubnetID.Malformed", List.of(finalSubnetId));
                subnet = byIds(w.subnets(), List.of(finalSubnetId), "InvalidSubnetID.NotFound", "subnet ID").get(0);
            }
            checkIds("sg", "InvalidGroupId.Malformed", groupIds);
            List<String> groups = groupIds.isEmpty()
                    ? w.securityGroups().values().stream().filter(g -> g.vpcId().equals(subnet.vpcId())
                    && g.name().equals("default")).map(SecurityGroup::id).toList()
                    : groupIds.stream().distinct().toList();
            for (SecurityGroup group : byIds(w.securityGroups(), groups, "InvalidGroup.NotFound", "security group")) {
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
                boolean used = w.instances().values().stream().anyMatch(i -> i.state() != InstanceState.TERMINATED
                        && i.privateIp().equals(finalPrivateIp));
                if (used) {
                    throw AwsException.badRequest("InvalidIPAddress.InUse", "Address " + finalPrivateIp
                            + " is in use.");
                }
                addresses.add(finalPrivateIp);
            } else {
                for (int n = 0; n < maxCount; n++) {
                    String free = w.freePrivateIp(subnet, addresses);
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
            List<Ec2Instance> launched = w.runInstances(ami, type.name(), subnet, groups, addresses, keyName,
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
            launch.instances().forEach(i -> Ec2Xml.instance(xml, w.instances().getOrDefault(i.id(), i), w));
            return xml.end().end().toString();
        });
    }

    private String terminateInstances(QueryParams params, String requestId) {
        List<String> ids = params.list("InstanceId");
        if (ids.isEmpty()) {
            throw AwsException.missingParameter("InstanceId");
        }
        checkIds("i", "InvalidInstanceID.Malformed", ids);
        return world.write(w -> {
            byIds(w.instances(), ids, "InvalidInstanceID.NotFound", "instance ID");
            XmlWriter xml = Ec2Xml.response("TerminateInstances", requestId).start("instancesSet");
            for (String id : ids.stream().distinct().toList()) {
                InstanceState previous = w.terminate(id);
                InstanceState current = w.instances().get(id).state();
                xml.start("item").leaf("instanceId", id)
                        .start("currentState").leaf("code", current.code()).leaf("name", current.apiName()).end()
                        .start("previousState").leaf("code", previous.code()).leaf("name", previous.apiName()).end()
                        .end();
            }
            return xml.end().end().toString();
        });
    }

    private static final Map<String, Set<String>> EXPORT_FORMATS = Map.of(
            "citrix", Set.of("vhd"),
            "microsoft", Set.of("vhd"),
            "vmware", Set.of("vmdk"));

    private String createInstanceExportTask(QueryParams params, String requestId) {
        String instanceId = params.require("InstanceId");
        String target = params.require("TargetEnvironment").toLowerCase(Locale.ROOT);
        if (!EXPORT_FORMATS.containsKey(target)) {
            throw AwsException.invalidValue("TargetEnvironment", target, "Valid values: citrix, vmware, microsoft.");
        }
        String format = params.get("ExportToS3.DiskImageFormat") == null ? "vmdk"
                : params.get("ExportToS3.DiskImageFormat").toLowerCase(Locale.ROOT);
        String container = params.get("ExportToS3.ContainerFormat") == null ? null
                : params.get("ExportToS3.ContainerFormat").toLowerCase(Locale.ROOT);
        String bucket = params.require("ExportToS3.S3Bucket");
        String prefix = params.get("ExportToS3.S3Prefix");
        String description = params.get("Description");
        checkIds("i", "InvalidInstanceID.Malformed", List.of(instanceId));
        if (!Set.of("vmdk", "raw", "vhd").contains(format)) {
            throw AwsException.invalidValue("DiskImageFormat", format, "Valid values: VMDK, RAW, VHD.");
        }
        if (!EXPORT_FORMATS.get(target).contains(format)) {
            throw AwsException.badRequest("Unsupported", "diskImageFormat '" + format
                    + "' not supported for targetEnvironment '" + target + "'. Valid value(s): "
                    + EXPORT_FORMATS.get(target).stream().map(f -> "'" + f + "'").collect(Collectors.joining(", ")));
        }
        if (container != null && (!container.equals("ova") || !format.equals("vmdk"))) {
            throw AwsException.badRequest("Unsupported", "containerFormat '" + container
                    + "' is only supported with diskImageFormat 'vmdk'");
        }
        Map<String, String> tags = tagSpecifications(params, Set.of("export-instance-task"))
                .getOrDefault("export-instance-task", Map.of());
        java.util.function.Function<World, DiskSource> validate = w -> {
            Ec2Instance instance = byIds(w.instances(), List.of(instanceId), "InvalidInstanceID.NotFound",
                    "instance ID").get(0);
            if (instance.state() != InstanceState.RUNNING && instance.state() != InstanceState.STOPPED) {
                throw AwsException.badRequest("IncorrectState", "The instance " + instanceId + " is in state "
                        + instance.state().apiName() + " and cannot be exported.");
            }
            if (!instance.productCodes().isEmpty()) {
                throw AwsException.badRequest("NotExportable", "The instance " + instanceId
                        + " was launched from a marketplace AMI and is not exportable.");
            }
            Volume root = w.volumes().get(instance.volumeIds().get(0));
            if (instance.volumeIds().stream().map(v -> w.volumes().get(v)).anyMatch(v -> v != null && v.encrypted())) {
                throw AwsException.badRequest("NotExportable", "The instance " + instanceId
                        + " has encrypted EBS volumes and is not exportable.");
            }
            if (!instance.exportable()) {
                throw AwsException.badRequest("NotExportable", "The snapshot ID (snap-"
                        + instance.imageId().substring(4) + ") of the instance neither is owned by current user nor "
                        + "had been previously imported through VMIE.");
            }
            Bucket b = requireBucket(w, bucket);
            boolean write = false;
            boolean readAcp = false;
            if (!b.aclsDisabled()) {
                for (Grant grant : b.acl()) {
                    if (World.exportServiceCanonicalId().equals(grant.id())) {
                        write |= grant.permission().equals("WRITE") || grant.permission().equals("FULL_CONTROL");
                        readAcp |= grant.permission().equals("READ_ACP") || grant.permission().equals("FULL_CONTROL");
                    }
                }
            }
            if (!write || !readAcp) {
                throw new AwsException(400, "AuthFailure", World.EXPORT_SERVICE_EMAIL
                        + " must have WRITE and READ_ACL permission on the S3 bucket.");
            }
            requireCapacity(w);
            return root.disk();
        };
        DiskSource disk = world.read(validate);
        world.disks().blob(disk);
        InstanceExportTask task = world.write(w -> {
            validate.apply(w);
            return w.startInstanceExport(w.instances().get(instanceId), target, format, container, bucket, prefix,
                    description, tags);
        });
        XmlWriter xml = Ec2Xml.response("CreateInstanceExportTask", requestId);
        Ec2Xml.instanceExportTask(xml, "exportTask", task);
        return xml.end().toString();
    }

    private String describeExportTasks(QueryParams params, String requestId) {
        List<String> ids = params.list("ExportTaskId");
        return world.read(w -> {
            List<InstanceExportTask> tasks = ids.isEmpty() ? List.copyOf(w.instanceExportTasks().values())
                    : byIds(w.instanceExportTasks(), ids, "InvalidExportTaskID.NotFound", "export task ID");
            Ec2Filters<InstanceExportTask> filters = new Ec2Filters<>(InstanceExportTask::tags)
                    .single("export-task-id", InstanceExportTask::id)
                    .single("state", InstanceExportTask::state);
            List<InstanceExportTask> matching = filters.apply(tasks, Ec2Filters.parse(params, "Filter"));
            XmlWriter xml = Ec2Xml.response("DescribeExportTasks", requestId).start("exportTaskSet");
            matching.forEach(t -> Ec2Xml.instanceExportTask(xml, "item", t));
            return xml.end().end().toString();
        });
    }
}
