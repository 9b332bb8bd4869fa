package dev.ferry.provider.aws.source;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.engine.FerryException;
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
import dev.ferry.provider.aws.client.IamPolicy;
import dev.ferry.provider.aws.client.Images;
import dev.ferry.provider.aws.client.Json;
import dev.ferry.provider.aws.task.AwsResource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;
import software.amazon.awssdk.services.ec2.model.Image;
import software.amazon.awssdk.services.ec2.model.ResourceType;

/**
 * {@code aws_ami}: an image of an instance (CreateImage; {@code reboot: false} is --no-reboot), followed
 * until {@code available}. CreateImage takes no idempotency token, so the image and its snapshots carry
 * the identity's tags and a name derived from its token, and an interrupted create is found by them.
 * Deleting deregisters the image and deletes its snapshots.
 */
public final class AmiResource extends AwsResource {

    public static final String NAME = "aws_ami";
    /** The argument naming the file's key that sets {@code reboot}, such as {@code source.ec2.reboot: true}. */
    public static final String REBOOT_SETTING = "reboot_setting";
    /** The longest wait between two polls; the engine's first poll comes sooner, and later ones follow the operation's pace. */
    private static final Duration POLL = Duration.ofSeconds(10);
    /** How many polls may find no image right after CreateImage (EC2 lists new images eventually). */
    private static final int UNLISTED_POLLS = 30;

    private final Images images;

    public AmiResource(AwsClients clients, AwsCalls calls, Images images) {
        super(NAME, new ResourceSchema(Set.of("reboot", "tags")), clients, calls);
        this.images = requireNonNull(images, "images is null");
    }

    /**
     * {@code reboot} only matters while the image is made; changing it later changes nothing. {@link #REBOOT_SETTING}
     * names, for the warning only, the key of the file that sets it; it is not kept.
     */
    @Override
    public PlanResult plan(PlanRequest request) {
        Attributes desired = request.desired();
        List<Note> notes = new ArrayList<>();
        boolean reboot = desired.find("reboot").map(JsonNode::asBoolean).orElse(false);
        String setting = desired.optionalText(REBOOT_SETTING).orElse("reboot: true");
        if (!reboot && request.prior().isEmpty()) {
            notes.add(Note.warning("the image is taken without rebooting " + desired.optionalText("instance").orElse("the instance")
                    + " (reboot: false): data not yet written to disk may be missing; set " + setting + " for a consistent image"
                    + " (the instance restarts once)"));
        }
        return new PlanResult(desired.without(Set.of(REBOOT_SETTING)), Json.object(), notes, List.of());
    }

    static String imageName(Identity identity) {
        return "ferry-" + identity.address().name() + "-" + identity.token().substring(0, 10);
    }

    @Override
    public Outcome create(ApplyContext context) {
        Attributes arguments = context.arguments();
        Identity identity = context.identity();
        String instance = arguments.text("instance");
        boolean reboot = arguments.find("reboot").map(JsonNode::asBoolean).orElse(false);
        String name = imageName(identity);
        Map<String, String> tags = tags(arguments, identity);
        context.progress("creating an image of " + instance);
        String imageId;
        try {
            imageId = calls.once("EC2 CreateImage of " + instance, () -> clients.ec2().createImage(r -> r
                    .instanceId(instance)
                    .name(name)
                    .description("ferry: image of " + instance + " for " + identity.address())
                    .noReboot(!reboot)
                    .tagSpecifications(Ec2Tags.specification(ResourceType.IMAGE, tags), Ec2Tags.specification(ResourceType.SNAPSHOT, tags))))
                    .imageId();
        } catch (FerryException e) {
            if (AwsCalls.hasCode(e.getCause(), "InvalidAMIName.Duplicate") || AwsCalls.answerLost(e)) {
                // The name holds this incarnation's token: an earlier attempt made it, and it is ours to follow.
                Optional<Image> ours = images.findByToken(identity.token());
                if (ours.isPresent()) {
                    return follow(ours.get(), Operation.of(Operation.CREATE, ours.get().imageId(), ours.get().imageId(), "pending"));
                }
            }
            throw e;
        }
        return new Outcome.InProgress(Operation.of(Operation.CREATE, imageId, imageId, "pending"), "creating image " + imageId,
                OptionalDouble.of(0), POLL);
    }

    @Override
    public Outcome poll(ApplyContext context, Operation operation) {
        if (operation.kind().equals(Operation.DELETE)) {
            return delete(operation.id(), List.of());
        }
        Optional<Image> image = images.describe(operation.id());
        if (image.isEmpty()) {
            int unlisted = operation.data().path("unlisted").asInt(0) + 1;
            if (unlisted > UNLISTED_POLLS) {
                throw new FerryException("image " + operation.id() + " is gone: EC2 no longer lists it (deregistered outside ferry?);"
                        + " run apply again to make a new one");
            }
            ObjectNode data = operation.data().deepCopy().put("unlisted", unlisted);
            // Counted polls: each waits POLL, so that EC2 has the same time to list the image however fast it went so far.
            return Outcome.InProgress.waiting(new Operation(operation.kind(), operation.id(), operation.resourceId(), "pending", data),
                    "waiting for EC2 to list image " + operation.id(), POLL);
        }
        return follow(image.get(), operation);
    }

    private Outcome follow(Image image, Operation operation) {
        String state = image.stateAsString();
        switch (state) {
            case "available":
                return new Outcome.Done(image.imageId(), Images.outputs(image));
            case "pending":
                double percent = images.progress(image);
                return new Outcome.InProgress(operation.withPhase("pending"), "image " + image.imageId() + " pending",
                        OptionalDouble.of(percent), POLL);
            default:
                String reason = image.stateReason() == null ? "no reason given" : image.stateReason().message();
                throw new FerryException("image " + image.imageId() + " ended " + state + ": " + reason
                        + "; ferry will delete it and make a new one on the next apply");
        }
    }

    @Override
    public Map<ResourceAddress, Observation> refresh(List<RefreshRequest> requests) {
        Map<String, Image> found = images.describe(requests.stream().map(RefreshRequest::id).toList());
        Map<ResourceAddress, Observation> observed = new HashMap<>();
        for (RefreshRequest request : requests) {
            Image image = found.get(request.id());
            if (image == null || "deregistered".equals(image.stateAsString())) {
                observed.put(request.address(), new Observation.Gone());
            } else if (Set.of("failed", "invalid", "error").contains(image.stateAsString())) {
                observed.put(request.address(), new Observation.Broken("image " + image.imageId() + " is " + image.stateAsString()));
            } else {
                observed.put(request.address(), new Observation.Exists(Json.object(), Images.outputs(image)));
            }
        }
        return observed;
    }

    @Override
    public Optional<Found> findExisting(Identity identity, Attributes arguments) {
        return images.findByToken(identity.token()).map(image -> new Found(image.imageId(), "pending".equals(image.stateAsString())
                ? Optional.of(Operation.of(Operation.CREATE, image.imageId(), image.imageId(), "pending"))
                : Optional.empty()));
    }

    /** The file's tags (a backup image carries the new instance's), ferry's identity, and a Name unless the file gives one. */
    private static Map<String, String> tags(Attributes arguments, Identity identity) {
        Map<String, String> tags = Ec2Tags.fromArgument(arguments);
        tags.putIfAbsent("Name", imageName(identity));
        return Ec2Tags.of(identity, tags);
    }

    @Override
    public Outcome update(ApplyContext context) {
        String id = context.prior().orElseThrow().id();
        Image image = images.describe(id).orElseThrow(() -> new FerryException("image " + id + " no longer exists; run plan again"));
        List<String> ids = new ArrayList<>(List.of(id));
        ids.addAll(Images.snapshotIds(image));
        Ec2Tags.retag(clients, calls, ids, tags(context.arguments(), context.identity()),
                Ec2Tags.fromArgument(Attributes.of(context.prior().get().arguments())));
        return new Outcome.Done(id, Images.outputs(image));
    }

    @Override
    public Outcome delete(ApplyContext context) {
        String id = context.prior().orElseThrow().id();
        List<String> known = Json.strings(context.prior().get().outputs().get("snapshot_ids"));
        context.progress("deregistering " + id + " and deleting its snapshots");
        return delete(id, known);
    }

    private Outcome delete(String id, List<String> knownSnapshots) {
        Optional<Image> image = images.describe(id);
        if (image.isPresent() && "pending".equals(image.get().stateAsString())) {
            // A pending image cannot be deregistered cleanly: its snapshots are still being written.
            return new Outcome.InProgress(Operation.of(Operation.DELETE, id, id, "waiting"), "waiting for image " + id
                    + " to finish before deleting it", OptionalDouble.empty(), POLL);
        }
        images.remove(id, knownSnapshots);
        return new Outcome.Deleted();
    }

    /**
     * What imaging needs: CreateImage (tagging the image and its snapshots as it makes them), the describes that follow
     * it, the retag of an update, and the deregistration of the image and its snapshots when it is deleted or cleaned
     * up; with the volume's KMS key, when it is encrypted, used through EC2 only.
     */
    public static List<Permission> permissions(IamPolicy.Scope scope, String address, Attributes arguments) {
        String why = address + " images the machine and removes the image when it goes";
        List<Permission> needed = new java.util.ArrayList<>();
        for (String action : List.of("ec2:CreateImage", "ec2:CreateTags", "ec2:DeleteTags", "ec2:DescribeImages", "ec2:DescribeSnapshots",
                "ec2:DeregisterImage", "ec2:DeleteSnapshot")) {
            needed.add(Permission.of(action, List.of("*"), why));
        }
        for (String action : List.of("kms:CreateGrant", "kms:Decrypt", "kms:DescribeKey", "kms:GenerateDataKeyWithoutPlaintext",
                "kms:ReEncryptFrom", "kms:ReEncryptTo")) {
            needed.add(new Permission(action, List.of("*"), scope.viaService("ec2"), address + " snapshots encrypted volumes (their KMS key, through EC2 only)"));
        }
        return needed;
    }
}
