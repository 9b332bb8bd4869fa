package dev.ferry.sandbox.aws;

import dev.ferry.sandbox.MigrationSetup;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PolicyDocumentTest {

    @Test
    void evaluatesActionsAndResourcesWithWildcardsAndDenies() {
        PolicyDocument policy = PolicyDocument.parse(MigrationSetup.rolePolicy("staging"),
                PolicyDocument.Kind.IDENTITY, "MalformedPolicyDocument", null);
        assertThat(policy.allows("s3:PutObject", "arn:aws:s3:::staging/exports/a.raw")).isTrue();
        assertThat(policy.allows("s3:GetBucketLocation", "arn:aws:s3:::staging")).isTrue();
        assertThat(policy.allows("s3:PutObject", "arn:aws:s3:::staging")).isFalse();
        assertThat(policy.allows("s3:PutObject", "arn:aws:s3:::other/a")).isFalse();
        assertThat(policy.allows("ec2:DescribeImages", "*")).isTrue();

        PolicyDocument denied = PolicyDocument.parse("""
                {"Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"},\
                {"Effect":"Deny","Action":"s3:DeleteObject","Resource":"*"}]}""",
                PolicyDocument.Kind.IDENTITY, "MalformedPolicyDocument", null);
        assertThat(denied.allows("s3:GetObject", "arn:aws:s3:::b/k")).isTrue();
        assertThat(denied.allows("s3:DeleteObject", "arn:aws:s3:::b/k")).isFalse();
    }

    @Test
    void readsTrustPoliciesForServicePrincipals() {
        PolicyDocument trust = PolicyDocument.parse(MigrationSetup.TRUST_POLICY, PolicyDocument.Kind.TRUST,
                "MalformedPolicyDocument", null);
        assertThat(trust.trusts("vmie.amazonaws.com")).isTrue();
        assertThat(trust.trusts("ec2.amazonaws.com")).isFalse();
        assertThatThrownBy(() -> PolicyDocument.parse("""
                {"Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*",\
                "Principal":{"Service":"vmie.amazonaws.com"}}]}""", PolicyDocument.Kind.TRUST,
                "MalformedPolicyDocument", null)).hasMessageContaining("Resource");
    }

    @Test
    void globsLikeIam() {
        assertThat(PolicyDocument.glob("arn:aws:s3:::b/*", "arn:aws:s3:::b/x/y")).isTrue();
        assertThat(PolicyDocument.glob("s3:Get*", "s3:GetObject")).isTrue();
        assertThat(PolicyDocument.glob("s3:?etObject", "s3:GetObject")).isTrue();
        assertThat(PolicyDocument.glob("s3:Get*", "s3:PutObject")).isFalse();
        assertThat(PolicyDocument.glob("*", "")).isTrue();
    }
}
