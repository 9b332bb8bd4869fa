package dev.ferry.sandbox.aws;

import dev.ferry.sandbox.world.Blob;
import dev.ferry.sandbox.world.DiskImportReader;
import dev.ferry.sandbox.world.GuestOs;
import dev.ferry.sandbox.world.ImportImageTask;
import dev.ferry.sandbox.world.S3Object;
import dev.ferry.sandbox.world.World;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static dev.ferry.sandbox.aws.ConversionTaskChecks.multiDiskPermissions;
import static dev.ferry.sandbox.aws.ConversionTaskChecks.ordered;
import static dev.ferry.sandbox.aws.ConversionTaskChecks.requireBucket;
import static dev.ferry.sandbox.aws.ConversionTaskChecks.requireCapacity;
import static dev.ferry.sandbox.aws.ConversionTaskChecks.requireServiceRole;
import static dev.ferry.sandbox.aws.Ec2Ids.byIds;
import static dev.ferry.sandbox.aws.Ec2Tags.tagSpecifications;
import static java.util.Objects.requireNonNull;

/** EC2 ImportImage: disk images in S3 read into an AMI, and DescribeImportImageTasks. */
final class Ec2Imports {

    private final World world;

    Ec2Imports(World world) {
        this.world = requireNonNull(world, "world is null");
    }

    /** One DiskContainer of an ImportImage: where the image is and the format it is said to be in. */
    private record ImportSource(String bucket, String key, String format) {
    }

    private record ImportPlan(ImportImageTask existing, List<S3Object> objects) {
    }

    String importImage(QueryParams params, String requestId) {
        List<QueryParams> containers = params.indexed("DiskContainer");
        if (containers.isEmpty()) {
            throw AwsException.missingParameter("DiskContainer");
        }
        List<ImportSource> sources = new ArrayList<>();
        for (int i = 0; i < containers.size(); i++) {
            QueryParams disk = containers.get(i);
            String bucket = disk.get("UserBucket.S3Bucket");
            String key = disk.get("UserBucket.S3Key");
            if (bucket == null || key == null) {
                if (disk.get("Url") != null) {
                    throw AwsException.badRequest("InvalidParameter",
                            "The sandbox imports from UserBucket (S3Bucket and S3Key), not from a URL");
                }
                throw AwsException.missingParameter("DiskContainer." + (i + 1) + ".UserBucket");
            }
            String declared = disk.get("Format") == null ? null : disk.get("Format").toUpperCase(Locale.ROOT);
            if (declared != null && !DiskImportReader.FORMATS.contains(declared)) {
                throw AwsException.invalidValue("Format", disk.get("Format"), "Valid values: OVA, VHD, VHDX, VMDK, RAW.");
            }
            sources.add(new ImportSource(bucket, key, declared != null ? declared : formatFromKey(key)));
        }
        if (sources.size() > 1 && sources.stream().anyMatch(c -> "OVA".equals(c.format()))) {
            throw AwsException.badRequest("InvalidParameter", "An OVA holds a whole VM: import it as the only "
                    + "DiskContainer");
        }
        String roleName = params.get("RoleName") == null ? "vmimport" : params.get("RoleName");
        String clientToken = params.get("ClientToken");
        String description = params.get("Description");
        Map<String, String> tags = tagSpecifications(params, Set.of("import-image-task"))
                .getOrDefault("import-image-task", Map.of());
        String architecture = params.get("Architecture");
        if (architecture != null && !Set.of("i386", "x86_64", "arm64").contains(architecture)) {
            throw AwsException.invalidValue("Architecture", architecture, "Valid values: i386, x86_64, arm64.");
        }
        String platform = params.get("Platform");
        if (platform != null && !Set.of("windows", "linux").contains(platform.toLowerCase(Locale.ROOT))) {
            throw AwsException.invalidValue("Platform", platform, "Valid values: Windows, Linux.");
        }
        ImportSource first = sources.get(0);

        java.util.function.Function<World, ImportPlan> validate = w -> {
            if (clientToken != null) {
                Optional<ImportImageTask> same = w.conversions().importImageTasks().values().stream()
                        .filter(t -> clientToken.equals(t.clientToken())).findFirst();
                if (same.isPresent()) {
                    ImportImageTask t = same.get();
                    if (!first.bucket().equals(t.s3Bucket()) || !first.key().equals(t.s3Key())) {
                        throw AwsException.badRequest("IdempotentParameterMismatch", "The client token "
                                + clientToken + " was already used with different parameters");
                    }
                    return new ImportPlan(t, List.of());
                }
            }
            List<String> permissions = new ArrayList<>();
            for (ImportSource source : sources) {
                requireBucket(w, source.bucket());
                permissions.addAll(List.of("s3:GetObject", "arn:aws:s3:::" + source.bucket() + "/" + source.key(),
                        "s3:GetBucketLocation", "arn:aws:s3:::" + source.bucket(),
                        "s3:ListBucket", "arn:aws:s3:::" + source.bucket()));
            }
            if (sources.size() > 1) {
                permissions.addAll(multiDiskPermissions(w));
            }
            requireServiceRole(w, roleName, ordered(permissions.toArray(String[]::new)));
            requireCapacity(w);
            List<S3Object> objects = new ArrayList<>();
            for (ImportSource source : sources) {
                S3Object object = w.s3().objects(source.bucket()).get(source.key());
                if (object != null && object.size() == 0) {
                    throw AwsException.badRequest("InvalidParameter",
                            "Parameter disk-image-size=0 has an invalid format.");
                }
                objects.add(object);
            }
            return new ImportPlan(null, objects);
        };

        ImportPlan plan = world.read(validate);
        ImportImageTask task;
        if (plan.existing() != null) {
            task = plan.existing();
        } else {
            // Read the images outside the lock (a stream-optimized VMDK has to be inflated).
            ImportReading reading = readImport(sources, plan.objects(), roleName);
            String finalPlatform = reading.guest().map(GuestOs::importPlatform)
                    .orElse(platform == null ? "Linux" : platform.equalsIgnoreCase("windows") ? "Windows" : "Linux");
            String finalArchitecture = reading.guest().map(GuestOs::architecture)
                    .orElse(architecture == null ? "x86_64" : architecture);
            String bootMode = params.get("BootMode") != null ? params.get("BootMode") : reading.bootMode();
            task = world.write(w -> {
                ImportPlan again = validate.apply(w);
                if (again.existing() != null) {
                    return again.existing();
                }
                return w.conversions().startImportImage(description, clientToken, reading.details(), roleName, finalArchitecture,
                        finalPlatform, params.get("LicenseType"), bootMode, reading.raws(), reading.failure(), tags);
            });
        }
        XmlWriter xml = Ec2Xml.response("ImportImage", requestId);
        Ec2Xml.importImageTaskFields(xml, task);
        return xml.end().toString();
    }

    /** What the images of an import hold, or why it will fail. */
    private record ImportReading(List<ImportImageTask.SnapshotDetail> details, List<Blob> raws,
                                 Optional<GuestOs> guest, String bootMode, String failure) {
    }

    private ImportReading readImport(List<ImportSource> sources, List<S3Object> objects, String roleName) {
        List<ImportImageTask.SnapshotDetail> details = new ArrayList<>();
        List<Blob> raws = new ArrayList<>();
        Optional<GuestOs> guest = Optional.empty();
        String bootMode = null;
        String failure = null;
        DiskImportReader reader = new DiskImportReader(world.formats());
        for (int i = 0; i < sources.size(); i++) {
            ImportSource source = sources.get(i);
            S3Object object = objects.get(i);
            if (object == null) {
                failure = failure != null ? failure : "ClientError: Disk validation failed [We do not have access to "
                        + "the given resource. Reason 404 Not Found]";
                details.add(new ImportImageTask.SnapshotDetail(source.format() == null ? "RAW" : source.format(), 0,
                        source.bucket(), source.key(), null, null));
                continue;
            }
            // Keep the object's files while they are read, whatever happens to the object meanwhile.
            world.writeAndForget(w -> w.blobs().retain(object.blob()));
            try {
                DiskImportReader.Contents contents = reader.read(object.blob(), source.format());
                for (DiskImportReader.Disk disk : contents.disks()) {
                    long size = contents.disks().size() == 1 ? object.size() : disk.raw().size();
                    details.add(new ImportImageTask.SnapshotDetail(disk.format(), size, source.bucket(), source.key(),
                            null, null));
                    raws.add(disk.raw());
                }
                guest = guest.or(contents::guest);
                bootMode = bootMode != null ? bootMode : contents.bootMode();
            } catch (DiskImportReader.Refused e) {
                failure = failure != null ? failure : e.getMessage();
                details.add(new ImportImageTask.SnapshotDetail(source.format() == null ? "RAW" : source.format(),
                        object.size(), source.bucket(), source.key(), null, null));
            } finally {
                world.writeAndForget(w -> w.blobs().release(object.blob()));
            }
        }
        if (failure == null && raws.size() > 1 && sources.size() == 1) {
            // an OVA of several disks: the role must let the service register them together
            List<String> needed = world.read(ConversionTaskChecks::multiDiskPermissions);
            try {
                world.read(w -> {
                    requireServiceRole(w, roleName, ordered(needed.toArray(String[]::new)));
                    return null;
                });
            } catch (AwsException e) {
                failure = "ClientError: The service role " + roleName + " does not have sufficient permissions to "
                        + "import an image of " + raws.size() + " disks (it must allow ec2:RegisterImage and "
                        + "ec2:CopySnapshot)";
            }
        }
        if (failure != null) {
            raws.clear();
        }
        return new ImportReading(details, raws, guest, bootMode, failure);
    }

    private static String formatFromKey(String key) {
        String lower = key.toLowerCase(Locale.ROOT);
        for (String f : List.of("ova", "vmdk", "vhdx", "vhd", "raw", "img")) {
            if (lower.endsWith("." + f)) {
                return f.equals("img") ? "RAW" : f.toUpperCase(Locale.ROOT);
            }
        }
        return null;
    }

    String describeImportImageTasks(QueryParams params, String requestId) {
        List<String> ids = params.list("ImportTaskId");
        return world.read(w -> {
            List<ImportImageTask> tasks = ids.isEmpty() ? List.copyOf(w.conversions().importImageTasks().values())
                    : byIds(w.conversions().importImageTasks(), ids, "InvalidConversionTaskId.NotFound", "import task ID");
            Ec2Filters<ImportImageTask> filters = new Ec2Filters<>(ImportImageTask::tags)
                    .single("task-state", ImportImageTask::status)
                    .single("import-task-id", ImportImageTask::id);
            List<ImportImageTask> matching = filters.apply(tasks, Ec2Filters.parse(params, "Filters"));
            Page<ImportImageTask> page = Page.of(matching, params.integer("MaxResults"), params.get("NextToken"), 1,
                    500, null, "DescribeImportImageTasks");
            XmlWriter xml = Ec2Xml.response("DescribeImportImageTasks", requestId).start("importImageTaskSet");
            page.items().forEach(t -> Ec2Xml.importImageTask(xml, t));
            return xml.end().leaf("nextToken", page.nextToken()).end().toString();
        });
    }
}
