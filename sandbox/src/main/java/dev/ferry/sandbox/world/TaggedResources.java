package dev.ferry.sandbox.world;

import java.util.Map;

import static java.util.Objects.requireNonNull;

/** The tags of EC2 resources of every kind, found by id. */
public final class TaggedResources {

    private final Ec2State ec2;
    private final ConversionTasks tasks;

    TaggedResources(Ec2State ec2, ConversionTasks tasks) {
        this.ec2 = requireNonNull(ec2, "ec2 is null");
        this.tasks = requireNonNull(tasks, "tasks is null");
    }

    /** Tags of any taggable EC2 resource by id, or null when there is no such resource. */
    public Map<String, String> tagsOf(String resourceId) {
        Object resource = resource(resourceId);
        if (resource == null) {
            return null;
        }
        return taggedTagsOrInstance(resource);
    }

    private static Map<String, String> taggedTags(Object resource) {
        if (resource instanceof Volume r) {
            return r.tags();
        } else if (resource instanceof Ami r) {
            return r.tags();
        } else if (resource instanceof Snapshot r) {
            return r.tags();
        } else if (resource instanceof SecurityGroup r) {
            return r.tags();
        } else if (resource instanceof Subnet r) {
            return r.tags();
        } else if (resource instanceof Vpc r) {
            return r.tags();
        } else if (resource instanceof ExportImageTask r) {
            return r.tags();
        } else if (resource instanceof ImportImageTask r) {
            return r.tags();
        } else if (resource instanceof InstanceExportTask r) {
            return r.tags();
        } else if (resource instanceof LaunchTemplate r) {
            return r.tags();
        }
        return Map.of();
    }

    /** The EC2 resource type name DescribeTags reports for an id ({@code instance}, {@code image}, ...). */
    public static String resourceType(String resourceId) {
        String prefix = resourceId.substring(0, resourceId.lastIndexOf('-') + 1);
        return switch (prefix) {
            case "i-" -> "instance";
            case "vol-" -> "volume";
            case "ami-" -> "image";
            case "snap-" -> "snapshot";
            case "sg-" -> "security-group";
            case "subnet-" -> "subnet";
            case "vpc-" -> "vpc";
            case "export-ami-" -> "export-image-task";
            case "import-ami-" -> "import-image-task";
            case "export-i-" -> "export-instance-task";
            case "lt-" -> "launch-template";
            default -> "unknown";
        };
    }

    private Object resource(String id) {
        return switch (resourceType(id)) {
            case "instance" -> ec2.instances.get(id);
            case "volume" -> ec2.volumes.get(id);
            case "image" -> ec2.amis.get(id);
            case "snapshot" -> ec2.snapshots.get(id);
            case "security-group" -> ec2.securityGroups.get(id);
            case "subnet" -> ec2.subnets.get(id);
            case "vpc" -> ec2.vpcs.get(id);
            case "export-image-task" -> tasks.exportImageTasks.get(id);
            case "import-image-task" -> tasks.importImageTasks.get(id);
            case "export-instance-task" -> tasks.instanceExportTasks.get(id);
            case "launch-template" -> ec2.launchTemplates.get(id);
            default -> null;
        };
    }

    /** Adds or overwrites tags on an EC2 resource; false when there is no such resource. */
    public boolean tag(String resourceId, Map<String, String> tags) {
        Object resource = resource(resourceId);
        if (resource == null) {
            return false;
        }
        Map<String, String> merged = Tags.with(taggedTagsOrInstance(resource), tags);
        if (resource instanceof Ec2Instance r) {
            ec2.instances.put(r.id(), r.withTags(merged));
        } else if (resource instanceof Volume r) {
            ec2.volumes.put(r.id(), r.withTags(merged));
        } else if (resource instanceof Ami r) {
            ec2.amis.put(r.id(), r.withTags(merged));
        } else if (resource instanceof Snapshot r) {
            ec2.snapshots.put(r.id(), r.withTags(merged));
        } else if (resource instanceof SecurityGroup r) {
            ec2.securityGroups.put(r.id(), r.withTags(merged));
        } else if (resource instanceof Subnet r) {
            ec2.subnets.put(r.id(), r.withTags(merged));
        } else if (resource instanceof Vpc r) {
            ec2.vpcs.put(r.id(), r.withTags(merged));
        } else if (resource instanceof ExportImageTask r) {
            tasks.exportImageTasks.put(r.id(), r.withTags(merged));
        } else if (resource instanceof ImportImageTask r) {
            tasks.importImageTasks.put(r.id(), r.withTags(merged));
        } else if (resource instanceof InstanceExportTask r) {
            tasks.instanceExportTasks.put(r.id(), r.withTags(merged));
        } else if (resource instanceof LaunchTemplate r) {
            ec2.launchTemplates.put(r.id(), r.withTags(merged));
        }
        return true;
    }

    private static Map<String, String> taggedTagsOrInstance(Object resource) {
        return resource instanceof Ec2Instance r ? r.tags() : taggedTags(resource);
    }
}
