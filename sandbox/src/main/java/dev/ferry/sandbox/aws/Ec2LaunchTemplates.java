package dev.ferry.sandbox.aws;

import dev.ferry.sandbox.world.LaunchTemplate;
import dev.ferry.sandbox.world.LaunchTemplateVersion;
import dev.ferry.sandbox.world.World;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

import static dev.ferry.sandbox.aws.Ec2Ids.checkIds;
import static dev.ferry.sandbox.aws.Ec2Tags.tagSpecifications;
import static java.util.Objects.requireNonNull;

/**
 * EC2 launch templates: CreateLaunchTemplate, DescribeLaunchTemplates, CreateLaunchTemplateVersion,
 * DescribeLaunchTemplateVersions, ModifyLaunchTemplate (the default version) and DeleteLaunchTemplate. Names are
 * unique in the region; versions are immutable and numbered from 1; a ClientToken seen before answers with what it
 * made. Launch parameters that name something missing (an image, a subnet, a group) are accepted with a warning, as
 * EC2 does: they are checked only when an instance is launched.
 */
final class Ec2LaunchTemplates {

    private static final Pattern NAME = Pattern.compile("[a-zA-Z0-9().\\-/_]{3,128}");
    private static final int MAX_VERSIONS = 10_000;
    private static final Set<String> TEMPLATE_TAGGABLE = Set.of("launch-template");
    private static final Set<String> LAUNCH_TAGGABLE = Set.of("instance", "volume", "network-interface",
            "spot-instances-request");

    private final World world;

    Ec2LaunchTemplates(World world) {
        this.world = requireNonNull(world, "world is null");
    }

    String createLaunchTemplate(QueryParams params, String requestId) {
        String name = params.require("LaunchTemplateName");
        checkName(name);
        String token = clientToken(params);
        String description = description(params);
        if (params.sub("LaunchTemplateData").isEmpty()) {
            throw AwsException.missingParameter("LaunchTemplateData");
        }
        Map<String, String> tags = tagSpecifications(params, TEMPLATE_TAGGABLE).getOrDefault("launch-template", Map.of());
        record Made(LaunchTemplate template, List<String> warnings) {
        }
        Made made = world.write(w -> {
            if (token != null) {
                Optional<LaunchTemplate> earlier = w.ec2().launchTemplates().values().stream()
                        .filter(t -> token.equals(t.clientToken())).findFirst();
                if (earlier.isPresent()) {
                    if (!earlier.get().name().equals(name)) {
                        throw AwsException.badRequest("IdempotentParameterMismatch", "The client token " + token
                                + " was used with different parameters.");
                    }
                    return new Made(earlier.get(), List.of());
                }
            }
            if (w.ec2().launchTemplates().values().stream().anyMatch(t -> t.name().equals(name))) {
                throw AwsException.badRequest("InvalidLaunchTemplateName.AlreadyExistsException",
                        "Launch template name already in use.");
            }
            LaunchTemplateVersion first = version(params.sub("LaunchTemplateData"), null, 1, description, token, w);
            LaunchTemplate template = new LaunchTemplate(w.ids().ec2("lt"), name, w.now(), createdBy(w), 1,
                    List.of(first), token, tags);
            w.ec2().launchTemplates().put(template.id(), template);
            return new Made(template, warnings(first, w));
        });
        XmlWriter xml = Ec2Xml.response("CreateLaunchTemplate", requestId);
        template(xml.start("launchTemplate"), made.template()).end();
        warning(xml, made.warnings());
        return xml.end().toString();
    }

    String createLaunchTemplateVersion(QueryParams params, String requestId) {
        String token = clientToken(params);
        String description = description(params);
        if (params.sub("LaunchTemplateData").isEmpty()) {
            throw AwsException.missingParameter("LaunchTemplateData");
        }
        String source = params.get("SourceVersion");
        record Made(LaunchTemplate template, LaunchTemplateVersion version, List<String> warnings) {
        }
        Made made = world.write(w -> {
            LaunchTemplate template = find(params, w);
            if (token != null) {
                Optional<LaunchTemplateVersion> earlier = template.versions().stream()
                        .filter(v -> token.equals(v.clientToken())).findFirst();
                if (earlier.isPresent()) {
                    return new Made(template, earlier.get(), List.of());
                }
            }
            if (template.versions().size() >= MAX_VERSIONS) {
                throw AwsException.badRequest("VersionLimitExceeded", "The launch template " + template.id()
                        + " already has the maximum of " + MAX_VERSIONS + " versions.");
            }
            LaunchTemplateVersion base = source == null ? null : resolve(template, source);
            LaunchTemplateVersion version = version(params.sub("LaunchTemplateData"), base, template.latestVersion() + 1,
                    description, token, w);
            LaunchTemplate updated = template.withVersion(version);
            w.ec2().launchTemplates().put(updated.id(), updated);
            return new Made(updated, version, warnings(version, w));
        });
        XmlWriter xml = Ec2Xml.response("CreateLaunchTemplateVersion", requestId);
        version(xml.start("launchTemplateVersion"), made.template(), made.version()).end();
        warning(xml, made.warnings());
        return xml.end().toString();
    }

    String describeLaunchTemplates(QueryParams params, String requestId) {
        List<String> ids = params.list("LaunchTemplateId");
        List<String> names = params.list("LaunchTemplateName");
        checkIds("lt", "InvalidLaunchTemplateId.Malformed", ids);
        if (!ids.isEmpty() && !names.isEmpty()) {
            throw AwsException.badRequest("InvalidParameterCombination",
                    "Specify either launch template IDs or launch template names, not both.");
        }
        return world.read(w -> {
            List<LaunchTemplate> selected = new ArrayList<>(w.ec2().launchTemplates().values());
            for (String id : ids) {
                if (!w.ec2().launchTemplates().containsKey(id)) {
                    throw idNotFound(id);
                }
            }
            for (String name : names) {
                if (selected.stream().noneMatch(t -> t.name().equals(name))) {
                    throw nameNotFound(name);
                }
            }
            if (!ids.isEmpty()) {
                selected = selected.stream().filter(t -> ids.contains(t.id())).toList();
            }
            if (!names.isEmpty()) {
                selected = selected.stream().filter(t -> names.contains(t.name())).toList();
            }
            Ec2Filters<LaunchTemplate> filters = new Ec2Filters<>(LaunchTemplate::tags)
                    .single("launch-template-name", LaunchTemplate::name)
                    .single("create-time", t -> XmlWriter.timestamp(t.createTime()));
            List<LaunchTemplate> matching = filters.apply(selected, Ec2Filters.parse(params, "Filter"));
            Page<LaunchTemplate> page = Page.of(matching, params.integer("MaxResults"), params.get("NextToken"), 1, 200,
                    null, "DescribeLaunchTemplates");
            XmlWriter xml = Ec2Xml.response("DescribeLaunchTemplates", requestId).start("launchTemplates");
            page.items().forEach(t -> template(xml.start("item"), t).end());
            return xml.end().leaf("nextToken", page.nextToken()).end().toString();
        });
    }

    String describeLaunchTemplateVersions(QueryParams params, String requestId) {
        List<String> wanted = params.list("LaunchTemplateVersion");
        Long min = number("MinVersion", params.get("MinVersion"));
        Long max = number("MaxVersion", params.get("MaxVersion"));
        return world.read(w -> {
            LaunchTemplate template = find(params, w);
            List<LaunchTemplateVersion> versions;
            if (wanted.isEmpty()) {
                versions = template.versions().stream()
                        .filter(v -> (min == null || v.number() >= min) && (max == null || v.number() <= max)).toList();
            } else {
                versions = new ArrayList<>();
                for (String one : wanted) {
                    LaunchTemplateVersion version = resolve(template, one);
                    if (!versions.contains(version)) {
                        versions.add(version);
                    }
                }
            }
            Page<LaunchTemplateVersion> page = Page.of(versions, params.integer("MaxResults"), params.get("NextToken"),
                    1, 200, null, "DescribeLaunchTemplateVersions");
            XmlWriter xml = Ec2Xml.response("DescribeLaunchTemplateVersions", requestId).start("launchTemplateVersionSet");
            page.items().forEach(v -> version(xml.start("item"), template, v).end());
            return xml.end().leaf("nextToken", page.nextToken()).end().toString();
        });
    }

    String modifyLaunchTemplate(QueryParams params, String requestId) {
        String version = params.get("SetDefaultVersion");
        LaunchTemplate modified = world.write(w -> {
            LaunchTemplate template = find(params, w);
            if (version == null) {
                return template;
            }
            LaunchTemplate updated = template.withDefaultVersion(resolve(template, version).number());
            w.ec2().launchTemplates().put(updated.id(), updated);
            return updated;
        });
        XmlWriter xml = Ec2Xml.response("ModifyLaunchTemplate", requestId);
        return template(xml.start("launchTemplate"), modified).end().end().toString();
    }

    String deleteLaunchTemplate(QueryParams params, String requestId) {
        LaunchTemplate deleted = world.write(w -> {
            LaunchTemplate template = find(params, w);
            w.ec2().launchTemplates().remove(template.id());
            return template;
        });
        XmlWriter xml = Ec2Xml.response("DeleteLaunchTemplate", requestId);
        return template(xml.start("launchTemplate"), deleted).end().end().toString();
    }

    // ---- reading the request ----

    private static void checkName(String name) {
        if (!NAME.matcher(name).matches()) {
            throw AwsException.badRequest("InvalidLaunchTemplateName.MalformedException", "A launch template name must be"
                    + " between 3 and 128 characters, and may contain letters, numbers, and the following characters:"
                    + " - ( ) . / _.'");
        }
    }

    private static String clientToken(QueryParams params) {
        String token = params.get("ClientToken");
        if (token != null && token.length() > 128) {
            throw AwsException.invalidValue("ClientToken", token, "It must be at most 128 ASCII characters.");
        }
        return token == null || token.isEmpty() ? null : token;
    }

    private static String description(QueryParams params) {
        String description = params.get("VersionDescription");
        if (description != null && description.length() > 255) {
            throw AwsException.invalidValue("VersionDescription", description, "It must be at most 255 characters.");
        }
        return description;
    }

    private static Long number(String parameter, String value) {
        if (value == null) {
            return null;
        }
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw AwsException.invalidValue(parameter, value, "It must be a version number.");
        }
    }

    /** The template named by LaunchTemplateId or LaunchTemplateName (exactly one of them). */
    private static LaunchTemplate find(QueryParams params, World w) {
        String id = params.get("LaunchTemplateId");
        String name = params.get("LaunchTemplateName");
        if ((id == null) == (name == null)) {
            throw AwsException.badRequest("MissingParameter", "The request must include either the launch template ID"
                    + " or the launch template name, but not both.");
        }
        if (id != null) {
            checkIds("lt", "InvalidLaunchTemplateId.Malformed", List.of(id));
            LaunchTemplate template = w.ec2().launchTemplates().get(id);
            if (template == null) {
                throw idNotFound(id);
            }
            return template;
        }
        return w.ec2().launchTemplates().values().stream().filter(t -> t.name().equals(name)).findFirst()
                .orElseThrow(() -> nameNotFound(name));
    }

    /** {@code $Latest}, {@code $Default} or a version number. */
    private static LaunchTemplateVersion resolve(LaunchTemplate template, String version) {
        if (version.equals("$Latest")) {
            return template.latest();
        }
        if (version.equals("$Default")) {
            return template.defaults();
        }
        long number;
        try {
            number = Long.parseLong(version);
        } catch (NumberFormatException e) {
            throw AwsException.badRequest("InvalidLaunchTemplateId.VersionNotFound", "Could not find launch template"
                    + " version " + version + " for the launch template " + template.id() + ".");
        }
        return template.version(number).orElseThrow(() -> AwsException.badRequest(
                "InvalidLaunchTemplateId.VersionNotFound", "Could not find launch template version " + version
                        + " for the launch template " + template.id() + "."));
    }

    /** A version from {@code LaunchTemplateData.*}, on top of {@code base} when the request names a source version. */
    private static LaunchTemplateVersion version(QueryParams data, LaunchTemplateVersion base, long number,
                                                 String description, String token, World w) {
        String imageId = data.get("ImageId") != null ? data.get("ImageId") : base == null ? null : base.imageId();
        String instanceType = data.get("InstanceType") != null ? data.get("InstanceType")
                : base == null ? null : base.instanceType();
        if (instanceType != null && w.ec2().instanceType(instanceType).isEmpty()) {
            throw AwsException.badRequest("InvalidParameterValue", "Invalid value '" + instanceType
                    + "' for InstanceType.");
        }
        String subnetId = base == null ? null : base.subnetId();
        List<String> groups = base == null ? List.of() : base.securityGroupIds();
        List<QueryParams> interfaces = data.indexed("NetworkInterface");
        List<String> topGroups = data.list("SecurityGroupId");
        if (!interfaces.isEmpty() && !topGroups.isEmpty()) {
            throw AwsException.badRequest("InvalidParameterCombination", "Network interfaces and an instance-level"
                    + " security groups may not be specified on the same request");
        }
        if (!interfaces.isEmpty()) {
            QueryParams primary = interfaces.stream().filter(i -> "0".equals(i.get("DeviceIndex"))).findFirst()
                    .orElse(interfaces.get(0));
            subnetId = primary.get("SubnetId");
            groups = primary.list("SecurityGroupId");
        } else if (!topGroups.isEmpty()) {
            groups = topGroups;
        }
        Map<String, Map<String, String>> tags = new LinkedHashMap<>(base == null ? Map.of() : base.tagSpecifications());
        if (!data.indexed("TagSpecification").isEmpty()) {
            tags = new LinkedHashMap<>(tagSpecifications(data, LAUNCH_TAGGABLE));
        }
        return new LaunchTemplateVersion(number, description, w.now(), token, imageId, instanceType, subnetId, groups,
                tags);
    }

    /** What a launch from this version would refuse, as EC2 warns about at creation without failing it. */
    private static List<String> warnings(LaunchTemplateVersion version, World w) {
        List<String> warnings = new ArrayList<>();
        if (version.imageId() != null && !w.ec2().amis().containsKey(version.imageId())
                && !w.ec2().publicImages().containsKey(version.imageId())) {
            warnings.add("InvalidAMIID.NotFound:The image id '[" + version.imageId() + "]' does not exist");
        }
        if (version.subnetId() != null && !w.ec2().subnets().containsKey(version.subnetId())) {
            warnings.add("InvalidSubnetID.NotFound:The subnet ID '" + version.subnetId() + "' does not exist");
        }
        for (String group : version.securityGroupIds()) {
            if (!w.ec2().securityGroups().containsKey(group)) {
                warnings.add("InvalidGroup.NotFound:The security group '" + group + "' does not exist");
            }
        }
        return warnings;
    }

    private static String createdBy(World w) {
        return "arn:aws:iam::" + w.account() + ":user/ferry-sandbox";
    }

    private static AwsException idNotFound(String id) {
        return AwsException.badRequest("InvalidLaunchTemplateId.NotFound", "The specified launch template, with"
                + " template ID " + id + ", does not exist.");
    }

    private static AwsException nameNotFound(String name) {
        return AwsException.badRequest("InvalidLaunchTemplateName.NotFoundException", "The specified launch template,"
                + " with template name " + name + ", does not exist.");
    }

    // ---- answering ----

    private static XmlWriter template(XmlWriter xml, LaunchTemplate t) {
        xml.leaf("launchTemplateId", t.id())
                .leaf("launchTemplateName", t.name())
                .leaf("createTime", t.createTime())
                .leaf("createdBy", t.createdBy())
                .leaf("defaultVersionNumber", t.defaultVersion())
                .leaf("latestVersionNumber", t.latestVersion());
        Ec2Xml.tags(xml, t.tags());
        return xml;
    }

    private static XmlWriter version(XmlWriter xml, LaunchTemplate t, LaunchTemplateVersion v) {
        xml.leaf("launchTemplateId", t.id())
                .leaf("launchTemplateName", t.name())
                .leaf("versionNumber", v.number())
                .leaf("versionDescription", v.description())
                .leaf("createTime", v.createTime())
                .leaf("createdBy", t.createdBy())
                .leaf("defaultVersion", v.number() == t.defaultVersion());
        xml.start("launchTemplateData")
                .leaf("imageId", v.imageId())
                .leaf("instanceType", v.instanceType());
        if (v.subnetId() != null) {
            xml.start("networkInterfaceSet").start("item").leaf("deviceIndex", 0).leaf("subnetId", v.subnetId());
            items(xml, "groupSet", v.securityGroupIds());
            xml.end().end();
        } else {
            items(xml, "securityGroupIdSet", v.securityGroupIds());
        }
        if (!v.tagSpecifications().isEmpty()) {
            xml.start("tagSpecificationSet");
            v.tagSpecifications().forEach((type, tags) -> {
                xml.start("item").leaf("resourceType", type);
                Ec2Xml.tags(xml, tags);
                xml.end();
            });
            xml.end();
        }
        return xml.end();
    }

    private static void items(XmlWriter xml, String element, List<String> values) {
        if (values.isEmpty()) {
            return;
        }
        xml.start(element);
        values.forEach(value -> xml.leaf("item", value));
        xml.end();
    }

    private static void warning(XmlWriter xml, List<String> warnings) {
        if (warnings.isEmpty()) {
            return;
        }
        xml.start("warning").start("errorSet");
        for (String warning : warnings) {
            int colon = warning.indexOf(':');
            xml.start("item").leaf("code", warning.substring(0, colon)).leaf("message", warning.substring(colon + 1))
                    .end();
        }
        xml.end().end();
    }
}
