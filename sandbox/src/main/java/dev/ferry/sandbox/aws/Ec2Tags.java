package dev.ferry.sandbox.aws;

import dev.ferry.sandbox.world.TaggedResources;
import dev.ferry.sandbox.world.World;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import static java.util.Objects.requireNonNull;

/** EC2 tags: TagSpecification parameters, CreateTags and DescribeTags. */
final class Ec2Tags {

    private static final Set<String> TAGGABLE = Set.of("instance", "volume", "image", "snapshot", "security-group",
            "subnet", "vpc", "export-image-task", "import-image-task", "export-instance-task", "launch-template");

    private final World world;

    Ec2Tags(World world) {
        this.world = requireNonNull(world, "world is null");
    }

    static Map<String, Map<String, String>> tagSpecifications(QueryParams params, Set<String> allowed) {
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

    String createTags(QueryParams params, String requestId) {
        List<String> resources = params.list("ResourceId");
        if (resources.isEmpty()) {
            throw AwsException.missingParameter("ResourceId");
        }
        Map<String, String> tags = tags(params.indexed("Tag"));
        world.writeAndForget(w -> {
            for (String id : resources) {
                String type = TaggedResources.resourceType(id);
                if (!TAGGABLE.contains(type)) {
                    throw AwsException.badRequest("InvalidID", "The ID '" + id + "' is not valid");
                }
                if (w.tagged().tagsOf(id) == null) {
                    throw notFound(type, id);
                }
                Map<String, String> merged = new TreeMap<>(w.tagged().tagsOf(id));
                merged.putAll(tags);
                if (merged.size() > 50) {
                    throw AwsException.badRequest("TagLimitExceeded",
                            "The maximum number of tags per resource is 50");
                }
            }
            resources.forEach(id -> w.tagged().tag(id, tags));
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
            case "launch-template" -> AwsException.badRequest("InvalidLaunchTemplateId.NotFound", "The specified launch"
                    + " template, with template ID " + id + ", does not exist.");
            default -> AwsException.badRequest("InvalidExportTaskID.NotFound", "The task ID '" + id
                    + "' does not exist");
        };
    }

    private record TagRow(String resourceId, String resourceType, String key, String value) {
    }

    String describeTags(QueryParams params, String requestId) {
        return world.read(w -> {
            List<TagRow> rows = new ArrayList<>();
            List<String> ids = new ArrayList<>();
            ids.addAll(w.ec2().instances().keySet());
            ids.addAll(w.ec2().volumes().keySet());
            ids.addAll(w.ec2().amis().keySet());
            ids.addAll(w.ec2().snapshots().keySet());
            ids.addAll(w.ec2().securityGroups().keySet());
            ids.addAll(w.ec2().subnets().keySet());
            ids.addAll(w.ec2().vpcs().keySet());
            ids.addAll(w.conversions().exportImageTasks().keySet());
            ids.addAll(w.conversions().importImageTasks().keySet());
            ids.addAll(w.conversions().instanceExportTasks().keySet());
            ids.addAll(w.ec2().launchTemplates().keySet());
            ids.sort(String::compareTo);
            for (String id : ids) {
                w.tagged().tagsOf(id).forEach((k, v) -> rows.add(new TagRow(id, TaggedResources.resourceType(id), k, v)));
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
}
