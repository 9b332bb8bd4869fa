package dev.ferry.provider.aws.target;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.engine.FerryException;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.services.ec2.model.Ec2Exception;

/** EC2's AuthFailure for a bucket without the export service's grant is about the bucket, not the credentials. */
class InstanceExportRefusalTest {

    static FerryException refused(String code, String message) {
        Ec2Exception cause = (Ec2Exception) Ec2Exception.builder().statusCode(400)
                .awsErrorDetails(AwsErrorDetails.builder().errorCode(code).errorMessage(message).build()).build();
        return new FerryException("EC2 CreateInstanceExportTask of i-1 was refused: AWS did not accept the credentials", cause);
    }

    @Test
    void aMissingBucketGrantIsNamedWithTheWayToCheckIt() {
        FerryException e = refused("AuthFailure", "vm-import-export@amazon.com must have WRITE and READ_ACL permission on the S3 bucket.");

        assertThat(InstanceExportResource.refusedForBucketGrant(e, "i-1", "exports", "us-west-1")).hasValueSatisfying(refusal ->
                assertThat(refusal.getMessage())
                        .contains("bucket exports does not give the VM Import/Export service WRITE and READ_ACP")
                        .contains("(AWS: vm-import-export@amazon.com must have WRITE and READ_ACL permission on the S3 bucket.)")
                        .contains(InstanceExportResource.exportAccount("us-west-1"), "aws s3api get-bucket-acl --bucket exports")
                        .doesNotContain("credentials"));
    }

    @Test
    void refusedCredentialsAndOtherErrorsAreLeftAsTheyAre() {
        assertThat(InstanceExportResource.refusedForBucketGrant(refused("AuthFailure", "AWS was not able to validate the provided access credentials"),
                "i-1", "exports", "us-west-1")).isEmpty();
        assertThat(InstanceExportResource.refusedForBucketGrant(refused("NotExportable", "vm-import-export cannot export it"),
                "i-1", "exports", "us-west-1")).isEmpty();
        assertThat(InstanceExportResource.refusedForBucketGrant(new FerryException("cut short"), "i-1", "exports", "us-west-1")).isEmpty();
    }
}
