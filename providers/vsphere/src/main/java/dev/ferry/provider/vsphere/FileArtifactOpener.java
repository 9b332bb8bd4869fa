package dev.ferry.provider.vsphere;

import dev.ferry.engine.FerryException;
import dev.ferry.engine.machine.DiskImage;
import dev.ferry.engine.provider.ArtifactOpener;
import dev.ferry.engine.transfer.RangedByteSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Opens disk images of kind {@code file} ({@code location: {path}}) for the target's upload, after
 * checking the file is still the one planned: same size, still readable.
 */
final class FileArtifactOpener implements ArtifactOpener {

    @Override
    public String kind() {
        return VsphereVmDataSource.KIND;
    }

    @Override
    public RangedByteSource open(DiskImage image) {
        String text = image.location().path("path").asText("");
        if (text.isEmpty()) {
            throw new FerryException("the disk image '" + image.description() + "' has no location.path; a file disk image names its path");
        }
        Path path = Path.of(text);
        if (!Files.isRegularFile(path)) {
            throw new FerryException("disk image " + path + " is gone: it was there when ferry planned; put it back, or run ferry plan again");
        }
        if (!Files.isReadable(path)) {
            throw new FerryException("disk image " + path + " cannot be read: give the user running ferry read access");
        }
        long size;
        try {
            size = Files.size(path);
        } catch (IOException e) {
            throw new FerryException("disk image " + path + " cannot be read: " + e.getMessage(), e);
        }
        if (size != image.sizeBytes()) {
            throw new FerryException("disk image " + path + " changed since it was planned (" + image.sizeBytes() + " bytes then, " + size
                    + " now): run ferry plan again so the upload matches the file");
        }
        return new FileByteSource(path, size);
    }
}
