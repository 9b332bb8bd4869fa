package dev.ferry.provider.linode;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.engine.FerryException;
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
import dev.ferry.engine.transfer.RangedByteSource;
import dev.ferry.provider.linode.ssh.EphemeralKey;
import dev.ferry.provider.linode.ssh.HelperShell;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;

/**
 * {@code linode_disk_write}: the source's disk written onto the raw disk through a temporary helper. The steps,
 * each a phase of one operation kept in state: the Linode is shut down; the helper is built — a disk from a stock
 * image holding this run's {@link EphemeralKey} and a config with the helper as {@code sda} and the raw disk as
 * {@code sdb}; the helper boots; the disk is written chunk by chunk over SSH ({@link DiskChunks}), each chunk read
 * back and its SHA-256 compared with the source's, each verified chunk's digest checkpointed; the Linode is shut
 * down and the helper's config and disk are deleted.
 *
 * <p>A run that dies loses its key, so a later run builds the helper again (its old disk and config removed)
 * and goes on after the chunks already verified, checking their digests on the helper first. The raw disk's bytes
 * are never written twice once verified.
 *
 * <p>The source's other disks go the same way onto the Block Storage volumes made for them, attached to the Linode
 * and put in the helper's config from {@code sdc} on, after the raw disk.
 *
 * <p>Arguments: {@code linode_id}, {@code disk_id}, {@code source} (the source's {@code DiskImage} JSON),
 * {@code helper_image}, {@code helper_size_mb}, and with volumes {@code volume_ids} and {@code data_disks} (the
 * source's other disks, in the same order). Outputs: {@code id}, {@code bytes}, {@code chunk_bytes},
 * {@code chunk_sha256} (one digest per chunk, in order), {@code volume_sha256} (the same per volume id),
 * {@code helper} (the helper's host key fingerprint).
 */
final class DiskWriteResource implements ManagedResourceType {

    static final String TYPE = "linode_disk_write";
    static final String HELPER_IMAGE = "linode/debian12";
    static final long HELPER_SIZE_MB = 2048;

    private static final String STOP = "stop";
    private static final String HELPER = "helper";
    private static final String BOOT = "boot";
    private static final String WRITE = "write";
    private static final String TEARDOWN = "teardown";

    private final LinodeClient client;
    private final LinodeSession.Timing timing;
    private final DiskRoad road;
    /** The helpers this process built, by Linode id: their keys exist only here. */
    private final Map<Long, DiskRoad.Helper> helpers = new HashMap<>();

    DiskWriteResource(LinodeClient client, LinodeSession.Timing timing, DiskRoad road) {
        this.client = requireNonNull(client, "client is null");
        this.timing = requireNonNull(timing, "timing is null");
        this.road = requireNonNull(road, "road is null");
    }

    @Override
    public String name() {
        return TYPE;
    }

    @Override
    public ResourceSchema schema() {
        return ResourceSchema.IMMUTABLE;
    }

    @Override
    public PlanResult plan(PlanRequest request) {
        Attributes desired = request.desired();
        if (desired.isKnown("volume_ids") && desired.get("volume_ids").isEmpty()) {
            // no volume to write: the write is the one made before volumes were moved
            desired = desired.without(Set.of("volume_ids", "data_disks"));
        }
        String image = Args.value(desired, "helper_image").map(JsonNode::asText).orElse(HELPER_IMAGE);
        return new PlanResult(desired, Args.object(), List.of(Note.info("written over SSH through a temporary helper (a "
                + image + " disk and a config, booted on the new Linode with a key made for this run, removed once every"
                + " chunk is read back and its SHA-256 matches the source's)")), List.of());
    }

    // ---- the phases ----

    @Override
    public Outcome create(ApplyContext context) {
        Attributes arguments = context.arguments();
        RangedByteSource source = context.openDiskImage(arguments.get("source"));
        Optional<String> unbootable;
        try {
            unbootable = BootSector.problem(source);
        } catch (IOException e) {
            throw new FerryException("the first sectors of " + source.description() + " cannot be read: " + e.getMessage());
        }
        unbootable.ifPresent(problem -> {
            throw new FerryException(source.description() + " cannot boot on a Linode by direct disk: " + problem
                    + ". Nothing was written; take the image road (target.linode.via: image) if the disk fits its limits");
        });
        ObjectNode data = Args.object();
        data.put("linode_id", Long.parseLong(arguments.text("linode_id")));
        data.put("disk_id", Long.parseLong(arguments.text("disk_id")));
        data.putArray("verified");
        data.put("chunk_bytes", road.chunkBytes());
        String id = arguments.text("linode_id") + "/" + arguments.text("disk_id");
        return poll(context, new Operation(Operation.CREATE, id, Optional.of(id), STOP, data));
    }

    @Override
    public Outcome poll(ApplyContext context, Operation operation) {
        ObjectNode data = operation.data();
        LinodeMachine machine = new LinodeMachine(client, data.path("linode_id").asLong());
        String phase = operation.phase();
        DiskRoad.Helper helper = helpers.get(machine.id());
        if ((phase.equals(BOOT) || phase.equals(WRITE)) && helper == null) {
            // The run that built this helper is gone and its key with it: build it again.
            phase = STOP;
        }
        switch (phase) {
            case STOP:
                if (!machine.stopped()) {
                    return wait(operation.withPhase(STOP), "shutting the Linode down to build the helper");
                }
                machine.removeHelper();
                helper = road.newHelper();
                helpers.put(machine.id(), helper);
                JsonNode disk = machine.createDisk(helper.diskBody(
                        Args.value(context.arguments(), "helper_image").map(JsonNode::asText).orElse(HELPER_IMAGE),
                        Args.value(context.arguments(), "helper_size_mb").map(JsonNode::asLong).orElse(HELPER_SIZE_MB)));
                data.put("helper_disk", disk.path("id").asLong());
                return wait(withData(operation, HELPER, data), "building the helper disk");
            case HELPER:
                if (helper == null) {
                    return poll(context, operation.withPhase(STOP));
                }
                JsonNode helperDisk = machine.disk(data.path("helper_disk").asLong()).orElseThrow(() -> new FerryException(
                        "the helper disk of the Linode " + machine.id() + " disappeared while it was being made"));
                if (!helperDisk.path("status").asText().equals("ready")) {
                    return wait(operation, "building the helper disk (" + helperDisk.path("status").asText() + ")");
                }
                List<Long> volumes = VolumesResource.ids(context.arguments(), "volume_ids");
                volumes.forEach(volume -> VolumesResource.attach(client, volume, machine.id()));
                JsonNode config = machine.createConfig(helper.configBody(data.path("helper_disk").asLong(),
                        data.path("disk_id").asLong(), volumes));
                data.put("helper_config", config.path("id").asLong());
                machine.boot(config.path("id").asLong());
                return wait(withData(operation, BOOT, data), "booting the helper");
            case BOOT:
                String status = machine.status();
                if (!status.equals("running")) {
                    if (status.equals("offline")) {
                        Optional<String> failure = machine.bootFailure();
                        if (failure.isPresent()) {
                            throw new FerryException("the helper did not boot on the Linode " + machine.id() + ": "
                                    + failure.get() + "; run apply again to build it afresh");
                        }
                    }
                    return wait(operation, "booting the helper (the Linode is " + status + ")");
                }
                return write(context, machine, helper, withData(operation, WRITE, data));
            case WRITE:
                return write(context, machine, helper, operation);
            case TEARDOWN:
                if (!machine.stopped()) {
                    return wait(operation, "shutting the helper down");
                }
                machine.removeHelper();
                helpers.remove(machine.id());
                return new Outcome.Done(operation.resourceId().orElse(operation.id()), outputs(data));
            default:
                throw new FerryException("unknown phase '" + phase + "' of the disk write; run apply again");
        }
    }

    private Outcome write(ApplyContext context, LinodeMachine machine, DiskRoad.Helper helper, Operation operation) {
        context.checkpoint(operation);
        ObjectNode data = operation.data();
        RangedByteSource source = context.openDiskImage(context.arguments().get("source"));
        HelperShell.Endpoint endpoint = road.endpoint(machine.publicAddress());
        try (HelperShell shell = helper.connect(endpoint)) {
            DiskChunks chunks = new DiskChunks(source, data.path("chunk_bytes").asLong(), road.transfer(), shell, "sdb");
            DiskChunks.Result result = chunks.write(verified(data), new DiskChunks.Listener() {
                @Override
                public void verified(int chunk, String sha256, List<String> all) {
                    ArrayNode list = data.putArray("verified");
                    all.forEach(list::add);
                    context.checkpoint(withData(operation, WRITE, data));
                }

                @Override
                public void progress(long bytes, long total) {
                    context.transferred("writing " + source.description() + " onto the Linode disk", bytes, total);
                }

                @Override
                public void note(String message) {
                    context.progress(message);
                }
            }, context::cancelled);
            if (result.cancelled()) {
                return new Outcome.InProgress(withData(operation, WRITE, data), "write stopped", OptionalDouble.empty(),
                        Duration.ZERO);
            }
            if (!writeVolumes(context, shell, operation)) {
                return new Outcome.InProgress(withData(operation, WRITE, data), "write stopped", OptionalDouble.empty(),
                        Duration.ZERO);
            }
            data.put("bytes", source.size());
            helper.pin().fingerprint().ifPresent(print -> data.put("helper", print));
        } catch (IOException e) {
            throw new FerryException("writing the disk onto the Linode " + machine.id() + " over SSH failed: " + e.getMessage()
                    + "; run apply again to go on from the last chunk verified");
        }
        machine.stopped();
        return wait(withData(operation, TEARDOWN, data), "shutting the helper down");
    }

    /**
     * The Block Storage volumes after the raw disk, each from its own source disk onto its device ({@code sdc}, …),
     * each chunk read back and checked as the root's, each volume's verified digests checkpointed apart. False when
     * the run was cancelled.
     */
    private boolean writeVolumes(ApplyContext context, HelperShell shell, Operation operation) throws IOException {
        ObjectNode data = operation.data();
        List<Long> volumes = VolumesResource.ids(context.arguments(), "volume_ids");
        JsonNode disks = Args.value(context.arguments(), "data_disks").orElse(Args.object().arrayNode());
        if (volumes.size() != disks.size()) {
            throw new FerryException("the source hands on " + disks.size() + " disks besides its root, but "
                    + volumes.size() + " Block Storage volumes were made for it; run plan again");
        }
        ObjectNode verified = data.has("volume_verified") && data.get("volume_verified").isObject()
                ? (ObjectNode) data.get("volume_verified") : data.putObject("volume_verified");
        for (int i = 0; i < volumes.size(); i++) {
            String volume = Long.toString(volumes.get(i));
            RangedByteSource source = context.openDiskImage(disks.get(i).path("disk_image"));
            List<String> earlier = new ArrayList<>();
            verified.path(volume).forEach(d -> earlier.add(d.asText()));
            DiskChunks chunks = new DiskChunks(source, data.path("chunk_bytes").asLong(), road.transfer(), shell,
                    VolumesResource.slot('c', i));
            DiskChunks.Result result = chunks.write(earlier, new DiskChunks.Listener() {
                @Override
                public void verified(int chunk, String sha256, List<String> all) {
                    ArrayNode list = verified.putArray(volume);
                    all.forEach(list::add);
                    context.checkpoint(withData(operation, WRITE, data));
                }

                @Override
                public void progress(long bytes, long total) {
                    context.transferred("writing " + source.description() + " onto the Block Storage volume " + volume, bytes,
                            total);
                }

                @Override
                public void note(String message) {
                    context.progress(message);
                }
            }, context::cancelled);
            if (result.cancelled()) {
                return false;
            }
        }
        return true;
    }

    private static List<String> verified(ObjectNode data) {
        List<String> verified = new ArrayList<>();
        data.path("verified").forEach(d -> verified.add(d.asText()));
        return verified;
    }

    private Outcome wait(Operation operation, String status) {
        return new Outcome.InProgress(operation, status, OptionalDouble.empty(), timing.instancePoll());
    }

    private static Operation withData(Operation operation, String phase, ObjectNode data) {
        return new Operation(operation.kind(), operation.id(), operation.resourceId(), phase, data);
    }

    private static ObjectNode outputs(ObjectNode data) {
        ObjectNode outputs = Args.object();
        outputs.put("id", data.path("linode_id").asText() + "/" + data.path("disk_id").asText());
        outputs.put("bytes", data.path("bytes").asLong());
        outputs.put("chunk_bytes", data.path("chunk_bytes").asLong());
        outputs.set("chunk_sha256", data.path("verified").deepCopy());
        if (data.has("volume_verified")) {
            outputs.set("volume_sha256", data.path("volume_verified").deepCopy());
        }
        if (data.hasNonNull("helper")) {
            outputs.put("helper", data.path("helper").asText());
        }
        return outputs;
    }

    // ---- the rest ----

    @Override
    public Map<ResourceAddress, Observation> refresh(List<RefreshRequest> requests) {
        Map<ResourceAddress, Observation> observed = new HashMap<>();
        for (RefreshRequest request : requests) {
            String[] ids = request.id().split("/");
            boolean there = ids.length == 2 && client.find("/linode/instances/" + ids[0] + "/disks/" + ids[1]).isPresent();
            observed.put(request.address(), there ? new Observation.Exists(Args.object(), request.outputs())
                    : new Observation.Gone());
        }
        return observed;
    }

    @Override
    public Optional<Found> findExisting(Identity identity, Attributes arguments) {
        return Optional.empty();
    }

    @Override
    public Outcome update(ApplyContext context) {
        throw new FerryException("a disk write is not changed in place");
    }

    /** The bytes stay on the raw disk, which goes with its own resource. */
    @Override
    public Outcome delete(ApplyContext context) {
        return new Outcome.Deleted();
    }

    @Override
    public Set<String> limits(Attributes arguments) {
        return Set.of();
    }

    /**
     * Booting the helper, writing the disk over SSH, shutting it down: linodes:read_write, and the Linode's events;
     * attaching the Block Storage volumes to it: volumes:read_write.
     */
    static List<Permission> permissions(String address) {
        return List.of(LinodeScopes.readWrite("linodes", address + " boots the helper and writes the disk"),
                LinodeScopes.readWrite("volumes", address + " attaches the Block Storage volumes to the helper"),
                LinodeScopes.events(address));
    }
}
