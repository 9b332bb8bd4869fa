package dev.ferry.provider.aws.staging;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.engine.FerryException;
import dev.ferry.engine.permission.Permission;
import dev.ferry.engine.provider.ApplyContext;
import dev.ferry.engine.provider.Note;
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
import dev.ferry.provider.aws.client.AwsCalls;
import dev.ferry.provider.aws.client.AwsClients;
import dev.ferry.provider.aws.client.IamPolicy;
import dev.ferry.provider.aws.client.Json;
import dev.ferry.provider.aws.task.AwsResource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;

/**
 * {@code aws_s3_bucket}: the staging bucket, when the file says {@code staging.create: true}. A bucket
 * that already exists is used as it is and never deleted; one ferry made is deleted on destroy only when
 * it is empty, so nothing ferry did not write is ever lost. Its object ownership follows the file: owner
 * enforced (AWS's default) unless an instance export needs ACL grants.
 */
public final class BucketResource extends AwsResource {

    public static final String NAME = "aws_s3_bucket";
    /** The operation recorded before CreateBucket of a bucket ferry saw absent. */
    private static final String CREATE_ABSENT = "create-absent-bucket-";

    private final Buckets buckets;

    public BucketResource(AwsClients clients, AwsCalls calls, Buckets buckets) {
        super(NAME, new ResourceSchema(Set.of("object_ownership")), clients, calls);
        this.buckets = requireNonNull(buckets, "buckets is null");
    }

    @Override
    public PlanResult plan(PlanRequest request) {
        Attributes desired = request.desired();
        String bucket = desired.text("bucket");
        String region = desired.optionalText("region").orElse(clients.regionName());
        List<Note> notes = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        if (!region.equals(clients.regionName())) {
            errors.add("the staging bucket must be in the provider's region " + clients.regionName() + ", not " + region);
        }
        buckets.problem(bucket, clients.regionName()).ifPresent(errors::add);
        Buckets.Facts facts = buckets.facts(bucket);
        if (facts.exists() && !facts.ownedElsewhere() && request.prior().isEmpty()) {
            notes.add(Note.info("bucket " + bucket + " already exists in " + facts.region().orElse(region)
                    + ": ferry uses it as it is and will not delete it"));
        }
        ObjectNode known = Json.object().put("bucket", bucket).put("region", clients.regionName())
                .put("arn", Buckets.arn(Buckets.partition(clients.regionName()), bucket));
        return new PlanResult(desired, known, notes, errors);
    }

    @Override
    public Outcome create(ApplyContext context) {
        Attributes arguments = context.arguments();
        String bucket = arguments.text("bucket");
        String ownership = arguments.optionalText("object_ownership").orElse("BucketOwnerEnforced");
        String region = clients.regionName();
        if (buckets.gone(bucket)) {
            // Buckets take no tags at creation: what says an interrupted run made this one is this, in the state.
            context.checkpoint(new Operation(Operation.CREATE, CREATE_ABSENT + bucket, Optional.of(bucket), "creating",
                    Json.object().put("object_ownership", ownership)));
        }
        boolean created;
        try {
            calls.once("S3 CreateBucket " + bucket, () -> clients.s3().createBucket(r -> {
                r.bucket(bucket).objectOwnership(ownership);
                if (!region.equals("us-east-1")) {
                    r.createBucketConfiguration(c -> c.locationConstraint(region));
                }
            }));
            created = true;
        } catch (FerryException e) {
            if (AwsCalls.hasCode(e.getCause(), "BucketAlreadyOwnedByYou")) {
                created = false;
            } else if (AwsCalls.hasCode(e.getCause(), "BucketAlreadyExists")) {
                throw new FerryException("the bucket name " + bucket + " is taken by another AWS account; choose another staging.bucket");
            } else {
                throw e;
            }
        } finally {
            buckets.forget(bucket);
        }
        if (!created) {
            context.progress("bucket " + bucket + " already exists; ferry uses it and will not delete it");
        }
        return new Outcome.Done(bucket, outputs(bucket, created, ownership));
    }

    private ObjectNode outputs(String bucket, boolean createdByFerry, String ownership) {
        String region = clients.regionName();
        return Json.object().put("bucket", bucket).put("region", region).put("arn", Buckets.arn(Buckets.partition(region), bucket))
                .put("created_by_ferry", createdByFerry).put("object_ownership", ownership);
    }

    @Override
    public Map<ResourceAddress, Observation> refresh(List<RefreshRequest> requests) {
        Map<ResourceAddress, Observation> observed = new HashMap<>();
        for (RefreshRequest request : requests) {
            buckets.forget(request.id());
            Buckets.Facts facts = buckets.facts(request.id());
            if (!facts.exists() || facts.ownedElsewhere()) {
                observed.put(request.address(), new Observation.Gone());
                continue;
            }
            boolean created = request.outputs().path("created_by_ferry").asBoolean(false);
            String ownership = buckets.ownership(request.id());
            ObjectNode arguments = Json.object().put("object_ownership", ownership);
            facts.region().ifPresent(region -> arguments.put("region", region));
            observed.put(request.address(), new Observation.Exists(arguments, outputs(request.id(), created, ownership)));
        }
        return observed;
    }

    /**
     * Buckets cannot be tagged at creation, so an interrupted create is recognised by the name alone; unless
     * {@link #create} recorded that the bucket was absent before it sent CreateBucket (then {@link #poll}
     * resumes), such a bucket is treated as not made by ferry (it is kept on destroy), which never loses data.
     */
    @Override
    public Optional<Found> findExisting(Identity identity, Attributes arguments) {
        String bucket = arguments.text("bucket");
        buckets.forget(bucket);
        Buckets.Facts facts = buckets.facts(bucket);
        return facts.exists() && !facts.ownedElsewhere() ? Optional.of(new Found(bucket, Optional.empty())) : Optional.empty();
    }

    @Override
    public Outcome update(ApplyContext context) {
        String bucket = context.prior().orElseThrow().id();
        String ownership = context.arguments().optionalText("object_ownership").orElse("BucketOwnerEnforced");
        calls.run("S3 PutBucketOwnershipControls " + bucket, () -> clients.s3().putBucketOwnershipControls(r -> r.bucket(bucket)
                .ownershipControls(c -> c.rules(software.amazon.awssdk.services.s3.model.OwnershipControlsRule.builder()
                        .objectOwnership(ownership).build()))));
        boolean created = context.prior().get().outputs().path("created_by_ferry").asBoolean(false);
        return new Outcome.Done(bucket, outputs(bucket, created, ownership));
    }

    @Override
    public Outcome delete(ApplyContext context) {
        String bucket = context.prior().orElseThrow().id();
        JsonNode outputs = context.prior().get().outputs();
        if (!outputs.path("created_by_ferry").asBoolean(false)) {
            context.progress("bucket " + bucket + " was not created by ferry: it stays");
            return new Outcome.Deleted();
        }
        if (buckets.gone(bucket)) {
            return new Outcome.Deleted();
        }
        ListObjectsV2Response listing = calls.call("S3 ListObjectsV2 " + bucket, () -> clients.s3().listObjectsV2(r -> r.bucket(bucket).maxKeys(1)));
        if (!listing.contents().isEmpty()) {
            context.progress("bucket " + bucket + " still holds objects ferry did not write (such as " + listing.contents().get(0).key()
                    + "): it stays");
            return new Outcome.Deleted();
        }
        try {
            calls.run("S3 DeleteBucket " + bucket, () -> clients.s3().deleteBucket(r -> r.bucket(bucket)));
        } catch (FerryException e) {
            if (AwsCalls.hasCode(e.getCause(), "BucketNotEmpty")) {
                context.progress("bucket " + bucket + " received objects meanwhile: it stays");
            } else if (!AwsCalls.missing(e.getCause(), "NoSuchBucket")) {
                throw e;
            }
        } finally {
            buckets.forget(bucket);
        }
        return new Outcome.Deleted();
    }

    /**
     * Resumes a create interrupted after ferry saw the bucket absent: a bucket there now is the one that run
     * made (deleted on destroy); if there is none, the CreateBucket never arrived and is sent now.
     */
    @Override
    public Outcome poll(ApplyContext context, Operation operation) {
        if (operation.kind().equals(Operation.CREATE) && operation.id().startsWith(CREATE_ABSENT)) {
            String bucket = operation.id().substring(CREATE_ABSENT.length());
            buckets.forget(bucket);
            Buckets.Facts facts = buckets.facts(bucket);
            if (facts.exists() && !facts.ownedElsewhere()) {
                return new Outcome.Done(bucket, outputs(bucket, true, operation.data().path("object_ownership").asText("BucketOwnerEnforced")));
            }
            return create(context);
        }
        throw new IllegalStateException("aws_s3_bucket has no long operations (asked to follow " + operation.id() + ")");
    }

    /** What a staging bucket ferry creates needs: its region and ownership read, made, emptied check, deleted. */
    public static List<Permission> permissions(IamPolicy.Scope scope, String address, Attributes arguments) {
        List<String> bucket = List.of(scope.bucket(arguments.optionalText("bucket")));
        String why = address + " creates the staging bucket and deletes it when it goes";
        List<Permission> needed = new java.util.ArrayList<>();
        for (String action : List.of("s3:CreateBucket", "s3:DeleteBucket", "s3:ListBucket", "s3:GetBucketLocation",
                "s3:GetBucketOwnershipControls", "s3:PutBucketOwnershipControls")) {
            needed.add(Permission.of(action, bucket, why));
        }
        return needed;
    }
}
