package dev.ferry.sandbox;

import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.BucketLocationConstraint;

/** What ferry sets up before an export or import: the staging bucket and the vmimport service role. */
public final class MigrationSetup {

    public static final String BUCKET = "ec2-backup-images-for-migration";

    public static final String TRUST_POLICY = """
            {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"vmie.amazonaws.com"},\
            "Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:Externalid":"vmimport"}}}]}""";

    private MigrationSetup() {
    }

    public static String rolePolicy(String bucket) {
        return """
                {"Version":"2012-10-17","Statement":[\
                {"Effect":"Allow","Action":["s3:GetBucketLocation","s3:ListBucket","s3:GetBucketAcl"],\
                "Resource":"arn:aws:s3:::%1$s"},\
                {"Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],"Resource":"arn:aws:s3:::%1$s/*"},\
                {"Effect":"Allow","Action":["ec2:ModifySnapshotAttribute","ec2:CopySnapshot","ec2:RegisterImage",\
                "ec2:Describe*"],"Resource":"*"}]}""".formatted(bucket);
    }

    public static void bucket(S3Client s3, String bucket) {
        s3.createBucket(r -> r.bucket(bucket).createBucketConfiguration(c -> c.locationConstraint(
                BucketLocationConstraint.US_WEST_1)));
    }

    public static void role(IamClient iam, String bucket) {
        iam.createRole(r -> r.roleName("vmimport").assumeRolePolicyDocument(TRUST_POLICY));
        iam.putRolePolicy(r -> r.roleName("vmimport").policyName("vmimport").policyDocument(rolePolicy(bucket)));
    }
}
