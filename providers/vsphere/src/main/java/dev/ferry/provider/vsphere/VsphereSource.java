package dev.ferry.provider.vsphere;

import java.util.Optional;

/**
 * {@code source.vsphere}: the VM's name in vCenter and either a disk image exported by hand ({@code disk_image}), or,
 * without one, where ferry captures the VM itself: an existing content library ({@code library}) or a temporary one
 * on a datastore ({@code datastore}); {@code shutdown} lets ferry shut a powered-on guest down for the capture.
 */
public record VsphereSource(Optional<String> vm, Optional<String> diskImage, Optional<String> library, Optional<String> datastore,
                            boolean shutdown) {

    public VsphereSource {
        vm = vm == null ? Optional.empty() : vm;
        diskImage = diskImage == null ? Optional.empty() : diskImage;
        library = library == null ? Optional.empty() : library;
        datastore = datastore == null ? Optional.empty() : datastore;
    }

    /** True when ferry exports the VM from vCenter itself. */
    public boolean exported() {
        return diskImage.isEmpty();
    }
}
