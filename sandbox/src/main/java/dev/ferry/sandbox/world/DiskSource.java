package dev.ferry.sandbox.world;

/**
 * Where a volume's or snapshot's bytes come from: an image built on demand, an existing raw file,
 * or stored bytes (an imported disk).
 */
public record DiskSource(GeneratedDisk generated, String file, Blob blob) {
    public DiskSource {
        int set = (generated == null ? 0 : 1) + (file == null ? 0 : 1) + (blob == null ? 0 : 1);
        if (set != 1) {
            throw new IllegalArgumentException("a disk source is exactly one of generated, file, blob");
        }
    }

    public static DiskSource generated(GeneratedDisk disk) {
        return new DiskSource(disk, null, null);
    }

    public static DiskSource file(String path) {
        return new DiskSource(null, path, null);
    }

    public static DiskSource blob(Blob blob) {
        return new DiskSource(null, null, blob);
    }
}
