package dev.ferry.provider.vsphere.vcenter;

import dev.ferry.engine.FerryException;

/** vCenter could not be reached, refused the login, or answered with an error; the message says which and what to do. */
public final class VcenterException extends FerryException {

    public VcenterException(String message) {
        super(message);
    }

    public VcenterException(String message, Throwable cause) {
        super(message, cause);
    }
}
