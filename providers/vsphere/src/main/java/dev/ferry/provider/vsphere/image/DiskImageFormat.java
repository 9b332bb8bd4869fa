package dev.ferry.provider.vsphere.image;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/** The disk image formats ferry can carry from vSphere, as recognised from a file's content. */
public enum DiskImageFormat {
    OVA("ova", "OVA", Set.of("ova")),
    VMDK("vmdk", "VMDK", Set.of("vmdk")),
    VHD("vhd", "VHD", Set.of("vhd", "vpc")),
    VHDX("vhdx", "VHDX", Set.of("vhdx")),
    RAW("raw", "raw disk", Set.of("raw", "img", "bin", "dd"));

    private final String id;
    private final String displayName;
    private final Set<String> extensions;

    DiskImageFormat(String id, String displayName, Set<String> extensions) {
        this.id = id;
        this.displayName = displayName;
        this.extensions = extensions;
    }

    /** The name in {@code DiskImage.format} and in AWS's ImportImage ({@code ova}, {@code vmdk}, ...). */
    public String id() {
        return id;
    }

    public String displayName() {
        return displayName;
    }

    /** The format a file name's extension promises, if it names one ({@code .img} promises raw). */
    public static Optional<DiskImageFormat> promisedBy(String fileName) {
        int dot = fileName.lastIndexOf('.');
        if (dot < 0 || dot == fileName.length() - 1) {
            return Optional.empty();
        }
        String extension = fileName.substring(dot + 1).toLowerCase(Locale.ROOT);
        return Arrays.stream(values()).filter(format -> format.extensions.contains(extension)).findFirst();
    }
}
