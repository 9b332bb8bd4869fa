package dev.ferry.provider.aws.client;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.engine.permission.Permission;
import dev.ferry.engine.permission.PermissionDocument;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The IAM side of permissions: where an action applies (the ARNs of one partition and region, {@code *} where the ARN is
 * not known from the file) and the identity-based policy document that allows exactly the actions gathered, one
 * statement per set of resources and conditions.
 */
public final class IamPolicy {

    public static final String VERSION = "2012-10-17";

    private IamPolicy() {
    }

    /** ARNs in one region's partition. */
    public record Scope(String partition, String region) {

        public static Scope of(String region) {
            String partition = region.startsWith("cn-") ? "aws-cn" : region.startsWith("us-gov-") ? "aws-us-gov" : "aws";
            return new Scope(partition, region);
        }

        /** The bucket's ARN, or {@code *} when its name is not known from the file. */
        public String bucket(Optional<String> bucket) {
            return bucket.map(name -> "arn:" + partition + ":s3:::" + name).orElse("*");
        }

        /** The ARN of the bucket's objects under {@code prefix} ({@code BUCKET/prefix*}); {@code *} when the bucket is not known. */
        public String objects(Optional<String> bucket, Optional<String> prefix) {
            return bucket.map(name -> "arn:" + partition + ":s3:::" + name + "/" + prefix.orElse("") + "*").orElse("*");
        }

        /** One object's ARN. */
        public String object(String bucket, String key) {
            return "arn:" + partition + ":s3:::" + bucket + "/" + key;
        }

        /** A role of this file's account (the account is not known before ferry connects, hence {@code *}). */
        public String role(Optional<String> name) {
            return name.map(role -> "arn:" + partition + ":iam::*:role/" + role).orElse("*");
        }

        /** The KMS condition that keys may be used only by {@code service} (ec2, ebs) of this region on ferry's behalf. */
        public Map<String, List<String>> viaService(String service) {
            return Map.of("kms:ViaService", List.of(service + "." + region + ".amazonaws.com"));
        }
    }

    /** The policy allowing every one of {@code permissions}, and what each action is for. */
    public static PermissionDocument document(List<Permission> permissions) {
        Map<String, Statement> statements = new LinkedHashMap<>();
        Map<String, Set<String>> purposes = new TreeMap<>();
        for (Permission permission : permissions) {
            List<String> resources = permission.resources().isEmpty() ? List.of("*") : new ArrayList<>(new TreeSet<>(permission.resources()));
            String key = resources + " " + permission.conditions();
            statements.computeIfAbsent(key, k -> new Statement(resources, permission.conditions())).actions.add(permission.action());
            purposes.computeIfAbsent(permission.action(), a -> new LinkedHashSet<>()).add(permission.purpose());
        }
        ObjectNode policy = Json.object().put("Version", VERSION);
        ArrayNode list = policy.putArray("Statement");
        Set<String> sids = new LinkedHashSet<>();
        statements.values().stream()
                .sorted((a, b) -> a.sortKey().compareTo(b.sortKey()))
                .forEach(statement -> list.add(statement.json(sid(statement, sids))));
        List<String> explanations = new ArrayList<>();
        purposes.forEach((action, why) -> explanations.add(action + ": " + String.join("; ", why)));
        return new PermissionDocument("aws", "AWS IAM policy", policy,
                "Attach it to the role or user ferry runs as (aws iam put-role-policy --policy-document file://policy.json).",
                explanations);
    }

    private static String sid(Statement statement, Set<String> taken) {
        StringBuilder base = new StringBuilder("Ferry");
        statement.actions.stream().map(action -> action.substring(0, action.indexOf(':'))).distinct().forEach(service ->
                base.append(service.substring(0, 1).toUpperCase(Locale.ROOT)).append(service.substring(1)));
        String first = statement.resources.get(0);
        if (first.matches("arn:[^:]+:iam:.*")) {
            base.append("Role");
        } else if (first.matches("arn:[^:]+:s3:.*")) {
            base.append(first.contains("/") ? "Objects" : "Bucket");
        }
        // kms:ViaService ec2.REGION.amazonaws.com: "ViaEc2"
        statement.conditions.values().stream().flatMap(List::stream).map(value -> value.split("\\.", 2)[0])
                .filter(service -> service.matches("[a-z0-9]+")).distinct()
                .forEach(service -> base.append("Via").append(service.substring(0, 1).toUpperCase(Locale.ROOT)).append(service.substring(1)));
        String sid = base.toString();
        for (int i = 2; !taken.add(sid); i++) {
            sid = base + Integer.toString(i);
        }
        return sid;
    }

    private static final class Statement {
        final List<String> resources;
        final Map<String, List<String>> conditions;
        final Set<String> actions = new TreeSet<>();

        Statement(List<String> resources, Map<String, List<String>> conditions) {
            this.resources = resources;
            this.conditions = conditions;
        }

        /** Resource "*" first, then by ARN; unconditioned before conditioned. */
        String sortKey() {
            return (resources.equals(List.of("*")) ? "0" : "1") + (conditions.isEmpty() ? "0" : "1") + resources + conditions;
        }

        ObjectNode json(String sid) {
            ObjectNode json = Json.object().put("Sid", sid).put("Effect", "Allow");
            json.set("Action", Json.array(actions));
            json.set("Resource", resources.size() == 1 ? Json.MAPPER.getNodeFactory().textNode(resources.get(0)) : Json.array(resources));
            if (!conditions.isEmpty()) {
                ObjectNode equals = json.putObject("Condition").putObject("StringEquals");
                new TreeMap<>(conditions).forEach((key, values) -> equals.set(key, Json.array(values)));
            }
            return json;
        }
    }
}
