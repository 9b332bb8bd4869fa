package dev.ferry.provider.aws.staging;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
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

/**
 * {@code aws_s3_bucket_policy}: the statements that let VM Import/Export ({@code vmie.amazonaws.com})
 * read the staging bucket and write exports under the prefix, scoped to this account with
 * {@code aws:SourceAccount}. The bucket's policy is merged, never replaced: ferry adds, changes and
 * removes only the statements whose Sid it owns, and leaves every other statement as it found it.
 */
public final class BucketPolicyResource extends AwsResource {

    public static final String NAME = "aws_s3_bucket_policy";
    static final String BUCKET_SID = "FerryVmImportExportBucket";
    static final String OBJECTS_SID = "FerryVmImportExportObjects";
    static final Set<String> SIDS = Set.of(BUCKET_SID, OBJECTS_SID);
    static final String VMIE = "vmie.amazonaws.com";

    private final Buckets buckets;

    public BucketPolicyResource(AwsClients clients, AwsCalls calls, Buckets buckets) {
        super(NAME, new ResourceSchema(Set.of("prefix", "account_id", "statements")), clients, calls);
        this.buckets = requireNonNull(buckets, "buckets is null");
    }

    /** Ferry's statements for {@code bucket}: bucket-level reads on the bucket, object reads and writes under the prefix. */
    static ArrayNode statements(String partition, String bucket, String prefix, String account) {
        ArrayNode statements = Json.MAPPER.createArrayNode();
        ObjectNode onBucket = statements.addObject().put("Sid", BUCKET_SID).put("Effect", "Allow");
        onBucket.putObject("Principal").put("Service", VMIE);
        onBucket.set("Action", Json.array(List.of("s3:GetBucketLocation", "s3:GetBucketAcl", "s3:ListBucket")));
        onBucket.put("Resource", Buckets.arn(partition, bucket));
        onBucket.putObject("Condition").putObject("StringEquals").put("aws:SourceAccount", account);
        ObjectNode onObjects = statements.addObject().put("Sid", OBJECTS_SID).put("Effect", "Allow");
        onObjects.putObject("Principal").put("Service", VMIE);
        onObjects.set("Action", Json.array(List.of("s3:GetObject", "s3:PutObject")));
        onObjects.put("Resource", Buckets.arn(partition, bucket) + "/" + prefix + "*");
        onObjects.putObject("Condition").putObject("StringEquals").put("aws:SourceAccount", account);
        return statements;
    }

    @Override
    public PlanResult plan(PlanRequest request) {
        Attributes desired = request.desired();
        List<String> errors = new ArrayList<>();
        List<Note> notes = new ArrayList<>();
        Attributes planned = desired;
        if (desired.isKnown("bucket") && desired.isKnown("account_id")) {
            String bucket = desired.text("bucket");
            String prefix = desired.optionalText("prefix").orElse("");
            planned = desired.with("statements", statements(Buckets.partition(clients.regionName()), bucket, prefix,
                    desired.text("account_id")));
        } else {
            planned = desired.withUnknown("statements");
        }
        if (desired.isKnown("bucket")) {
            String bucket = desired.text("bucket");
            boolean ferryCreates = desired.find("bucket_managed").map(JsonNode::asBoolean).orElse(false);
            Buckets.Facts facts = buckets.facts(bucket);
            buckets.problem(bucket, clients.regionName()).ifPresent(errors::add);
            if (!facts.exists() && !ferryCreates) {
                errors.add("the staging bucket " + bucket + " does not exist in " + clients.regionName() + ": create it (aws s3 mb s3://"
                        + bucket + " --region " + clients.regionName() + ") or set staging.create: true");
            }
            if (facts.exists() && !facts.ownedElsewhere() && request.prior().isEmpty() && errors.isEmpty()) {
                List<String> others = otherSids(read(bucket));
                if (!others.isEmpty()) {
                    notes.add(Note.info("the policy of " + bucket + " has " + others.size() + " statement(s) ferry did not write ("
                            + String.join(", ", others) + "); ferry adds its own (" + BUCKET_SID + ", " + OBJECTS_SID
                            + ") and leaves them as they are"));
                }
            }
        }
        return new PlanResult(planned, Json.object(), notes, errors);
    }

    private static List<String> otherSids(Optional<ObjectNode> policy) {
        List<String> others = new ArrayList<>();
        policy.ifPresent(document -> document.path("Statement").forEach(statement -> {
            String sid = statement.path("Sid").asText("");
            if (!SIDS.contains(sid)) {
                others.add(sid.isEmpty() ? "(no Sid)" : sid);
            }
        }));
        return others;
    }

    /** The bucket's policy, or empty when it has none. */
    private Optional<ObjectNode> read(String bucket) {
        try {
            String text = calls.call("S3 GetBucketPolicy " + bucket, () -> clients.s3().getBucketPolicy(r -> r.bucket(bucket)).policy());
            JsonNode parsed = Json.parse(text);
            if (!parsed.isObject()) {
                throw new FerryException("the policy of bucket " + bucket + " is not a JSON object");
            }
            ObjectNode document = (ObjectNode) parsed;
            JsonNode statement = document.get("Statement");
            if (statement != null && statement.isObject()) {
                // A single statement may be written without the list around it.
                document.set("Statement", Json.MAPPER.createArrayNode().add(statement));
            }
            return Optional.of(document);
        } catch (FerryException e) {
            if (AwsCalls.missing(e.getCause(), "NoSuchBucketPolicy")) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /** Ferry's statements as the bucket has them now. */
    private static ArrayNode ours(Optional<ObjectNode> policy) {
        ArrayNode found = Json.MAPPER.createArrayNode();
        policy.ifPresent(document -> document.path("Statement").forEach(statement -> {
            if (SIDS.contains(statement.path("Sid").asText(""))) {
                found.add(statement);
            }
        }));
        return found;
    }

    @Override
    public Outcome create(ApplyContext context) {
        return write(context);
    }

    @Override
    public Outcome update(ApplyContext context) {
        return write(context);
    }

    private Outcome write(ApplyContext context) {
        String bucket = context.arguments().text("bucket");
        JsonNode statements = context.arguments().get("statements");
        Optional<ObjectNode> existing = read(bucket);
        ObjectNode document = existing.map(ObjectNode::deepCopy).orElseGet(() -> Json.object().put("Version", "2012-10-17"));
        ArrayNode merged = Json.MAPPER.createArrayNode();
        document.path("Statement").forEach(statement -> {
            if (!SIDS.contains(statement.path("Sid").asText(""))) {
                merged.add(statement);
            }
        });
        statements.forEach(merged::add);
        document.set("Statement", merged);
        String text = Json.write(document);
        context.progress("adding ferry's statements to the policy of " + bucket);
        calls.run("S3 PutBucketPolicy " + bucket, () -> clients.s3().putBucketPolicy(r -> r.bucket(bucket).policy(text)));
        return new Outcome.Done(bucket, outputs(bucket, merged.size() - statements.size()));
    }

    private static ObjectNode outputs(String bucket, int others) {
        ObjectNode outputs = Json.object().put("bucket", bucket).put("other_statements", others);
        outputs.set("sids", Json.array(List.of(BUCKET_SID, OBJECTS_SID)));
        return outputs;
    }

    @Override
    public Map<ResourceAddress, Observation> refresh(List<RefreshRequest> requests) {
        Map<ResourceAddress, Observation> observed = new HashMap<>();
        for (RefreshRequest request : requests) {
            String bucket = request.id();
            if (buckets.gone(bucket)) {
                observed.put(request.address(), new Observation.Gone());
                continue;
            }
            Optional<ObjectNode> policy = read(bucket);
            ArrayNode ours = ours(policy);
            if (ours.isEmpty()) {
                observed.put(request.address(), new Observation.Gone());
                continue;
            }
            ObjectNode arguments = Json.object();
            arguments.set("statements", ours);
            observed.put(request.address(), new Observation.Exists(arguments, outputs(bucket, otherSids(policy).size())));
        }
        return observed;
    }

    @Override
    public Optional<Found> findExisting(Identity identity, Attributes arguments) {
        String bucket = arguments.text("bucket");
        if (buckets.gone(bucket)) {
            return Optional.empty();
        }
        return ours(read(bucket)).isEmpty() ? Optional.empty() : Optional.of(new Found(bucket, Optional.empty()));
    }

    @Override
    public Outcome delete(ApplyContext context) {
        String bucket = context.prior().orElseThrow().id();
        if (buckets.gone(bucket)) {
            return new Outcome.Deleted();
        }
        Optional<ObjectNode> existing = read(bucket);
        if (existing.isEmpty()) {
            return new Outcome.Deleted();
        }
        ArrayNode kept = Json.MAPPER.createArrayNode();
        existing.get().path("Statement").forEach(statement -> {
            if (!SIDS.contains(statement.path("Sid").asText(""))) {
                kept.add(statement);
            }
        });
        context.progress("removing ferry's statements from the policy of " + bucket);
        if (kept.isEmpty()) {
            calls.run("S3 DeleteBucketPolicy " + bucket, () -> clients.s3().deleteBucketPolicy(r -> r.bucket(bucket)));
        } else {
            ObjectNode document = existing.get().deepCopy();
            document.set("Statement", kept);
            String text = Json.write(document);
            calls.run("S3 PutBucketPolicy " + bucket, () -> clients.s3().putBucketPolicy(r -> r.bucket(bucket).policy(text)));
        }
        return new Outcome.Deleted();
    }

    @Override
    public Outcome poll(ApplyContext context, Operation operation) {
        throw new IllegalStateException("aws_s3_bucket_policy has no long operations (asked to follow " + operation.id() + ")");
    }

    /** What the staging bucket's policy needs: the bucket's region and ownership, and its policy read, written, deleted. */
    public static List<Permission> permissions(IamPolicy.Scope scope, String address, Attributes arguments) {
        List<String> bucket = List.of(scope.bucket(arguments.optionalText("bucket")));
        String why = address + " lets VM Import/Export write to the staging bucket";
        List<Permission> needed = new java.util.ArrayList<>();
        for (String action : List.of("s3:GetBucketLocation", "s3:GetBucketOwnershipControls", "s3:GetBucketPolicy", "s3:PutBucketPolicy",
                "s3:DeleteBucketPolicy")) {
            needed.add(Permission.of(action, bucket, why));
        }
        return needed;
    }
}
