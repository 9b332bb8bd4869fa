package dev.ferry.provider.vsphere;

import static java.util.Objects.requireNonNull;

import dev.ferry.engine.provider.ArtifactOpener;
import dev.ferry.engine.provider.ProviderSession;
import dev.ferry.engine.provider.ResourceType;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The vSphere provider for one command: the {@code vsphere_vm} data source and the {@code file} disk image opener. */
final class VsphereSession implements ProviderSession {

    private final Optional<VcenterConnection> vcenter;
    private final VsphereVmDataSource vms;
    private final FileArtifactOpener files = new FileArtifactOpener();

    VsphereSession(Optional<VcenterConnection> vcenter) {
        this.vcenter = requireNonNull(vcenter, "vcenter is null");
        this.vms = new VsphereVmDataSource(vcenter);
    }

    @Override
    public List<ResourceType> resourceTypes() {
        return List.of(vms);
    }

    /** Reading files and vCenter's inventory holds no cloud capacity. */
    @Override
    public Map<String, Integer> limits() {
        return Map.of();
    }

    @Override
    public List<ArtifactOpener> artifactOpeners() {
        return List.of(files);
    }

    @Override
    public void close() {
        vcenter.ifPresent(VcenterConnection::close);
    }
}
