package dev.ferry.sandbox.world;

import java.time.Instant;
import java.util.Map;

import static java.util.Objects.requireNonNull;

/** An IAM role with its inline policies (name to document, as JSON text). */
public record IamRole(String name, String roleId, String arn, String path, String assumeRolePolicyDocument,
                      String description, Instant created, int maxSessionDuration,
                      Map<String, String> inlinePolicies, Map<String, String> tags) {
    public IamRole {
        requireNonNull(name, "name is null");
        requireNonNull(roleId, "roleId is null");
        requireNonNull(arn, "arn is null");
        requireNonNull(path, "path is null");
        requireNonNull(assumeRolePolicyDocument, "assumeRolePolicyDocument is null");
        requireNonNull(created, "created is null");
        inlinePolicies = Tags.copy(inlinePolicies);
        tags = Tags.copy(tags);
    }

    public IamRole withInlinePolicies(Map<String, String> policies) {
        return new IamRole(name, roleId, arn, path, assumeRolePolicyDocument, description, created,
                maxSessionDuration, policies, tags);
    }
}
