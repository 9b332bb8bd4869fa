package dev.ferry.provider.vsphere;

import dev.ferry.engine.spec.SecretReference;
import java.util.Optional;

/**
 * {@code providers.vsphere}: the vCenter to read inventory from, if any, and how to log in;
 * {@code endpoint} sends the requests elsewhere (a proxy, {@code ferry sandbox}) while {@code vcenter}
 * still names the vCenter the VMs belong to.
 */
public record VsphereConfig(Optional<String> vcenter, Optional<String> username, Optional<SecretReference> password,
                            boolean insecure, Optional<String> endpoint) {

    public VsphereConfig {
        vcenter = vcenter == null ? Optional.empty() : vcenter;
        username = username == null ? Optional.empty() : username;
        password = password == null ? Optional.empty() : password;
        endpoint = endpoint == null ? Optional.empty() : endpoint;
    }
}
