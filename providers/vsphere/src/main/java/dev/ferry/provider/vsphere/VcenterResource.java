package dev.ferry.provider.vsphere;

import static java.util.Objects.requireNonNull;

import dev.ferry.engine.FerryException;
import dev.ferry.engine.provider.ApplyContext;
import dev.ferry.engine.provider.ManagedResourceType;
import dev.ferry.engine.provider.Observation;
import dev.ferry.engine.provider.Operation;
import dev.ferry.engine.provider.Outcome;
import dev.ferry.engine.provider.RefreshRequest;
import dev.ferry.engine.provider.ResourceSchema;
import dev.ferry.engine.resource.Attributes;
import dev.ferry.engine.resource.ResourceAddress;
import dev.ferry.provider.vsphere.vcenter.ContentLibraryClient;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What the resources ferry makes in vCenter on the way out share: a name, no argument that changes in
 * place, no limit, and the vCenter connection (absent when the file gives no {@code vcenter}).
 */
abstract class VcenterResource implements ManagedResourceType {

    private final String name;
    final Optional<VcenterConnection> vcenter;

    VcenterResource(String name, Optional<VcenterConnection> vcenter) {
        this.name = requireNonNull(name, "name is null");
        this.vcenter = requireNonNull(vcenter, "vcenter is null");
    }

    @Override
    public final String name() {
        return name;
    }

    @Override
    public ResourceSchema schema() {
        return ResourceSchema.IMMUTABLE;
    }

    @Override
    public Set<String> limits(Attributes arguments) {
        return Set.of();
    }

    /** The connection, or a clear refusal when the file names no vCenter to export from. */
    VcenterConnection connection() {
        return vcenter.orElseThrow(() -> new FerryException("providers.vsphere has no vcenter: ferry cannot export the VM"));
    }

    ContentLibraryClient library() {
        return new ContentLibraryClient(connection().client());
    }

    /** A create is idempotent (a client token, or finding what carries ferry's identity): polling repeats it. */
    @Override
    public Outcome poll(ApplyContext context, Operation operation) {
        return create(context);
    }

    @Override
    public Map<ResourceAddress, Observation> refresh(List<RefreshRequest> requests) {
        Map<ResourceAddress, Observation> observed = new LinkedHashMap<>();
        if (vcenter.isEmpty()) {
            requests.forEach(request -> observed.put(request.address(), new Observation.Broken("providers.vsphere has no vcenter")));
            return observed;
        }
        ContentLibraryClient library = library();
        requests.forEach(request -> observed.put(request.address(), observe(library, request)));
        return observed;
    }

    /** What vCenter holds now for one recorded resource. */
    abstract Observation observe(ContentLibraryClient library, RefreshRequest request);
}
