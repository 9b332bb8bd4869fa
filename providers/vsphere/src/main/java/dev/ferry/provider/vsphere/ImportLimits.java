package dev.ferry.provider.vsphere;

/**
 * What AWS documents about the images VM Import accepts, checked at plan time so that a doomed
 * import fails before anything is uploaded. From the VM Import/Export user guide ("Limitations for
 * resources being imported"; image, volume and S3 object limits).
 */
final class ImportLimits {

    /** "A VM import task fails for VMs with more than 21 volumes attached." */
    static final int MAX_VOLUMES = 21;
    /** Each disk becomes an EBS volume; VM Import supports volumes up to 16 TiB. */
    static final long MAX_VOLUME_BYTES = 16L << 40;
    /**
     * The most one disk's image may weigh as uploaded (compressed, for a stream-optimized VMDK): 215 GB, as the
     * AWS Connector for vCenter's troubleshooting guide gives it; ferry reads it as GiB, the unit EC2 sizes volumes in.
     */
    static final long MAX_DISK_IMAGE_BYTES = 215L << 30;
    /** An MBR partition table addresses 2 TiB; a larger boot disk must be GPT (and UEFI). */
    static final long MAX_MBR_BOOT_BYTES = 2L << 40;
    /** The image travels as one S3 object, whose size S3 caps (5 TiB when this was written). */
    static final long MAX_OBJECT_BYTES = 5L << 40;

    private ImportLimits() {
    }
}
