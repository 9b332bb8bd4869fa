package dev.ferry.engine.verify;

import dev.ferry.engine.provider.ArtifactOpener;
import dev.ferry.engine.provider.ProviderSession;
import dev.ferry.engine.provider.ResourceType;
import java.util.List;
import java.util.Map;

/** The engine's own resource types beside the providers' ones: {@code verify}. Holds no connection. */
public final class VerificationSession implements ProviderSession {

    private final VerificationType type;

    public VerificationSession(Map<String, String> environment) {
        this.type = new VerificationType(environment);
    }

    @Override
    public List<ResourceType> resourceTypes() {
        return List.of(type);
    }

    @Override
    public Map<String, Integer> limits() {
        return Map.of();
    }

    @Override
    public List<ArtifactOpener> artifactOpeners() {
        return List.of();
    }

    @Override
    public void close() {
    }
}
