package dev.ferry.sandbox.world;

import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

import static java.util.Objects.requireNonNull;

/**
 * A configuration profile of a Linode: which kernel boots, from which root device, with which disks and
 * volumes in the slots {@code sda} to {@code sdh}.
 *
 * @param kernel     {@code linode/latest-64bit}, {@code linode/grub2}, {@code linode/direct-disk}, ...
 * @param devices    slot ({@code sda}) to what is in it; empty slots are absent
 * @param helpers    the boot helpers by name ({@code network}, {@code distro}, ...)
 * @param memoryLimit MB, 0 for all of the Linode's memory
 */
public record LinodeConfig(long id, long linodeId, String label, String kernel, String rootDevice,
                           Map<String, Device> devices, Map<String, Boolean> helpers, String comments,
                           String runLevel, String virtMode, int memoryLimit, Instant created, Instant updated) {

    /** What a slot holds: a disk of the Linode or a Block Storage volume (exactly one of the two is set). */
    public record Device(Long diskId, Long volumeId) {
    }

    public LinodeConfig {
        requireNonNull(label, "label is null");
        requireNonNull(kernel, "kernel is null");
        requireNonNull(rootDevice, "rootDevice is null");
        devices = Collections.unmodifiableMap(new TreeMap<>(requireNonNull(devices, "devices is null")));
        helpers = Collections.unmodifiableMap(new TreeMap<>(requireNonNull(helpers, "helpers is null")));
        requireNonNull(runLevel, "runLevel is null");
        requireNonNull(virtMode, "virtMode is null");
        requireNonNull(created, "created is null");
        requireNonNull(updated, "updated is null");
    }

    LinodeConfig withDevices(Map<String, Device> newDevices, Instant at) {
        return new LinodeConfig(id, linodeId, label, kernel, rootDevice, newDevices, helpers, comments, runLevel,
                virtMode, memoryLimit, created, at);
    }

    /** The disk in a slot, if the slot holds a disk. */
    public Long diskIn(String slot) {
        Device device = devices.get(slot);
        return device == null ? null : device.diskId();
    }

    /** The slot the root device names ({@code /dev/sda} -> {@code sda}). */
    public String rootSlot() {
        return rootDevice.startsWith("/dev/") ? rootDevice.substring(5) : rootDevice;
    }
}
