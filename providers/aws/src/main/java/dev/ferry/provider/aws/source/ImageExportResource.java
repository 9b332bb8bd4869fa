package dev.ferry.provider.aws.source;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.engine.FerryException;
import dev.ferry.engine.machine.DiskImage;
import dev.ferry.engine.permission.Permission;
import dev.ferry.engine.provider.ApplyContext;
import dev.ferry.engine.provider.Observation;
import dev.ferry.engine.provider.Operation;
import dev.ferry.engine.provider.Outcome;
import dev.ferry.engine.provider.PlanRequest;
import dev.ferry.engine.provider.PlanResult;
import dev.ferry.engine.provider.RefreshRequest;
import dev.ferry.engine.resource.Attributes;
import dev.ferry.engine.resource.Identity;
import dev.ferry.engine.resource.ResourceAddress;
import dev.ferry.provider.aws.client.AwsCalls;
import dev.ferry.provider.aws.client.AwsClients;
import dev.ferry.provider.aws.client.Ec2Tags;
import dev.ferry.provider.aws.client.Ec2Units;
import dev.ferry.provider.aws.client.IamPolicy;
import dev.ferry.provider.aws.client.Json;
import dev.ferry.provider.aws.task.ConversionTaskResource;
import dev.ferry.provider.aws.task.ConversionTasks;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import software.amazon.awssdk.services.ec2.model.DiskImageFormat;
import software.amazon.awssdk.services.ec2.model.ExportImageResponse;
import software.amazon.awssdk.services.ec2.model.ExportImageTask;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * {@code aws_image_export}: ExportImage of an AMI to a RAW object in the staging bucket, followed with
 * DescribeExportImageTasks (progress and status message). The ClientToken is the identity's token, so a
 * retried call returns the same task instead of starting a second one. The object is written at
 * {@code PREFIX + task id + ".raw"}; the output {@code disk_image} describes it for any target.
 * Deleting cancels a task still active and deletes the object.
 */
public final class ImageExportResource extends ConversionTaskResource<ExportImageTask> {

    public static final String NAME = "aws_image_export";
    static final long MAX_VOLUME_BYTES = 1024L * Ec2Units.GIB;

    /** Export image tasks, as DescribeExportImageTasks shows them. */
    static final ConversionTasks.Kind<ExportImageTask> TASKS = new ConversionTasks.Kind<>("export", "export task",
            "EC2 DescribeExportImageTasks", (ec2, id) -> ec2.describeExportImageTasks(r -> r.exportImageTaskIds(id)).exportImageTasks(),
            Set.of("InvalidExportImageTaskId.NotFound", "InvalidExportImageTaskID.NotFound", "InvalidExportTaskID.NotFound"),
            ec2 -> {
                List<ExportImageTask> all = new ArrayList<>();
                ec2.describeExportImageTasksPaginator(r -> r.maxResults(500)).forEach(page -> all.addAll(page.exportImageTasks()));
                return all;
            },
            "EC2 CancelExportTask", (ec2, id) -> ec2.cancelExportTask(r -> r.exportTaskId(id)),
            ExportImageTask::exportImageTaskId, ExportImageTask::status, ExportImageTask::statusMessage,
            task -> ConversionTasks.percent(task.progress()), ExportImageTask::tags, Set.of("deleting", "deleted"), true);


    public ImageExportResource(AwsClients clients, AwsCalls calls) {
        super(NAME, clients, calls, TASKS);
    }

    @Override
    public PlanResult plan(PlanRequest request) {
        Attributes desired = request.desired();
        List<String> errors = new ArrayList<>();
        String instance = desired.optionalText("instance").orElse("the instance");
        desired.find("product_codes").ifPresent(codes -> {
            List<String> list = Json.strings(codes);
            if (!list.isEmpty()) {
                errors.add(instance + " was launched from an AWS Marketplace image (product code " + String.join(", ", list)
                        + "): AWS refuses to export it (ExportImage: NotExportable). Migrate it with the vendor's own tools, or"
                        + " rebuild it on a plain image and migrate that one");
            }
        });
        desired.find("source_disk").filter(JsonNode::isObject).ifPresent(disk -> {
            if (disk.path("encrypted").asBoolean(false)) {
                errors.add("the root volume " + disk.path("id").asText() + " of " + instance + " is encrypted: AWS cannot export an"
                        + " image with encrypted snapshots. Copy its data onto an unencrypted volume (for instance from a helper"
                        + " instance), make that the root volume, then migrate; or take the snapshot road (remove 'via: export'"
                        + " from source.ec2), which reads encrypted snapshots given kms:Decrypt on their key");
            }
            long size = disk.path("size_bytes").asLong(0);
            if (size > MAX_VOLUME_BYTES) {
                errors.add("the root volume " + disk.path("id").asText() + " of " + instance + " is " + size / Ec2Units.GIB
                        + " GiB; VM Import/Export exports volumes of at most 1024 GiB. Shrink the file system onto a smaller volume first");
            }
        });
        String format = desired.optionalText("format").orElse("raw").toLowerCase(Locale.ROOT);
        if (!Set.of("raw", "vmdk", "vhd").contains(format)) {
            errors.add("ExportImage writes raw, vmdk or vhd, not '" + format + "'");
        }
        return new PlanResult(desired, Json.object(), List.of(), errors);
    }

    @Override
    protected Outcome start(ApplyContext context, int attempt) {
        Attributes arguments = context.arguments();
        Identity identity = context.identity();
        String imageId = arguments.text("image_id");
        String bucket = arguments.text("bucket");
        String prefix = arguments.optionalText("prefix").orElse("");
        String role = arguments.optionalText("role_name").orElse("vmimport");
        String format = arguments.optionalText("format").orElse("raw").toUpperCase(Locale.ROOT);
        context.progress("exporting " + imageId + " to s3://" + bucket + "/" + prefix);
        return tasks.start(context, attempt, "EC2 ExportImage of " + imageId, () -> {
            ExportImageResponse response = clients.ec2().exportImage(r -> r
                    .imageId(imageId)
                    .diskImageFormat(DiskImageFormat.fromValue(format))
                    .s3ExportLocation(l -> l.s3Bucket(bucket).s3Prefix(prefix))
                    .roleName(role)
                    .clientToken(identity.token())
                    .description("ferry: " + identity.address())
                    .tagSpecifications(Ec2Tags.specification(ResourceType.EXPORT_IMAGE_TASK, Ec2Tags.of(identity, Map.of()))));
            return new ConversionTasks.Started(response.exportImageTaskId(), response.statusMessage());
        }, found -> follow(context, tasks.following(found.id())));
    }

    @Override
    protected Outcome follow(ApplyContext context, Operation operation) {
        Attributes arguments = context.arguments();
        String bucket = arguments.text("bucket");
        String prefix = arguments.optionalText("prefix").orElse("");
        return tasks.poll(operation, task -> new Outcome.Done(task.exportImageTaskId(),
                outputs(task.exportImageTaskId(), bucket, objectKey(prefix, task))));
    }

    static String objectKey(String prefix, ExportImageTask task) {
        String format = "raw";
        return prefix + task.exportImageTaskId() + "." + format;
    }

    private ObjectNode outputs(String taskId, String bucket, String key) {
        HeadObjectResponse head = calls.call("S3 HeadObject s3://" + bucket + "/" + key, () -> clients.s3()
                .headObject(r -> r.bucket(bucket).key(key)));
        return outputs(taskId, bucket, key, head.contentLength(), head.eTag());
    }

    private ObjectNode outputs(String taskId, String bucket, String key, long size, String etag) {
        ObjectNode location = Json.object().put("bucket", bucket).put("key", key).put("region", clients.regionName());
        if (etag != null) {
            location.put("etag", etag);
        }
        DiskImage image = new DiskImage("s3", "raw", size, location, "s3://" + bucket + "/" + key);
        ObjectNode outputs = Json.object().put("id", taskId).put("task_id", taskId).put("bucket", bucket).put("key", key)
                .put("size_bytes", size).put("format", "raw");
        if (etag != null) {
            outputs.put("etag", etag);
        }
        outputs.set("disk_image", image.toJson());
        return outputs;
    }

    @Override
    public Map<ResourceAddress, Observation> refresh(List<RefreshRequest> requests) {
        // One listing per bucket and prefix covers every export under it.
        Map<String, List<RefreshRequest>> byLocation = new LinkedHashMap<>();
        for (RefreshRequest request : requests) {
            String bucket = request.arguments().path("bucket").asText();
            String prefix = request.arguments().path("prefix").asText("");
            byLocation.computeIfAbsent(bucket + "\n" + prefix, k -> new ArrayList<>()).add(request);
        }
        Map<ResourceAddress, Observation> observed = new HashMap<>();
        for (List<RefreshRequest> group : byLocation.values()) {
            String bucket = group.get(0).arguments().path("bucket").asText();
            String prefix = group.get(0).arguments().path("prefix").asText("");
            Map<String, S3Object> objects = list(bucket, prefix);
            for (RefreshRequest request : group) {
                String key = request.outputs().path("key").asText(prefix + request.id() + ".raw");
                S3Object object = objects.get(key);
                if (object == null) {
                    observed.put(request.address(), new Observation.Gone());
                } else {
                    observed.put(request.address(), new Observation.Exists(Json.object(),
                            outputs(request.id(), bucket, key, object.size(), object.eTag())));
                }
            }
        }
        return observed;
    }

    private Map<String, S3Object> list(String bucket, String prefix) {
        Map<String, S3Object> objects = new HashMap<>();
        try {
            calls.run("S3 ListObjectsV2 s3://" + bucket + "/" + prefix, () -> clients.s3().listObjectsV2Paginator(r -> r.bucket(bucket).prefix(prefix))
                    .contents().forEach(object -> objects.put(object.key(), object)));
        } catch (FerryException e) {
            if (!AwsCalls.missing(e.getCause(), "NoSuchBucket")) {
                throw e;
            }
        }
        return objects;
    }

    @Override
    public Outcome delete(ApplyContext context) {
        String taskId = context.prior().orElseThrow().id();
        JsonNode arguments = context.prior().get().arguments();
        JsonNode outputs = context.prior().get().outputs();
        String bucket = outputs.path("bucket").asText(arguments.path("bucket").asText());
        String key = outputs.path("key").asText(arguments.path("prefix").asText("") + taskId + ".raw");
        tasks.cancel(context, taskId);
        tasks.deleteOutput(context, bucket, key);
        return new Outcome.Deleted();
    }

    /**
     * What the export road needs: ExportImage with the vmimport role (passed to VM Import/Export), its task's describes
     * and cancellation, and the exported object under the prefix: found by listing, read by the target, deleted at clean-up.
     */
    public static List<Permission> permissions(IamPolicy.Scope scope, String address, Attributes arguments) {
        Optional<String> bucket = arguments.optionalText("bucket");
        String why = address + " exports the image to the staging bucket";
        return List.of(
                Permission.of("ec2:ExportImage", List.of("*"), why),
                Permission.of("ec2:CreateTags", List.of("*"), why),
                Permission.of("ec2:DescribeExportImageTasks", List.of("*"), why),
                Permission.of("ec2:CancelExportTask", List.of("*"), why),
                Permission.of("iam:PassRole", List.of(scope.role(arguments.optionalText("role_name").or(() -> Optional.of("vmimport")))),
                        address + " lets VM Import/Export act as the vmimport role"),
                Permission.of("s3:ListBucket", List.of(scope.bucket(bucket)), address + " finds the exported object"),
                Permission.of("s3:GetObject", List.of(scope.objects(bucket, arguments.optionalText("prefix"))),
                        address + " reads the exported object for the target"),
                Permission.of("s3:DeleteObject", List.of(scope.objects(bucket, arguments.optionalText("prefix"))),
                        address + " deletes the exported object at clean-up"));
    }
}
