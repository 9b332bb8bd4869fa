package dev.ferry.provider.linode;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.engine.FerryException;
import dev.ferry.engine.machine.DiskImage;
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
import dev.ferry.engine.transfer.ByteSink;
import dev.ferry.engine.transfer.ByteSinkFactory;
import dev.ferry.engine.transfer.RangedByteSource;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;

/**
 * {@code linode_image}: a private image made from the source's disk. {@code POST /images/upload} opens an
 * upload; the operation is checkpointed in state; the disk is streamed, gzipped, into the {@code upload_to}
 * URL with one {@code PUT}; then Linode processes it until it is {@code available}. A broken upload starts over
 * on a fresh upload (the URL takes one body), deleting the dead {@code pending_upload} image. After a crash an
 * operation in phase {@code upload} may or may not have delivered its body, so the image's status decides:
 * {@code pending_upload} is uploaded afresh, anything later is waited for.
 *
 * <p>Arguments: {@code source} (the {@code DiskImage} JSON of the source's disk), {@code machine} (the source's
 * {@code MachineFacts}, whose root disk gives the size check while the export is not known), {@code label},
 * {@code region}, {@code description}, {@code tags}, {@code cloud_init}. The plan replaces {@code machine} with
 * {@code raw_size_bytes}. Outputs: {@code id}, {@code status}, {@code size}, {@code raw_bytes},
 * {@code raw_sha256}, {@code gzip_bytes}, {@code gzip_sha256}.
 */
final class ImageResource implements ManagedResourceType {

    static final String TYPE = "linode_image";
    /** Linode takes custom images of at most 6 GB raw and 5 GB gzipped (its GB are GiB, as its disk sizes are). */
    static final long RAW_LIMIT = 6 * Sizes.GIB;
    static final long GZIP_LIMIT = 5 * Sizes.GIB;

    static final String PHASE_UPLOAD = "upload";
    static final String PHASE_PROCESSING = "processing";

    private static final Set<String> DIGESTS = Set.of("raw_bytes", "raw_sha256", "gzip_bytes", "gzip_sha256");

    private final LinodeClient client;
    private final LinodeCatalog catalog;
    private final LinodeSession.Timing timing;
    private final ImageTransfer transfer;

    ImageResource(LinodeClient client, LinodeCatalog catalog, LinodeSession.Timing timing, ImageTransfer transfer) {
        this.client = requireNonNull(client, "client is null");
        this.catalog = requireNonNull(catalog, "catalog is null");
        this.timing = requireNonNull(timing, "timing is null");
        this.transfer = requireNonNull(transfer, "transfer is null");
    }

    @Override
    public String name() {
        return TYPE;
    }

    @Override
    public ResourceSchema schema() {
        return new ResourceSchema(Set.of("label", "description", "tags"));
    }

    // ---- plan ----

    @Override
    public PlanResult plan(PlanRequest request) {
        Attributes desired = request.desired();
        List<Note> notes = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        Args.value(desired, "region").ifPresent(region -> catalog.regionProblem(region.asText()).ifPresent(errors::add));
        Args.value(desired, "label").map(JsonNode::asText).ifPresent(label -> {
            if (label.isEmpty() || label.length() > LinodeLabels.IMAGE_MAX) {
                errors.add("the image label '" + label + "' must be 1–" + LinodeLabels.IMAGE_MAX + " characters");
            }
        });
        Attributes planned = desired.without(Set.of("machine"));
        Optional<DiskImage> disk = Args.value(desired, "source").map(DiskImage::fromJson);
        if (disk.isPresent()) {
            if (!disk.get().format().equals("raw")) {
                errors.add("Linode imports only raw disk images, but the source's image " + disk.get().description() + " is "
                        + disk.get().format());
            }
            checkSize(disk.get().sizeBytes(), "the exported disk image " + disk.get().description(), notes, errors);
            planned = planned.with("raw_size_bytes", JsonNodeFactory.instance.numberNode(disk.get().sizeBytes()));
        } else {
            Optional<MachineFacts> machine = Args.value(desired, "machine").map(MachineFacts::fromJson);
            machine.flatMap(MachineFacts::rootDisk).ifPresent(root -> checkSize(root.sizeBytes(),
                    "the root volume of " + machine.get().name() + " (" + root.name() + ")", notes, errors));
            planned = planned.withUnknown("raw_size_bytes");
        }
        Args.value(desired, "tags").ifPresent(tags -> {
            for (JsonNode tag : tags) {
                if (tag.asText().length() < 3 || tag.asText().length() > 100) {
                    errors.add("the image tag '" + tag.asText() + "' must be 3–100 characters");
                }
            }
        });
        if (desired.isKnown("tags")) {
            planned = planned.with("tags", IdentityTags.userTagsJson(desired.get("tags")));
        }
        return new PlanResult(planned, Args.object(), notes, errors);
    }

    /**
     * What to do about a disk over the image limit. An EBS volume cannot be shrunk, so the way that works on the
     * image road is a new, smaller volume holding a copy of the file system.
     */
    static final String DISK_ROAD_ADVICE = "Take the disk road (target.linode.via: disk): it writes the disk straight onto a"
            + " Linode disk, with no limit but the Linode type's disk. To stay on the image road instead, copy the root file"
            + " system onto a new EBS volume smaller than " + Sizes.bytes(RAW_LIMIT) + " (an EBS volume cannot be shrunk), make"
            + " it the instance's root volume and migrate that; or move data off the root disk to a data volume and migrate"
            + " only the system disk";

    private static void checkSize(long bytes, String what, List<Note> notes, List<String> errors) {
        if (bytes > RAW_LIMIT) {
            errors.add(what + " is " + Sizes.bytes(bytes) + ", but Linode accepts custom images of at most "
                    + Sizes.bytes(RAW_LIMIT) + " uncompressed (" + Sizes.bytes(GZIP_LIMIT) + " gzipped). " + DISK_ROAD_ADVICE);
        } else {
            notes.add(Note.info("the image is " + Sizes.bytes(bytes) + " raw (" + what + "); Linode accepts up to "
                    + Sizes.bytes(RAW_LIMIT) + " raw and " + Sizes.bytes(GZIP_LIMIT) + " gzipped"));
        }
    }

    // ---- create and the upload ----

    @Override
    public Outcome create(ApplyContext context) {
        Attributes arguments = context.arguments();
        DiskImage disk = DiskImage.fromJson(arguments.get("source"));
        if (!disk.format().equals("raw")) {
            throw new FerryException("Linode imports only raw disk images, but " + disk.description() + " is " + disk.format());
        }
        if (disk.sizeBytes() > RAW_LIMIT) {
            throw new FerryException("the disk image " + disk.description() + " is " + Sizes.bytes(disk.sizeBytes())
                    + ", more than the " + Sizes.bytes(RAW_LIMIT) + " Linode accepts; nothing was uploaded");
        }
        Upload upload = startUpload(context.identity(), arguments);
        context.checkpoint(uploadOperation(upload.imageId(), 1));
        return upload(context, upload);
    }

    /** An open upload: the image it fills and where its one body goes (a credential: never logged or stored). */
    private record Upload(String imageId, URI uploadTo) {
        @Override
        public String toString() {
            return "Upload[" + imageId + "]";
        }
    }

    private Upload startUpload(Identity identity, Attributes arguments) {
        ObjectNode body = Args.object();
        body.put("label", arguments.text("label"));
        body.put("region", arguments.text("region"));
        Args.value(arguments, "description").ifPresent(d -> body.put("description", d.asText()));
        body.set("tags", IdentityTags.withIdentity(arguments.find("tags").orElse(null), identity));
        if (Args.value(arguments, "cloud_init").map(JsonNode::asBoolean).orElse(false)) {
            body.put("cloud_init", true);
        }
        // A request that may have made an image leaves an orphan without its upload URL: remove it, ask again.
        JsonNode answer = client.postCreating("/images/upload", body, () -> {
            discardPending(identity);
            return Optional.empty();
        });
        String id = answer.path("image").path("id").asText("");
        String uploadTo = answer.path("upload_to").asText("");
        if (id.isEmpty() || uploadTo.isEmpty()) {
            throw new FerryException("Linode API POST /images/upload answered without an image id or an upload URL");
        }
        return new Upload(id, URI.create(uploadTo));
    }

    private Outcome upload(ApplyContext context, Upload first) {
        Attempts attempts = new Attempts(context, first);
        RangedByteSource source = context.openDiskImage(context.arguments().get("source"));
        ImageTransfer.Report report;
        try {
            report = transfer.run(source, attempts, new ImageTransfer.Listener() {
                @Override
                public void progress(long rawBytes, long totalBytes) {
                    context.transferred("uploading " + source.description() + " to Linode", rawBytes, totalBytes);
                }

                @Override
                public void restarting(int attempt, String reason) {
                    context.progress("upload attempt " + attempt + " starts over on a fresh upload: " + reason);
                }
            }, context::cancelled);
        } catch (ImageTransfer.Cancelled e) {
            // A safe point: the operation stays in state and the next run uploads afresh.
            return new Outcome.InProgress(uploadOperation(attempts.current().imageId(), attempts.number()),
                    "upload stopped", OptionalDouble.empty(), Duration.ZERO);
        } catch (ImageTransfer.Failed e) {
            discard(attempts.current().imageId(), context.identity());
            throw new FerryException("uploading the disk image to Linode failed: " + e.getMessage());
        }
        ObjectNode data = Args.object();
        data.put("raw_bytes", report.rawBytes());
        data.put("raw_sha256", report.rawSha256());
        data.put("gzip_bytes", report.gzipBytes());
        data.put("gzip_sha256", report.gzipSha256());
        data.put("uploaded_at", Instant.now().toString());
        String id = attempts.current().imageId();
        Operation processing = new Operation(Operation.CREATE, id, Optional.of(id), PHASE_PROCESSING, data);
        context.checkpoint(processing);
        context.progress("uploaded " + Sizes.bytes(report.gzipBytes()) + " gzipped (" + Sizes.bytes(report.rawBytes()) + " raw"
                + (report.attempts() > 1 ? ", attempt " + report.attempts() : "") + "); Linode is processing the image");
        return new Outcome.InProgress(processing, "Linode is processing the image", OptionalDouble.empty(), timing.imagePoll());
    }

    /** One fresh upload per attempt: the first is the one already opened, each later one replaces a dead one. */
    private final class Attempts implements ByteSinkFactory {
        private final ApplyContext context;
        private volatile Upload current;
        private volatile int number = 1;

        Attempts(ApplyContext context, Upload first) {
            this.context = context;
            this.current = first;
        }

        @Override
        public ByteSink attempt(int attempt) {
            if (attempt > 1) {
                discard(current.imageId(), context.identity());
                current = startUpload(context.identity(), context.arguments());
                number = attempt;
                context.checkpoint(uploadOperation(current.imageId(), attempt));
            }
            return new ImageUploadSink(client.http(), current.uploadTo(), client.userAgent());
        }

        @Override
        public long rawLimit() {
            return RAW_LIMIT;
        }

        @Override
        public long compressedLimit() {
            return GZIP_LIMIT;
        }

        Upload current() {
            return current;
        }

        int number() {
            return number;
        }
    }

    private static Operation uploadOperation(String imageId, int attempt) {
        ObjectNode data = Args.object();
        data.put("attempt", attempt);
        return new Operation(Operation.CREATE, imageId, Optional.of(imageId), PHASE_UPLOAD, data);
    }

    /** Deletes a dead upload of ours (best effort: a leftover is found and removed by the next attempt or destroy). */
    private void discard(String imageId, Identity identity) {
        try {
            client.find("/images/" + imageId).filter(image -> IdentityTags.carries(image, identity))
                    .ifPresent(image -> client.delete("/images/" + imageId));
        } catch (LinodeApiException e) {
            // Not fatal: the image carries the identity tag and is cleaned up later.
        }
    }

    /** Deletes every image of {@code identity} still waiting for its upload. */
    private void discardPending(Identity identity) {
        for (JsonNode image : client.list("/images", IdentityTags.filter(identity))) {
            if (image.path("status").asText().equals("pending_upload") && IdentityTags.carries(image, identity)) {
                client.delete("/images/" + image.path("id").asText());
            }
        }
    }

    // ---- poll ----

    @Override
    public Outcome poll(ApplyContext context, Operation operation) {
        String id = operation.resourceId().orElse(operation.id());
        Optional<JsonNode> image = client.find("/images/" + id);
        if (image.isEmpty()) {
            throw new FerryException("the Linode image " + id + " is gone: " + LinodeEvents.imageGone(client, id));
        }
        String status = image.get().path("status").asText();
        if (operation.phase().equals(PHASE_UPLOAD)) {
            if (status.equals("pending_upload")) {
                // The body may never have arrived and the URL takes only one: start again on a fresh upload.
                context.progress("the interrupted upload of " + id + " is started again");
                discard(id, context.identity());
                Upload upload = startUpload(context.identity(), context.arguments());
                context.checkpoint(uploadOperation(upload.imageId(), operation.data().path("attempt").asInt(1) + 1));
                return upload(context, upload);
            }
            // The body arrived before the interruption; only its digests were lost.
            Operation processing = new Operation(Operation.CREATE, id, Optional.of(id), PHASE_PROCESSING, Args.object());
            return progressOrDone(image.get(), processing);
        }
        if (status.equals("pending_upload")) {
            Instant uploaded = Optional.ofNullable(operation.data().get("uploaded_at")).map(t -> Instant.parse(t.asText()))
                    .orElse(Instant.now());
            if (Instant.now().isAfter(uploaded.plus(timing.pendingUploadGrace()))) {
                throw new FerryException("the Linode image " + id + " took its upload at " + uploaded + " but is still waiting"
                        + " for one (pending_upload) " + timing.pendingUploadGrace().toMinutes() + " minutes later; run apply"
                        + " again to upload it afresh");
            }
        }
        return progressOrDone(image.get(), operation);
    }

    private Outcome progressOrDone(JsonNode image, Operation operation) {
        if (image.path("status").asText().equals("available")) {
            String id = image.path("id").asText();
            return new Outcome.Done(id, outputs(image, operation.data()));
        }
        return new Outcome.InProgress(operation, "Linode is processing the image (" + image.path("status").asText() + ")",
                OptionalDouble.empty(), timing.imagePoll());
    }

    /** The outputs; the digests come from the upload that made the image (absent when it was adopted after a crash). */
    private static ObjectNode outputs(JsonNode image, JsonNode digests) {
        ObjectNode outputs = Args.object();
        outputs.put("id", image.path("id").asText());
        outputs.put("status", image.path("status").asText());
        outputs.put("size", image.path("size").asLong());
        outputs.put("label", image.path("label").asText());
        for (String name : List.of("raw_bytes", "raw_sha256", "gzip_bytes", "gzip_sha256")) {
            JsonNode value = digests == null ? null : digests.get(name);
            outputs.set(name, value == null ? JsonNodeFactory.instance.nullNode() : value);
        }
        return outputs;
    }

    // ---- refresh, adopt, update, delete ----

    @Override
    public Map<ResourceAddress, Observation> refresh(List<RefreshRequest> requests) {
        // Image ids are not filterable: one image is read by its id, many by listing the account's private images.
        Map<String, JsonNode> listed = new HashMap<>();
        if (requests.size() > 1) {
            ObjectNode privateOnly = Args.object();
            privateOnly.put("is_public", false);
            client.list("/images", privateOnly).forEach(image -> listed.put(image.path("id").asText(), image));
        }
        Map<ResourceAddress, Observation> observed = new HashMap<>();
        for (RefreshRequest request : requests) {
            Optional<JsonNode> image = requests.size() > 1
                    ? Optional.ofNullable(listed.get(request.id()))
                    : client.find("/images/" + request.id());
            if (image.isEmpty()) {
                observed.put(request.address(), new Observation.Gone());
                continue;
            }
            String status = image.get().path("status").asText();
            if (status.equals("pending_upload")) {
                observed.put(request.address(), new Observation.Broken("its upload never arrived (pending_upload)"));
                continue;
            }
            ObjectNode digests = Args.object();
            DIGESTS.forEach(name -> Args.value(request.outputs(), name).ifPresent(value -> digests.set(name, value)));
            observed.put(request.address(), new Observation.Exists(observable(image.get()), outputs(image.get(), digests)));
        }
        return observed;
    }

    private static ObjectNode observable(JsonNode image) {
        ObjectNode arguments = Args.object();
        arguments.put("label", image.path("label").asText());
        if (image.has("description")) {
            // Compared only when the answer carries it: a field left out is not a field cleared.
            arguments.set("description", image.get("description"));
        }
        arguments.set("tags", IdentityTags.userTagsJson(image.get("tags")));
        boolean cloudInit = false;
        for (JsonNode capability : image.path("capabilities")) {
            cloudInit |= capability.asText().equals("cloud-init");
        }
        arguments.put("cloud_init", cloudInit);
        return arguments;
    }

    @Override
    public Optional<Found> findExisting(Identity identity, Attributes arguments) {
        List<JsonNode> images = new ArrayList<>(client.list("/images", IdentityTags.filter(identity)).stream()
                .filter(image -> IdentityTags.carries(image, identity)).toList());
        // The most advanced one wins: available, then being processed, then still waiting for its body.
        images.sort(Comparator.comparingInt(image -> switch (image.path("status").asText()) {
            case "available" -> 0;
            case "pending_upload" -> 2;
            default -> 1;
        }));
        if (images.isEmpty()) {
            return Optional.empty();
        }
        JsonNode image = images.get(0);
        String id = image.path("id").asText();
        return switch (image.path("status").asText()) {
            case "available" -> Optional.of(new Found(id, Optional.empty()));
            case "pending_upload" -> Optional.of(new Found(id, Optional.of(uploadOperation(id, 1))));
            default -> Optional.of(new Found(id, Optional.of(new Operation(Operation.CREATE, id, Optional.of(id), PHASE_PROCESSING,
                    Args.object()))));
        };
    }

    @Override
    public Outcome update(ApplyContext context) {
        String id = context.prior().orElseThrow().id();
        Attributes arguments = context.arguments();
        JsonNode image = client.find("/images/" + id).orElseThrow(() ->
                new FerryException("the Linode image " + id + " is gone: " + LinodeEvents.imageGone(client, id)));
        IdentityTags.requireOurs(image, "the Linode image " + id, context.identity(), "change");
        ObjectNode body = Args.object();
        body.put("label", arguments.text("label"));
        Args.value(arguments, "description").ifPresent(d -> body.put("description", d.asText()));
        body.set("tags", IdentityTags.withIdentity(arguments.find("tags").orElse(null), context.identity()));
        JsonNode updated = client.put("/images/" + id, body);
        return new Outcome.Done(id, outputs(updated, context.prior().get().outputs()));
    }

    @Override
    public Outcome delete(ApplyContext context) {
        String id = context.prior().orElseThrow().id();
        Optional<JsonNode> image = client.find("/images/" + id);
        if (image.isEmpty()) {
            return new Outcome.Deleted();
        }
        IdentityTags.requireOurs(image.get(), "the Linode image " + id, context.identity(), "delete");
        client.delete("/images/" + id);
        return new Outcome.Deleted();
    }

    @Override
    public Set<String> limits(Attributes arguments) {
        return Set.of();
    }

    /** Uploading the image, waiting for it and deleting it: images:read_write (and the events of one that vanished). */
    static List<Permission> permissions(String address) {
        return List.of(LinodeScopes.readWrite("images", address + " uploads the custom image and deletes it when it goes"),
                LinodeScopes.events(address));
    }
}
