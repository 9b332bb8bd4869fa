package dev.ferry.sandbox.world;

/**
 * The files a VM's disks can be exported to, as from vCenter: an OVA (the OVF descriptor, a manifest, and a
 * stream-optimized VMDK per disk, in one tar), a single stream-optimized VMDK, or a raw disk.
 */
public enum VmImageFormat {
    OVA,
    VMDK,
    RAW
}
