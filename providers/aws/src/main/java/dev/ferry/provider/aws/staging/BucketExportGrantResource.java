package dev.ferry.provider.aws.staging;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.engine.FerryException;
import dev.ferry.engine.provider.ApplyContext;
import dev.ferry.engine.provider.Observation;
import dev.ferry.engine.provider.Operation;
import dev.ferry.engine.provider.Outcome;
import dev.ferry.engine.provider.PlanRequest;
import dev.ferry.engine.provider.PlanResult;
import dev.ferry.engine.provider.RefreshRequest;
import dev.ferry.engine.provider.ResourceSchema;
import dev.ferry.engine.provider.Note;
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
import software.amazon.awssdk.services.s3.model.GetBucketAclResponse;
import software.amazon.awssdk.services.s3.model.Grant;
import software.amazon.awssdk.services.s3.model.Grantee;
import software.amazon.awssdk.services.s3.model.Permission;
import software.amazon.awssdk.services.s3.model.Type;

/**
 * {@code aws_s3_bucket_export_grant}: the ACL grant CreateInstanceExportTask writes through (WRITE and
 * READ_ACP for the VM Import/Export account of the region). The bucket's ACL is merged, never replaced:
 * ferry records which of the two grants it added, and destroy takes back exactly those, so a bucket
 * ferry did not create ends with the ACL it had. One grant serves every export of the file.
 */
public final class BucketExportGrantResource extends AwsResource {

    public static final String NAME = "aws_s3_bucket_export_grant";
    private static final List<Permission> NEEDED = List.of(Permission.WRITE, Permission.READ_ACP);

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

    /** The canonical id VM Import/Export writes instance exports with in {@code region}. */
    public static String exportAccount(String region) {
        return EXPORT_ACCOUNTS.getOrDefault(region, EXPORT_ACCOUNT_ELSEWHERE);
    }


    private final Buckets buckets;

    public BucketExportGrantResource(AwsClients clients, AwsCalls calls, Buckets buckets) {
        super(NAME, ResourceSchema.IMMUTABLE, clients, calls);
        this.buckets = requireNonNull(buckets, "buckets is null");
    }

    @Override
    public PlanResult plan(PlanRequest request) {
        Attributes desired = request.desired();
        List<String> errors = new ArrayList<>();
        List<Note> notes = new ArrayList<>();
        Attributes planned = desired.with("grantee", Json.MAPPER.getNodeFactory().textNode(exportAccount(clients.regionName())));
        if (desired.isKnown("bucket")) {
            String bucket = desired.text("bucket");
            Buckets.Facts facts = buckets.facts(bucket);
            if (facts.exists() && !facts.ownedElsewhere() && request.prior().isEmpty()) {
                enforced(bucket).ifPresent(errors::add);
            }
            if (request.prior().isEmpty()) {
                notes.add(Note.info("adds WRITE and READ_ACP for the VM Import/Export account to the ACL of " + bucket
                        + " (CreateInstanceExportTask writes through it); destroy takes back exactly the grants ferry added"));
            }
        }
        return new PlanResult(planned, Json.object(), notes, errors);
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
    public Outcome create(ApplyContext context) {
        String bucket = context.arguments().text("bucket");
        String account = exportAccount(clients.regionName());
        enforced(bucket).ifPresent(problem -> {
            throw new FerryException(problem);
        });
        GetBucketAclResponse acl = acl(bucket);
        List<Grant> grants = new ArrayList<>(acl.grants());
        List<String> added = new ArrayList<>();
        Grantee grantee = Grantee.builder().type(Type.CANONICAL_USER).id(account).build();
        for (Permission permission : NEEDED) {
            if (!has(acl.grants(), account, permission)) {
                grants.add(Grant.builder().grantee(grantee).permission(permission).build());
                added.add(permission.toString());
            }
        }
        if (!added.isEmpty()) {
            context.progress("granting the VM Import/Export account " + String.join(" and ", added) + " on " + bucket);
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
        return new Outcome.Done(bucket, outputs(bucket, account, added));
    }

    private static ObjectNode outputs(String bucket, String account, List<String> added) {
        ObjectNode outputs = Json.object().put("bucket", bucket).put("grantee", account);
        outputs.set("added", Json.array(added));
        return outputs;
    }

    private GetBucketAclResponse acl(String bucket) {
        return calls.call("S3 GetBucketAcl " + bucket, () -> clients.s3().getBucketAcl(r -> r.bucket(bucket)));
    }

    private static boolean has(List<Grant> grants, String account, Permission permission) {
        return grants.stream().anyMatch(grant -> grant.grantee() != null && account.equals(grant.grantee().id())
                && (grant.permission() == permission || grant.permission() == Permission.FULL_CONTROL));
    }

    @Override
    public Outcome update(ApplyContext context) {
        throw new IllegalStateException(NAME + " is replaced, never updated");
    }

    @Override
    public Outcome delete(ApplyContext context) {
        String bucket = context.prior().orElseThrow().id();
        if (buckets.gone(bucket)) {
            return new Outcome.Deleted();
        }
        String account = context.prior().get().outputs().path("grantee").asText(exportAccount(clients.regionName()));
        List<String> added = Json.strings(context.prior().get().outputs().get("added"));
        GetBucketAclResponse acl = acl(bucket);
        List<Grant> kept = acl.grants().stream().filter(grant -> !(grant.grantee() != null && account.equals(grant.grantee().id())
                && added.contains(grant.permissionAsString()))).toList();
        if (kept.size() != acl.grants().size()) {
            context.progress("taking back the VM Import/Export account's " + String.join(" and ", added) + " on " + bucket);
            calls.run("S3 PutBucketAcl " + bucket, () -> clients.s3().putBucketAcl(r -> r.bucket(bucket)
                    .accessControlPolicy(p -> p.owner(acl.owner()).grants(kept))));
        }
        return new Outcome.Deleted();
    }

    @Override
    public Map<ResourceAddress, Observation> refresh(List<RefreshRequest> requests) {
        Map<ResourceAddress, Observation> observed = new HashMap<>();
        requests.forEach(request -> observed.put(request.address(), observe(request)));
        return observed;
    }

    /** Still there while the bucket is and it holds both grants; gone (to be made again) otherwise. */
    private Observation observe(RefreshRequest request) {
        String bucket = request.id();
        if (buckets.gone(bucket)) {
            return new Observation.Gone();
        }
        String account = request.outputs().path("grantee").asText(exportAccount(clients.regionName()));
        List<Grant> grants = acl(bucket).grants();
        return NEEDED.stream().allMatch(permission -> has(grants, account, permission))
                ? new Observation.Exists(Json.object(), request.outputs().deepCopy()) : new Observation.Gone();
    }

    @Override
    public Optional<Found> findExisting(Identity identity, Attributes arguments) {
        return Optional.empty();
    }

    @Override
    public Outcome poll(ApplyContext context, Operation operation) {
        throw new IllegalStateException(NAME + " has no long operations (asked to follow " + operation.id() + ")");
    }

    /** What the ACL grant for instance exports needs: the bucket's region and ownership, and its ACL read and written. */
    public static List<dev.ferry.engine.permission.Permission> permissions(IamPolicy.Scope scope, String address, Attributes arguments) {
        List<String> bucket = List.of(scope.bucket(arguments.optionalText("bucket")));
        String why = address + " grants the instance export service write access to the bucket";
        List<dev.ferry.engine.permission.Permission> needed = new java.util.ArrayList<>();
        for (String action : List.of("s3:GetBucketLocation", "s3:GetBucketOwnershipControls", "s3:GetBucketAcl", "s3:PutBucketAcl")) {
            needed.add(dev.ferry.engine.permission.Permission.of(action, bucket, why));
        }
        return needed;
    }
}
