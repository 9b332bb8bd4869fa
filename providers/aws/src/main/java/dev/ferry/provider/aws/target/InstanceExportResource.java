package dev.ferry.provider.aws.target;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.engine.FerryException;
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
import dev.ferry.provider.aws.client.IamPolicy;
import dev.ferry.provider.aws.client.Json;
import dev.ferry.provider.aws.staging.BucketExportGrantResource;
import dev.ferry.provider.aws.task.ConversionTaskResource;
import dev.ferry.provider.aws.task.ConversionTasks;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.ec2.model.ExportTask;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;

/**
 * {@code aws_instance_export}: CreateInstanceExportTask of the new instance back to the staging bucket
 * (OVA, VMDK or VHD), followed with DescribeExportTasks. That API writes through the bucket's ACL, not a
 * role: ferry grants WRITE and READ_ACP to the VM Import/Export account of the bucket's region (keeping
 * every grant already there), and a bucket whose object ownership is BucketOwnerEnforced, which ignores
 * ACLs, is refused at plan time with the way out.
 */
public final class InstanceExportResource extends ConversionTaskResource<ExportTask> {

    public static final String NAME = "aws_instance_export";

    /** Instance export tasks, as DescribeExportTasks shows them (it has no paging, and they take no ClientToken). */
    static final ConversionTasks.Kind<ExportTask> TASKS = new ConversionTasks.Kind<>("export", "instance export",
            "EC2 DescribeExportTasks", (ec2, id) -> ec2.describeExportTasks(r -> r.exportTaskIds(id)).exportTasks(),
            Set.of("InvalidExportTaskID.NotFound"), ec2 -> ec2.describeExportTasks(r -> { }).exportTasks(),
            "EC2 CancelExportTask", (ec2, id) -> ec2.cancelExportTask(r -> r.exportTaskId(id)),
            ExportTask::exportTaskId, ExportTask::stateAsString, ExportTask::statusMessage, task -> OptionalDouble.empty(),
            ExportTask::tags, Set.of("cancelling", "cancelled"), true);


    public InstanceExportResource(AwsClients clients, AwsCalls calls) {
        super(NAME, clients, calls, TASKS);
    }

    @Override
    public PlanResult plan(PlanRequest request) {
        Attributes desired = request.desired();
        List<String> errors = new ArrayList<>();
        String format = desired.optionalText("format").orElse("ova").toLowerCase(Locale.ROOT);
        if (!Set.of("ova", "vmdk", "vhd").contains(format)) {
            errors.add("an instance exports to ova, vmdk or vhd, not " + format);
        }
        return new PlanResult(desired, Json.object(), List.of(), errors);
    }

    @Override
    protected Outcome start(ApplyContext context, int attempt) {
        Attributes arguments = context.arguments();
        Identity identity = context.identity();
        String instance = arguments.text("instance_id");
        String bucket = arguments.text("bucket");
        String prefix = arguments.optionalText("prefix").orElse("");
        String format = arguments.optionalText("format").orElse("ova").toLowerCase(Locale.ROOT);
        String environment = format.equals("vhd") ? "microsoft" : "vmware";
        String diskFormat = format.equals("vhd") ? "VHD" : "VMDK";
        context.progress("exporting " + instance + " to s3://" + bucket + "/" + prefix + " as " + format.toUpperCase(Locale.ROOT));
        ExportTask task;
        try {
            task = startExport(identity, instance, bucket, prefix, format, environment, diskFormat);
        } catch (FerryException e) {
            refusedForBucketGrant(e, instance, bucket, clients.regionName()).ifPresent(refusal -> {
                throw refusal;
            });
            Optional<Outcome> queued = tasks.queued(e, identity, attempt);
            if (queued.isPresent()) {
                return queued.get();
            }
            Optional<Found> made = AwsCalls.answerLost(e) ? findExisting(identity, arguments) : Optional.empty();
            if (made.isEmpty()) {
                throw e;
            }
            return follow(context, tasks.following(made.get().id()));
        }
        return tasks.follow(task, tasks.following(task.exportTaskId()), this::completed);
    }

    private ExportTask startExport(Identity identity, String instance, String bucket, String prefix, String format, String environment,
                                   String diskFormat) {
        return calls.once("EC2 CreateInstanceExportTask of " + instance, () -> clients.ec2().createInstanceExportTask(r -> r
                .instanceId(instance)
                .targetEnvironment(environment)
                .description("ferry: " + identity.address())
                .exportToS3Task(s -> {
                    s.diskImageFormat(diskFormat).s3Bucket(bucket).s3Prefix(prefix);
                    if (format.equals("ova")) {
                        s.containerFormat("ova");
                    }
                })
                .tagSpecifications(Ec2Tags.specification(ResourceType.EXPORT_INSTANCE_TASK, Ec2Tags.of(identity, Map.of())))))
                .exportTask();
    }

    /**
     * EC2 answers AuthFailure when the bucket's ACL lacks the export service's grant, but the credentials
     * are fine: say what is wrong with the bucket rather than blaming the access key.
     */
    static Optional<FerryException> refusedForBucketGrant(FerryException e, String instance, String bucket, String region) {
        if (!(e.getCause() instanceof AwsServiceException service) || !AwsCalls.hasCode(service, "AuthFailure")
                || service.awsErrorDetails().errorMessage() == null || !service.awsErrorDetails().errorMessage().contains("vm-import-export")) {
            return Optional.empty();
        }
        return Optional.of(new FerryException("EC2 CreateInstanceExportTask of " + instance + " was refused because the bucket " + bucket
                + " does not give the VM Import/Export service WRITE and READ_ACP (AWS: " + service.awsErrorDetails().errorMessage().strip()
                + "). ferry granted them to the service's canonical id for " + region + " (" + BucketExportGrantResource.exportAccount(region)
                + "); check the bucket's ACL with 'aws s3api get-bucket-acl --bucket " + bucket + "'", e));
    }

    private Outcome completed(ExportTask task) {
        String bucket = task.exportToS3Task().s3Bucket();
        String key = task.exportToS3Task().s3Key();
        return new Outcome.Done(task.exportTaskId(), outputs(task.exportTaskId(), bucket, key, task.exportToS3Task().diskImageFormatAsString(),
                Optional.ofNullable(task.exportToS3Task().containerFormatAsString())));
    }

    private ObjectNode outputs(String taskId, String bucket, String key, String diskFormat, Optional<String> container) {
        ObjectNode outputs = Json.object().put("id", taskId).put("task_id", taskId).put("bucket", bucket).put("key", key)
                .put("format", container.orElse(diskFormat == null ? "" : diskFormat.toLowerCase(Locale.ROOT)));
        try {
            HeadObjectResponse head = calls.call("S3 HeadObject s3://" + bucket + "/" + key, () -> clients.s3().headObject(r -> r.bucket(bucket).key(key)));
            outputs.put("size_bytes", head.contentLength());
            Optional.ofNullable(head.eTag()).ifPresent(etag -> outputs.put("etag", etag));
        } catch (FerryException e) {
            if (AwsCalls.status(e.getCause()) != 404) {
                throw e;
            }
        }
        return outputs;
    }

    @Override
    protected Outcome follow(ApplyContext context, Operation operation) {
        return tasks.poll(operation, this::completed);
    }

    @Override
    public Map<ResourceAddress, Observation> refresh(List<RefreshRequest> requests) {
        Map<ResourceAddress, Observation> observed = new HashMap<>();
        for (RefreshRequest request : requests) {
            String bucket = request.outputs().path("bucket").asText(request.arguments().path("bucket").asText());
            String key = request.outputs().path("key").asText("");
            if (key.isEmpty()) {
                Optional<ExportTask> task = tasks.describe(request.id());
                if (task.isEmpty() || !"completed".equals(task.get().stateAsString())) {
                    observed.put(request.address(), new Observation.Gone());
                    continue;
                }
                key = task.get().exportToS3Task().s3Key();
            }
            String objectKey = key;
            try {
                HeadObjectResponse head = calls.call("S3 HeadObject s3://" + bucket + "/" + key, () -> clients.s3()
                        .headObject(r -> r.bucket(bucket).key(objectKey)));
                ObjectNode outputs = request.outputs().deepCopy().put("id", request.id()).put("bucket", bucket).put("key", key)
                        .put("size_bytes", head.contentLength());
                observed.put(request.address(), new Observation.Exists(Json.object(), outputs));
            } catch (FerryException e) {
                if (AwsCalls.status(e.getCause()) != 404) {
                    throw e;
                }
                observed.put(request.address(), new Observation.Gone());
            }
        }
        return observed;
    }

    @Override
    public Outcome delete(ApplyContext context) {
        String taskId = context.prior().orElseThrow().id();
        JsonNode outputs = context.prior().get().outputs();
        Optional<ExportTask> task = tasks.cancel(context, taskId);
        String bucket = outputs.path("bucket").asText(context.prior().get().arguments().path("bucket").asText());
        String key = outputs.path("key").asText(task.map(t -> t.exportToS3Task().s3Key()).orElse(""));
        if (!key.isEmpty()) {
            tasks.deleteOutput(context, bucket, key);
        }
        return new Outcome.Deleted();
    }

    /**
     * What exporting the instance back needs: CreateInstanceExportTask (tagging the task), its describes and cancellation,
     * and the exported object under its prefix: checked once written, deleted when the export goes.
     */
    public static List<Permission> permissions(IamPolicy.Scope scope, String address, Attributes arguments) {
        Optional<String> bucket = arguments.optionalText("bucket");
        List<String> objects = List.of(scope.objects(bucket, arguments.optionalText("prefix")));
        String why = address + " exports the instance back to the bucket";
        return List.of(
                Permission.of("ec2:CreateInstanceExportTask", List.of("*"), why),
                Permission.of("ec2:CreateTags", List.of("*"), why),
                Permission.of("ec2:DescribeExportTasks", List.of("*"), why),
                Permission.of("ec2:CancelExportTask", List.of("*"), why),
                Permission.of("s3:GetObject", objects, address + " checks the exported object"),
                Permission.of("s3:DeleteObject", objects, address + " deletes the exported object when it goes"));
    }
}
