package dev.ferry.provider.aws.source;

import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkException;

/** The EBS direct APIs' errors in words for the user. */
final class EbsErrors {

    private EbsErrors() {
    }

    static String message(SdkException e) {
        if (e instanceof AwsServiceException service && service.awsErrorDetails() != null) {
            String code = service.awsErrorDetails().errorCode();
            String message = service.awsErrorDetails().errorMessage();
            return (code == null ? "" : code + ": ") + (message == null ? "(no message)" : message);
        }
        return e.getMessage();
    }

    /** What AccessDeniedException on the snapshot road means, and the way out. */
    static String accessDenied(String snapshotId, SdkException e) {
        return "AWS denied reading " + snapshotId + " with the EBS direct APIs (" + message(e) + "): ferry's credentials need"
                + " ebs:ListSnapshotBlocks and ebs:GetSnapshotBlock on the snapshot, and kms:Decrypt on its KMS key when it is"
                + " encrypted; grant them, or set 'via: export' under source.ec2 to take the ExportImage road instead";
    }
}
