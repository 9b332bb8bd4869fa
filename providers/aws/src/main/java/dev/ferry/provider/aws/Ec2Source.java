package dev.ferry.provider.aws;

import static java.util.Objects.requireNonNull;

/**
 * {@code source.ec2}: the instance to move, whether CreateImage may reboot it, and the road its disk takes:
 * {@code snapshot} (the default: the AMI's root snapshot read with the EBS direct APIs) or {@code export}
 * (ExportImage to the staging bucket).
 */
public record Ec2Source(String instance, boolean reboot, String via) {

    public static final String SNAPSHOT = "snapshot";
    public static final String EXPORT = "export";

    public Ec2Source {
        requireNonNull(instance, "instance is null");
        via = via == null ? SNAPSHOT : via;
    }

    public Ec2Source(String instance, boolean reboot) {
        this(instance, reboot, null);
    }

    public boolean viaSnapshot() {
        return via.equals(SNAPSHOT);
    }
}
