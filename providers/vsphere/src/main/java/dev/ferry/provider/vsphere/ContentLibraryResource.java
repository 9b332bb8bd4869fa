package dev.ferry.provider.vsphere;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.engine.FerryException;
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
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * {@code vsphere_content_library.<migration>}: a temporary local content library on a datastore, where the VM is
 * captured on its way out. Arguments {@code name}, {@code datastore} (its name) and {@code vcenter}; outputs
 * {@code id}. Its description carries ferry's identity, so a library whose creation was never recorded is found
 * again by name instead of made twice.
 */
final class ContentLibraryResource extends VcenterResource {

    static final String TYPE = "vsphere_content_library";

    ContentLibraryResource(Optional<VcenterConnection> vcenter) {
        super(TYPE, vcenter);
    }

    static String description(Identity identity) {
        return "Made by ferry to capture VMs on their way out; deleted with them. ferry:id=" + identity.token() + " ferry:address="
                + identity.address();
    }

    @Override
    public PlanResult plan(PlanRequest request) {
        ObjectNode known = JsonNodeFactory.instance.objectNode();
        if (request.prior().isPresent()) {
            known.put("id", request.prior().get().id());
        }
        return new PlanResult(request.desired(), known, List.of(Note.info("a temporary local content library '" + request.desired().text("name")
                + "' on datastore " + request.desired().text("datastore") + " holds the VM's OVF template on its way")), List.of());
    }

    @Override
    public Optional<Found> findExisting(Identity identity, Attributes arguments) {
        ContentLibraryClient library = library();
        for (String id : library.findLibraries(arguments.text("name"))) {
            Optional<JsonNode> model = library.library(id);
            if (model.isPresent() && model.get().path("description").asText("").contains("ferry:id=" + identity.token())) {
                return Optional.of(new Found(id, Optional.empty()));
            }
        }
        return Optional.empty();
    }

    @Override
    public Outcome create(ApplyContext context) {
        ContentLibraryClient library = library();
        String datastore = context.arguments().text("datastore");
        String datastoreId = library.datastoreId(datastore).orElseThrow(() -> new FerryException(context.identity().address()
                + ": vCenter has no datastore named '" + datastore + "': check source.vsphere.datastore against the vSphere Client"));
        context.progress("creating content library " + context.arguments().text("name") + " on " + datastore);
        String token = UUID.nameUUIDFromBytes(("library/" + context.identity().token()).getBytes(java.nio.charset.StandardCharsets.UTF_8)).toString();
        String id = library.createLocalLibrary(context.arguments().text("name"), description(context.identity()), datastoreId, token);
        return new Outcome.Done(id, JsonNodeFactory.instance.objectNode().put("id", id));
    }

    @Override
    Observation observe(ContentLibraryClient library, RefreshRequest request) {
        return library.library(request.id()).<Observation>map(model -> new Observation.Exists(
                JsonNodeFactory.instance.objectNode(), JsonNodeFactory.instance.objectNode().put("id", request.id())))
                .orElse(new Observation.Gone());
    }

    @Override
    public Outcome update(ApplyContext context) {
        throw new IllegalStateException(TYPE + " is replaced, never updated");
    }

    @Override
    public Outcome delete(ApplyContext context) {
        String id = context.prior().orElseThrow().id();
        context.progress("deleting content library " + id);
        library().deleteLocalLibrary(id);
        return new Outcome.Deleted();
    }
}
