package dev.ferry.provider.vsphere;

import static java.util.Objects.requireNonNull;

import dev.ferry.engine.FerryException;
import dev.ferry.engine.resource.Secret;
import dev.ferry.engine.resource.SecretResolver;
import dev.ferry.engine.spec.SecretReference;
import dev.ferry.provider.vsphere.vcenter.Trust;
import dev.ferry.provider.vsphere.vcenter.VcenterClient;
import java.net.URI;
import java.util.Optional;

/**
 * The vCenter named under {@code providers.vsphere}, connected on first use: commands that read no
 * inventory (destroy, state) neither need the password nor log in.
 */
final class VcenterConnection implements AutoCloseable {

    private final String url;
    private final Optional<String> endpoint;
    private final Optional<String> username;
    private final Optional<SecretReference> password;
    private final boolean insecure;
    private final Optional<java.nio.file.Path> caBundle;
    private final SecretResolver secrets;
    private VcenterClient client;

    VcenterConnection(String url, Optional<String> username, Optional<SecretReference> password, boolean insecure, SecretResolver secrets) {
        this(url, Optional.empty(), username, password, insecure, secrets);
    }

    /** {@code endpoint}, when given, is where the requests go; {@code url} stays the vCenter's name. */
    VcenterConnection(String url, Optional<String> endpoint, Optional<String> username, Optional<SecretReference> password, boolean insecure,
                      SecretResolver secrets) {
        this(url, endpoint, username, password, insecure, Optional.empty(), secrets);
    }

    /** {@code caBundle}: CAs trusted besides the system's, for vCenter and the ESXi hosts of its download URLs. */
    VcenterConnection(String url, Optional<String> endpoint, Optional<String> username, Optional<SecretReference> password, boolean insecure,
                      Optional<java.nio.file.Path> caBundle, SecretResolver secrets) {
        this.caBundle = requireNonNull(caBundle, "caBundle is null");
        this.url = requireNonNull(url, "url is null");
        this.endpoint = requireNonNull(endpoint, "endpoint is null");
        this.username = requireNonNull(username, "username is null");
        this.password = requireNonNull(password, "password is null");
        this.insecure = insecure;
        this.secrets = requireNonNull(secrets, "secrets is null");
    }

    String url() {
        return url;
    }

    boolean insecure() {
        return insecure;
    }

    Optional<java.nio.file.Path> caBundle() {
        return caBundle;
    }

    synchronized VcenterClient client() {
        if (client == null) {
            if (username.isEmpty() || password.isEmpty()) {
                throw new FerryException("providers.vsphere.vcenter is set, so ferry logs in to " + url
                        + " to read inventory: it needs 'username' and 'password' (such as ${env:VSPHERE_PASSWORD})");
            }
            String target = endpoint.orElse(url);
            URI uri;
            try {
                uri = URI.create(target);
            } catch (IllegalArgumentException e) {
                throw new FerryException((endpoint.isPresent() ? "the vCenter endpoint (providers.vsphere.endpoint or "
                        + VsphereProvider.ENDPOINT_VARIABLE + ") '" : "providers.vsphere.vcenter '") + target
                        + "' is not a URL such as https://vc.example.com", e);
            }
            // the user name may itself be a reference (${env:VSPHERE_USER}); the password always is
            String user = SecretReference.parse(username.get()).map(reference -> secrets.resolve(reference).reveal()).orElse(username.get());
            Secret secret = secrets.resolve(password.get());
            client = new VcenterClient(uri, user, secret, insecure ? Trust.insecure() : Trust.of(caBundle));
        }
        return client;
    }

    @Override
    public synchronized void close() {
        if (client != null) {
            client.close();
            client = null;
        }
    }

    @Override
    public String toString() {
        return "vCenter " + url + endpoint.map(address -> " (via " + address + ")").orElse("");
    }
}
