package dev.ferry.provider.vsphere;

import static java.util.Objects.requireNonNull;

import dev.ferry.engine.provider.ArtifactOpener;
import dev.ferry.engine.provider.ProviderSession;
import dev.ferry.engine.provider.ResourceType;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The vSphere provider for one command: the {@code vsphere_vm} data source, the {@code vsphere_content_library} and
 * {@code vsphere_ovf_export} resources, and the {@code file} and {@code vcenter-ovf} disk image openers.
 */
final class VsphereSession implements ProviderSession {

    private final Optional<VcenterConnection> vcenter;
    private final VsphereVmDataSource vms;
    private final FileArtifactOpener files = new FileArtifactOpener();
    private final OvfArtifactOpener templates;
    private final ContentLibraryResource libraries;
    private final OvfExportResource exports;

    VsphereSession(Optional<VcenterConnection> vcenter) {
        this.vcenter = requireNonNull(vcenter, "vcenter is null");
        this.vms = new VsphereVmDataSource(vcenter);
        this.templates = new OvfArtifactOpener(vcenter);
        this.libraries = new ContentLibraryResource(vcenter);
        this.exports = new OvfExportResource(vcenter);
    }

    @Override
    public List<ResourceType> resourceTypes() {
        return List.of(vms, libraries, exports);
    }

    /** Reading files and vCenter's inventory holds no cloud capacity. */
    @Override
    public Map<String, Integer> limits() {
        return Map.of();
    }

    @Override
    public List<ArtifactOpener> artifactOpeners() {
        return List.of(files, templates);
    }

    @Override
    public void close() {
        vcenter.ifPresent(VcenterConnection::close);
    }
}
