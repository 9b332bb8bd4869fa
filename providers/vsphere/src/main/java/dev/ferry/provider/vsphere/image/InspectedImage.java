package dev.ferry.provider.vsphere.image;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A disk image file as its content shows it: the format, its layout ({@code variant}: stream-optimized,
 * dynamic, MBR, ...), the file's size, the virtual disk's capacity when the format records it, and for
 * an OVA the appliance inside. {@code problems} make it unusable for an import (a truncated or
 * differencing image); {@code warnings} are for the plan.
 */
public record InspectedImage(
        Path path,
        DiskImageFormat format,
        String variant,
        long fileBytes,
        OptionalLong capacityBytes,
        Optional<Appliance> appliance,
        List<String> problems,
        List<String> warnings) {

    public InspectedImage {
        requireNonNull(path, "path is null");
        requireNonNull(format, "format is null");
        requireNonNull(variant, "variant is null");
        requireNonNull(capacityBytes, "capacityBytes is null");
        requireNonNull(appliance, "appliance is null");
        problems = List.copyOf(problems);
        warnings = List.copyOf(warnings);
    }

    /** What an OVA holds: its descriptor's name and content, and each disk's file within the archive. */
    public record Appliance(String descriptorName, OvfDescriptor descriptor, List<ApplianceDisk> disks) {
        public Appliance {
            requireNonNull(descriptorName, "descriptorName is null");
            requireNonNull(descriptor, "descriptor is null");
            disks = List.copyOf(disks);
        }
    }

    /** One disk of an OVA: the archive member holding it, that member's size, and the disk's capacity. */
    public record ApplianceDisk(String diskId, String fileName, long fileBytes, long capacityBytes, DiskImageFormat format, String variant) {
        public ApplianceDisk {
            requireNonNull(diskId, "diskId is null");
            requireNonNull(fileName, "fileName is null");
            requireNonNull(format, "format is null");
            requireNonNull(variant, "variant is null");
        }
    }

    /** "stream-optimized VMDK", "OVA", "dynamic VHD", "raw disk (GPT)": for plan notes. */
    public String describe() {
        return switch (format) {
            case OVA -> "OVA";
            case VMDK -> (variant.equals(Vmdk.STREAM_OPTIMIZED) ? "stream-optimized" : variant) + " VMDK";
            case VHD -> variant + " VHD";
            case VHDX -> "VHDX";
            case RAW -> "raw disk (" + variant + " partition table)";
        };
    }

    /** Whether this is a VMDK in the stream-optimized layout AWS VM Import documents for VMDK files. */
    public boolean streamOptimized() {
        return format == DiskImageFormat.VMDK && variant.equals(Vmdk.STREAM_OPTIMIZED);
    }
}
