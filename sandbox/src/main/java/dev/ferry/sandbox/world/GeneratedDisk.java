package dev.ferry.sandbox.world;

import java.util.Set;

import static java.util.Objects.requireNonNull;

/**
 * A disk image the sandbox builds on first use: a partitioned raw disk (MBR, one Linux partition at
 * 1 MiB) with an ext4 filesystem holding a few files. Equal specs give equal bytes, so images are cached
 * by spec.
 *
 * @param kind         {@code root} (an operating system's files) or {@code data}
 * @param hostname     written into the filesystem, so that disks of different machines differ
 * @param imageBytes   size of the image file
 * @param distribution whose {@code /etc/os-release} a root disk holds: null for Amazon Linux 2 (the EC2
 *                     instances' disks), or one of {@link #DISTRIBUTIONS} (a vCenter VM's guest)
 * @param layout       null for the small MBR disk above, or {@value #UBUNTU_GPT}: a root disk laid out like a
 *                     current Ubuntu AMI (GPT; BIOS boot partition 14, EFI system partition 15, ext4 root 1),
 *                     stored sparse with only what was written taking space ({@link UbuntuDisk})
 */
public record GeneratedDisk(String kind, String hostname, long imageBytes, String distribution, String layout) {

    public static final String UBUNTU_GPT = "ubuntu-gpt";

    public static final Set<String> DISTRIBUTIONS = Set.of("amzn", "amzn2023", "ubuntu", "debian", "rhel", "centos",
            "ol", "sles");

    public GeneratedDisk {
        requireNonNull(kind, "kind is null");
        requireNonNull(hostname, "hostname is null");
        if (!kind.equals("root") && !kind.equals("data")) {
            throw new IllegalArgumentException("disk kind must be root or data, was " + kind);
        }
        if (imageBytes < 4L * 1024 * 1024 || imageBytes % (1024 * 1024) != 0) {
            throw new IllegalArgumentException("disk image size must be a whole number of MiB, at least 4 MiB: "
                    + imageBytes);
        }
        if (layout != null && !layout.equals(UBUNTU_GPT)) {
            throw new IllegalArgumentException("unknown disk layout " + layout + " (known: " + UBUNTU_GPT + ")");
        }
        if (layout != null && (!kind.equals("root") || imageBytes < UbuntuDisk.MIN_BYTES)) {
            throw new IllegalArgumentException("the " + layout + " layout is for root disks of at least "
                    + UbuntuDisk.MIN_BYTES / (1024 * 1024) + " MiB");
        }
        if (distribution != null && !DISTRIBUTIONS.contains(distribution)) {
            throw new IllegalArgumentException("unknown distribution " + distribution + " (known: "
                    + DISTRIBUTIONS + ")");
        }
    }

    public GeneratedDisk(String kind, String hostname, long imageBytes, String distribution) {
        this(kind, hostname, imageBytes, distribution, null);
    }

    /** An EC2 instance's disk: Amazon Linux 2. */
    public GeneratedDisk(String kind, String hostname, long imageBytes) {
        this(kind, hostname, imageBytes, null, null);
    }
}
