package dev.ferry.provider.aws;

import static java.util.Objects.requireNonNull;

/** {@code source.ec2}: the instance to move, and whether CreateImage may reboot it. */
public record Ec2Source(String instance, boolean reboot) {

    public Ec2Source {
        requireNonNull(instance, "instance is null");
    }
}
