package dev.ferry.provider.linode;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.engine.FerryException;
import dev.ferry.engine.machine.Cost;
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
import dev.ferry.engine.resource.SecretResolver;
import dev.ferry.engine.spec.SecretReference;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;

/**
 * {@code linode_instance}: the new Linode, deployed from the uploaded image with its region, type (chosen by
 * {@link TypeMatcher} for {@code type: match}), label, root password (a secret, checked before any call),
 * SSH keys and tags, behind the firewall given by {@code firewall_id}; created, then followed until it is
 * {@code running} (or {@code offline} when it is not to be booted).
 *
 * <p>Arguments: {@code region}, {@code type}, {@code class}, {@code machine} (the source's {@code MachineFacts}),
 * {@code label}, {@code image}, {@code root_pass}, {@code authorized_keys}, {@code tags}, {@code booted},
 * {@code firewall_id}, {@code via} ({@code disk}: the Linode is made empty and offline, with no image or root
 * password, for the disk road to fill; its type must hold the temporary helper's disk too), {@code road_reason}
 * (why this road: shown in the plan, never recorded, so a reason worded anew changes nothing). The plan replaces
 * {@code type: match} with the type chosen and drops {@code class}, {@code machine} and {@code road_reason}. Label,
 * tags and the firewall change in place; anything else replaces the Linode. Outputs: {@code id}, {@code ipv4},
 * {@code ipv6}, {@code status}, {@code type}, {@code label}, {@code region}, {@code image}.
 */
final class InstanceResource implements ManagedResourceType {

    static final String TYPE = "linode_instance";
    static final String PHASE_PROVISIONING = "provisioning";
    /** Why the Linode takes its road ({@code target.linode.via}, or {@link LinodeRoad}'s choice). */
    static final String ROAD_REASON = "road_reason";

    private final LinodeClient client;
    private final LinodeCatalog catalog;
    private final SecretResolver secrets;
    private final LinodeSession.Timing timing;
    private final FirewallDevices firewalls;

    InstanceResource(LinodeClient client, LinodeCatalog catalog, SecretResolver secrets, LinodeSession.Timing timing) {
        this.client = requireNonNull(client, "client is null");
        this.catalog = requireNonNull(catalog, "catalog is null");
        this.secrets = requireNonNull(secrets, "secrets is null");
        this.timing = requireNonNull(timing, "timing is null");
        this.firewalls = new FirewallDevices(client);
    }

    @Override
    public String name() {
        return TYPE;
    }

    @Override
    public ResourceSchema schema() {
        return new ResourceSchema(Set.of("label", "tags", "firewall_id"));
    }

    // ---- plan ----

    @Override
    public PlanResult plan(PlanRequest request) {
        Attributes desired = request.desired();
        List<Note> notes = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        Optional<String> region = Args.value(desired, "region").map(JsonNode::asText);
        region.ifPresent(r -> catalog.regionProblem(r).ifPresent(errors::add));
        Args.value(desired, "label").map(JsonNode::asText).ifPresent(label -> LinodeLabels.problem(label, LinodeLabels.INSTANCE_MAX)
                .ifPresent(problem -> errors.add("the label '" + label + "' is not a valid Linode label: " + problem)));
        Args.value(desired, ROAD_REASON).map(JsonNode::asText).ifPresent(reason -> notes.add(Note.info(diskRoad(desired)
                ? "road: disk (" + reason + "): the Linode is made empty, the source's disk is written onto a raw disk through"
                        + " a temporary helper, and the Linode boots it with linode/direct-disk"
                : "road: image (" + reason + "): the disk is uploaded as a custom image and the Linode deployed from it")));
        if (!diskRoad(desired)) {
            checkRootPassword(desired, notes, errors);
        } else {
            Optional<String> chosen = Args.value(desired, ROAD_REASON).map(JsonNode::asText)
                    .filter(reason -> !reason.startsWith("target.linode.via"));
            Args.value(desired, "machine").map(MachineFacts::fromJson).ifPresent(facts -> checkBootMode(facts, chosen, errors));
        }
        Args.value(desired, "tags").ifPresent(tags -> {
            for (JsonNode tag : tags) {
                if (tag.asText().length() < 3 || tag.asText().length() > 50) {
                    errors.add("the tag '" + tag.asText() + "' must be 3–50 characters");
                }
            }
        });

        Attributes planned = desired.without(Set.of("machine", "class", ROAD_REASON, "moves_volumes"));
        if (desired.isKnown("tags")) {
            planned = planned.with("tags", IdentityTags.userTagsJson(desired.get("tags")));
        }
        String type = Args.value(desired, "type").map(JsonNode::asText).orElse(LinodeTarget.MATCH);
        LinodeTarget.TypeClass preferred = Args.value(desired, "class")
                .map(c -> LinodeTarget.TypeClass.valueOf(c.asText().toUpperCase(Locale.ROOT))).orElse(LinodeTarget.TypeClass.STANDARD);
        Optional<MachineFacts> machine = Args.value(desired, "machine").map(MachineFacts::fromJson);
        boolean movesVolumes = Args.value(desired, "moves_volumes").map(JsonNode::asBoolean).orElse(false);
        machine.filter(facts -> !movesVolumes).ifPresent(facts -> notMoved(facts).ifPresent(notes::add));
        String where = region.orElse("the target region");
        if (type.equals(LinodeTarget.MATCH)) {
            if (machine.isEmpty() || region.isEmpty()) {
                planned = planned.withUnknown("type");
                notes.add(Note.info("type: match is chosen once the source machine is known"));
            } else {
                TypeMatcher matcher = new TypeMatcher(catalog.types());
                TypeMatcher.Need need = need(machine.get(), diskRoad(desired));
                Optional<LinodeType> earlier = request.prior().flatMap(prior -> Args.value(prior.arguments(), "type"))
                        .flatMap(t -> matcher.find(t.asText())).filter(t -> TypeMatcher.suits(t, need, preferred));
                if (earlier.isPresent()) {
                    notes.add(Note.info("type: match keeps " + earlier.get().describe() + ", chosen earlier: it still has at least"
                            + " the source's vCPUs and memory and room for the image"));
                    planned = planned.with("type", JsonNodeFactory.instance.textNode(earlier.get().id()));
                } else {
                    TypeMatcher.Choice choice = matcher.match(need, preferred, where, machine.get());
                    notes.addAll(choice.notes());
                    errors.addAll(choice.errors());
                    planned = choice.type().isPresent()
                            ? planned.with("type", JsonNodeFactory.instance.textNode(choice.type().get().id()))
                            : planned.withUnknown("type");
                }
            }
        } else {
            TypeMatcher matcher = new TypeMatcher(catalog.types());
            TypeMatcher.Need need = machine.map(m -> need(m, diskRoad(desired))).orElse(new TypeMatcher.Need(0, 0, 0, "the image"));
            TypeMatcher.Choice choice = matcher.check(type, need, where, machine.orElse(null));
            notes.addAll(choice.notes());
            errors.addAll(choice.errors());
        }
        ObjectNode known = Args.object();
        for (String name : List.of("label", "region", "type")) {
            Args.value(planned, name).ifPresent(value -> known.set(name, value));
        }
        known.set(Cost.OUTPUT, cost(Args.value(planned, "type").map(JsonNode::asText), region).toJson());
        return new PlanResult(planned, known, notes, errors);
    }

    /** The chosen type's monthly price in the target region, for the plan's cost table. */
    private Cost cost(Optional<String> type, Optional<String> region) {
        if (type.isEmpty()) {
            return Cost.unknown(Optional.empty(), "type: match is chosen once the source machine is known");
        }
        if (region.isEmpty()) {
            return Cost.unknown(type, "the region is known only during apply, and Linode prices differ by region");
        }
        return new TypeMatcher(catalog.types()).find(type.get())
                .map(found -> Cost.known(found.id(), found.monthlyIn(region.get()), region.get()))
                .orElse(Cost.unknown(type, "Linode does not list the type " + type.get()));
    }

    private static TypeMatcher.Need need(MachineFacts machine, boolean diskRoad) {
        TypeMatcher.Need need = machine.rootDisk()
                .map(root -> TypeMatcher.Need.of(machine, root.sizeBytes(), "the root volume " + root.name()))
                .orElse(TypeMatcher.Need.of(machine, 0, "the image"));
        return diskRoad ? need.withExtra(DiskWriteResource.HELPER_SIZE_MB, Sizes.mebibytes(DiskWriteResource.HELPER_SIZE_MB)
                + " temporary helper") : need;
    }

    /** The source's other volumes, named rather than left behind in silence: only the root disk is moved. */
    private static Optional<Note> notMoved(MachineFacts facts) {
        List<String> others = facts.disks().stream().filter(disk -> !disk.root())
                .map(disk -> disk.name() + " (" + Sizes.bytes(disk.sizeBytes()) + ")").toList();
        if (others.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(Note.warning(facts.name() + " has " + (others.size() == 1 ? "a volume" : others.size() + " volumes")
                + " besides its root that ferry does not move: " + String.join(", ", others) + ". Only the root disk"
                + " reaches the Linode; copy their data to a Linode Block Storage volume (rsync over SSH) before the source goes"));
    }

    /**
     * A Linode boots a raw disk through the BIOS path only ({@code linode/direct-disk}); a road chosen by the disk's
     * size says so, since the image road it names may then refuse the size.
     */
    private static void checkBootMode(MachineFacts facts, Optional<String> chosen, List<String> errors) {
        if (facts.bootMode().filter(MachineFacts.UEFI::equals).isPresent()) {
            errors.add(facts.name() + " boots with UEFI only (boot mode " + MachineFacts.UEFI + "), but a Linode boots a raw"
                    + " disk through its BIOS boot loader (linode/direct-disk), so the disk road"
                    + chosen.map(reason -> " (" + reason + ")").orElse("") + " would leave it unbootable;"
                    + " take the image road (target.linode.via: image), where Linode boots the image with its own GRUB 2,"
                    + " if the disk fits Linode's image limits");
        }
    }

    /** On the disk road the Linode is made empty: no image, no root password, not booted. */
    private static boolean diskRoad(Attributes arguments) {
        return Args.value(arguments, "via").map(JsonNode::asText).orElse("image").equals("disk");
    }

    /** The password is read now only to check it; it is not kept, and a missing one is left to apply. */
    private void checkRootPassword(Attributes desired, List<Note> notes, List<String> errors) {
        Optional<SecretReference> reference = desired.secret("root_pass");
        if (reference.isEmpty()) {
            errors.add("root_pass is required on the image road" + Args.value(desired, ROAD_REASON).map(JsonNode::asText)
                    .map(reason -> " (" + reason + ")").orElse("") + ", which deploys the image with it: add"
                    + " 'root_pass: ${env:ROOT_PASSWORD}' under target.linode, or set 'via: disk' to write the source's disk,"
                    + " with its own accounts, onto the Linode");
            return;
        }
        try {
            RootPassword.problem(secrets.resolve(reference.get()).reveal())
                    .ifPresent(problem -> errors.add(problem + " (root_pass is " + reference.get() + ")"));
        } catch (FerryException e) {
            notes.add(Note.warning("the root password cannot be checked yet: " + e.getMessage()
                    + "; it is checked again before the Linode is created"));
        }
    }

    // ---- create ----

    @Override
    public Outcome create(ApplyContext context) {
        Attributes arguments = context.arguments();
        ObjectNode body = Args.object();
        body.put("label", arguments.text("label"));
        body.put("region", arguments.text("region"));
        body.put("type", arguments.text("type"));
        if (!diskRoad(arguments)) {
            String password = context.secret("root_pass").reveal();
            RootPassword.problem(password).ifPresent(problem -> {
                throw new FerryException(problem + " (root_pass is " + arguments.secret("root_pass").orElseThrow() + ")");
            });
            body.put("image", arguments.text("image"));
            body.put("root_pass", password);
        }
        ArrayNode keys = JsonNodeFactory.instance.arrayNode();
        Args.value(arguments, "authorized_keys").ifPresent(list -> list.forEach(key -> keys.add(key.asText())));
        if (!keys.isEmpty()) {
            body.set("authorized_keys", keys);
        }
        body.set("tags", IdentityTags.withIdentity(arguments.find("tags").orElse(null), context.identity()));
        body.put("booted", booted(arguments));
        firewallId(arguments).ifPresent(id -> body.put("firewall_id", id));

        JsonNode linode;
        try {
            linode = client.postCreating("/linode/instances", body, () -> findExisting(context.identity(), arguments)
                    .map(made -> client.get("/linode/instances/" + made.id())));
        } catch (LinodeApiException e) {
            throw explain(e, arguments);
        }
        String id = linode.path("id").asText();
        return poll(context, provisioning(id), linode);
    }

    /** The API's refusal in the user's terms where a field of the file is at fault. */
    private static FerryException explain(LinodeApiException e, Attributes arguments) {
        if (e.status() == 400 && e.concerns("label")
                && e.errors().stream().anyMatch(error -> error.reason().toLowerCase(Locale.ROOT).contains("unique"))) {
            return new FerryException("another Linode in the account is already labelled '" + arguments.text("label")
                    + "'; set target.linode.label to a label of its own (" + e.getMessage() + ")");
        }
        return e;
    }

    private static boolean booted(Attributes arguments) {
        return !diskRoad(arguments) && Args.value(arguments, "booted").map(JsonNode::asBoolean).orElse(true);
    }

    private static Optional<Long> firewallId(Attributes arguments) {
        return Args.value(arguments, "firewall_id").map(JsonNode::asText).filter(s -> !s.isBlank()).map(Long::parseLong);
    }

    private static Operation provisioning(String id) {
        return Operation.of(Operation.CREATE, id, id, PHASE_PROVISIONING);
    }

    // ---- poll ----

    @Override
    public Outcome poll(ApplyContext context, Operation operation) {
        String id = operation.resourceId().orElse(operation.id());
        JsonNode linode = client.find("/linode/instances/" + id).orElseThrow(() -> new FerryException("the Linode " + id
                + " disappeared while it was being created: " + LinodeEvents.latest(client, "linode_create", Long.parseLong(id))
                .map(LinodeEvents::describe).map(s -> "linode_create " + s).orElse("the account's events do not say why")));
        return poll(context, operation, linode);
    }

    private Outcome poll(ApplyContext context, Operation operation, JsonNode linode) {
        String id = linode.path("id").asText();
        String status = linode.path("status").asText();
        boolean booted = booted(context.arguments());
        if (status.equals("running") || (!booted && status.equals("offline"))) {
            return new Outcome.Done(id, outputs(linode));
        }
        if (booted && status.equals("offline")) {
            Optional<JsonNode> boot = LinodeEvents.latest(client, "linode_boot", linode.path("id").asLong());
            if (boot.isPresent() && boot.get().path("status").asText().equals("failed")) {
                throw new FerryException("the Linode " + id + " was created but did not boot: linode_boot "
                        + LinodeEvents.describe(boot.get()) + ". Look at its console (Lish) in Cloud Manager");
            }
        }
        return new Outcome.InProgress(operation, "the Linode is " + status, OptionalDouble.empty(), timing.instancePoll());
    }

    static ObjectNode outputs(JsonNode linode) {
        ObjectNode outputs = Args.object();
        outputs.put("id", linode.path("id").asText());
        outputs.put("label", linode.path("label").asText());
        outputs.put("status", linode.path("status").asText());
        outputs.put("type", linode.path("type").asText());
        outputs.put("region", linode.path("region").asText());
        outputs.set("ipv4", linode.path("ipv4").isArray() ? linode.get("ipv4").deepCopy() : JsonNodeFactory.instance.arrayNode());
        outputs.set("ipv6", linode.hasNonNull("ipv6") ? linode.get("ipv6") : JsonNodeFactory.instance.nullNode());
        outputs.set("image", linode.hasNonNull("image") ? linode.get("image") : JsonNodeFactory.instance.nullNode());
        outputs.set("addresses", addresses(outputs.get("ipv4")));
        return outputs;
    }

    /** The neutral {@code addresses} verification probes: Linode private IPv4 addresses are in 192.168.128.0/17. */
    private static ObjectNode addresses(JsonNode ipv4) {
        ObjectNode addresses = Args.object();
        ArrayNode open = addresses.putArray("public");
        ArrayNode inside = addresses.putArray("private");
        ipv4.forEach(address -> (address.asText().startsWith("192.168.") ? inside : open).add(address.asText()));
        return addresses;
    }

    // ---- refresh, adopt, update, delete ----

    @Override
    public Map<ResourceAddress, Observation> refresh(List<RefreshRequest> requests) {
        Map<String, JsonNode> found = new HashMap<>();
        if (requests.size() == 1) {
            client.find("/linode/instances/" + requests.get(0).id()).ifPresent(l -> found.put(l.path("id").asText(), l));
        } else {
            for (JsonNode linode : client.list("/linode/instances", byIds(requests))) {
                found.put(linode.path("id").asText(), linode);
            }
        }
        Map<ResourceAddress, Observation> observed = new HashMap<>();
        for (RefreshRequest request : requests) {
            JsonNode linode = found.get(request.id());
            if (linode == null) {
                observed.put(request.address(), new Observation.Gone());
                continue;
            }
            ObjectNode arguments = Args.object();
            arguments.put("label", linode.path("label").asText());
            arguments.set("tags", IdentityTags.userTagsJson(linode.get("tags")));
            observed.put(request.address(), new Observation.Exists(arguments, outputs(linode)));
        }
        return observed;
    }

    /** {@code X-Filter} for these ids: one listing instead of one call each. */
    static ObjectNode byIds(List<RefreshRequest> requests) {
        ObjectNode filter = Args.object();
        ArrayNode any = filter.putArray("+or");
        for (RefreshRequest request : requests) {
            try {
                any.addObject().put("id", Long.parseLong(request.id()));
            } catch (NumberFormatException e) {
                any.addObject().put("id", request.id());
            }
        }
        return filter;
    }

    @Override
    public Optional<Found> findExisting(Identity identity, Attributes arguments) {
        for (JsonNode linode : client.list("/linode/instances", IdentityTags.filter(identity))) {
            if (!IdentityTags.carries(linode, identity)) {
                continue;
            }
            String id = linode.path("id").asText();
            String status = linode.path("status").asText();
            boolean settled = status.equals("running") || status.equals("offline");
            return Optional.of(new Found(id, settled ? Optional.empty() : Optional.of(provisioning(id))));
        }
        return Optional.empty();
    }

    @Override
    public Outcome update(ApplyContext context) {
        PriorState prior = context.prior().orElseThrow();
        String id = prior.id();
        Attributes arguments = context.arguments();
        JsonNode linode = client.find("/linode/instances/" + id)
                .orElseThrow(() -> new FerryException("the Linode " + id + " no longer exists; run plan again"));
        IdentityTags.requireOurs(linode, "the Linode " + id, context.identity(), "change");
        ObjectNode body = Args.object();
        body.put("label", arguments.text("label"));
        body.set("tags", IdentityTags.withIdentity(arguments.find("tags").orElse(null), context.identity()));
        boolean settingsChanged = !linode.path("label").asText().equals(arguments.text("label"))
                || !IdentityTags.userTags(linode.get("tags")).equals(IdentityTags.userTags(arguments.find("tags").orElse(null)))
                || !IdentityTags.carries(linode, context.identity());
        if (settingsChanged) {
            try {
                client.put("/linode/instances/" + id, body);
            } catch (LinodeApiException e) {
                throw explain(e, arguments);
            }
        }
        Optional<Long> before = Args.value(prior.arguments(), "firewall_id").map(JsonNode::asText).filter(s -> !s.isBlank())
                .map(Long::parseLong);
        Optional<Long> after = firewallId(arguments);
        if (!Objects.equals(before, after)) {
            long linodeId = Long.parseLong(id);
            before.ifPresent(firewall -> firewalls.detach(firewall, linodeId));
            after.ifPresent(firewall -> firewalls.attach(firewall, linodeId));
        }
        JsonNode current = client.get("/linode/instances/" + id);
        return new Outcome.Done(id, outputs(current));
    }

    @Override
    public Outcome delete(ApplyContext context) {
        String id = context.prior().orElseThrow().id();
        Optional<JsonNode> linode = client.find("/linode/instances/" + id);
        if (linode.isEmpty()) {
            return new Outcome.Deleted();
        }
        IdentityTags.requireOurs(linode.get(), "the Linode " + id + " (" + linode.get().path("label").asText() + ")",
                context.identity(), "delete");
        client.delete("/linode/instances/" + id);
        return new Outcome.Deleted();
    }

    @Override
    public Set<String> limits(Attributes arguments) {
        return Set.of();
    }

    /** Creating, booting, following and deleting the Linode: linodes:read_write, and its events. */
    static List<Permission> permissions(String address) {
        return List.of(LinodeScopes.readWrite("linodes", address + " creates the Linode and deletes it when it goes"),
                LinodeScopes.events(address));
    }
}
