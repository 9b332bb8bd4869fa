package dev.ferry.provider.aws.target;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.engine.FerryException;
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
import dev.ferry.provider.aws.client.Json;
import dev.ferry.provider.aws.staging.Buckets;
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
import software.amazon.awssdk.services.s3.model.GetBucketAclResponse;
import software.amazon.awssdk.services.s3.model.Grant;
import software.amazon.awssdk.services.s3.model.Grantee;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.Permission;
import software.amazon.awssdk.services.s3.model.Type;

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

    /** The canonical account VM Import/Export writes exports with, per region (VM Import/Export User Guide, instance export prerequisites). */
    private static final Map<String, String> EXPORT_ACCOUNTS = Map.ofEntries(
            Map.entry("af-south-1", "3f7744aeebaf91dd60ab135eb1cf908700c8d2bc9133e61261e6c582be6e33ee"),
            Map.entry("ap-east-1", "97ee7ab57cc9b5034f31e107741a968e595c0d7a19ec23330eae8d045a46edfb"),
            Map.entry("ap-south-2", "77ab5ec9eac9ade710b7defed37fe0640f93c5eb76ea65a64da49930965f18ca"),
            Map.entry("ap-southeast-3", "de34aaa6b2875fa3d5086459cb4e03147cf1a9f7d03d82f02bedb991ff3d1df5"),
            Map.entry("ap-southeast-5", "ed006f67543afcfe0779e356e52d5ed53fa45f95bcd7d277147dfc027aaca0e7"),
            Map.entry("ap-southeast-4", "8b8ea36ab97c280aa8558c57a380353ac7712f01f82c21598afbb17e188b9ad5"),
            Map.entry("ap-southeast-6", "2dc8fa4ca1c59da5c6a4c5b0e397eea130ec62e49f18cff179034665fd20e8a2"),
            Map.entry("ap-northeast-3", "40f22ffd22d6db3b71544ed6cd00c8952d8b0a63a87d58d5b074ec60397db8c9"),
            Map.entry("ap-east-2", "a9fa0eb7c8483f9558cd14b24d16e9c4d1555261a320b586a3a06908ff0047ce"),
            Map.entry("ap-southeast-7", "d011fe83abcc227a7ac0f914ce411d3630c4ef735e92e88ce0aa796dcfecfbdd"),
            Map.entry("ca-west-1", "78e12f8d798f89502177975c4ccdac686c583765cea2bf06e9b34224e2953c83"),
            Map.entry("eu-south-1", "04636d9a349e458b0c1cbf1421858b9788b4ec28b066148d4907bb15c52b5b9c"),
            Map.entry("eu-south-2", "6e81c4c52a37a7f59e103625162ed97bcd0e646593adb107d21310d093151518"),
            Map.entry("eu-central-2", "5d9fcea77b2fb3df05fc15c893f212ae1d02adb4b24c13e18586db728a48da67"),
            Map.entry("il-central-1", "328a78de7561501444823ebeb59152eca7cb58fee2fe2e4223c2cdd9f93ae931"),
            Map.entry("mx-central-1", "edaff67fe25d544b855bd0ba9a74a99a2584ab89ceda0a9661bdbeca530d0fca"),
            Map.entry("me-south-1", "aa763f2cf70006650562c62a09433f04353db3cba6ba6aeb3550fdc8065d3d9f"),
            Map.entry("me-central-1", "7d3018832562b7b6c126f5832211fae90bd3eee3ed3afde192d990690267e475"),
            Map.entry("us-gov-east-1", "af913ca13efe7a94b88392711f6cfc8aa07c9d1454d4f190a624b126733a5602"),
            Map.entry("us-gov-west-1", "af913ca13efe7a94b88392711f6cfc8aa07c9d1454d4f190a624b126733a5602"));
    private static final String EXPORT_ACCOUNT_ELSEWHERE = "c4d8eabf8db69dbe46bfe0e517100c554f01200b104d59cd408e777ba442a322";

    private final Buckets buckets;

    public InstanceExportResource(AwsClients clients, AwsCalls calls, Buckets buckets) {
        super(NAME, clients, calls, TASKS);
        this.buckets = requireNonNull(buckets, "buckets is null");
    }

    static String exportAccount(String region) {
        return EXPORT_ACCOUNTS.getOrDefault(region, EXPORT_ACCOUNT_ELSEWHERE);
    }

    @Override
    public PlanResult plan(PlanRequest request) {
        Attributes desired = request.desired();
        List<String> errors = new ArrayList<>();
        String format = desired.optionalText("format").orElse("ova").toLowerCase(Locale.ROOT);
        if (!Set.of("ova", "vmdk", "vhd").contains(format)) {
            errors.add("an instance exports to ova, vmdk or vhd, not " + format);
        }
        if (desired.isKnown("bucket")) {
            String bucket = desired.text("bucket");
            Buckets.Facts facts = buckets.facts(bucket);
            if (facts.exists() && !facts.ownedElsewhere() && request.prior().isEmpty()) {
                enforced(bucket).ifPresent(errors::add);
            }
        }
        return new PlanResult(desired, Json.object(), List.of(), errors);
    }

    private Optional<String> enforced(String bucket) {
        if (!"BucketOwnerEnforced".equals(buckets.ownership(bucket))) {
            return Optional.empty();
        }
        return Optional.of("the bucket " + bucket + " enforces owner-only ACLs (Object Ownership: BucketOwnerEnforced), but"
                + " CreateInstanceExportTask writes through an ACL grant to the VM Import/Export account. Set its Object Ownership to"
                + " BucketOwnerPreferred (aws s3api put-bucket-ownership-controls --bucket " + bucket
                + " --ownership-controls 'Rules=[{ObjectOwnership=BucketOwnerPreferred}]'), or let ferry create the staging bucket"
                + " (staging.create: true)");
    }

    @Override
    protected Outcome start(ApplyContext context, int attempt) {
        Attributes arguments = context.arguments();
        Identity identity = context.identity();
        String instance = arguments.text("instance_id");
        String bucket = arguments.text("bucket");
        String prefix = arguments.optionalText("prefix").orElse("");
        String format = arguments.optionalText("format").orElse("ova").toLowerCase(Locale.ROOT);
        enforced(bucket).ifPresent(problem -> {
            throw new FerryException(problem);
        });
        grantExportAccount(context, bucket);
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
                + "). ferry granted them to the service's canonical id for " + region + " (" + exportAccount(region)
                + "); check the bucket's ACL with 'aws s3api get-bucket-acl --bucket " + bucket + "'", e));
    }

    /** Adds WRITE and READ_ACP for the export account to the bucket's ACL, keeping the grants already there. */
    private void grantExportAccount(ApplyContext context, String bucket) {
        String account = exportAccount(clients.regionName());
        GetBucketAclResponse acl = calls.call("S3 GetBucketAcl " + bucket, () -> clients.s3().getBucketAcl(r -> r.bucket(bucket)));
        boolean write = has(acl.grants(), account, Permission.WRITE);
        boolean readAcp = has(acl.grants(), account, Permission.READ_ACP);
        if (write && readAcp) {
            return;
        }
        List<Grant> grants = new ArrayList<>(acl.grants());
        Grantee grantee = Grantee.builder().type(Type.CANONICAL_USER).id(account).build();
        if (!write) {
            grants.add(Grant.builder().grantee(grantee).permission(Permission.WRITE).build());
        }
        if (!readAcp) {
            grants.add(Grant.builder().grantee(grantee).permission(Permission.READ_ACP).build());
        }
        context.progress("granting the VM Import/Export account WRITE and READ_ACP on " + bucket);
        try {
            calls.run("S3 PutBucketAcl " + bucket, () -> clients.s3().putBucketAcl(r -> r.bucket(bucket)
                    .accessControlPolicy(p -> p.owner(acl.owner()).grants(grants))));
        } catch (FerryException e) {
            if (AwsCalls.hasCode(e.getCause(), "AccessControlListNotSupported")) {
                throw new FerryException(enforced(bucket).orElse("the bucket " + bucket + " does not accept ACLs, which"
                        + " CreateInstanceExportTask needs"), e);
            }
            throw e;
        }
    }

    private static boolean has(List<Grant> grants, String account, Permission permission) {
        return grants.stream().anyMatch(grant -> grant.grantee() != null && account.equals(grant.grantee().id())
                && (grant.permission() == permission || grant.permission() == Permission.FULL_CONTROL));
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
}
