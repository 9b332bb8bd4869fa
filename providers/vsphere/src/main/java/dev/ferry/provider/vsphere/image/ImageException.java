package dev.ferry.provider.vsphere.image;

import dev.ferry.engine.FerryException;

/** A disk image ferry cannot read: unrecognised, corrupt or truncated. The message names the file. */
public final class ImageException extends FerryException {

    public ImageException(String message) {
        super(message);
    }

    public ImageException(String message, Throwable cause) {
        super(message, cause);
    }
}
