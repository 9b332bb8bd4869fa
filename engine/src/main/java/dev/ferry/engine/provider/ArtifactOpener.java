package dev.ferry.engine.provider;

import dev.ferry.engine.machine.DiskImage;
import dev.ferry.engine.transfer.RangedByteSource;

/** Opens disk images of one kind for reading, so another provider can consume them unawares. */
public interface ArtifactOpener {

    /** The {@link DiskImage#kind()} this opener reads ({@code s3}, {@code file}). */
    String kind();

    RangedByteSource open(DiskImage image);
}
