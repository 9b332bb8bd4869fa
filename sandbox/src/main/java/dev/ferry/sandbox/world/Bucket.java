package dev.ferry.sandbox.world;

import java.time.Instant;
import java.util.List;

import static java.util.Objects.requireNonNull;

/**
 * An S3 bucket.
 *
 * @param objectOwnership {@code BucketOwnerEnforced} (ACLs disabled, the default for new buckets),
 *                        {@code BucketOwnerPreferred} or {@code ObjectWriter}
 * @param policy          the bucket policy document, or null
 * @param versioning      {@code Enabled} or {@code Suspended}, or null for a bucket that never had versioning
 */
public record Bucket(String name, String region, Instant created, String objectOwnership, String policy,
                     List<Grant> acl, String versioning) {
    public Bucket {
        requireNonNull(name, "name is null");
        requireNonNull(region, "region is null");
        requireNonNull(created, "created is null");
        requireNonNull(objectOwnership, "objectOwnership is null");
        acl = List.copyOf(acl);
    }

    public Bucket(String name, String region, Instant created, String objectOwnership, String policy,
                  List<Grant> acl) {
        this(name, region, created, objectOwnership, policy, acl, null);
    }

    public boolean aclsDisabled() {
        return objectOwnership.equals("BucketOwnerEnforced");
    }

    public Bucket withPolicy(String newPolicy) {
        return new Bucket(name, region, created, objectOwnership, newPolicy, acl, versioning);
    }

    public Bucket withAcl(List<Grant> newAcl) {
        return new Bucket(name, region, created, objectOwnership, policy, newAcl, versioning);
    }

    public Bucket withObjectOwnership(String ownership) {
        return new Bucket(name, region, created, ownership, policy, acl, versioning);
    }

    public Bucket withVersioning(String status) {
        return new Bucket(name, region, created, objectOwnership, policy, acl, status);
    }
}
