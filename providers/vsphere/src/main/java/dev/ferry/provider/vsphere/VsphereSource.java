package dev.ferry.provider.vsphere;

import static java.util.Objects.requireNonNull;

import java.util.Optional;

/** {@code source.vsphere}: the VM's exported disk image, and its name in vCenter. */
public record VsphereSource(Optional<String> vm, String diskImage) {

    public VsphereSource {
        vm = vm == null ? Optional.empty() : vm;
        requireNonNull(diskImage, "diskImage is null");
    }
}
