package dev.ferry.sandbox.world;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/** What tests may see of Linode: images, instances with their disks and configs, volumes, firewalls and events. */
public final class LinodeView {

    private final World world;

    LinodeView(World world) {
        this.world = requireNonNull(world, "world is null");
    }

    /** Uploaded images, including failed ones (which the API no longer shows). */
    public List<LinodeImage> images() {
        return world.read(w -> List.copyOf(w.linode().images().values()));
    }

    /** An image by its API id, {@code private/NUMBER}. */
    public Optional<LinodeImage> image(String id) {
        return images().stream().filter(i -> i.id().equals(id)).findFirst();
    }

    public List<LinodeInstance> instances() {
        return world.read(w -> List.copyOf(w.linode().instances().values()));
    }

    public List<Firewall> firewalls() {
        return world.read(w -> List.copyOf(w.linode().firewalls().values()));
    }

    public List<LinodeEvent> events() {
        return world.read(w -> List.copyOf(w.linode().events().values()));
    }

    /** The disks of a Linode (empty for a Linode that does not exist), in the order they were made. */
    public List<LinodeDisk> disks(long linodeId) {
        return world.read(w -> w.linode().machines().disksOf(linodeId));
    }

    /** The configuration profiles of a Linode, in the order they were made. */
    public List<LinodeConfig> configs(long linodeId) {
        return world.read(w -> w.linode().machines().configsOf(linodeId));
    }

    /** The hex SHA-256 of the first {@code length} bytes of a Linode disk (cut at its end; never written: zeros). */
    public String diskSha256(long diskId, long length) {
        LinodeDisk disk = disk(diskId);
        try {
            return DiskBytes.sha256(world.linode().machines().file(diskId), disk.sizeBytes(), 0, length);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** For tests: bytes written into a Linode disk behind ferry's back, as old data on a reused disk would be. */
    public void scribble(long diskId, long offset, byte[] bytes) {
        LinodeDisk disk = disk(diskId);
        try {
            DiskBytes.write(world.linode().machines().file(diskId), disk.sizeBytes(), offset,
                    new java.io.ByteArrayInputStream(bytes));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Block Storage volumes, attached or not. */
    public List<LinodeVolume> volumes() {
        return world.read(w -> List.copyOf(w.linode().machines().volumes().values()));
    }

    /** The hex SHA-256 of the first {@code length} bytes of a Block Storage volume (cut at its end). */
    public String volumeSha256(long volumeId, long length) {
        LinodeVolume volume = world.read(w -> w.linode().machines().volumes().get(volumeId));
        if (volume == null) {
            throw new IllegalArgumentException("no Block Storage volume " + volumeId);
        }
        try {
            return DiskBytes.sha256(world.linode().machines().volumeFile(volumeId), volume.sizeBytes(), 0, length);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The public keys a disk deployed from an image was given for root ({@code authorized_keys}). */
    public List<String> diskAuthorizedKeys(long diskId) {
        return disk(diskId).authorizedKeys();
    }

    private LinodeDisk disk(long diskId) {
        LinodeDisk disk = world.read(w -> w.linode().machines().disks().get(diskId));
        if (disk == null) {
            throw new IllegalArgumentException("no Linode disk " + diskId);
        }
        return disk;
    }
}
