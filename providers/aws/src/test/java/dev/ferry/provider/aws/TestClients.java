package dev.ferry.provider.aws;

import dev.ferry.sandbox.Sandbox;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.s3.S3Client;

/** SDK clients for a test to change the sandbox behind ferry's back (drift, things made by hand). */
public final class TestClients {

    private TestClients() {
    }

    private static StaticCredentialsProvider credentials(Sandbox sandbox) {
        return StaticCredentialsProvider.create(AwsBasicCredentials.create(sandbox.accessKeyId(), sandbox.secretAccessKey()));
    }

    public static Ec2Client ec2(Sandbox sandbox) {
        return Ec2Client.builder().endpointOverride(sandbox.endpoint()).region(Region.of(sandbox.region())).credentialsProvider(credentials(sandbox))
                .build();
    }

    public static S3Client s3(Sandbox sandbox) {
        return S3Client.builder().endpointOverride(sandbox.endpoint()).region(Region.of(sandbox.region())).forcePathStyle(true)
                .credentialsProvider(credentials(sandbox)).build();
    }

    public static IamClient iam(Sandbox sandbox) {
        return IamClient.builder().endpointOverride(sandbox.endpoint()).region(Region.AWS_GLOBAL).credentialsProvider(credentials(sandbox)).build();
    }
}
