package dev.ferry.provider.vsphere;

import dev.ferry.engine.spec.SecretReference;
import java.util.Optional;

/**
 * {@code providers.vsphere}: the vCenter to read inventory from and export VMs from, if any, and how to log in;
 * {@code endpoint} sends the requests elsewhere (a proxy, {@code ferry sandbox}) while {@code vcenter} still names the
 * vCenter the VMs belong to; {@code ca_bundle} adds CAs to trust (PEM) for vCenter and its ESXi hosts, and
 * {@code insecure} turns certificate checks off altogether.
 */
public record VsphereConfig(Optional<String> vcenter, Optional<String> username, Optional<SecretReference> password,
                            boolean insecure, Optional<String> endpoint, Optional<String> caBundle) {

    public VsphereConfig {
        vcenter = vcenter == null ? Optional.empty() : vcenter;
        username = username == null ? Optional.empty() : username;
        password = password == null ? Optional.empty() : password;
        endpoint = endpoint == null ? Optional.empty() : endpoint;
        caBundle = caBundle == null ? Optional.empty() : caBundle;
    }

    public VsphereConfig(Optional<String> vcenter, Optional<String> username, Optional<SecretReference> password, boolean insecure,
                         Optional<String> endpoint) {
        this(vcenter, username, password, insecure, endpoint, Optional.empty());
    }
}
