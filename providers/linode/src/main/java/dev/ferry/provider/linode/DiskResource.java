package dev.ferry.provider.linode;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
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
import dev.ferry.engine.provider.RefreshRequest;
import dev.ferry.engine.provider.ResourceSchema;
import dev.ferry.engine.resource.Attributes;
import dev.ferry.engine.resource.Identity;
import dev.ferry.engine.resource.ResourceAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;

/**
 * {@code linode_disk}: the raw disk of the disk road, on the Linode {@code linode_id}, as large as the source's
 * root volume (in MB, rounded up), made with {@code filesystem: raw} and followed until it is {@code ready}. Its
 * label is unique on the Linode, so a create that may have reached Linode finds its disk instead of making a
 * twin.
 *
 * <p>Arguments: {@code linode_id}, {@code label}, {@code machine} (the source's {@code MachineFacts}, whose root
 * disk gives the size). The plan replaces {@code machine} with {@code size_mb}. Outputs: {@code id},
 * {@code linode_id}, {@code size_mb}, {@code status}.
 */
final class DiskResource implements ManagedResourceType {

    static final String TYPE = "linode_disk";
    private static final String PHASE_MAKING = "making";

    private final LinodeClient client;
    private final LinodeSession.Timing timing;

    DiskResource(LinodeClient client, LinodeSession.Timing timing) {
        this.client = requireNonNull(client, "client is null");
        this.timing = requireNonNull(timing, "timing is null");
    }

    @Override
    public String name() {
        return TYPE;
    }

    @Override
    public ResourceSchema schema() {
        return ResourceSchema.IMMUTABLE;
    }

    /** The size in MB of the disk that holds {@code machine}'s root volume, when it is known. */
    static Optional<Long> sizeMb(Attributes desired) {
        return Args.value(desired, "machine").map(MachineFacts::fromJson).flatMap(MachineFacts::rootDisk)
                .map(root -> Sizes.ceilMebibytes(root.sizeBytes()));
    }

    @Override
    public PlanResult plan(PlanRequest request) {
        Attributes desired = request.desired();
        List<Note> notes = new ArrayList<>();
        Attributes planned = desired.without(Set.of("machine"));
        Optional<Long> size = sizeMb(desired);
        if (size.isPresent()) {
            planned = planned.with("size_mb", JsonNodeFactory.instance.numberNode(size.get()));
            notes.add(Note.info("a raw disk of " + Sizes.mebibytes(size.get()) + ", the size of the source's root volume"));
        } else if (desired.isKnown("size_mb")) {
            planned = planned.with("size_mb", desired.get("size_mb"));
        } else {
            planned = planned.withUnknown("size_mb");
        }
        return new PlanResult(planned, Args.object(), notes, List.of());
    }

    @Override
    public Outcome create(ApplyContext context) {
        Attributes arguments = context.arguments();
        LinodeMachine machine = new LinodeMachine(client, Long.parseLong(arguments.text("linode_id")));
        ObjectNode body = Args.object();
        body.put("label", arguments.text("label"));
        body.put("size", arguments.get("size_mb").asLong());
        body.put("filesystem", "raw");
        JsonNode disk;
        try {
            disk = machine.createDisk(body);
        } catch (LinodeApiException e) {
            if (e.status() == 400 && e.concerns("size")) {
                throw new FerryException("the Linode " + machine.id() + " has no room for a raw disk of "
                        + Sizes.mebibytes(arguments.get("size_mb").asLong()) + ": " + e.getMessage()
                        + "; choose a type with a larger disk (target.linode.type)");
            }
            throw e;
        }
        return follow(machine, disk);
    }

    private Outcome follow(LinodeMachine machine, JsonNode disk) {
        String id = disk.path("id").asText();
        if (disk.path("status").asText().equals("ready")) {
            return new Outcome.Done(id, outputs(machine.id(), disk));
        }
        ObjectNode data = Args.object();
        data.put("linode_id", machine.id());
        return new Outcome.InProgress(new Operation(Operation.CREATE, id, Optional.of(id), PHASE_MAKING, data),
                "the disk is " + disk.path("status").asText(), OptionalDouble.empty(), timing.instancePoll());
    }

    @Override
    public Outcome poll(ApplyContext context, Operation operation) {
        LinodeMachine machine = new LinodeMachine(client, operation.data().path("linode_id").asLong());
        long diskId = Long.parseLong(operation.resourceId().orElse(operation.id()));
        JsonNode disk = machine.disk(diskId).orElseThrow(() -> new FerryException("the raw disk " + diskId + " of the Linode "
                + machine.id() + " disappeared while it was being made"));
        return follow(machine, disk);
    }

    static ObjectNode outputs(long linodeId, JsonNode disk) {
        ObjectNode outputs = Args.object();
        outputs.put("id", disk.path("id").asText());
        outputs.put("linode_id", Long.toString(linodeId));
        outputs.put("size_mb", disk.path("size").asLong());
        outputs.put("status", disk.path("status").asText());
        return outputs;
    }

    @Override
    public Map<ResourceAddress, Observation> refresh(List<RefreshRequest> requests) {
        Map<ResourceAddress, Observation> observed = new HashMap<>();
        for (RefreshRequest request : requests) {
            long linodeId = request.outputs().path("linode_id").asLong(request.arguments().path("linode_id").asLong());
            Optional<JsonNode> disk = client.find("/linode/instances/" + linodeId + "/disks/" + request.id());
            observed.put(request.address(), disk.<Observation>map(d -> new Observation.Exists(Args.object(), outputs(linodeId, d)))
                    .orElseGet(Observation.Gone::new));
        }
        return observed;
    }

    @Override
    public Optional<Found> findExisting(Identity identity, Attributes arguments) {
        if (!arguments.isKnown("linode_id")) {
            return Optional.empty();
        }
        LinodeMachine machine = new LinodeMachine(client, Long.parseLong(arguments.text("linode_id")));
        return machine.disk(arguments.text("label")).map(disk -> new Found(disk.path("id").asText(), Optional.empty()));
    }

    @Override
    public Outcome update(ApplyContext context) {
        throw new FerryException("a raw disk is not changed in place");
    }

    @Override
    public Outcome delete(ApplyContext context) {
        var prior = context.prior().orElseThrow();
        long linodeId = prior.outputs().path("linode_id").asLong(prior.arguments().path("linode_id").asLong());
        if (client.find("/linode/instances/" + linodeId + "/disks/" + prior.id()).isPresent()) {
            client.delete("/linode/instances/" + linodeId + "/disks/" + prior.id());
        }
        return new Outcome.Deleted();
    }

    @Override
    public Set<String> limits(Attributes arguments) {
        return Set.of();
    }

    /** A disk of the Linode, made and removed: linodes:read_write, and the Linode's events. */
    static List<Permission> permissions(String address) {
        return List.of(LinodeScopes.readWrite("linodes", address + " makes the Linode's disks"), LinodeScopes.events(address));
    }
}
