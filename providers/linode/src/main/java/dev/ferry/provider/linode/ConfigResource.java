package dev.ferry.provider.linode;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.engine.FerryException;
import dev.ferry.engine.permission.Permission;
import dev.ferry.engine.provider.ApplyContext;
import dev.ferry.engine.provider.ManagedResourceType;
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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;

/**
 * {@code linode_config}: how the Linode boots at the end of the disk road — the raw disk as {@code sda} with the
 * {@code linode/direct-disk} kernel, so the source's own boot loader starts it. With the Linode offline and any
 * helper left behind removed, the config is made (or found by its label), the Cloud Firewall attached (only now:
 * it would have kept ferry's SSH from the helper), and the Linode booted and followed until it is
 * {@code running}.
 *
 * <p>The source's other volumes, moved onto Block Storage volumes, follow the raw disk in the source's device order
 * ({@code sdb}, {@code sdc}, …), attached to the Linode first if they are not.
 *
 * <p>Arguments: {@code linode_id}, {@code disk_id}, {@code label}, {@code kernel}, {@code volume_ids} (optional),
 * {@code firewall_id} (optional, changed in place), {@code written} (the disk write's digests, so the config comes after it). Outputs:
 * {@code id}, {@code linode_id}, {@code kernel}, {@code status}.
 */
final class ConfigResource implements ManagedResourceType {

    static final String TYPE = "linode_config";
    static final String DIRECT_DISK = "linode/direct-disk";

    private static final String STOP = "stop";
    private static final String BOOT = "boot";

    private final LinodeClient client;
    private final LinodeSession.Timing timing;
    private final FirewallDevices firewalls;

    ConfigResource(LinodeClient client, LinodeSession.Timing timing) {
        this.client = requireNonNull(client, "client is null");
        this.timing = requireNonNull(timing, "timing is null");
        this.firewalls = new FirewallDevices(client);
    }

    @Override
    public String name() {
        return TYPE;
    }

    @Override
    public ResourceSchema schema() {
        return new ResourceSchema(Set.of("firewall_id"));
    }

    @Override
    public PlanResult plan(PlanRequest request) {
        Attributes desired = request.desired();
        if (desired.isKnown("volume_ids") && desired.get("volume_ids").isEmpty()) {
            // no volume to attach: the config is the one made before volumes were moved
            return PlanResult.unchanged(desired.without(Set.of("volume_ids")));
        }
        return PlanResult.unchanged(desired);
    }

    @Override
    public Outcome create(ApplyContext context) {
        ObjectNode data = Args.object();
        data.put("linode_id", Long.parseLong(context.arguments().text("linode_id")));
        String id = context.arguments().text("linode_id");
        return poll(context, new Operation(Operation.CREATE, id, Optional.empty(), STOP, data));
    }

    @Override
    public Outcome poll(ApplyContext context, Operation operation) {
        if (operation.kind().equals(Operation.DELETE)) {
            return delete(context);
        }
        Attributes arguments = context.arguments();
        ObjectNode data = operation.data();
        LinodeMachine machine = new LinodeMachine(client, data.path("linode_id").asLong());
        if (operation.phase().equals(STOP)) {
            if (!machine.stopped()) {
                return wait(operation, "shutting the Linode down to boot its own disk");
            }
            machine.removeHelper();
            ObjectNode body = Args.object();
            body.put("label", arguments.text("label"));
            body.put("kernel", Args.value(arguments, "kernel").map(JsonNode::asText).orElse(DIRECT_DISK));
            body.put("root_device", "/dev/sda");
            ObjectNode devices = body.putObject("devices");
            devices.putObject("sda").put("disk_id", Long.parseLong(arguments.text("disk_id")));
            List<Long> volumes = VolumesResource.ids(arguments, "volume_ids");
            for (int i = 0; i < volumes.size(); i++) {
                VolumesResource.attach(client, volumes.get(i), machine.id());
                devices.putObject(VolumesResource.slot('b', i)).put("volume_id", volumes.get(i));
            }
            JsonNode config = machine.createConfig(body);
            long configId = config.path("id").asLong();
            data.put("config_id", configId);
            firewallId(arguments).ifPresent(firewall -> firewalls.attach(firewall, machine.id()));
            machine.boot(configId);
            String id = Long.toString(configId);
            return wait(new Operation(operation.kind(), operation.id(), Optional.of(id), BOOT, data), "booting the source's disk");
        }
        String status = machine.status();
        if (status.equals("running")) {
            String id = operation.resourceId().orElseThrow();
            return new Outcome.Done(id, outputs(machine.id(), client.get("/linode/instances/" + machine.id() + "/configs/" + id),
                    status));
        }
        if (status.equals("offline")) {
            Optional<String> failure = machine.bootFailure();
            if (failure.isPresent()) {
                throw new FerryException("the Linode " + machine.id() + " did not boot its disk with " + DIRECT_DISK + ": "
                        + failure.get() + ". The source's boot loader must start it from the disk's first sector (BIOS);"
                        + " look at the console (Lish) in Cloud Manager");
            }
        }
        return wait(operation, "booting the source's disk (the Linode is " + status + ")");
    }

    private Outcome wait(Operation operation, String status) {
        return new Outcome.InProgress(operation, status, OptionalDouble.empty(), timing.instancePoll());
    }

    private static Optional<Long> firewallId(Attributes arguments) {
        return Args.value(arguments, "firewall_id").map(JsonNode::asText).filter(s -> !s.isBlank()).map(Long::parseLong);
    }

    private static ObjectNode outputs(long linodeId, JsonNode config, String status) {
        ObjectNode outputs = Args.object();
        outputs.put("id", config.path("id").asText());
        outputs.put("linode_id", Long.toString(linodeId));
        outputs.put("kernel", config.path("kernel").asText());
        outputs.put("status", status);
        return outputs;
    }

    @Override
    public Map<ResourceAddress, Observation> refresh(List<RefreshRequest> requests) {
        Map<ResourceAddress, Observation> observed = new HashMap<>();
        for (RefreshRequest request : requests) {
            long linodeId = request.outputs().path("linode_id").asLong();
            Optional<JsonNode> config = client.find("/linode/instances/" + linodeId + "/configs/" + request.id());
            observed.put(request.address(), config.<Observation>map(c -> new Observation.Exists(Args.object(),
                    outputs(linodeId, c, request.outputs().path("status").asText()))).orElseGet(Observation.Gone::new));
        }
        return observed;
    }

    @Override
    public Optional<Found> findExisting(Identity identity, Attributes arguments) {
        return Optional.empty();
    }

    @Override
    public Outcome update(ApplyContext context) {
        PriorState prior = context.prior().orElseThrow();
        long linodeId = prior.outputs().path("linode_id").asLong();
        Optional<Long> before = Args.value(prior.arguments(), "firewall_id").map(JsonNode::asText).filter(s -> !s.isBlank())
                .map(Long::parseLong);
        Optional<Long> after = firewallId(context.arguments());
        if (!Objects.equals(before, after)) {
            before.ifPresent(firewall -> firewalls.detach(firewall, linodeId));
            after.ifPresent(firewall -> firewalls.attach(firewall, linodeId));
        }
        return new Outcome.Done(prior.id(), prior.outputs());
    }

    /** Shuts the Linode down (its disks can then go) and deletes the config. */
    @Override
    public Outcome delete(ApplyContext context) {
        PriorState prior = context.prior().orElseThrow();
        long linodeId = prior.outputs().path("linode_id").asLong();
        if (client.find("/linode/instances/" + linodeId).isEmpty()) {
            return new Outcome.Deleted();
        }
        LinodeMachine machine = new LinodeMachine(client, linodeId);
        if (!machine.stopped()) {
            Operation stopping = new Operation(Operation.DELETE, prior.id(), Optional.of(prior.id()), STOP, Args.object()
                    .put("linode_id", linodeId));
            return wait(stopping, "shutting the Linode down");
        }
        if (client.find("/linode/instances/" + linodeId + "/configs/" + prior.id()).isPresent()) {
            machine.deleteConfig(Long.parseLong(prior.id()));
        }
        return new Outcome.Deleted();
    }

    @Override
    public Set<String> limits(Attributes arguments) {
        return Set.of();
    }

    /** The boot configurations, made, booted and removed: linodes:read_write, and the Linode's events. */
    static List<Permission> permissions(String address) {
        return List.of(LinodeScopes.readWrite("linodes", address + " makes the boot configuration and boots it"),
                LinodeScopes.readWrite("volumes", address + " attaches the Block Storage volumes to the Linode"),
                LinodeScopes.events(address));
    }
}
