package dev.ferry.sandbox.http;

import java.util.Locale;
import java.util.Optional;

/** The services the sandbox answers for; {@link #id()} is the name used in logs, counters and fault specs. */
public enum Service {
    EC2("ec2"),
    IAM("iam"),
    STS("sts"),
    S3("s3"),
    PRICING("pricing"),
    EBS("ebs"),
    LINODE("linode"),
    LINODE_UPLOAD("linode-upload"),
    VCENTER("vcenter"),
    /** The helper Linodes' SSH server (not HTTP; its actions are the commands W, R, Z, B and S). */
    LINODE_SSH("linode-ssh");

    private final String id;

    Service(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }

    /** The service named by a SigV4 credential scope ({@code .../us-west-1/ec2/aws4_request}). */
    public static Optional<Service> fromSigningName(String signingName) {
        return switch (signingName.toLowerCase(Locale.ROOT)) {
            case "ec2" -> Optional.of(EC2);
            case "iam" -> Optional.of(IAM);
            case "sts" -> Optional.of(STS);
            case "s3" -> Optional.of(S3);
            case "ebs" -> Optional.of(EBS);
            case "pricing", "api.pricing" -> Optional.of(PRICING);
            default -> Optional.empty();
        };
    }

    public static Optional<Service> fromId(String id) {
        for (Service service : values()) {
            if (service.id.equalsIgnoreCase(id)) {
                return Optional.of(service);
            }
        }
        return Optional.empty();
    }
}
