package dev.ferry.provider.aws.staging;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.NullNode;
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
import dev.ferry.provider.aws.client.Ec2Tags;
import dev.ferry.provider.aws.client.IamPolicy;
import dev.ferry.provider.aws.client.Json;
import dev.ferry.provider.aws.task.AwsResource;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import software.amazon.awssdk.services.iam.model.Role;
import software.amazon.awssdk.services.iam.model.Tag;

/**
 * {@code aws_iam_role}: the VM Import/Export service role ({@code vmimport}). Its trust policy lets
 * {@code vmie.amazonaws.com} assume it with {@code sts:Externalid = vmimport}; ferry's permissions live
 * in one inline policy of ferry's own ({@code ferry-vmimport-BUCKET}), least privilege and exact about
 * ARNs: bucket-level S3 actions on the bucket, object actions on its objects, and the EC2 actions an
 * import or export needs (RegisterImage and CopySnapshot also register images of several disks). A role
 * that exists already is adopted: the plan says what ferry adds, and ferry never removes or rewrites
 * a statement or policy it did not write.
 */
public final class VmImportRoleResource extends AwsResource {

    public static final String NAME = "aws_iam_role";
    static final String EXTERNAL_ID = "vmimport";
    /** The operation that finishes a role an interrupted run created. */
    private static final String FINISH_CREATE = "finish-create-role-";


    public VmImportRoleResource(AwsClients clients, AwsCalls calls) {
        super(NAME, new ResourceSchema(Set.of("bucket", "policy", "trust_statement", "policy_name")), clients, calls);
    }

    static String policyName(String bucket) {
        String name = "ferry-vmimport-" + bucket;
        return name.length() <= 128 ? name : name.substring(0, 128);
    }

    /** The trust statement VM Import/Export needs. */
    static ObjectNode trustStatement() {
        ObjectNode statement = Json.object().put("Sid", "FerryVmImportExport").put("Effect", "Allow");
        statement.putObject("Principal").put("Service", BucketPolicyResource.VMIE);
        statement.put("Action", "sts:AssumeRole");
        statement.putObject("Condition").putObject("StringEquals").put("sts:Externalid", EXTERNAL_ID);
        return statement;
    }

    /** Ferry's permissions policy for a staging bucket. */
    static ObjectNode policy(String partition, String bucket) {
        ObjectNode document = Json.object().put("Version", "2012-10-17");
        ArrayNode statements = document.putArray("Statement");
        ObjectNode onBucket = statements.addObject().put("Sid", "StagingBucket").put("Effect", "Allow");
        onBucket.set("Action", Json.array(List.of("s3:GetBucketLocation", "s3:ListBucket", "s3:GetBucketAcl")));
        onBucket.put("Resource", Buckets.arn(partition, bucket));
        ObjectNode onObjects = statements.addObject().put("Sid", "StagingObjects").put("Effect", "Allow");
        onObjects.set("Action", Json.array(List.of("s3:GetObject", "s3:PutObject")));
        onObjects.put("Resource", Buckets.arn(partition, bucket) + "/*");
        ObjectNode ec2 = statements.addObject().put("Sid", "ImagesAndSnapshots").put("Effect", "Allow");
        ec2.set("Action", Json.array(List.of("ec2:ModifySnapshotAttribute", "ec2:CopySnapshot", "ec2:RegisterImage", "ec2:Describe*")));
        ec2.put("Resource", "*");
        return document;
    }

    @Override
    public PlanResult plan(PlanRequest request) {
        Attributes desired = request.desired();
        String roleName = desired.text("name");
        String bucket = desired.text("bucket");
        String policyName = policyName(bucket);
        ObjectNode policy = policy(Buckets.partition(clients.regionName()), bucket);
        Attributes planned = desired.with("policy_name", Json.MAPPER.getNodeFactory().textNode(policyName))
                .with("policy", policy)
                .with("trust_statement", trustStatement());
        List<Note> notes = new ArrayList<>();
        ObjectNode known = Json.object().put("name", roleName).put("policy_name", policyName);
        if (request.prior().isEmpty()) {
            Optional<Role> role = getRole(roleName);
            if (role.isPresent()) {
                known.put("arn", role.get().arn());
                notes.addAll(adoptionNotes(role.get(), policyName, policy));
            }
        }
        return new PlanResult(planned, known, notes, List.of());
    }

    /** What adopting an existing role changes in it, for the plan. */
    private List<Note> adoptionNotes(Role role, String policyName, ObjectNode policy) {
        List<Note> notes = new ArrayList<>();
        List<String> inline = calls.call("IAM ListRolePolicies " + role.roleName(),
                () -> clients.iam().listRolePolicies(r -> r.roleName(role.roleName())).policyNames());
        List<String> others = inline.stream().filter(name -> !name.equals(policyName)).toList();
        Optional<JsonNode> current = inline.contains(policyName) ? inlinePolicy(role.roleName(), policyName) : Optional.empty();
        String what = "S3 GetBucketLocation, ListBucket and GetBucketAcl on the bucket, GetObject and PutObject on its objects;"
                + " EC2 ModifySnapshotAttribute, CopySnapshot, RegisterImage and Describe*";
        if (current.isEmpty()) {
            notes.add(Note.warning("role " + role.roleName() + " exists and was not made by this state: ferry adopts it and adds its"
                    + " inline policy '" + policyName + "' (" + what + ")" + (others.isEmpty() ? ""
                    : "; its other inline policies (" + String.join(", ", others) + ") stay as they are")));
        } else if (!current.get().equals(policy)) {
            notes.add(Note.warning("role " + role.roleName() + " exists: ferry rewrites its own inline policy '" + policyName
                    + "' to " + what + (others.isEmpty() ? "" : "; the other inline policies (" + String.join(", ", others)
                    + ") stay as they are")));
        } else {
            notes.add(Note.info("role " + role.roleName() + " exists and already has ferry's inline policy '" + policyName + "'"));
        }
        Trust trust = trust(role);
        switch (trust) {
            case TRUSTED -> { }
            case TRUSTED_WITHOUT_EXTERNAL_ID -> notes.add(Note.warning("the trust policy of " + role.roleName()
                    + " lets vmie.amazonaws.com assume it without the condition sts:Externalid = vmimport; ferry leaves it as it is"));
            case NOT_TRUSTED -> notes.add(Note.warning("the trust policy of " + role.roleName() + " does not let vmie.amazonaws.com"
                    + " assume it: ferry adds the statement FerryVmImportExport (sts:AssumeRole with sts:Externalid = vmimport)"
                    + " and keeps its other statements"));
        }
        return notes;
    }

    enum Trust { TRUSTED, TRUSTED_WITHOUT_EXTERNAL_ID, NOT_TRUSTED }

    static Trust trust(Role role) {
        return trust(Json.parse(decode(role.assumeRolePolicyDocument())));
    }

    static Trust trust(JsonNode document) {
        Trust best = Trust.NOT_TRUSTED;
        for (JsonNode statement : statements(document)) {
            if (!"Allow".equals(statement.path("Effect").asText())
                    || !Json.strings(statement.path("Principal").get("Service")).contains(BucketPolicyResource.VMIE)
                    || Json.strings(statement.get("Action")).stream().noneMatch(a -> a.equals("sts:AssumeRole") || a.equals("sts:*")
                    || a.equals("*"))) {
                continue;
            }
            JsonNode equals = statement.path("Condition").path("StringEquals");
            for (Map.Entry<String, JsonNode> field : equals.properties()) {
                if (field.getKey().toLowerCase(Locale.ROOT).equals("sts:externalid") && Json.strings(field.getValue()).contains(EXTERNAL_ID)) {
                    return Trust.TRUSTED;
                }
            }
            best = Trust.TRUSTED_WITHOUT_EXTERNAL_ID;
        }
        return best;
    }

    private static List<JsonNode> statements(JsonNode document) {
        List<JsonNode> list = new ArrayList<>();
        JsonNode statement = document.path("Statement");
        if (statement.isArray()) {
            statement.forEach(list::add);
        } else if (statement.isObject()) {
            list.add(statement);
        }
        return list;
    }

    /** IAM returns policy documents URL-encoded. */
    static String decode(String document) {
        return document == null ? "{}" : URLDecoder.decode(document, StandardCharsets.UTF_8);
    }

    private Optional<Role> getRole(String name) {
        try {
            return Optional.of(calls.call("IAM GetRole " + name, () -> clients.iam().getRole(r -> r.roleName(name)).role()));
        } catch (FerryException e) {
            if (AwsCalls.missing(e.getCause(), "NoSuchEntity")) {
                return Optional.empty();
            }
            throw e;
        }
    }

    private Optional<JsonNode> inlinePolicy(String roleName, String policyName) {
        try {
            String document = calls.call("IAM GetRolePolicy " + roleName, () -> clients.iam()
                    .getRolePolicy(r -> r.roleName(roleName).policyName(policyName)).policyDocument());
            return Optional.of(Json.parse(decode(document)));
        } catch (FerryException e) {
            if (AwsCalls.missing(e.getCause(), "NoSuchEntity")) {
                return Optional.empty();
            }
            throw e;
        }
    }

    @Override
    public Outcome create(ApplyContext context) {
        Attributes arguments = context.arguments();
        String roleName = arguments.text("name");
        Identity identity = context.identity();
        ObjectNode trustDocument = Json.object().put("Version", "2012-10-17");
        trustDocument.putArray("Statement").add(arguments.get("trust_statement"));
        List<Tag> tags = new ArrayList<>();
        Ec2Tags.of(identity, Map.of()).forEach((key, value) -> tags.add(Tag.builder().key(key).value(value).build()));
        boolean created;
        try {
            calls.once("IAM CreateRole " + roleName, () -> clients.iam().createRole(r -> r.roleName(roleName)
                    .assumeRolePolicyDocument(Json.write(trustDocument))
                    .description("VM Import/Export service role (managed by ferry)")
                    .tags(tags)));
            created = true;
        } catch (FerryException e) {
            if (!AwsCalls.hasCode(e.getCause(), "EntityAlreadyExists") && !AwsCalls.answerLost(e)) {
                throw e;
            }
            // A role carrying this incarnation's token was made by an earlier attempt whose answer was lost.
            created = findExisting(identity, arguments).isPresent();
            if (!created && getRole(roleName).isEmpty()) {
                throw e;
            }
        }
        boolean trustExtended = !created && ensureTrust(roleName, arguments.get("trust_statement"));
        putPolicy(roleName, arguments);
        return new Outcome.Done(roleName, outputs(roleName, arguments.text("policy_name"), created, trustExtended));
    }

    /** Adds ferry's trust statement to an adopted role that lacks one; true when it did. */
    private boolean ensureTrust(String roleName, JsonNode statement) {
        Role role = getRole(roleName).orElseThrow(() -> new FerryException("role " + roleName + " vanished while ferry adopted it"));
        JsonNode document = Json.parse(decode(role.assumeRolePolicyDocument()));
        if (trust(document) != Trust.NOT_TRUSTED) {
            return false;
        }
        ObjectNode extended = document.isObject() ? ((ObjectNode) document).deepCopy() : Json.object().put("Version", "2012-10-17");
        ArrayNode list = Json.MAPPER.createArrayNode();
        statements(document).forEach(list::add);
        list.add(statement);
        extended.set("Statement", list);
        calls.run("IAM UpdateAssumeRolePolicy " + roleName, () -> clients.iam().updateAssumeRolePolicy(r -> r.roleName(roleName)
                .policyDocument(Json.write(extended))));
        return true;
    }

    private void putPolicy(String roleName, Attributes arguments) {
        String policyName = arguments.text("policy_name");
        String document = Json.write(arguments.get("policy"));
        calls.run("IAM PutRolePolicy " + roleName, () -> clients.iam().putRolePolicy(r -> r.roleName(roleName).policyName(policyName)
                .policyDocument(document)));
    }

    private ObjectNode outputs(String roleName, String policyName, boolean created, boolean trustExtended) {
        Optional<Role> role = getRole(roleName);
        ObjectNode outputs = Json.object().put("name", roleName).put("policy_name", policyName)
                .put("created_by_ferry", created).put("trust_extended", trustExtended);
        role.ifPresent(r -> outputs.put("arn", r.arn()));
        return outputs;
    }

    @Override
    public Outcome update(ApplyContext context) {
        String roleName = context.prior().orElseThrow().id();
        Attributes arguments = context.arguments();
        JsonNode priorOutputs = context.prior().get().outputs();
        boolean created = priorOutputs.path("created_by_ferry").asBoolean(false);
        boolean trustExtended = ensureTrust(roleName, arguments.get("trust_statement")) || priorOutputs.path("trust_extended").asBoolean(false);
        String oldPolicy = priorOutputs.path("policy_name").asText("");
        if (!oldPolicy.isEmpty() && !oldPolicy.equals(arguments.text("policy_name"))) {
            deletePolicy(roleName, oldPolicy);
        }
        putPolicy(roleName, arguments);
        return new Outcome.Done(roleName, outputs(roleName, arguments.text("policy_name"), created, trustExtended));
    }

    @Override
    public Map<ResourceAddress, Observation> refresh(List<RefreshRequest> requests) {
        Map<ResourceAddress, Observation> observed = new HashMap<>();
        for (RefreshRequest request : requests) {
            Optional<Role> role = getRole(request.id());
            if (role.isEmpty()) {
                observed.put(request.address(), new Observation.Gone());
                continue;
            }
            String policyName = request.arguments().path("policy_name").asText(request.outputs().path("policy_name").asText(""));
            ObjectNode arguments = Json.object();
            arguments.set("policy", inlinePolicy(request.id(), policyName).orElse(NullNode.getInstance()));
            arguments.set("trust_statement", trust(role.get()) == Trust.NOT_TRUSTED ? NullNode.getInstance() : trustStatement());
            ObjectNode outputs = request.outputs().deepCopy();
            outputs.put("name", request.id()).put("arn", role.get().arn());
            if (!outputs.has("policy_name")) {
                outputs.put("policy_name", policyName);
            }
            observed.put(request.address(), new Observation.Exists(arguments, outputs));
        }
        return observed;
    }

    /**
     * A role carrying this incarnation's token was made by an interrupted run: ferry made it (so destroy deletes
     * it), but the run may have died before it put the inline policy, which {@link #poll} finishes.
     */
    @Override
    public Optional<Found> findExisting(Identity identity, Attributes arguments) {
        return getRole(arguments.text("name"))
                .filter(role -> role.tags().stream().anyMatch(tag -> tag.key().equals(Identity.TOKEN_TAG) && tag.value().equals(identity.token())))
                .map(role -> new Found(role.roleName(), Optional.of(new Operation(Operation.CREATE, FINISH_CREATE + role.roleName(),
                        Optional.of(role.roleName()), "adopting", Json.object()))));
    }

    @Override
    public Outcome delete(ApplyContext context) {
        String roleName = context.prior().orElseThrow().id();
        JsonNode outputs = context.prior().get().outputs();
        if (getRole(roleName).isEmpty()) {
            return new Outcome.Deleted();
        }
        String policyName = outputs.path("policy_name").asText(context.prior().get().arguments().path("policy_name").asText(""));
        if (!policyName.isEmpty()) {
            deletePolicy(roleName, policyName);
        }
        if (outputs.path("created_by_ferry").asBoolean(false)) {
            try {
                calls.run("IAM DeleteRole " + roleName, () -> clients.iam().deleteRole(r -> r.roleName(roleName)));
            } catch (FerryException e) {
                if (AwsCalls.hasCode(e.getCause(), "DeleteConflict")) {
                    context.progress("role " + roleName + " has policies or instance profiles ferry did not add: it stays");
                } else if (!AwsCalls.missing(e.getCause(), "NoSuchEntity")) {
                    throw e;
                }
            }
        } else {
            if (outputs.path("trust_extended").asBoolean(false)) {
                removeTrustStatement(roleName);
            }
            context.progress("role " + roleName + " was not created by ferry: only ferry's policy '" + policyName + "' was removed");
        }
        return new Outcome.Deleted();
    }

    private void deletePolicy(String roleName, String policyName) {
        try {
            calls.run("IAM DeleteRolePolicy " + roleName, () -> clients.iam().deleteRolePolicy(r -> r.roleName(roleName).policyName(policyName)));
        } catch (FerryException e) {
            if (!AwsCalls.missing(e.getCause(), "NoSuchEntity")) {
                throw e;
            }
        }
    }

    private void removeTrustStatement(String roleName) {
        Role role = getRole(roleName).orElseThrow();
        JsonNode document = Json.parse(decode(role.assumeRolePolicyDocument()));
        ArrayNode kept = Json.MAPPER.createArrayNode();
        statements(document).stream().filter(s -> !"FerryVmImportExport".equals(s.path("Sid").asText())).forEach(kept::add);
        if (kept.isEmpty() || !document.isObject()) {
            return; // a trust policy cannot be empty; the statement stays rather than leave the role unusable
        }
        ObjectNode updated = ((ObjectNode) document).deepCopy();
        updated.set("Statement", kept);
        calls.run("IAM UpdateAssumeRolePolicy " + roleName, () -> clients.iam().updateAssumeRolePolicy(r -> r.roleName(roleName)
                .policyDocument(Json.write(updated))));
    }

    @Override
    public Outcome poll(ApplyContext context, Operation operation) {
        if (operation.kind().equals(Operation.CREATE) && operation.id().startsWith(FINISH_CREATE)) {
            String roleName = operation.id().substring(FINISH_CREATE.length());
            putPolicy(roleName, context.arguments());
            return new Outcome.Done(roleName, outputs(roleName, context.arguments().text("policy_name"), true, false));
        }
        throw new IllegalStateException("aws_iam_role has no long operations (asked to follow " + operation.id() + ")");
    }

    /** What the vmimport role needs: the role and its inline policy read, made (tagged), brought up to date and deleted. */
    public static List<Permission> permissions(IamPolicy.Scope scope, String address, Attributes arguments) {
        List<String> role = List.of(scope.role(arguments.optionalText("name")));
        String why = address + " keeps the vmimport service role";
        List<Permission> needed = new java.util.ArrayList<>();
        for (String action : List.of("iam:GetRole", "iam:CreateRole", "iam:TagRole", "iam:UpdateAssumeRolePolicy", "iam:ListRolePolicies",
                "iam:GetRolePolicy", "iam:PutRolePolicy", "iam:DeleteRolePolicy", "iam:DeleteRole")) {
            needed.add(Permission.of(action, role, why));
        }
        return needed;
    }
}
