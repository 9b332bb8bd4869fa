package dev.ferry.provider.linode;

import dev.ferry.engine.spec.SecretReference;
import java.util.Optional;

/** {@code providers.linode}: where the API token comes from, and an optional API base URL. */
public record LinodeConfig(Optional<SecretReference> token, Optional<String> endpoint) {

    public LinodeConfig {
        token = token == null ? Optional.empty() : token;
        endpoint = endpoint == null ? Optional.empty() : endpoint;
    }
}
