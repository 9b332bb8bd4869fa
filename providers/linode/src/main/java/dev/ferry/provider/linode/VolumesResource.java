package dev.ferry.provider.linode;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.engine.FerryException;
import dev.ferry.engine.machine.MachineFacts;
import dev.ferry.engine.permission.Permission;
import dev.ferry.engine.provider.ApplyContext;
import dev.ferry.engine.provider.ManagedResourceType;
import dev.ferry.engine.provider.Note;
import dev.ferry.engine.provider.Observation;
import dev.ferry.engine.provider.Operation;
import dev.ferry.engine.provider.Outcome;
import dev.ferry.engine.provider.PlanRequest;
import dev.ferry.engine.provider.PlanResult;
import dev.ferry.engine.provider.PriorState;
import dev.ferry.engine.provider.RefreshRequest;
import dev.ferry.engine.provider.ResourceSchema;
import dev.ferry.engine.resource.Attributes;
import dev.ferry.engine.resource.Identity;
import dev.ferry.engine.resource.ResourceAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;

/**
 * {@code linode_volumes}: on the disk road, one Linode Block Storage volume for each of the source's volumes besides
 * its root, in the source's device order, each at least as large as its volume (whole GB, 10 at the least), in the
 * Linode's region. The disk write attaches them to the helper and writes them; the config attaches them to the
 * Linode after its raw disk ({@code sdb}, {@code sdc}, …).
 *
 * <p>Each volume's label is unique in the account and made from the Linode's and the volume's place
 * ({@code <label>-data-1}), and each carries the resource's identity tag, so a create that may have reached
 * Linode adopts what it finds under that label instead of making a twin; a volume under that label without the
 * tag is not ferry's and stops the create.
 *
 * <p>Arguments: {@code linode_id} (the Linode they are for; it orders them after it and before its destroy),
 * {@code label} (the Linode's), {@code region}, {@code tags}, {@code machine} (the source's facts). The plan
 * replaces {@code machine} with {@code volumes}: {@code [{"source", "label", "size_gb"}]}. Outputs: {@code id},
 * {@code volume_ids} (in device order), {@code volumes} ({@code [{"id", "label", "size_gb", "source"}]}).
 */
final class VolumesResource implements ManagedResourceType {

    static final String TYPE = "linode_volumes";
    static final int LABEL_MAX = 32;
    /** Linode's smallest volume, in GB. */
    static final int MIN_GB = 10;

    private static final String CREATING = "creating";
    private static final String DETACHING = "detaching";

    private final LinodeClient client;
    private final LinodeCatalog catalog;
    private final LinodeSession.Timing timing;

    VolumesResource(LinodeClient client, LinodeCatalog catalog, LinodeSession.Timing timing) {
        this.client = requireNonNull(client, "client is null");
        this.catalog = requireNonNull(catalog, "catalog is null");
        this.timing = requireNonNull(timing, "timing is null");
    }

    @Override
    public String name() {
        return TYPE;
    }

    @Override
    public ResourceSchema schema() {
        return new ResourceSchema(Set.of("tags"));
    }

    /** Whole GB of a volume at least {@code bytes} long (Linode's GB are GiB), never under Linode's smallest. */
    static int sizeGb(long bytes) {
        long gb = (bytes + Sizes.GIB - 1) / Sizes.GIB;
        return (int) Math.max(MIN_GB, gb);
    }

    /** The label of the {@code index}th (from 1) volume of the Linode labelled {@code label}. */
    static String label(String label, int index) {
        String suffix = "-data-" + index;
        return LinodeLabels.cut(LinodeLabels.derive(label, "linode", "linode", LABEL_MAX - suffix.length()), LABEL_MAX
                - suffix.length()) + suffix;
    }

    /** The volumes the source's facts call for: its disks besides the root, in their order. */
    static ArrayNode wanted(MachineFacts machine, String label) {
        ArrayNode volumes = JsonNodeFactory.instance.arrayNode();
        int index = 0;
        for (MachineFacts.Disk disk : machine.disks()) {
            if (disk.root()) {
                continue;
            }
            index++;
            volumes.addObject().put("source", disk.name()).put("source_bytes", disk.sizeBytes())
                    .put("label", label(label, index)).put("size_gb", sizeGb(disk.sizeBytes()));
        }
        return volumes;
    }

    @Override
    public PlanResult plan(PlanRequest request) {
        Attributes desired = request.desired();
        List<Note> notes = new ArrayList<>();
        Attributes planned = desired.without(Set.of("machine"));
        if (desired.isKnown("tags")) {
            planned = planned.with("tags", IdentityTags.userTagsJson(desired.get("tags")));
        }
        Optional<MachineFacts> machine = Args.value(desired, "machine").map(MachineFacts::fromJson);
        if (machine.isEmpty() || !desired.isKnown("label")) {
            return new PlanResult(planned.withUnknown("volumes"), Args.object(), List.of(Note.info(
                    "a Block Storage volume for each of the source's volumes besides its root, once the source is known")),
                    List.of());
        }
        ArrayNode volumes = wanted(machine.get(), desired.text("label"));
        planned = planned.with("volumes", volumes);
        Optional<String> region = Args.value(desired, "region").map(JsonNode::asText);
        OptionalDouble perGb = region.map(catalog::volumeMonthlyPerGb).orElse(OptionalDouble.empty());
        if (volumes.isEmpty()) {
            notes.add(Note.info(machine.get().name() + " has no volume besides its root: no Block Storage volume is made"));
        }
        char slot = 'b';
        double total = 0;
        for (JsonNode volume : volumes) {
            int gb = volume.path("size_gb").asInt();
            String price = perGb.isPresent() ? Sizes.dollars(gb * perGb.getAsDouble()) + "/month" : "price not listed";
            total += perGb.orElse(0) * gb;
            notes.add(Note.info("volume " + volume.path("source").asText() + " (" + Sizes.bytes(volume.path("source_bytes")
                    .asLong()) + ") becomes the Block Storage volume " + volume.path("label").asText() + " of " + gb + " GB in "
                    + region.orElse("the Linode's region") + ", " + price + "; written through the helper from its own snapshot,"
                    + " each chunk's SHA-256 checked, then attached as /dev/sd" + slot));
            slot++;
        }
        if (volumes.size() > 1 && perGb.isPresent()) {
            notes.add(Note.info("Block Storage in all: " + Sizes.dollars(total) + "/month"));
        }
        List<String> errors = new ArrayList<>();
        if (volumes.size() > 7) {
            errors.add(machine.get().name() + " has " + volumes.size() + " volumes besides its root, but a Linode config has"
                    + " room for 7 beside its disk (sdb to sdh); move the others by hand");
        }
        ObjectNode known = Args.object();
        if (volumes.isEmpty()) {
            // nothing to make: what depends on the volumes plans as it did before volumes were moved
            known.setAll(outputs("none", JsonNodeFactory.instance.arrayNode()));
        }
        return new PlanResult(planned, known, notes, errors);
    }

    // ---- create: each volume found by its label, or made; then followed until every one is active ----

    @Override
    public Outcome create(ApplyContext context) {
        Attributes arguments = context.arguments();
        Identity identity = context.identity();
        ArrayNode ids = JsonNodeFactory.instance.arrayNode();
        for (JsonNode wanted : arguments.get("volumes")) {
            String label = wanted.path("label").asText();
            JsonNode volume = byLabel(label).map(found -> {
                IdentityTags.requireOurs(found, "the Block Storage volume " + label, identity, "adopt");
                return found;
            }).orElseGet(() -> {
                ObjectNode body = Args.object();
                body.put("label", label);
                body.put("size", wanted.path("size_gb").asInt());
                body.put("region", arguments.text("region"));
                body.set("tags", IdentityTags.withIdentity(arguments.get("tags"), identity));
                return client.postCreating("/volumes", body, () -> byLabel(label));
            });
            if (volume.path("size").asInt() < wanted.path("size_gb").asInt()) {
                throw new FerryException("the Block Storage volume " + label + " is " + volume.path("size").asInt()
                        + " GB, smaller than the " + wanted.path("size_gb").asInt() + " GB it must hold; resize it"
                        + " (linode-cli volumes resize) and run apply again");
            }
            ids.add(volume.path("id").asLong());
        }
        ObjectNode data = Args.object();
        data.set("ids", ids);
        return follow(context, new Operation(Operation.CREATE, id(ids), Optional.of(id(ids)), CREATING, data));
    }

    private Optional<JsonNode> byLabel(String label) {
        ObjectNode filter = Args.object();
        filter.put("label", label);
        return client.list("/volumes", filter).stream().filter(v -> v.path("label").asText().equals(label)).findFirst();
    }

    private static String id(JsonNode ids) {
        List<String> parts = new ArrayList<>();
        ids.forEach(id -> parts.add(id.asText()));
        return parts.isEmpty() ? "none" : String.join(",", parts);
    }

    private Outcome follow(ApplyContext context, Operation operation) {
        ArrayNode volumes = JsonNodeFactory.instance.arrayNode();
        List<String> waiting = new ArrayList<>();
        JsonNode wanted = context.arguments().get("volumes");
        int index = 0;
        for (JsonNode id : operation.data().path("ids")) {
            JsonNode volume = client.find("/volumes/" + id.asLong()).orElseThrow(() -> new FerryException("the Block Storage"
                    + " volume " + id.asLong() + " disappeared while it was being made; run apply again"));
            String status = volume.path("status").asText();
            if (!status.equals("active")) {
                waiting.add(volume.path("label").asText() + " (" + status + ")");
            }
            volumes.addObject().put("id", volume.path("id").asText()).put("label", volume.path("label").asText())
                    .put("size_gb", volume.path("size").asInt()).put("source", wanted.path(index).path("source").asText());
            index++;
        }
        if (!waiting.isEmpty()) {
            return new Outcome.InProgress(operation, "making " + String.join(", ", waiting), OptionalDouble.empty(),
                    timing.instancePoll());
        }
        return new Outcome.Done(operation.id(), outputs(operation.id(), volumes));
    }

    private static ObjectNode outputs(String id, ArrayNode volumes) {
        ObjectNode outputs = Args.object();
        outputs.put("id", id);
        ArrayNode ids = outputs.putArray("volume_ids");
        volumes.forEach(v -> ids.add(v.path("id").asText()));
        outputs.set("volumes", volumes);
        return outputs;
    }

    @Override
    public Outcome poll(ApplyContext context, Operation operation) {
        if (operation.kind().equals(Operation.DELETE)) {
            return delete(context, operation.data().deepCopy());
        }
        return follow(context, operation);
    }

    @Override
    public Map<ResourceAddress, Observation> refresh(List<RefreshRequest> requests) {
        Map<ResourceAddress, Observation> observed = new HashMap<>();
        for (RefreshRequest request : requests) {
            ArrayNode volumes = JsonNodeFactory.instance.arrayNode();
            List<String> gone = new ArrayList<>();
            for (JsonNode known : request.outputs().path("volumes")) {
                Optional<JsonNode> volume = client.find("/volumes/" + known.path("id").asText());
                if (volume.isEmpty()) {
                    gone.add(known.path("label").asText());
                } else {
                    volumes.addObject().put("id", known.path("id").asText()).put("label", volume.get().path("label").asText())
                            .put("size_gb", volume.get().path("size").asInt()).put("source", known.path("source").asText());
                }
            }
            observed.put(request.address(), gone.isEmpty()
                    ? new Observation.Exists(Args.object(), outputs(request.id(), volumes))
                    : new Observation.Gone());
        }
        return observed;
    }

    @Override
    public Optional<Found> findExisting(Identity identity, Attributes arguments) {
        return Optional.empty();
    }

    /** Only the tags change in place. */
    @Override
    public Outcome update(ApplyContext context) {
        PriorState prior = context.prior().orElseThrow();
        for (JsonNode volume : prior.outputs().path("volumes")) {
            ObjectNode body = Args.object();
            body.set("tags", IdentityTags.withIdentity(context.arguments().get("tags"), context.identity()));
            client.put("/volumes/" + volume.path("id").asText(), body);
        }
        return new Outcome.Done(prior.id(), prior.outputs());
    }

    /** Detaches each volume still attached (the Linode is shut down first by its config's destroy) and deletes it. */
    @Override
    public Outcome delete(ApplyContext context) {
        return delete(context, Args.object());
    }

    /** {@code asked}: the volumes whose detach was asked for already (Linode detaches in the background). */
    private Outcome delete(ApplyContext context, ObjectNode asked) {
        PriorState prior = context.prior().orElseThrow();
        Identity identity = context.identity();
        List<String> detaching = new ArrayList<>();
        for (JsonNode known : prior.outputs().path("volumes")) {
            String id = known.path("id").asText();
            Optional<JsonNode> volume = client.find("/volumes/" + id);
            if (volume.isEmpty()) {
                continue;
            }
            IdentityTags.requireOurs(volume.get(), "the Block Storage volume " + volume.get().path("label").asText(), identity,
                    "delete");
            if (volume.get().hasNonNull("linode_id")) {
                if (!asked.has(id)) {
                    client.postWithoutBody("/volumes/" + id + "/detach");
                    asked.put(id, true);
                }
                detaching.add(volume.get().path("label").asText());
                continue;
            }
            client.delete("/volumes/" + id);
        }
        if (!detaching.isEmpty()) {
            return new Outcome.InProgress(new Operation(Operation.DELETE, prior.id(), Optional.of(prior.id()), DETACHING,
                    asked), "detaching " + String.join(", ", detaching), OptionalDouble.empty(), timing.instancePoll());
        }
        return new Outcome.Deleted();
    }

    @Override
    public Set<String> limits(Attributes arguments) {
        return Set.of();
    }

    /** The volumes made, attached, detached and removed: volumes:read_write, and the events that follow them. */
    static List<Permission> permissions(String address) {
        return List.of(LinodeScopes.readWrite("volumes", address + " makes the Block Storage volumes and removes them"),
                LinodeScopes.events(address));
    }

    /**
     * Attaches the volume {@code volumeId} to the Linode {@code linodeId} unless it is attached there already; one
     * attached elsewhere is not taken from that Linode.
     */
    static void attach(LinodeClient client, long volumeId, long linodeId) {
        JsonNode volume = client.get("/volumes/" + volumeId);
        if (volume.hasNonNull("linode_id")) {
            if (volume.path("linode_id").asLong() == linodeId) {
                return;
            }
            throw new FerryException("the Block Storage volume " + volume.path("label").asText() + " is attached to the Linode "
                    + volume.path("linode_id").asLong() + ", not " + linodeId + "; detach it (linode-cli volumes detach "
                    + volumeId + ") and run apply again");
        }
        ObjectNode body = Args.object();
        body.put("linode_id", linodeId);
        client.post("/volumes/" + volumeId + "/attach", body, LinodeClient.Replay.SAFE);
    }

    /** The volume ids of an argument holding this resource's {@code volume_ids}, in order. */
    static List<Long> ids(Attributes arguments, String name) {
        List<Long> ids = new ArrayList<>();
        Args.value(arguments, name).ifPresent(list -> list.forEach(id -> ids.add(Long.parseLong(id.asText()))));
        return ids;
    }

    /** The device a volume is in: {@code first} for the first, the next letters after. */
    static String slot(char first, int index) {
        return ("sd" + (char) (first + index)).toLowerCase(Locale.ROOT);
    }
}
