package dev.ferry.sandbox.aws;

import dev.ferry.sandbox.world.Ami;
import dev.ferry.sandbox.world.Bucket;
import dev.ferry.sandbox.world.DiskSource;
import dev.ferry.sandbox.world.Ec2Instance;
import dev.ferry.sandbox.world.ExportImageTask;
import dev.ferry.sandbox.world.Grant;
import dev.ferry.sandbox.world.InstanceExportTask;
import dev.ferry.sandbox.world.InstanceState;
import dev.ferry.sandbox.world.Snapshot;
import dev.ferry.sandbox.world.Volume;
import dev.ferry.sandbox.world.World;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import static dev.ferry.sandbox.aws.ConversionTaskChecks.ordered;
import static dev.ferry.sandbox.aws.ConversionTaskChecks.requireBucket;
import static dev.ferry.sandbox.aws.ConversionTaskChecks.requireCapacity;
import static dev.ferry.sandbox.aws.ConversionTaskChecks.requireServiceRole;
import static dev.ferry.sandbox.aws.Ec2Ids.byIds;
import static dev.ferry.sandbox.aws.Ec2Ids.checkIds;
import static dev.ferry.sandbox.aws.Ec2Tags.tagSpecifications;
import static java.util.Objects.requireNonNull;

/** EC2 export tasks: ExportImage (an AMI to S3), CreateInstanceExportTask (an instance to S3), describe, cancel. */
final class Ec2Exports {

    private static final Map<String, Set<String>> EXPORT_FORMATS = Map.of(
            "citrix", Set.of("vhd"),
            "microsoft", Set.of("vhd"),
            "vmware", Set.of("vmdk"));

    private final World world;

    Ec2Exports(World world) {
        this.world = requireNonNull(world, "world is null");
    }

    private record ExportPlan(ExportImageTask existing, DiskSource disk) {
    }

    String exportImage(QueryParams params, String requestId) {
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
                Optional<ExportImageTask> same = w.conversions().exportImageTasks().values().stream()
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
            Ami ami = w.ec2().amis().get(imageId);
            if (ami == null) {
                if (w.ec2().publicImages().containsKey(imageId)) {
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
            Snapshot root = w.ec2().snapshots().get(ami.rootDevice().snapshotId());
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
                return w.conversions().startExportImage(w.ec2().amis().get(imageId), format, bucket, prefix, roleName, description,
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

    String describeExportImageTasks(QueryParams params, String requestId) {
        List<String> ids = params.list("ExportImageTaskId");
        return world.read(w -> {
            List<ExportImageTask> tasks = ids.isEmpty() ? List.copyOf(w.conversions().exportImageTasks().values())
                    : byIds(w.conversions().exportImageTasks(), ids, "InvalidExportImageTaskId.NotFound", "export image task ID");
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

    String cancelExportTask(QueryParams params, String requestId) {
        String taskId = params.require("ExportTaskId");
        world.writeAndForget(w -> {
            if (!w.conversions().exportImageTasks().containsKey(taskId) && !w.conversions().instanceExportTasks().containsKey(taskId)) {
                throw AwsException.badRequest("InvalidExportTaskID.NotFound", "The export task ID '" + taskId
                        + "' does not exist");
            }
            if (!w.conversions().cancelExport(taskId)) {
                throw AwsException.badRequest("IncorrectState", "Export task " + taskId
                        + " is not in a cancelable state");
            }
        });
        return Ec2Xml.response("CancelExportTask", requestId).leaf("return", true).end().toString();
    }

    String createInstanceExportTask(QueryParams params, String requestId) {
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
            Ec2Instance instance = byIds(w.ec2().instances(), List.of(instanceId), "InvalidInstanceID.NotFound",
                    "instance ID").get(0);
            if (instance.state() != InstanceState.RUNNING && instance.state() != InstanceState.STOPPED) {
                throw AwsException.badRequest("IncorrectState", "The instance " + instanceId + " is in state "
                        + instance.state().apiName() + " and cannot be exported.");
            }
            if (!instance.productCodes().isEmpty()) {
                throw AwsException.badRequest("NotExportable", "The instance " + instanceId
                        + " was launched from a marketplace AMI and is not exportable.");
            }
            Volume root = w.ec2().volumes().get(instance.volumeIds().get(0));
            if (instance.volumeIds().stream().map(v -> w.ec2().volumes().get(v)).anyMatch(v -> v != null && v.encrypted())) {
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
            return w.conversions().startInstanceExport(w.ec2().instances().get(instanceId), target, format, container, bucket, prefix,
                    description, tags);
        });
        XmlWriter xml = Ec2Xml.response("CreateInstanceExportTask", requestId);
        Ec2Xml.instanceExportTask(xml, "exportTask", task);
        return xml.end().toString();
    }

    String describeExportTasks(QueryParams params, String requestId) {
        List<String> ids = params.list("ExportTaskId");
        return world.read(w -> {
            List<InstanceExportTask> tasks = ids.isEmpty() ? List.copyOf(w.conversions().instanceExportTasks().values())
                    : byIds(w.conversions().instanceExportTasks(), ids, "InvalidExportTaskID.NotFound", "export task ID");
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
