package dev.ferry.provider.vsphere;

import static java.util.Objects.requireNonNull;

import dev.ferry.engine.FerryException;
import dev.ferry.engine.machine.DiskImage;
import dev.ferry.engine.provider.ArtifactOpener;
import dev.ferry.engine.transfer.RangedByteSource;
import dev.ferry.provider.vsphere.vcenter.ContentLibraryClient;
import dev.ferry.provider.vsphere.vcenter.ContentLibraryClient.ItemFile;
import dev.ferry.provider.vsphere.vcenter.VcenterClient;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Opens disk images of kind {@value OvfPackage#KIND} (a VM captured into a content library) for the target's
 * upload: checks the download session is still active (opens a new one on the same item when it has ended, so
 * a resumed upload needs no second capture), has every file prepared, and returns the OVA the files make,
 * read by ranges straight from their download URLs, trusted as {@code providers.vsphere} says.
 */
final class OvfArtifactOpener implements ArtifactOpener {

    private final Optional<VcenterConnection> vcenter;

    OvfArtifactOpener(Optional<VcenterConnection> vcenter) {
        this.vcenter = requireNonNull(vcenter, "vcenter is null");
    }

    @Override
    public String kind() {
        return OvfPackage.KIND;
    }

    @Override
    public RangedByteSource open(DiskImage image) {
        String url = image.location().path("vcenter").asText("");
        if (vcenter.isEmpty() || !vcenter.get().url().equals(url)) {
            throw new FerryException("the disk image '" + image.description() + "' is on vCenter " + url
                    + ", which is not the vCenter configured under providers.vsphere (" + vcenter.map(VcenterConnection::url).orElse("none") + ")");
        }
        VcenterClient client = vcenter.get().client();
        ContentLibraryClient library = new ContentLibraryClient(client);
        String item = image.location().path("item").asText();
        List<ItemFile> files = OvfPackage.files(image.location());
        List<String> oversized = OvfPackage.oversizedDisks(image.description(), files);
        if (!oversized.isEmpty()) {
            throw new FerryException(String.join("; ", oversized));
        }
        String session = OvfPackage.activeSession(library, item, image.location().path("session").asText(""), message -> { });
        Map<String, URI> endpoints = OvfPackage.prepare(library, session, files, message -> { });
        library.keepAlive(session);
        List<OvaByteSource.Entry> entries = new ArrayList<>();
        for (ItemFile file : files) {
            entries.add(new OvaByteSource.Entry(file.name(), file.size(), endpoints.get(file.name())));
        }
        OvaByteSource source = new OvaByteSource(entries, client.trust(), "library item " + item + " on vCenter " + url);
        if (source.size() != image.sizeBytes()) {
            throw new FerryException("the OVF template " + item + " changed since it was captured (" + image.sizeBytes() + " bytes as an OVA then, "
                    + source.size() + " now): run ferry plan again");
        }
        return source;
    }
}
