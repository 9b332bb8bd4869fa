package dev.ferry.cli;

import dev.ferry.sandbox.Sandbox;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Readies a sandbox bucket for CreateInstanceExportTask (journey B's export_back). ferry grants the VM
 * Import/Export service WRITE and READ_ACP under AWS's published canonical id for the region, but the
 * sandbox only recognises a grant to the service's e-mail address (which it stores under an id of its
 * own), so the bucket is made beforehand with that grant. ferry then finds it and uses it as it is.
 */
final class SandboxExportBucket {

    private static final String EXPORT_SERVICE = "emailAddress=\"vm-import-export@amazon.com\"";

    private SandboxExportBucket() {
    }

    static void prepare(Sandbox sandbox, String bucket) {
        sandbox.world().createBucket(bucket, "BucketOwnerPreferred");
        try (S3Client s3 = S3Client.builder()
                .endpointOverride(sandbox.endpoint())
                .region(Region.of(sandbox.region()))
                .forcePathStyle(true)
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(sandbox.accessKeyId(), sandbox.secretAccessKey())))
                .build()) {
            String owner = s3.getBucketAcl(r -> r.bucket(bucket)).owner().id();
            s3.putBucketAcl(r -> r.bucket(bucket).grantFullControl("id=" + owner).grantWrite(EXPORT_SERVICE).grantReadACP(EXPORT_SERVICE));
        }
    }
}
