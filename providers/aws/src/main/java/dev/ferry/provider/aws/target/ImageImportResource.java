package dev.ferry.provider.aws.target;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.engine.FerryException;
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
import dev.ferry.provider.aws.client.IamPolicy;
import dev.ferry.provider.aws.client.Images;
import dev.ferry.provider.aws.client.Json;
import dev.ferry.provider.aws.task.ConversionTaskResource;
import dev.ferry.provider.aws.task.ConversionTasks;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import software.amazon.awssdk.services.ec2.model.Image;
import software.amazon.awssdk.services.ec2.model.ImageDiskContainer;
import software.amazon.awssdk.services.ec2.model.ImportImageResponse;
import software.amazon.awssdk.services.ec2.model.ImportImageTask;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.SnapshotDetail;

/**
 * {@code aws_image_import}: ImportImage of an uploaded disk image into an AMI, with the vmimport role,
 * platform, architecture, boot mode and license type, and the identity's token as ClientToken; followed
 * with DescribeImportImageTasks through its statuses. A task that ends {@code deleted} fails with AWS's
 * own status message. Its id is the AMI's; deleting deregisters the AMI and its snapshots.
 */
public final class ImageImportResource extends ConversionTaskResource<ImportImageTask> {

    public static final String NAME = "aws_image_import";
    /** Import image tasks, as DescribeImportImageTasks shows them; the resource's id is the AMI's, not the task's. */
    static final ConversionTasks.Kind<ImportImageTask> TASKS = new ConversionTasks.Kind<>("import", "import task",
            "EC2 DescribeImportImageTasks", (ec2, id) -> ec2.describeImportImageTasks(r -> r.importTaskIds(id)).importImageTasks(),
            Set.of("InvalidConversionTaskId.NotFound", "InvalidConversionTaskId"),
            ec2 -> {
                List<ImportImageTask> all = new ArrayList<>();
                ec2.describeImportImageTasksPaginator(r -> r.maxResults(500)).forEach(page -> all.addAll(page.importImageTasks()));
                return all;
            },
            "EC2 CancelImportTask", (ec2, id) -> ec2.cancelImportTask(r -> r.importTaskId(id)),
            ImportImageTask::importTaskId, ImportImageTask::status, ImportImageTask::statusMessage,
            task -> ConversionTasks.percent(task.progress()), ImportImageTask::tags, Set.of("deleting", "deleted"), false);
    private static final Set<String> BOOT_MODES = Set.of("legacy-bios", "uefi", "uefi-preferred");

    private final Images images;

    public ImageImportResource(AwsClients clients, AwsCalls calls, Images images) {
        super(NAME, new ResourceSchema(Set.of("tags")), clients, calls, TASKS);
        this.images = requireNonNull(images, "images is null");
    }

    @Override
    public PlanResult plan(PlanRequest request) {
        Attributes desired = request.desired();
        Attributes planned = desired;
        List<Note> notes = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        Optional<MachineFacts> machine = desired.find("machine").filter(JsonNode::isObject).map(MachineFacts::fromJson);
        if (!desired.has("platform") || desired.find("platform").map(JsonNode::isNull).orElse(false)) {
            if (machine.isPresent()) {
                String platform = machine.get().platform().toLowerCase(Locale.ROOT).startsWith("windows") ? "Windows" : "Linux";
                planned = planned.with("platform", Json.MAPPER.getNodeFactory().textNode(platform));
                notes.add(Note.info("platform " + platform + ", from the VM's guest OS" + machine.get().osName().map(os -> " (" + os + ")")
                        .orElse("")));
            } else if (desired.isUnknown("machine")) {
                planned = planned.withUnknown("platform");
            } else {
                planned = planned.with("platform", Json.MAPPER.getNodeFactory().textNode("Linux"));
            }
        }
        String architecture = desired.optionalText("architecture").orElse("x86_64");
        if (architecture.equals("arm64")) {
            errors.add("VM Import/Export does not import ARM64 VMs; only x86_64 (and, until 2026, i386) images can be imported");
        } else if (architecture.equals("i386")) {
            notes.add(Note.warning("32-bit (i386) imports are being retired by VM Import/Export from February 2026; prefer a 64-bit VM"));
        }
        machine.ifPresent(facts -> {
            if (facts.architecture().equals(MachineFacts.ARM64)) {
                errors.add("the VM " + facts.name() + " is ARM64, which VM Import/Export does not import");
            } else if (!facts.architecture().equals(architecture) && !facts.architecture().isBlank()) {
                notes.add(Note.warning("the VM " + facts.name() + " is " + facts.architecture() + " but the import says " + architecture
                        + "; set target.ec2.architecture to match"));
            }
            if (facts.disks().size() > 1) {
                notes.add(Note.info("the VM has " + facts.disks().size() + " disks, imported together into one AMI in this order, each an EBS "
                        + "snapshot the instance gets a volume of: " + disks(facts.disks()) + " (ferry's vmimport role allows the RegisterImage "
                        + "and CopySnapshot calls a multi-disk import makes)"));
            }
            if (facts.powerState().map(s -> Set.of("poweredon", "powered_on", "on", "running").contains(s.toLowerCase(Locale.ROOT))).orElse(false)) {
                notes.add(Note.warning("the VM " + facts.name() + " is powered on: an image exported from a running VM may be"
                        + " inconsistent; shut it down before exporting"));
            }
        });
        desired.optionalText("boot_mode").filter(mode -> !BOOT_MODES.contains(mode))
                .ifPresent(mode -> errors.add("boot_mode '" + mode + "' is not one of legacy-bios, uefi, uefi-preferred"));
        Optional<String> firmware = firmwareBootMode(desired, machine);
        if (firmware.isPresent()) {
            planned = planned.with("boot_mode", Json.MAPPER.getNodeFactory().textNode(firmware.get()));
            notes.add(Note.info("BootMode " + firmware.get() + ", from the VM's EFI firmware: a single "
                    + desired.optionalText("format").map(f -> f.toUpperCase(Locale.ROOT)).orElse("disk image")
                    + " file does not carry the firmware to ImportImage as an OVA's descriptor does, and an AMI without a boot mode"
                    + " boots x86 instances by legacy BIOS; set target.ec2.boot_mode to choose another"));
        }
        Optional<String> license = desired.optionalText("license_type");
        Optional<String> platform = planned.optionalText("platform");
        if (license.isPresent() && license.get().equalsIgnoreCase("AWS") && platform.map(p -> p.equals("Linux")).orElse(false)) {
            errors.add("Linux imports take only license_type BYOL (AWS sells no Linux licence through VM Import/Export)");
        }
        desired.optionalText("format").map(f -> f.toLowerCase(Locale.ROOT)).filter(f -> !S3ObjectUploadResource.FORMATS.contains(f))
                .ifPresent(f -> errors.add("ImportImage takes OVA, VMDK, VHD, VHDX or RAW, not " + f));
        return new PlanResult(planned, Json.object(), notes, errors);
    }

    /**
     * The boot mode ImportImage must be told when the file does not say it: {@code uefi} for a VM with EFI firmware whose
     * disk travels as a single VMDK, VHD or RAW file (the machine facts carry the firmware only then); nothing when the
     * file sets {@code boot_mode}, or for an OVA, whose descriptor ImportImage reads.
     */
    static Optional<String> firmwareBootMode(Attributes desired, Optional<MachineFacts> machine) {
        if (desired.optionalText("boot_mode").isPresent() || desired.optionalText("format").filter("ova"::equalsIgnoreCase).isPresent()) {
            return Optional.empty();
        }
        return machine.flatMap(MachineFacts::bootMode).filter(MachineFacts.UEFI::equals);
    }

    /** {@code 1. 'Hard disk 1' 10 GiB (boot), 2. 'Hard disk 2' 50 GiB}: sizes in GiB, as EBS sizes volumes. */
    static String disks(List<MachineFacts.Disk> disks) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < disks.size(); i++) {
            MachineFacts.Disk disk = disks.get(i);
            double gib = disk.sizeBytes() / (double) (1L << 30);
            String size = gib == Math.rint(gib) ? String.format(Locale.ROOT, "%.0f GiB", gib) : String.format(Locale.ROOT, "%.1f GiB", gib);
            text.append(i == 0 ? "" : ", ").append(i + 1).append(". '").append(disk.name()).append("' ").append(size)
                    .append(disk.root() ? " (boot)" : "");
        }
        return text.toString();
    }

    @Override
    protected Outcome start(ApplyContext context, int attempt) {
        Attributes arguments = context.arguments();
        Identity identity = context.identity();
        String bucket = arguments.text("bucket");
        String key = arguments.text("key");
        String format = arguments.optionalText("format").orElse("raw").toUpperCase(Locale.ROOT);
        String description = "ferry: " + identity.address();
        ImageDiskContainer disk = ImageDiskContainer.builder().format(format).description(description)
                .userBucket(b -> b.s3Bucket(bucket).s3Key(key)).build();
        context.progress("importing s3://" + bucket + "/" + key);
        return tasks.start(context, attempt, "EC2 ImportImage of s3://" + bucket + "/" + key, () -> {
            ImportImageResponse response = clients.ec2().importImage(r -> {
                r.diskContainers(disk)
                        .roleName(arguments.optionalText("role_name").orElse("vmimport"))
                        .architecture(arguments.optionalText("architecture").orElse("x86_64"))
                        .clientToken(identity.token())
                        .description(description)
                        .tagSpecifications(Ec2Tags.specification(ResourceType.IMPORT_IMAGE_TASK, Ec2Tags.of(identity, Map.of())));
                arguments.optionalText("platform").ifPresent(r::platform);
                arguments.optionalText("boot_mode").ifPresent(r::bootMode);
                arguments.optionalText("license_type").ifPresent(r::licenseType);
            });
            return new ConversionTasks.Started(response.importTaskId(), response.statusMessage());
        }, found -> new Outcome.Done(found.id(), images.describe(found.id()).map(image -> tagged(context, image, null)).orElse(Json.object())));
    }

    @Override
    protected Outcome follow(ApplyContext context, Operation operation) {
        return tasks.poll(operation, task -> {
            Image image = images.describe(task.imageId())
                    .orElseThrow(() -> new FerryException("import " + task.importTaskId() + " completed, but its image " + task.imageId()
                            + " is not listed"));
            return new Outcome.Done(image.imageId(), tagged(context, image, task));
        });
    }

    /**
     * ImportImage tags only its task; the AMI and snapshots it registers carry the file's tags (and ferry's
     * identity) once ferry puts them there, as the schema promises for {@code target.ec2.tags}.
     */
    private ObjectNode tagged(ApplyContext context, Image image, ImportImageTask task) {
        ObjectNode outputs = outputs(image, task);
        Ec2Tags.retag(clients, calls, imageAndSnapshots(outputs), tags(context), Map.of());
        return outputs;
    }

    private static Map<String, String> tags(ApplyContext context) {
        return Ec2Tags.of(context.identity(), Ec2Tags.fromArgument(context.arguments()));
    }

    private static List<String> imageAndSnapshots(ObjectNode outputs) {
        List<String> ids = new ArrayList<>();
        ids.add(outputs.get("image_id").asText());
        ids.addAll(Json.strings(outputs.get("snapshot_ids")));
        return ids;
    }

    @Override
    public Outcome update(ApplyContext context) {
        String id = context.prior().orElseThrow().id();
        Image image = images.describe(id).orElseThrow(() -> new FerryException("image " + id + " no longer exists; run plan again"));
        ObjectNode outputs = outputs(image, null);
        context.prior().get().outputs().properties().forEach(field -> outputs.putIfAbsent(field.getKey(), field.getValue()));
        Ec2Tags.retag(clients, calls, imageAndSnapshots(outputs), tags(context),
                Ec2Tags.fromArgument(Attributes.of(context.prior().get().arguments())));
        return new Outcome.Done(id, outputs);
    }

    private static ObjectNode outputs(Image image, ImportImageTask task) {
        ObjectNode outputs = Images.outputs(image);
        if (task != null) {
            outputs.put("task_id", task.importTaskId());
            ArrayNode details = outputs.putArray("imported_snapshots");
            for (SnapshotDetail detail : task.snapshotDetails()) {
                details.addObject().put("snapshot_id", detail.snapshotId()).put("format", detail.format())
                        .put("size_bytes", detail.diskImageSize() == null ? 0 : detail.diskImageSize().longValue());
            }
        }
        return outputs;
    }

    @Override
    public Map<ResourceAddress, Observation> refresh(List<RefreshRequest> requests) {
        Map<String, Image> found = images.describe(requests.stream().map(RefreshRequest::id).filter(id -> id.startsWith("ami-")).toList());
        Map<ResourceAddress, Observation> observed = new HashMap<>();
        for (RefreshRequest request : requests) {
            Image image = found.get(request.id());
            if (image == null) {
                observed.put(request.address(), new Observation.Gone());
            } else {
                ObjectNode outputs = Images.outputs(image);
                request.outputs().properties().forEach(field -> {
                    if (!outputs.has(field.getKey())) {
                        outputs.set(field.getKey(), field.getValue());
                    }
                });
                observed.put(request.address(), new Observation.Exists(Json.object(), outputs));
            }
        }
        return observed;
    }

    @Override
    public Optional<Found> findExisting(Identity identity, Attributes arguments) {
        return tasks.find(identity).map(task -> "completed".equals(task.status()) && task.imageId() != null
                ? new Found(task.imageId(), Optional.empty()) : tasks.found(task));
    }

    @Override
    public Outcome delete(ApplyContext context) {
        String id = context.prior().orElseThrow().id();
        String imageId = id;
        if (id.startsWith("import-")) {
            // A failed or interrupted import is recorded by its task: cancel it, and remove what it made.
            Optional<ImportImageTask> task = tasks.cancel(context, id);
            if (task.isEmpty() || task.get().imageId() == null) {
                return new Outcome.Deleted();
            }
            imageId = task.get().imageId();
        }
        context.progress("deregistering " + imageId + " and deleting its snapshots");
        images.remove(imageId, Json.strings(context.prior().get().outputs().get("snapshot_ids")));
        return new Outcome.Deleted();
    }

    /**
     * What importing needs: ImportImage with the vmimport role (passed to VM Import/Export), its task's describes and
     * cancellation, the imported image's tags and describes, its deregistration with its snapshots, and the uploaded
     * object's deletion at clean-up.
     */
    public static List<Permission> permissions(IamPolicy.Scope scope, String address, Attributes arguments) {
        String why = address + " imports the disk image as an AMI";
        List<Permission> needed = new java.util.ArrayList<>();
        for (String action : List.of("ec2:ImportImage", "ec2:DescribeImportImageTasks", "ec2:CancelImportTask", "ec2:CreateTags",
                "ec2:DeleteTags", "ec2:DescribeImages", "ec2:DescribeSnapshots", "ec2:DeregisterImage", "ec2:DeleteSnapshot")) {
            needed.add(Permission.of(action, List.of("*"), why));
        }
        needed.add(Permission.of("iam:PassRole", List.of(scope.role(arguments.optionalText("role_name").or(() -> Optional.of("vmimport")))),
                address + " lets VM Import/Export act as the vmimport role"));
        return needed;
    }
}
