package dev.ferry.sandbox.world;

import static java.util.Objects.requireNonNull;

/**
 * One S3 ACL grant.
 *
 * @param granteeType {@code CanonicalUser} or {@code Group} (grants by e-mail are stored as the
 *                    canonical user the address belongs to, as S3 does)
 * @param permission  {@code FULL_CONTROL}, {@code WRITE}, {@code WRITE_ACP}, {@code READ}, {@code READ_ACP}
 */
public record Grant(String granteeType, String id, String displayName, String uri, String permission) {
    public Grant {
        requireNonNull(granteeType, "granteeType is null");
        requireNonNull(permission, "permission is null");
    }
}
