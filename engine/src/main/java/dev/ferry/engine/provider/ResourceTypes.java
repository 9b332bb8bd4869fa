package dev.ferry.engine.provider;

import dev.ferry.engine.FerryException;
import dev.ferry.engine.machine.DiskImage;
import dev.ferry.engine.resource.ResourceAddress;
import dev.ferry.engine.transfer.RangedByteSource;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/** The resource types, limits and disk-image openers of every open provider session, by name. */
public final class ResourceTypes {

    private final Map<String, ResourceType> types = new HashMap<>();
    private final Map<String, Integer> limits = new HashMap<>();
    private final Map<String, ArtifactOpener> openers = new HashMap<>();

    public ResourceTypes(Collection<? extends ProviderSession> sessions) {
        for (ProviderSession session : sessions) {
            for (ResourceType type : session.resourceTypes()) {
                if (types.put(type.name(), type) != null) {
                    throw new IllegalStateException("two providers implement " + type.name());
                }
            }
            limits.putAll(session.limits());
            session.artifactOpeners().forEach(opener -> openers.put(opener.kind(), opener));
        }
    }

    public Optional<ResourceType> find(String type) {
        return Optional.ofNullable(types.get(type));
    }

    public ManagedResourceType managed(ResourceAddress address) {
        ResourceType type = type(address);
        if (type instanceof ManagedResourceType managed) {
            return managed;
        }
        throw new IllegalStateException(address + " is a data source, not a managed resource");
    }

    public DataSourceType data(ResourceAddress address) {
        ResourceType type = type(address);
        if (type instanceof DataSourceType data) {
            return data;
        }
        throw new IllegalStateException(address + " is a managed resource, not a data source");
    }

    private ResourceType type(ResourceAddress address) {
        ResourceType type = types.get(address.type());
        if (type == null) {
            throw new FerryException(address + ": no provider in use implements the resource type '" + address.type()
                    + "' (is its provider declared under 'providers:'?)");
        }
        return type;
    }

    public Map<String, Integer> limits() {
        return Map.copyOf(limits);
    }

    public RangedByteSource open(DiskImage image) {
        ArtifactOpener opener = openers.get(image.kind());
        if (opener == null) {
            throw new FerryException("no provider in use can read a disk image of kind '" + image.kind() + "' (" + image.description() + ")");
        }
        return opener.open(image);
    }
}
