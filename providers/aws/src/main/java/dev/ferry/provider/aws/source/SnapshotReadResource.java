package dev.ferry.provider.aws.source;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.engine.FerryException;
import dev.ferry.engine.machine.DiskImage;
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
import dev.ferry.provider.aws.client.IamPolicy;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.function.Supplier;
import software.amazon.awssdk.services.ebs.EbsClient;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.BlockDeviceMapping;
import software.amazon.awssdk.services.ec2.model.Image;
import software.amazon.awssdk.services.ec2.model.Snapshot;

/**
 * {@code aws_snapshot_read}: the snapshot road of an EC2 source. It waits for the AMI's root snapshot to be
 * {@code completed} (with its progress), lists its written blocks with the EBS direct APIs (which also checks
 * that ferry may read them), and hands on a {@code disk_image} of kind {@value #KIND}: the whole raw disk,
 * read block by block by {@link SnapshotBlockSource} when the target asks for it. It creates nothing in the
 * cloud: deleting it forgets it (the snapshot belongs to the AMI, which the clean-up policy deletes). The image's
 * snapshots of the instance's other volumes are handed on as {@code data_disks}, for a target that moves them.
 */
public final class SnapshotReadResource implements ManagedResourceType {

    public static final String NAME = "aws_snapshot_read";
    public static final String KIND = "ebs-snapshot";
    /** The longest wait between two polls; the engine's first poll comes sooner, and later ones follow the operation's pace. */
    private static final Duration POLL = Duration.ofSeconds(5);
    private static final long GIB = 1024L * 1024 * 1024;

    private final Supplier<Ec2Client> ec2;
    private final Supplier<EbsClient> ebs;
    private final String region;
    private final SnapshotBlockSource.Tuning tuning;
    private final Calls calls;

    public SnapshotReadResource(Supplier<Ec2Client> ec2, Supplier<EbsClient> ebs, String region,
            SnapshotBlockSource.Tuning tuning, Calls calls) {
        this.calls = requireNonNull(calls, "calls is null");
        this.ec2 = requireNonNull(ec2, "ec2 is null");
        this.ebs = requireNonNull(ebs, "ebs is null");
        this.region = requireNonNull(region, "region is null");
        this.tuning = requireNonNull(tuning, "tuning is null");
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public ResourceSchema schema() {
        return new ResourceSchema(Set.of("via", "via_from"));
    }

    @Override
    public PlanResult plan(PlanRequest request) {
        Attributes desired = request.desired();
        List<Note> notes = new ArrayList<>();
        String reason = desired.optionalText("via_from").filter("file"::equals).isPresent()
                ? "source.ec2.via: snapshot"
                : "the default for EC2 sources: no export task, no S3 copy, only written blocks read; set 'via: export'"
                + " where the account denies EBS direct access";
        notes.add(Note.info("road: snapshot (" + reason + "): the AMI's root snapshot is read block by block with the EBS"
                + " direct APIs (ListSnapshotBlocks, GetSnapshotBlock; each block's SHA-256 checked); no staging bucket,"
                + " bucket policy, vmimport role or export task"));
        Optional<JsonNode> disk = desired.find("source_disk").filter(JsonNode::isObject);
        long volumeBytes = disk.map(d -> d.path("size_bytes").asLong(0)).orElse(0L);
        Optional<ObjectNode> prior = request.prior().map(p -> p.outputs());
        if (prior.isPresent() && prior.get().has("read_bytes")) {
            long read = prior.get().path("read_bytes").asLong();
            notes.add(Note.info("reads " + bytes(read) + " (" + prior.get().path("written_blocks").asLong()
                    + " written blocks of 512 KiB) of the " + bytes(prior.get().path("size_bytes").asLong()) + " volume"));
        } else if (volumeBytes > 0) {
            notes.add(Note.info("reads up to the volume size (" + bytes(volumeBytes) + "): only blocks ever written,"
                    + " counted once the snapshot exists; the rest is zeros that cost no request"));
        }
        disk.filter(d -> d.path("encrypted").asBoolean(false)).ifPresent(d -> {
            String key = d.path("kms_key_id").asText("");
            notes.add(Note.info("the root volume " + d.path("id").asText() + " is encrypted: ferry's credentials need"
                    + " kms:Decrypt on " + (key.isEmpty() ? "its KMS key" : "the KMS key " + key) + " (the export road cannot"
                    + " take encrypted volumes; this one can)"));
        });
        return new PlanResult(desired, JsonNodeFactory.instance.objectNode(), notes, List.of());
    }

    @Override
    public Outcome create(ApplyContext context) {
        String snapshotId = context.arguments().text("snapshot_id");
        context.progress("waiting for " + snapshotId + " to complete");
        return follow(context, snapshotId, Operation.of(Operation.CREATE, snapshotId, snapshotId, "pending"));
    }

    @Override
    public Outcome poll(ApplyContext context, Operation operation) {
        if (operation.kind().equals(Operation.DELETE)) {
            return new Outcome.Deleted();
        }
        return follow(context, operation.id(), operation);
    }

    private Outcome follow(ApplyContext context, String snapshotId, Operation operation) {
        Snapshot snapshot = describe(snapshotId).orElseThrow(() -> new FerryException("snapshot " + snapshotId
                + " is gone (deleted outside ferry?); run apply again to make a new image"));
        String state = snapshot.stateAsString();
        if ("pending".equals(state)) {
            double percent = parsePercent(snapshot.progress());
            context.progress("snapshot " + snapshotId + " pending (" + (int) percent + "%)", percent);
            return new Outcome.InProgress(operation.withPhase("pending"), "snapshot " + snapshotId + " pending",
                    OptionalDouble.of(percent), POLL);
        }
        if (!"completed".equals(state)) {
            throw new FerryException("snapshot " + snapshotId + " ended " + state + ": "
                    + Optional.ofNullable(snapshot.stateMessage()).orElse("no reason given")
                    + "; delete the image (ferry destroy) and apply again");
        }
        long sizeBytes = snapshot.volumeSize() * GIB;
        SnapshotBlockSource source = new SnapshotBlockSource(ebs.get(), snapshotId, sizeBytes, tuning);
        int[] blocks;
        try {
            context.progress("listing the written blocks of " + snapshotId);
            blocks = source.writtenBlocks();
        } catch (IOException e) {
            throw new FerryException(e.getMessage(), e);
        }
        ObjectNode outputs = outputs(snapshot, blocks.length, context.arguments());
        outputs.set("data_disks", dataDisks(context.arguments().optionalText("image_id"), snapshotId));
        return new Outcome.Done(snapshotId, outputs);
    }

    /**
     * The image's other snapshots, one per volume besides the root, in device order: each a {@code disk_image} the
     * target reads the same way as the root's (only their written blocks are listed, when it reads them).
     */
    private ArrayNode dataDisks(Optional<String> imageId, String rootSnapshotId) {
        ArrayNode disks = JsonNodeFactory.instance.arrayNode();
        if (imageId.isEmpty()) {
            return disks;
        }
        Optional<Image> image = calls.call("EC2 DescribeImages of " + imageId.get(), () -> ec2.get()
                .describeImages(r -> r.imageIds(imageId.get())).images().stream().findFirst());
        if (image.isEmpty()) {
            return disks;
        }
        List<BlockDeviceMapping> mappings = image.get().blockDeviceMappings().stream()
                .filter(m -> m.ebs() != null && m.ebs().snapshotId() != null && !m.ebs().snapshotId().equals(rootSnapshotId)
                        && m.deviceName() != null && !m.deviceName().equals(image.get().rootDeviceName()))
                .sorted(Comparator.comparing(BlockDeviceMapping::deviceName)).toList();
        for (BlockDeviceMapping mapping : mappings) {
            String snapshot = mapping.ebs().snapshotId();
            long sizeBytes = mapping.ebs().volumeSize() == null ? 0 : mapping.ebs().volumeSize() * GIB;
            ObjectNode location = JsonNodeFactory.instance.objectNode();
            location.put("snapshot_id", snapshot);
            location.put("region", region);
            location.put("image_id", imageId.get());
            DiskImage disk = new DiskImage(KIND, "raw", sizeBytes, location, "EBS snapshot " + snapshot + " of "
                    + mapping.deviceName() + " (" + bytes(sizeBytes) + ")");
            disks.addObject().put("name", mapping.deviceName()).put("device", mapping.deviceName()).put("size_bytes", sizeBytes)
                    .set("disk_image", disk.toJson());
        }
        return disks;
    }

    private ObjectNode outputs(Snapshot snapshot, long writtenBlocks, Attributes arguments) {
        long sizeBytes = snapshot.volumeSize() * GIB;
        ObjectNode outputs = JsonNodeFactory.instance.objectNode();
        outputs.put("id", snapshot.snapshotId());
        outputs.put("snapshot_id", snapshot.snapshotId());
        outputs.put("size_bytes", sizeBytes);
        outputs.put("written_blocks", writtenBlocks);
        outputs.put("read_bytes", Math.min(sizeBytes, writtenBlocks * SnapshotBlockSource.BLOCK_SIZE));
        outputs.put("encrypted", Boolean.TRUE.equals(snapshot.encrypted()));
        ObjectNode location = JsonNodeFactory.instance.objectNode();
        location.put("snapshot_id", snapshot.snapshotId());
        location.put("region", region);
        location.put("written_blocks", writtenBlocks);
        if (Boolean.TRUE.equals(snapshot.encrypted()) && snapshot.kmsKeyId() != null) {
            location.put("kms_key_id", snapshot.kmsKeyId());
            outputs.put("kms_key_id", snapshot.kmsKeyId());
        }
        arguments.optionalText("image_id").ifPresent(id -> location.put("image_id", id));
        DiskImage image = new DiskImage(KIND, "raw", sizeBytes, location, "EBS snapshot " + snapshot.snapshotId() + " ("
                + bytes(sizeBytes) + ", " + writtenBlocks + " written blocks)");
        outputs.set("disk_image", image.toJson());
        return outputs;
    }

    private Optional<Snapshot> describe(String snapshotId) {
        try {
            return calls.call("EC2 DescribeSnapshots of " + snapshotId, () -> ec2.get()
                    .describeSnapshots(r -> r.snapshotIds(snapshotId)).snapshots().stream().findFirst());
        } catch (FerryException e) {
            if (e.getCause() instanceof software.amazon.awssdk.awscore.exception.AwsServiceException service
                    && service.awsErrorDetails() != null
                    && "InvalidSnapshot.NotFound".equals(service.awsErrorDetails().errorCode())) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /** 8 GiB, 36 MiB, 1.5 GiB. */
    static String bytes(long n) {
        if (n >= GIB) {
            return n % GIB == 0 ? n / GIB + " GiB" : String.format(java.util.Locale.ROOT, "%.1f GiB", n / (double) GIB);
        }
        long mib = 1024L * 1024;
        return n % mib == 0 ? n / mib + " MiB" : String.format(java.util.Locale.ROOT, "%.1f MiB", n / (double) mib);
    }

    private static double parsePercent(String progress) {
        if (progress == null) {
            return 0;
        }
        try {
            return Double.parseDouble(progress.replace("%", "").trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    @Override
    public Map<ResourceAddress, Observation> refresh(List<RefreshRequest> requests) {
        Map<ResourceAddress, Observation> observed = new HashMap<>();
        for (RefreshRequest request : requests) {
            Optional<Snapshot> snapshot = describe(request.id());
            if (snapshot.isEmpty()) {
                observed.put(request.address(), new Observation.Gone());
            } else if ("error".equals(snapshot.get().stateAsString())) {
                observed.put(request.address(), new Observation.Broken("snapshot " + request.id() + " is in error"));
            } else {
                ObjectNode outputs = request.outputs();
                if (!outputs.has("data_disks")) {
                    // read by an older ferry, which handed on the root snapshot only
                    outputs = outputs.deepCopy();
                    outputs.set("data_disks", dataDisks(Optional.of(outputs.path("disk_image").path("location")
                            .path("image_id").asText("")).filter(id -> !id.isEmpty()), request.id()));
                }
                observed.put(request.address(), new Observation.Exists(JsonNodeFactory.instance.objectNode(), outputs));
            }
        }
        return observed;
    }

    @Override
    public Optional<Found> findExisting(Identity identity, Attributes arguments) {
        return Optional.empty();
    }

    @Override
    public Outcome update(ApplyContext context) {
        return create(context);
    }

    @Override
    public Outcome delete(ApplyContext context) {
        return new Outcome.Deleted();
    }

    @Override
    public Set<String> limits(Attributes arguments) {
        return Set.of();
    }

    /**
     * What the snapshot road needs: the snapshot's describe and the EBS direct APIs that list and read its blocks, with
     * the snapshot's KMS key, when it is encrypted, used through EBS only.
     */
    public static List<Permission> permissions(IamPolicy.Scope scope, String address, Attributes arguments) {
        String why = address + " reads the image's root snapshot block by block";
        return List.of(
                Permission.of("ec2:DescribeSnapshots", List.of("*"), why),
                Permission.of("ec2:DescribeImages", List.of("*"), address + " finds the image's snapshots of the other volumes"),
                Permission.of("ebs:ListSnapshotBlocks", List.of("*"), why),
                Permission.of("ebs:GetSnapshotBlock", List.of("*"), why),
                new Permission("kms:Decrypt", List.of("*"), scope.viaService("ebs"), address + " reads encrypted snapshots (their KMS key, through EBS only)"));
    }
}
