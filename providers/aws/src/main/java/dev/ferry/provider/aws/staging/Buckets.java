package dev.ferry.provider.aws.staging;

import dev.ferry.engine.FerryException;
import dev.ferry.provider.aws.client.AwsCalls;
import dev.ferry.provider.aws.client.AwsClients;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.s3.model.GetBucketOwnershipControlsResponse;

/**
 * What ferry needs to know of a bucket before it uses it: whether it exists, in which region, and its
 * object ownership setting. Looked up once per bucket per run (planning a hundred migrations that share
 * a staging bucket asks S3 once); ferry forgets what it knows of a bucket it creates or deletes.
 */
public final class Buckets {

    /** A bucket as S3 describes it; {@code ownedElsewhere} when its name is taken by another account. */
    public record Facts(String name, boolean exists, boolean ownedElsewhere, Optional<String> region) {
        static Facts absent(String name) {
            return new Facts(name, false, false, Optional.empty());
        }
    }

    private final AwsClients clients;
    private final AwsCalls calls;
    private final Map<String, Facts> facts = new ConcurrentHashMap<>();

    public Buckets(AwsClients clients, AwsCalls calls) {
        this.clients = clients;
        this.calls = calls;
    }

    public Facts facts(String bucket) {
        return facts.computeIfAbsent(bucket, this::lookUp);
    }

    void forget(String bucket) {
        facts.remove(bucket);
    }

    private Facts lookUp(String bucket) {
        try {
            String constraint = calls.call("S3 GetBucketLocation of " + bucket,
                    () -> clients.s3().getBucketLocation(r -> r.bucket(bucket)).locationConstraintAsString());
            return new Facts(bucket, true, false, Optional.of(region(constraint)));
        } catch (FerryException e) {
            if (!(e.getCause() instanceof AwsServiceException service) || AwsCalls.credentialsRefused(service)) {
                throw e; // refused credentials are worded as such, never as a bucket owned elsewhere
            }
            if (AwsCalls.hasCode(service, "NoSuchBucket") || service.statusCode() == 404) {
                return Facts.absent(bucket);
            }
            Optional<String> header = service.awsErrorDetails() == null || service.awsErrorDetails().sdkHttpResponse() == null
                    ? Optional.empty() : service.awsErrorDetails().sdkHttpResponse().firstMatchingHeader("x-amz-bucket-region");
            if (header.isPresent()) {
                return new Facts(bucket, true, false, header);
            }
            if (service.statusCode() == 403) {
                return new Facts(bucket, true, true, Optional.empty());
            }
            throw e;
        }
    }

    /** GetBucketLocation's constraint as a region: none is us-east-1, and the old "EU" is eu-west-1. */
    static String region(String constraint) {
        if (constraint == null || constraint.isEmpty()) {
            return "us-east-1";
        }
        return constraint.equals("EU") ? "eu-west-1" : constraint;
    }

    /** The bucket's object ownership; a bucket without ownership controls keeps the old default, ObjectWriter. */
    public String ownership(String bucket) {
        try {
            GetBucketOwnershipControlsResponse response = calls.call("S3 GetBucketOwnershipControls of " + bucket,
                    () -> clients.s3().getBucketOwnershipControls(r -> r.bucket(bucket)));
            return response.ownershipControls().rules().isEmpty() ? "ObjectWriter"
                    : response.ownershipControls().rules().get(0).objectOwnershipAsString();
        } catch (FerryException e) {
            if (AwsCalls.hasCode(e.getCause(), "OwnershipControlsNotFoundError")) {
                return "ObjectWriter";
            }
            throw e;
        }
    }

    /**
     * A sentence saying why {@code bucket} cannot be used in {@code region}, or empty when it can (or does
     * not exist yet).
     */
    Optional<String> problem(String bucket, String region) {
        Facts known = facts(bucket);
        if (known.ownedElsewhere()) {
            return Optional.of("the bucket name " + bucket + " is taken by another AWS account (S3 denies access to it);"
                    + " choose another staging.bucket");
        }
        if (known.exists() && known.region().isPresent() && !known.region().get().equals(region)) {
            return Optional.of("the staging bucket " + bucket + " is in " + known.region().get() + ", but the migration runs in " + region
                    + ": VM Import/Export only reads and writes buckets in its own region. Choose a bucket in " + region
                    + " (staging.bucket), or set providers.aws.region to " + known.region().get());
        }
        return Optional.empty();
    }

    static String arn(String partition, String bucket) {
        return "arn:" + partition + ":s3:::" + bucket;
    }

    /** The ARN partition of a region: aws, aws-cn or aws-us-gov. */
    static String partition(String region) {
        if (region.startsWith("cn-")) {
            return "aws-cn";
        }
        if (region.startsWith("us-gov-")) {
            return "aws-us-gov";
        }
        return "aws";
    }
}
