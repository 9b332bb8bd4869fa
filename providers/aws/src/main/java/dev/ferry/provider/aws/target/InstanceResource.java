package dev.ferry.provider.aws.target;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.engine.FerryException;
import dev.ferry.engine.machine.Cost;
import dev.ferry.engine.machine.MachineFacts;
import dev.ferry.engine.permission.Permission;
import dev.ferry.engine.provider.ApplyContext;
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
import dev.ferry.provider.aws.client.AwsCalls;
import dev.ferry.provider.aws.client.AwsClients;
import dev.ferry.provider.aws.client.Ec2Tags;
import dev.ferry.provider.aws.client.Ec2Units;
import dev.ferry.provider.aws.client.IamPolicy;
import dev.ferry.provider.aws.client.Json;
import dev.ferry.provider.aws.price.PriceCatalog;
import dev.ferry.provider.aws.task.AwsResource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.TreeMap;
import software.amazon.awssdk.services.ec2.model.GroupIdentifier;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.Reservation;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.Tag;

/**
 * {@code aws_instance}: an instance launched from the imported AMI (RunInstances with the subnet,
 * security groups, optional private address, tags and the identity's token as ClientToken), followed
 * until {@code running}. {@code instance_type: match} becomes a concrete type at plan time, and the plan
 * checks what a launch would refuse: a missing subnet or group, groups of another VPC, an address outside
 * the subnet. Tags change in place; anything else launches a new instance.
 */
public final class InstanceResource extends AwsResource {

    public static final String NAME = "aws_instance";
    static final String MATCH = "match";
    /** The longest wait between two polls; the engine's first poll comes sooner, and later ones follow the operation's pace. */
    private static final Duration POLL = Duration.ofSeconds(5);

    private final Network network;
    private final InstanceTypes types;
    private final PriceCatalog prices;

    public InstanceResource(AwsClients clients, AwsCalls calls, Network network, InstanceTypes types, PriceCatalog prices) {
        super(NAME, new ResourceSchema(Set.of("tags")), clients, calls);
        this.network = requireNonNull(network, "network is null");
        this.types = requireNonNull(types, "types is null");
        this.prices = requireNonNull(prices, "prices is null");
    }

    @Override
    public PlanResult plan(PlanRequest request) {
        Attributes desired = request.desired();
        List<Note> notes = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        Attributes planned = desired;
        String architecture = desired.optionalText("architecture").orElse("x86_64");
        Optional<String> family = desired.optionalText("family");
        String requested = desired.optionalText("instance_type").orElse(MATCH);
        Optional<MachineFacts> machine = desired.find("machine").filter(JsonNode::isObject).map(MachineFacts::fromJson);
        if (requested.equals(MATCH)) {
            if (machine.isPresent()) {
                MachineFacts facts = machine.get();
                Optional<InstanceTypes.Choice> choice = types.match(Math.max(1, facts.vcpus()), facts.memoryMib(), architecture, family);
                if (choice.isPresent()) {
                    planned = planned.with("instance_type", Json.MAPPER.getNodeFactory().textNode(choice.get().size().name()));
                    notes.add(Note.info(choice.get().explanation()));
                } else {
                    errors.add("no current-generation " + architecture + " instance type has " + facts.vcpus() + " vCPUs and "
                            + facts.memoryMib() + " MiB; name a type in target.ec2.instance_type");
                }
            } else {
                planned = planned.withUnknown("instance_type");
            }
        } else {
            Optional<InstanceTypes.Size> size = types.named(requested);
            if (size.isEmpty()) {
                errors.add("instance type " + requested + " does not exist in " + clients.regionName() + "; check target.ec2.instance_type");
            } else if (machine.isPresent() && (size.get().vcpus() < machine.get().vcpus() || size.get().memoryMib() < machine.get().memoryMib())) {
                notes.add(Note.warning(InstanceTypes.describe(size.get()) + " is smaller than the VM (" + machine.get().vcpus() + " vCPUs, "
                        + machine.get().memoryMib() + " MiB)"));
            }
        }
        if (desired.isKnown("subnet")) {
            errors.addAll(network.problems(desired.text("subnet"), Json.strings(desired.find("security_groups").orElse(null)),
                    desired.optionalText("private_ip")));
        }
        // what is launched is known now: a launch template of the same type can be planned exactly
        ObjectNode known = Json.object();
        if (planned.isKnown("instance_type")) {
            known.put("instance_type", planned.text("instance_type"));
        }
        if (errors.isEmpty()) {
            known.set(Cost.OUTPUT, cost(planned.optionalText("instance_type"), machine, notes).toJson());
        }
        return new PlanResult(planned, known, notes, errors);
    }

    /** The planned type's monthly on-demand price in the region, for the plan's cost table (a note when there is none). */
    private Cost cost(Optional<String> type, Optional<MachineFacts> machine, List<Note> notes) {
        if (type.isEmpty()) {
            return Cost.unknown(Optional.empty(), "instance_type: match is chosen once the source machine is known");
        }
        boolean windows = machine.map(facts -> facts.platform().equals("windows")).orElse(false);
        PriceCatalog.Quote quote = prices.monthly(type.get(), windows ? "Windows" : "Linux/UNIX");
        if (quote.price().isPresent()) {
            return Cost.known(type.get(), quote.price().get().monthlyUsd(), quote.price().get().basis());
        }
        String problem = quote.problem().orElse("the Price List API gave none");
        notes.add(Note.info("no price for " + type.get() + ": " + problem));
        return Cost.unknown(type, "no price for " + type.get() + ": " + problem);
    }

    private Map<String, String> tags(Attributes arguments, Identity identity) {
        Map<String, String> tags = Ec2Tags.fromArgument(arguments);
        tags.putIfAbsent("Name", arguments.optionalText("name").orElse(identity.address().name()));
        return Ec2Tags.of(identity, tags);
    }

    @Override
    public Outcome create(ApplyContext context) {
        Attributes arguments = context.arguments();
        Identity identity = context.identity();
        String image = arguments.text("image_id");
        String type = arguments.text("instance_type");
        List<String> groups = Json.strings(arguments.find("security_groups").orElse(null));
        Optional<String> privateIp = arguments.optionalText("private_ip");
        Map<String, String> tags = tags(arguments, identity);
        context.progress("launching " + type + " from " + image);
        Instance instance;
        try {
            instance = launch(arguments, identity, image, type, groups, privateIp, tags);
        } catch (FerryException e) {
            Optional<Found> made = AwsCalls.answerLost(e) ? findExisting(identity, arguments) : Optional.empty();
            if (made.isEmpty()) {
                throw e;
            }
            return poll(context, Operation.of(Operation.CREATE, made.get().id(), made.get().id(), "pending"));
        }
        return follow(instance, Operation.of(Operation.CREATE, instance.instanceId(), instance.instanceId(), "pending"));
    }

    private Instance launch(Attributes arguments, Identity identity, String image, String type, List<String> groups,
                            Optional<String> privateIp, Map<String, String> tags) {
        return calls.call("EC2 RunInstances from " + image, () -> clients.ec2().runInstances(r -> {
            r.imageId(image).instanceType(type).minCount(1).maxCount(1).subnetId(arguments.text("subnet"))
                    .clientToken(identity.token())
                    .tagSpecifications(Ec2Tags.specification(ResourceType.INSTANCE, tags), Ec2Tags.specification(ResourceType.VOLUME, tags));
            if (!groups.isEmpty()) {
                r.securityGroupIds(groups);
            }
            privateIp.ifPresent(r::privateIpAddress);
        })).instances().get(0);
    }

    private Outcome follow(Instance instance, Operation operation) {
        String state = instance.state() == null ? "pending" : instance.state().nameAsString();
        switch (state) {
            case "running":
                return new Outcome.Done(instance.instanceId(), outputs(instance));
            case "pending":
                return new Outcome.InProgress(operation.withPhase("pending"), "instance " + instance.instanceId() + " pending",
                        OptionalDouble.empty(), POLL);
            default:
                String reason = instance.stateReason() == null ? "" : ": " + instance.stateReason().message();
                throw new FerryException("instance " + instance.instanceId() + " is " + state + " instead of running" + reason);
        }
    }

    private static ObjectNode outputs(Instance instance) {
        ObjectNode outputs = Json.object().put("id", instance.instanceId()).put("instance_type", instance.instanceTypeAsString())
                .put("state", instance.state() == null ? "unknown" : instance.state().nameAsString())
                .put("subnet", instance.subnetId()).put("vpc_id", instance.vpcId()).put("image_id", instance.imageId());
        Optional.ofNullable(instance.privateIpAddress()).ifPresent(ip -> outputs.put("private_ip", ip));
        Optional.ofNullable(instance.publicIpAddress()).ifPresent(ip -> outputs.put("public_ip", ip));
        outputs.set("security_groups", Json.array(instance.securityGroups().stream().map(GroupIdentifier::groupId).sorted().toList()));
        // the neutral form verification probes
        ObjectNode addresses = outputs.putObject("addresses");
        addresses.set("public", Json.array(Optional.ofNullable(instance.publicIpAddress()).stream().toList()));
        addresses.set("private", Json.array(Optional.ofNullable(instance.privateIpAddress()).stream().toList()));
        return outputs;
    }

    private Map<String, Instance> describe(List<String> ids) {
        Map<String, Instance> found = new LinkedHashMap<>();
        for (List<String> chunk : Ec2Units.chunks(ids, 200)) {
            calls.run("EC2 DescribeInstances", () -> clients.ec2().describeInstancesPaginator(r -> r.filters(Ec2Tags.filter("instance-id", chunk))
                    .maxResults(1000)).forEach(page -> page.reservations().stream().map(Reservation::instances).flatMap(List::stream)
                    .forEach(instance -> found.put(instance.instanceId(), instance))));
        }
        return found;
    }

    @Override
    public Outcome poll(ApplyContext context, Operation operation) {
        Optional<Instance> instance = Optional.ofNullable(describe(List.of(operation.id())).get(operation.id()));
        if (operation.kind().equals(Operation.DELETE)) {
            if (instance.isEmpty() || "terminated".equals(instance.get().state().nameAsString())) {
                return new Outcome.Deleted();
            }
            return new Outcome.InProgress(operation, "instance " + operation.id() + " " + instance.get().state().nameAsString(),
                    OptionalDouble.empty(), POLL);
        }
        if (instance.isEmpty()) {
            throw new FerryException("instance " + operation.id() + " is not listed by EC2; run apply again");
        }
        return follow(instance.get(), operation);
    }

    @Override
    public Map<ResourceAddress, Observation> refresh(List<RefreshRequest> requests) {
        Map<String, Instance> found = describe(requests.stream().map(RefreshRequest::id).toList());
        Map<ResourceAddress, Observation> observed = new HashMap<>();
        for (RefreshRequest request : requests) {
            Instance instance = found.get(request.id());
            String state = instance == null || instance.state() == null ? "terminated" : instance.state().nameAsString();
            if (state.equals("terminated") || state.equals("shutting-down")) {
                observed.put(request.address(), new Observation.Gone());
                continue;
            }
            ObjectNode arguments = Json.object().put("instance_type", instance.instanceTypeAsString()).put("subnet", instance.subnetId());
            if (request.arguments().hasNonNull("private_ip")) {
                arguments.put("private_ip", instance.privateIpAddress());
            }
            if (request.arguments().path("security_groups").size() > 0) {
                arguments.set("security_groups", Json.array(instance.securityGroups().stream().map(GroupIdentifier::groupId).toList()));
            }
            if (request.arguments().has("tags")) {
                ObjectNode tags = Json.object();
                Map<String, String> live = Ec2Tags.map(instance.tags());
                request.arguments().path("tags").fieldNames().forEachRemaining(key -> {
                    if (live.containsKey(key)) {
                        tags.put(key, live.get(key));
                    }
                });
                arguments.set("tags", tags);
            }
            observed.put(request.address(), new Observation.Exists(arguments, outputs(instance)));
        }
        return observed;
    }

    @Override
    public Optional<Found> findExisting(Identity identity, Attributes arguments) {
        List<Instance> found = new ArrayList<>();
        calls.run("EC2 DescribeInstances", () -> clients.ec2().describeInstancesPaginator(r -> r.filters(Ec2Tags.tokenFilter(identity))
                .maxResults(1000)).forEach(page -> page.reservations().forEach(reservation -> found.addAll(reservation.instances()))));
        return found.stream().filter(instance -> !Set.of("terminated", "shutting-down").contains(instance.state().nameAsString()))
                .findFirst()
                .map(instance -> new Found(instance.instanceId(), "pending".equals(instance.state().nameAsString())
                        ? Optional.of(Operation.of(Operation.CREATE, instance.instanceId(), instance.instanceId(), "pending"))
                        : Optional.empty()));
    }

    @Override
    public Outcome update(ApplyContext context) {
        String id = context.prior().orElseThrow().id();
        Ec2Tags.retag(clients, calls, List.of(id), tags(context.arguments(), context.identity()),
                Ec2Tags.fromArgument(Attributes.of(context.prior().get().arguments())));
        Instance instance = Optional.ofNullable(describe(List.of(id)).get(id))
                .orElseThrow(() -> new FerryException("instance " + id + " vanished while its tags were updated"));
        return new Outcome.Done(id, outputs(instance));
    }

    @Override
    public Outcome delete(ApplyContext context) {
        String id = context.prior().orElseThrow().id();
        Optional<Instance> instance = Optional.ofNullable(describe(List.of(id)).get(id));
        if (instance.isEmpty() || "terminated".equals(instance.get().state().nameAsString())) {
            return new Outcome.Deleted();
        }
        context.progress("terminating " + id);
        calls.run("EC2 TerminateInstances " + id, () -> clients.ec2().terminateInstances(r -> r.instanceIds(id)));
        return new Outcome.InProgress(Operation.of(Operation.DELETE, id, id, "terminating"), "terminating " + id, OptionalDouble.empty(), POLL);
    }

    /**
     * What launching needs: the instance type, subnet and security groups checked at plan time, RunInstances (tagging
     * the instance and its volumes), its describes and retags, and its termination.
     */
    public static List<Permission> permissions(IamPolicy.Scope scope, String address, Attributes arguments) {
        String why = address + " launches the instance and terminates it when it goes";
        List<Permission> needed = new java.util.ArrayList<>();
        for (String action : List.of("ec2:DescribeInstanceTypes", "ec2:DescribeSubnets", "ec2:DescribeSecurityGroups", "ec2:RunInstances",
                "ec2:CreateTags", "ec2:DeleteTags", "ec2:DescribeInstances", "ec2:TerminateInstances")) {
            needed.add(Permission.of(action, List.of("*"), why));
        }
        needed.add(Permission.of("pricing:GetProducts", List.of("*"), address + " looks up the planned type's on-demand price"));
        return needed;
    }
}
