package dev.ferry.provider.aws;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.engine.FerryException;
import dev.ferry.engine.machine.DiskImage;
import dev.ferry.engine.provider.ApplyContext;
import dev.ferry.engine.provider.ManagedResourceType;
import dev.ferry.engine.provider.Observation;
import dev.ferry.engine.provider.Operation;
import dev.ferry.engine.provider.Outcome;
import dev.ferry.engine.provider.PlanRequest;
import dev.ferry.engine.provider.PlanResult;
import dev.ferry.engine.provider.RefreshRequest;
import dev.ferry.engine.provider.ResourceSchema;
import dev.ferry.engine.resource.Attributes;
import dev.ferry.engine.resource.Identity;
import dev.ferry.engine.resource.ResourceAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
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
final class ImageExportResource implements ManagedResourceType {

    static final String NAME = "aws_image_export";
    static final long MAX_VOLUME_BYTES = 1024L * Ec2InstanceData.GIB;
    private static final Duration POLL = Duration.ofSeconds(15);
    /** Retries of ExportImage while a new role propagates through IAM, or while other tasks hold every conversion slot. */
    private static final int START_ATTEMPTS = 20;

    private final AwsClients clients;
    private final AwsCalls calls;

    ImageExportResource(AwsClients clients, AwsCalls calls) {
        this.clients = requireNonNull(clients, "clients is null");
        this.calls = requireNonNull(calls, "calls is null");
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public ResourceSchema schema() {
        return ResourceSchema.IMMUTABLE;
    }

    static String conversionLimit(String region) {
        return "aws:conversion-tasks:" + region;
    }

    @Override
    public Set<String> limits(Attributes arguments) {
        return Set.of(conversionLimit(clients.regionName()));
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
                errors.add("the root volume " + disk.path("id").asText() + " of " + instance + " is " + size / Ec2InstanceData.GIB
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
    public Outcome create(ApplyContext context) {
        return start(context, 1);
    }

    private Outcome start(ApplyContext context, int attempt) {
        Attributes arguments = context.arguments();
        Identity identity = context.identity();
        String imageId = arguments.text("image_id");
        String bucket = arguments.text("bucket");
        String prefix = arguments.optionalText("prefix").orElse("");
        String role = arguments.optionalText("role_name").orElse("vmimport");
        String format = arguments.optionalText("format").orElse("raw").toUpperCase(Locale.ROOT);
        context.progress("exporting " + imageId + " to s3://" + bucket + "/" + prefix);
        ExportImageResponse response;
        try {
            response = calls.call("EC2 ExportImage of " + imageId, () -> clients.ec2().exportImage(r -> r
                    .imageId(imageId)
                    .diskImageFormat(DiskImageFormat.fromValue(format))
                    .s3ExportLocation(l -> l.s3Bucket(bucket).s3Prefix(prefix))
                    .roleName(role)
                    .clientToken(identity.token())
                    .description("ferry: " + identity.address())
                    .tagSpecifications(Ec2Tags.specification(ResourceType.EXPORT_IMAGE_TASK, Ec2Tags.of(identity, Map.of())))));
        } catch (FerryException e) {
            if (AwsCalls.answerLost(e)) {
                Optional<Found> made = findExisting(identity, arguments);
                if (made.isPresent()) {
                    return made.get().pending().<Outcome>map(op -> new Outcome.InProgress(op, "export " + op.id() + " started",
                            OptionalDouble.of(0), POLL)).orElseGet(() -> poll(context, Operation.of(Operation.CREATE, made.get().id(),
                            made.get().id(), "active")));
                }
            }
            Optional<String> wait = retryable(e);
            if (wait.isPresent() && attempt < START_ATTEMPTS) {
                ObjectNode data = Json.object().put("attempt", attempt + 1);
                return new Outcome.InProgress(new Operation(Operation.CREATE, "start-" + identity.token(), Optional.empty(), "starting", data),
                        wait.get(), OptionalDouble.empty(), POLL);
            }
            throw e;
        }
        String task = response.exportImageTaskId();
        return new Outcome.InProgress(Operation.of(Operation.CREATE, task, task, "active"), "export " + task + " " +
                Optional.ofNullable(response.statusMessage()).orElse("started"), OptionalDouble.of(0), POLL);
    }

    /** Why a refused start is worth another try: a role IAM has not propagated yet, or no free conversion slot. */
    private static Optional<String> retryable(FerryException e) {
        String message = e.getMessage() == null ? "" : e.getMessage();
        if (AwsCalls.hasCode(e.getCause(), "ResourceCountLimitExceeded")) {
            return Optional.of("waiting for a free conversion slot (other import or export tasks run in this region)");
        }
        if (AwsCalls.hasCode(e.getCause(), "InvalidParameter") && message.contains("service role")) {
            return Optional.of("waiting for the service role to take effect in IAM");
        }
        return Optional.empty();
    }

    @Override
    public Outcome poll(ApplyContext context, Operation operation) {
        if (operation.phase().equals("starting")) {
            return start(context, operation.data().path("attempt").asInt(2));
        }
        ExportImageTask task = describe(operation.id())
                .orElseThrow(() -> new FerryException("export task " + operation.id() + " is no longer listed by EC2; run apply again"));
        Attributes arguments = context.arguments();
        return follow(task, arguments.text("bucket"), arguments.optionalText("prefix").orElse(""), operation);
    }

    private Outcome follow(ExportImageTask task, String bucket, String prefix, Operation operation) {
        String status = Optional.ofNullable(task.status()).orElse("active");
        String message = Optional.ofNullable(task.statusMessage()).orElse("");
        switch (status) {
            case "active": {
                double percent = parsePercent(task.progress());
                return new Outcome.InProgress(operation.withPhase("active"), "export " + task.exportImageTaskId()
                        + (message.isEmpty() ? "" : " " + message), OptionalDouble.of(percent), POLL);
            }
            case "completed":
                return new Outcome.Done(task.exportImageTaskId(), outputs(task.exportImageTaskId(), bucket, objectKey(prefix, task)));
            default:
                throw new FerryException("export task " + task.exportImageTaskId() + " ended " + status
                        + (message.isEmpty() ? "" : ": " + message));
        }
    }

    static String objectKey(String prefix, ExportImageTask task) {
        String format = "raw";
        return prefix + task.exportImageTaskId() + "." + format;
    }

    private static double parsePercent(String progress) {
        try {
            return progress == null ? 0 : Double.parseDouble(progress.replace("%", "").strip());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private Optional<ExportImageTask> describe(String taskId) {
        try {
            return calls.call("EC2 DescribeExportImageTasks " + taskId, () -> clients.ec2()
                    .describeExportImageTasks(r -> r.exportImageTaskIds(taskId)).exportImageTasks()).stream().findFirst();
        } catch (FerryException e) {
            if (AwsCalls.hasCode(e.getCause(), "InvalidExportImageTaskId.NotFound", "InvalidExportImageTaskID.NotFound")) {
                return Optional.empty();
            }
            throw e;
        }
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
    public Optional<Found> findExisting(Identity identity, Attributes arguments) {
        List<ExportImageTask> tasks = new ArrayList<>();
        calls.run("EC2 DescribeExportImageTasks", () -> clients.ec2().describeExportImageTasksPaginator(r -> r.maxResults(500))
                .forEach(page -> tasks.addAll(page.exportImageTasks())));
        return tasks.stream()
                .filter(task -> Ec2Tags.carries(task.tags(), identity))
                .filter(task -> !Set.of("deleting", "deleted").contains(task.status()))
                .findFirst()
                .map(task -> new Found(task.exportImageTaskId(), "active".equals(task.status())
                        ? Optional.of(Operation.of(Operation.CREATE, task.exportImageTaskId(), task.exportImageTaskId(), "active"))
                        : Optional.empty()));
    }

    @Override
    public Outcome update(ApplyContext context) {
        throw new IllegalStateException("aws_image_export is replaced, never updated");
    }

    @Override
    public Outcome delete(ApplyContext context) {
        String taskId = context.prior().orElseThrow().id();
        JsonNode arguments = context.prior().get().arguments();
        JsonNode outputs = context.prior().get().outputs();
        String bucket = outputs.path("bucket").asText(arguments.path("bucket").asText());
        String key = outputs.path("key").asText(arguments.path("prefix").asText("") + taskId + ".raw");
        Optional<ExportImageTask> task = describe(taskId);
        if (task.isPresent() && "active".equals(task.get().status())) {
            context.progress("cancelling export task " + taskId);
            try {
                calls.run("EC2 CancelExportTask " + taskId, () -> clients.ec2().cancelExportTask(r -> r.exportTaskId(taskId)));
            } catch (FerryException e) {
                if (!AwsCalls.hasCode(e.getCause(), "IncorrectState", "InvalidExportTaskID.NotFound")) {
                    throw e;
                }
            }
        }
        context.progress("deleting s3://" + bucket + "/" + key);
        try {
            calls.run("S3 DeleteObject s3://" + bucket + "/" + key, () -> clients.s3().deleteObject(r -> r.bucket(bucket).key(key)));
        } catch (FerryException e) {
            if (!AwsCalls.missing(e.getCause(), "NoSuchBucket", "NoSuchKey")) {
                throw e;
            }
        }
        return new Outcome.Deleted();
    }
}
