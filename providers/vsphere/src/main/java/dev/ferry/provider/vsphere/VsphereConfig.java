package dev.ferry.provider.vsphere;

import dev.ferry.engine.spec.SecretReference;
import java.util.Optional;

/** {@code providers.vsphere}: the vCenter to read inventory from, if any, and how to log in. */
public record VsphereConfig(Optional<String> vcenter, Optional<String> username, Optional<SecretReference> password,
                            boolean insecure) {

    public VsphereConfig {
        vcenter = vcenter == null ? Optional.empty() : vcenter;
        username = username == null ? Optional.empty() : username;
        password = password == null ? Optional.empty() : password;
    }
}
