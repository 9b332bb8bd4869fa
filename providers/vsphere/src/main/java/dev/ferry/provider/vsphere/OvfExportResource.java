package dev.ferry.provider.vsphere;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.engine.FerryException;
import dev.ferry.engine.machine.DiskImage;
import dev.ferry.engine.provider.ApplyContext;
import dev.ferry.engine.provider.Note;
import dev.ferry.engine.provider.Observation;
import dev.ferry.engine.provider.Outcome;
import dev.ferry.engine.provider.PlanRequest;
import dev.ferry.engine.provider.PlanResult;
import dev.ferry.engine.provider.RefreshRequest;
import dev.ferry.engine.resource.Attributes;
import dev.ferry.engine.resource.Identity;
import dev.ferry.provider.vsphere.vcenter.ContentLibraryClient;
import dev.ferry.provider.vsphere.vcenter.ContentLibraryClient.ItemFile;
import dev.ferry.provider.vsphere.vcenter.VmInfo;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * {@code vsphere_ovf_export.<migration>}: the VM captured as an OVF template into a content library
 * ({@code POST /api/vcenter/ovf/library-item}) and a download session opened on the item with every file
 * prepared. Arguments: {@code vcenter}, {@code vm} (name), {@code vm_id}, {@code item_name}, {@code shutdown}, and
 * {@code library_id} (ferry's temporary library) or {@code library} (a library named in the file). Outputs:
 * {@code id} (the item), {@code library_id}, {@code session} and {@code disk_image} (kind {@value OvfPackage#KIND},
 * format {@code ova}: the descriptor and the disks, streamed from the session by the target's upload). vCenter
 * captures only a powered-off VM: with {@code shutdown: true} a powered-on guest is shut down first and left off.
 */
final class OvfExportResource extends VcenterResource {

    static final String TYPE = "vsphere_ovf_export";
    private static final long SHUTDOWN_WAIT_MILLIS = 10 * 60 * 1000;

    OvfExportResource(Optional<VcenterConnection> vcenter) {
        super(TYPE, vcenter);
    }

    @Override
    public PlanResult plan(PlanRequest request) {
        Attributes desired = request.desired();
        ObjectNode known = JsonNodeFactory.instance.objectNode();
        String where = desired.optionalText("library").map(name -> "content library '" + name + "'")
                .orElse("the temporary content library");
        String item = desired.optionalText("item_name").orElse("?");
        String vm = desired.optionalText("vm").orElse("?");
        List<Note> notes = new java.util.ArrayList<>();
        notes.add(Note.info("captures VM '" + vm + "' as the OVF template '" + item + "' in " + where
                + ", then streams its descriptor and disks from a download session into the upload as one OVA (no local copy)"));
        List<String> errors = new java.util.ArrayList<>();
        if (request.prior().isEmpty() && vcenter.isPresent()) {
            VcenterConnection connection = vcenter.get();
            if (connection.insecure()) {
                notes.add(Note.warning("TLS certificate checks are OFF for vCenter " + connection.url() + " and the ESXi hosts of its download "
                        + "URLs (providers.vsphere.insecure: true): anyone between here and them could read the password and the disks"));
            } else {
                notes.add(Note.info("the download URLs' hosts are trusted through the system's CAs"
                        + connection.caBundle().map(bundle -> " and " + bundle).orElse(" (no providers.vsphere.ca_bundle)")));
            }
            desired.optionalText("vm_id").ifPresent(vmId -> {
                try {
                    String state = library().powerState(vmId);
                    boolean shutdown = desired.find("shutdown").map(JsonNode::asBoolean).orElse(false);
                    if (state.equals(VmInfo.POWERED_OFF)) {
                        notes.add(Note.info("VM '" + vm + "' is powered off, as vCenter requires for the capture"));
                    } else if (state.equals(VmInfo.POWERED_ON) && shutdown) {
                        notes.add(Note.warning("VM '" + vm + "' is powered on: vCenter captures only a powered-off VM, so ferry shuts its guest down "
                                + "(VMware Tools) before the capture and leaves it powered off (shutdown: true); it does not clone it"));
                    }
                } catch (FerryException e) {
                    errors.add(e.getMessage());
                }
            });
        }
        request.prior().ifPresent(prior -> errors.addAll(OvfPackage.oversizedDisks("VM '" + vm + "'",
                OvfPackage.files(prior.outputs().path("disk_image").path("location")))));
        Optional<String> named = desired.optionalText("library");
        if (named.isPresent() && vcenter.isPresent()) {
            try {
                List<String> found = library().findLibraries(named.get());
                if (found.isEmpty()) {
                    errors.add("vCenter has no content library named '" + named.get() + "': create it, or give source.vsphere.datastore "
                            + "instead so that ferry makes a temporary one");
                } else if (found.size() > 1) {
                    errors.add("vCenter has " + found.size() + " content libraries named '" + named.get() + "': rename one");
                }
            } catch (FerryException e) {
                errors.add(e.getMessage());
            }
        }
        return new PlanResult(desired, known, notes, errors);
    }

    private String libraryId(ContentLibraryClient library, Attributes arguments) {
        Optional<String> id = arguments.optionalText("library_id");
        if (id.isPresent()) {
            return id.get();
        }
        String name = arguments.text("library");
        List<String> found = library.findLibraries(name);
        if (found.size() != 1) {
            throw new FerryException("vCenter has " + (found.isEmpty() ? "no" : found.size()) + " content librar" + (found.size() == 1 ? "y" : "ies")
                    + " named '" + name + "': source.vsphere.library must name exactly one");
        }
        return found.get(0);
    }

    static String description(Identity identity) {
        return "OVF template captured by ferry on its way to another cloud. ferry:id=" + identity.token() + " ferry:address=" + identity.address();
    }

    @Override
    public Optional<Found> findExisting(Identity identity, Attributes arguments) {
        ContentLibraryClient library = library();
        String libraryId = libraryId(library, arguments);
        for (String id : library.findItems(libraryId, arguments.text("item_name"))) {
            Optional<JsonNode> item = library.item(id);
            if (item.isPresent() && item.get().path("description").asText("").contains("ferry:id=" + identity.token())) {
                return Optional.of(new Found(id, Optional.empty()));
            }
        }
        return Optional.empty();
    }

    @Override
    public Outcome create(ApplyContext context) {
        Attributes arguments = context.arguments();
        ContentLibraryClient library = library();
        String vmId = arguments.text("vm_id");
        String vm = arguments.text("vm");
        String libraryId = libraryId(library, arguments);
        powerOff(context, library, vmId, vm, arguments.find("shutdown").map(JsonNode::asBoolean).orElse(false));
        context.progress("capturing VM '" + vm + "' as an OVF template");
        String token = UUID.nameUUIDFromBytes(("ovf/" + context.identity().token()).getBytes(StandardCharsets.UTF_8)).toString();
        String item = library.capture(vmId, libraryId, arguments.text("item_name"), description(context.identity()), token);
        String sessionToken = UUID.nameUUIDFromBytes(("session/" + context.identity().token()).getBytes(StandardCharsets.UTF_8)).toString();
        String session = library.createDownloadSession(item, sessionToken);
        return prepared(context, library, item, libraryId, session, vm);
    }

    private Outcome prepared(ApplyContext context, ContentLibraryClient library, String item, String libraryId, String session, String vm) {
        List<ItemFile> files = library.itemFiles(item);
        List<String> oversized = OvfPackage.oversizedDisks("VM '" + vm + "'", files);
        if (!oversized.isEmpty()) {
            // nothing is uploaded: an import of this template would fail after hours of streaming
            throw new FerryException(String.join("; ", oversized));
        }
        OvfPackage.prepare(library, session, OvfPackage.ovaOrder(files), context::progress);
        return new Outcome.Done(item, outputs(item, libraryId, session, files, vm));
    }

    private ObjectNode outputs(String item, String libraryId, String session, List<ItemFile> files, String vm) {
        DiskImage image = OvfPackage.diskImage(connection().url(), item, session, files, vm);
        ObjectNode outputs = JsonNodeFactory.instance.objectNode().put("id", item).put("library_id", libraryId).put("session", session)
                .put("files", files.size());
        outputs.set("disk_image", image.toJson());
        return outputs;
    }

    /** vCenter exports only a powered-off VM. */
    private static void powerOff(ApplyContext context, ContentLibraryClient library, String vmId, String vm, boolean shutdown) {
        String state = library.powerState(vmId);
        if (state.equals(VmInfo.POWERED_OFF)) {
            return;
        }
        if (!state.equals(VmInfo.POWERED_ON) || !shutdown) {
            throw new FerryException("VM '" + vm + "' is " + state + ", and vCenter captures only a powered-off VM: power it off, or set "
                    + "'shutdown: true' under source.vsphere so that ferry shuts its guest down first");
        }
        context.progress("shutting down the guest of VM '" + vm + "' before the capture");
        library.shutdownGuest(vmId);
        Instant deadline = Instant.now().plusMillis(SHUTDOWN_WAIT_MILLIS);
        long pause = 20;
        while (!library.powerState(vmId).equals(VmInfo.POWERED_OFF)) {
            if (Instant.now().isAfter(deadline)) {
                throw new FerryException("VM '" + vm + "' did not power off within 10 minutes of the guest shutdown: check VMware Tools, "
                        + "power it off in the vSphere Client, then run ferry apply again");
            }
            OvfPackage.sleep(pause);
            pause = Math.min(2000, pause * 2);
        }
    }

    @Override
    Observation observe(ContentLibraryClient library, RefreshRequest request) {
        Optional<JsonNode> item = library.item(request.id());
        if (item.isEmpty()) {
            return new Observation.Gone();
        }
        String session = request.outputs().path("session").asText("");
        String vm = request.arguments().path("vm").asText(item.get().path("name").asText());
        return new Observation.Exists(JsonNodeFactory.instance.objectNode(), outputs(request.id(),
                item.get().path("library_id").asText(), session, library.itemFiles(request.id()), vm));
    }

    @Override
    public Outcome update(ApplyContext context) {
        throw new IllegalStateException(TYPE + " is replaced, never updated");
    }

    @Override
    public Outcome delete(ApplyContext context) {
        String item = context.prior().orElseThrow().id();
        String session = context.prior().get().outputs().path("session").asText("");
        ContentLibraryClient library = library();
        if (!session.isEmpty()) {
            library.deleteDownloadSession(session);
        }
        context.progress("deleting OVF template " + item);
        library.deleteItem(item);
        return new Outcome.Deleted();
    }
}
