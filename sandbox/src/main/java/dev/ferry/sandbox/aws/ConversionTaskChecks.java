package dev.ferry.sandbox.aws;

import dev.ferry.sandbox.world.Bucket;
import dev.ferry.sandbox.world.IamRole;
import dev.ferry.sandbox.world.World;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What VM Import/Export checks before it starts a conversion task: the region's limit of active tasks, the
 * service role's trust and permissions, and the bucket.
 */
final class ConversionTaskChecks {

    private static final String VMIE = "vmie.amazonaws.com";

    private ConversionTaskChecks() {
    }

    static void requireCapacity(World w) {
        if (w.conversions().activeConversionTasks() >= World.MAX_ACTIVE_CONVERSION_TASKS) {
            throw AwsException.badRequest("ResourceCountLimitExceeded",
                    "You have exceeded the maximum number of concurrent conversion tasks ("
                            + World.MAX_ACTIVE_CONVERSION_TASKS + ") for this region. Wait for active import and "
                            + "export tasks to complete, then try again.");
        }
    }

    /** The VM Import/Export service role must trust vmie.amazonaws.com and allow what the task does in S3. */
    static void requireServiceRole(World w, String roleName, List<Map.Entry<String, String>> needed) {
        AwsException refused = AwsException.badRequest("InvalidParameter", "The service role <" + roleName
                + "> provided does not exist or does not have sufficient permissions");
        IamRole role = w.roles().get(roleName);
        if (role == null) {
            throw refused;
        }
        PolicyDocument trust = PolicyDocument.parse(role.assumeRolePolicyDocument(), PolicyDocument.Kind.TRUST,
                "MalformedPolicyDocument", null);
        if (!trust.trusts(VMIE)) {
            throw refused;
        }
        List<PolicyDocument> policies = role.inlinePolicies().values().stream()
                .map(p -> PolicyDocument.parse(p, PolicyDocument.Kind.IDENTITY, "MalformedPolicyDocument", null))
                .toList();
        for (Map.Entry<String, String> permission : needed) {
            boolean allowed = policies.stream().anyMatch(p -> p.allows(permission.getKey(), permission.getValue()));
            if (!allowed) {
                throw AwsException.badRequest("InvalidParameter", "The service role <" + roleName
                        + "> provided does not exist or does not have sufficient permissions (it must allow "
                        + permission.getKey() + " on " + permission.getValue() + ")");
            }
        }
    }

    /** Permissions to check, in the order given (so the first one missing is the one reported). */
    static List<Map.Entry<String, String>> ordered(String... actionsAndResources) {
        List<Map.Entry<String, String>> result = new ArrayList<>();
        for (int i = 0; i < actionsAndResources.length; i += 2) {
            result.add(Map.entry(actionsAndResources[i], actionsAndResources[i + 1]));
        }
        return result;
    }

    static Bucket requireBucket(World w, String bucket) {
        Bucket b = w.s3().buckets().get(bucket);
        if (b == null) {
            throw AwsException.badRequest("InvalidParameter", "The given S3 bucket '" + bucket + "' does not exist");
        }
        if (!b.region().equals(w.region())) {
            throw AwsException.badRequest("InvalidParameter", "The given S3 bucket '" + bucket + "' is in region "
                    + b.region() + ", not " + w.region());
        }
        return b;
    }

    /** What VM Import/Export does in EC2 to register an image of several disks. */
    static List<String> multiDiskPermissions(World w) {
        return List.of("ec2:RegisterImage", "arn:aws:ec2:" + w.region() + "::image/*",
                "ec2:CopySnapshot", "arn:aws:ec2:" + w.region() + "::snapshot/*");
    }
}
