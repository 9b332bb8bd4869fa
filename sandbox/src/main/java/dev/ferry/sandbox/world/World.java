package dev.ferry.sandbox.world;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.Function;

import static java.util.Objects.requireNonNull;

/**
 * The sandbox's clouds: every resource of both, the catalogues, and the passage of time.
 *
 * <p>All access goes through {@link #read} or {@link #write}, which hold the world's lock and first
 * bring every operation in flight up to the present ({@link #advance}): an AMI whose time has come
 * becomes available, an export task that has run its course writes its object. Transitions are applied
 * at the instant they were due, not when someone happens to look, so timelines are exact.
 *
 * <p>The maps returned by the accessors are live and only to be used inside {@code read}/{@code write}.
 */
public final class World {

    /** Base durations at time scale 1 (the demo's pace). */
    public static final Duration AMI_DURATION = Duration.ofSeconds(3);
    public static final Duration EXPORT_IMAGE_DURATION = Duration.ofSeconds(6);
    public static final Duration IMPORT_IMAGE_DURATION = Duration.ofSeconds(8);
    public static final Duration INSTANCE_EXPORT_DURATION = Duration.ofSeconds(6);
    public static final Duration EC2_PENDING_DURATION = Duration.ofSeconds(2);
    public static final Duration EC2_SHUTTING_DOWN_DURATION = Duration.ofSeconds(2);
    public static final Duration LINODE_PROVISIONING_DURATION = Duration.ofMillis(1500);
    public static final Duration LINODE_BOOTING_DURATION = Duration.ofMillis(1500);
    public static final Duration LINODE_IMAGE_CREATING_DURATION = Duration.ofSeconds(2);

    /** Conversion tasks (export image, import image, instance export) active at once per region. */
    public static final int MAX_ACTIVE_CONVERSION_TASKS = 5;

    /** The account of the VM Import/Export service, which instance exports need ACL grants for. */
    public static final String EXPORT_SERVICE_EMAIL = "vm-import-export@amazon.com";

    private final String account;
    private final String region;
    private final String accessKeyId;
    private final String secretAccessKey;
    private final String linodeToken;
    private final String vcenterUsername;
    private final String vcenterPassword;
    private final WorldClock clock;
    private final Ids ids = new Ids();
    private final DiskImages disks;
    private final BlobStore blobs;
    private final DiskFormats formats;
    private final long defaultImageBytes;
    private final List<InstanceTypeSpec> instanceTypes;
    private final List<LinodeType> linodeTypes = Catalogs.linodeTypes();
    private final List<LinodeRegion> linodeRegions = Catalogs.linodeRegions();
    private final Map<String, PublicImage> publicImages = new TreeMap<>();

    private final Map<String, Vpc> vpcs = new LinkedHashMap<>();
    private final Map<String, Subnet> subnets = new LinkedHashMap<>();
    private final Map<String, SecurityGroup> securityGroups = new LinkedHashMap<>();
    private final Map<String, Ec2Instance> instances = new LinkedHashMap<>();
    private final Map<String, Volume> volumes = new LinkedHashMap<>();
    private final Map<String, Ami> amis = new LinkedHashMap<>();
    private final Map<String, Snapshot> snapshots = new LinkedHashMap<>();
    private final Map<String, ExportImageTask> exportImageTasks = new LinkedHashMap<>();
    private final Map<String, ImportImageTask> importImageTasks = new LinkedHashMap<>();
    private final Map<String, List<Blob>> importDisks = new LinkedHashMap<>();
    private final Map<String, InstanceExportTask> instanceExportTasks = new LinkedHashMap<>();
    private final List<ConversionTaskSpan> conversionSpans = new ArrayList<>();
    private final Map<String, Bucket> buckets = new TreeMap<>();
    private final Map<String, TreeMap<String, S3Object>> objects = new TreeMap<>();
    private final Map<String, MultipartUpload> uploads = new LinkedHashMap<>();
    private final Map<String, IamRole> roles = new TreeMap<>();
    private final Map<Long, LinodeImage> linodeImages = new LinkedHashMap<>();
    private final Map<Long, LinodeInstance> linodeInstances = new LinkedHashMap<>();
    private final Map<Long, Firewall> firewalls = new LinkedHashMap<>();
    private final Map<Long, LinodeEvent> events = new LinkedHashMap<>();
    private final Map<String, VirtualMachine> vms = new LinkedHashMap<>();
    private final Map<String, VcenterSession> vcenterSessions = new LinkedHashMap<>();
    private long nextLinodeId = 41_000_001;
    private long nextImageNumber = 30_000_001;
    private long nextFirewallId = 12_001;
    private long nextDeviceId = 21_001;
    private long nextEventId = 900_000_001;
    private int nextPublicIp = 20;

    private Consumer<World> afterWrite = w -> { };

    public World(SandboxWorld seed, WorldClock clock, DiskImages disks, BlobStore blobs, long defaultImageBytes) {
        requireNonNull(seed, "seed is null");
        this.account = seed.account();
        this.region = seed.region();
        this.accessKeyId = seed.accessKeyId();
        this.secretAccessKey = seed.secretAccessKey();
        this.linodeToken = seed.linodeToken();
        this.vcenterUsername = seed.vcenterUsername();
        this.vcenterPassword = seed.vcenterPassword();
        this.clock = requireNonNull(clock, "clock is null");
        this.disks = requireNonNull(disks, "disks is null");
        this.blobs = requireNonNull(blobs, "blobs is null");
        this.formats = new DiskFormats(blobs);
        this.defaultImageBytes = defaultImageBytes;
        this.instanceTypes = Catalogs.instanceTypes();
        WorldSeeder.seed(this, seed);
    }

    /** Called after every {@link #write} (the sandbox persists its state there). */
    public void afterWrite(Consumer<World> listener) {
        this.afterWrite = requireNonNull(listener, "listener is null");
    }

    public synchronized <T> T read(Function<World, T> reader) {
        advance();
        return reader.apply(this);
    }

    public synchronized <T> T write(Function<World, T> writer) {
        advance();
        try {
            return writer.apply(this);
        } finally {
            afterWrite.accept(this);
        }
    }

    public synchronized void writeAndForget(Consumer<World> writer) {
        write(w -> {
            writer.accept(w);
            return null;
        });
    }

    // ---- identity, time, storage ----

    public String account() {
        return account;
    }

    public String region() {
        return region;
    }

    public String accessKeyId() {
        return accessKeyId;
    }

    public String secretAccessKey() {
        return secretAccessKey;
    }

    public String linodeToken() {
        return linodeToken;
    }

    /** The vCenter single sign-on user the sandbox's vCenter accepts ({@code administrator@vsphere.local}). */
    public String vcenterUsername() {
        return vcenterUsername;
    }

    public String vcenterPassword() {
        return vcenterPassword;
    }

    /** The canonical user id S3 shows for this account. */
    public String canonicalUserId() {
        return WorldSeeder.canonicalUserId(account);
    }

    /**
     * The canonical user id of the VM Import/Export service: the one AWS documents for the commercial
     * Regions other than the opt-in ones ("Export an instance", required bucket ACL). Grants to
     * {@value #EXPORT_SERVICE_EMAIL} are stored under it, as S3 resolves an e-mail grantee to its id, so a
     * client may grant either way.
     */
    public static String exportServiceCanonicalId() {
        return EXPORT_SERVICE_CANONICAL_ID;
    }

    private static final String EXPORT_SERVICE_CANONICAL_ID = "c4d8eabf8db69dbe46bfe0e517100c554f01200b104d59cd408e777ba442a322";

    public WorldClock clock() {
        return clock;
    }

    public Instant now() {
        return clock.now();
    }

    public Ids ids() {
        return ids;
    }

    public DiskImages disks() {
        return disks;
    }

    public BlobStore blobs() {
        return blobs;
    }

    public DiskFormats formats() {
        return formats;
    }

    long defaultImageBytes() {
        return defaultImageBytes;
    }

    // ---- catalogues ----

    public List<InstanceTypeSpec> instanceTypes() {
        return instanceTypes;
    }

    public Optional<InstanceTypeSpec> instanceType(String name) {
        return instanceTypes.stream().filter(t -> t.name().equals(name)).findFirst();
    }

    public List<LinodeType> linodeTypes() {
        return linodeTypes;
    }

    public Optional<LinodeType> linodeType(String id) {
        return linodeTypes.stream().filter(t -> t.id().equals(id)).findFirst();
    }

    public List<LinodeRegion> linodeRegions() {
        return linodeRegions;
    }

    public Optional<LinodeRegion> linodeRegion(String id) {
        return linodeRegions.stream().filter(r -> r.id().equals(id)).findFirst();
    }

    public Map<String, PublicImage> publicImages() {
        return publicImages;
    }

    // ---- live state (only inside read/write) ----

    public Map<String, Vpc> vpcs() {
        return vpcs;
    }

    public Map<String, Subnet> subnets() {
        return subnets;
    }

    public Map<String, SecurityGroup> securityGroups() {
        return securityGroups;
    }

    public Map<String, Ec2Instance> instances() {
        return instances;
    }

    public Map<String, Volume> volumes() {
        return volumes;
    }

    public Map<String, Ami> amis() {
        return amis;
    }

    public Map<String, Snapshot> snapshots() {
        return snapshots;
    }

    public Map<String, ExportImageTask> exportImageTasks() {
        return exportImageTasks;
    }

    public Map<String, ImportImageTask> importImageTasks() {
        return importImageTasks;
    }

    public Map<String, InstanceExportTask> instanceExportTasks() {
        return instanceExportTasks;
    }

    public List<ConversionTaskSpan> conversionSpans() {
        return conversionSpans;
    }

    public Map<String, Bucket> buckets() {
        return buckets;
    }

    /** The objects of a bucket by key (empty for a bucket that does not exist). */
    public TreeMap<String, S3Object> objects(String bucket) {
        return objects.computeIfAbsent(bucket, b -> new TreeMap<>());
    }

    public Map<String, MultipartUpload> uploads() {
        return uploads;
    }

    public Map<String, IamRole> roles() {
        return roles;
    }

    /** vCenter's virtual machines by id ({@code vm-1002}), in inventory order. */
    public Map<String, VirtualMachine> vms() {
        return vms;
    }

    /** Live vCenter API sessions by session id. */
    public Map<String, VcenterSession> vcenterSessions() {
        return vcenterSessions;
    }

    public Map<Long, LinodeImage> linodeImages() {
        return linodeImages;
    }

    public Map<Long, LinodeInstance> linodeInstances() {
        return linodeInstances;
    }

    public Map<Long, Firewall> firewalls() {
        return firewalls;
    }

    public Map<Long, LinodeEvent> events() {
        return events;
    }

    // ---- EC2 operations ----

    /** Tags of any taggable EC2 resource by id, or null when there is no such resource. */
    public Map<String, String> tagsOf(String resourceId) {
        Object resource = resource(resourceId);
        if (resource == null) {
            return null;
        }
        return taggedTagsOrInstance(resource);
    }

    private static Map<String, String> taggedTags(Object resource) {
        if (resource instanceof Volume r) {
            return r.tags();
        } else if (resource instanceof Ami r) {
            return r.tags();
        } else if (resource instanceof Snapshot r) {
            return r.tags();
        } else if (resource instanceof SecurityGroup r) {
            return r.tags();
        } else if (resource instanceof Subnet r) {
            return r.tags();
        } else if (resource instanceof Vpc r) {
            return r.tags();
        } else if (resource instanceof ExportImageTask r) {
            return r.tags();
        } else if (resource instanceof ImportImageTask r) {
            return r.tags();
        } else if (resource instanceof InstanceExportTask r) {
            return r.tags();
        }
        return Map.of();
    }

    /** The EC2 resource type name DescribeTags reports for an id ({@code instance}, {@code image}, ...). */
    public static String resourceType(String resourceId) {
        String prefix = resourceId.substring(0, resourceId.lastIndexOf('-') + 1);
        return switch (prefix) {
            case "i-" -> "instance";
            case "vol-" -> "volume";
            case "ami-" -> "image";
            case "snap-" -> "snapshot";
            case "sg-" -> "security-group";
            case "subnet-" -> "subnet";
            case "vpc-" -> "vpc";
            case "export-ami-" -> "export-image-task";
            case "import-ami-" -> "import-image-task";
            case "export-i-" -> "export-instance-task";
            default -> "unknown";
        };
    }

    private Object resource(String id) {
        return switch (resourceType(id)) {
            case "instance" -> instances.get(id);
            case "volume" -> volumes.get(id);
            case "image" -> amis.get(id);
            case "snapshot" -> snapshots.get(id);
            case "security-group" -> securityGroups.get(id);
            case "subnet" -> subnets.get(id);
            case "vpc" -> vpcs.get(id);
            case "export-image-task" -> exportImageTasks.get(id);
            case "import-image-task" -> importImageTasks.get(id);
            case "export-instance-task" -> instanceExportTasks.get(id);
            default -> null;
        };
    }

    /** Adds or overwrites tags on an EC2 resource; false when there is no such resource. */
    public boolean tag(String resourceId, Map<String, String> tags) {
        Object resource = resource(resourceId);
        if (resource == null) {
            return false;
        }
        Map<String, String> merged = Tags.with(taggedTagsOrInstance(resource), tags);
        if (resource instanceof Ec2Instance r) {
            instances.put(r.id(), r.withTags(merged));
        } else if (resource instanceof Volume r) {
            volumes.put(r.id(), r.withTags(merged));
        } else if (resource instanceof Ami r) {
            amis.put(r.id(), r.withTags(merged));
        } else if (resource instanceof Snapshot r) {
            snapshots.put(r.id(), r.withTags(merged));
        } else if (resource instanceof SecurityGroup r) {
            securityGroups.put(r.id(), r.withTags(merged));
        } else if (resource instanceof Subnet r) {
            subnets.put(r.id(), r.withTags(merged));
        } else if (resource instanceof Vpc r) {
            vpcs.put(r.id(), r.withTags(merged));
        } else if (resource instanceof ExportImageTask r) {
            exportImageTasks.put(r.id(), r.withTags(merged));
        } else if (resource instanceof ImportImageTask r) {
            importImageTasks.put(r.id(), r.withTags(merged));
        } else if (resource instanceof InstanceExportTask r) {
            instanceExportTasks.put(r.id(), r.withTags(merged));
        }
        return true;
    }

    private static Map<String, String> taggedTagsOrInstance(Object resource) {
        return resource instanceof Ec2Instance r ? r.tags() : taggedTags(resource);
    }

    /**
     * Starts an AMI of an instance: one pending snapshot per volume, the image pending until they complete.
     */
    public Ami createImage(Ec2Instance instance, String name, String description, Map<String, String> imageTags,
                           Map<String, String> snapshotTags) {
        Instant now = now();
        Instant done = now.plus(clock.scaled(AMI_DURATION));
        List<BlockDevice> devices = new ArrayList<>();
        String amiId = ids.ec2("ami");
        for (String volumeId : instance.volumeIds()) {
            Volume volume = volumes.get(volumeId);
            String snapshotId = ids.ec2("snap");
            snapshots.put(snapshotId, new Snapshot(snapshotId, volume.id(), volume.sizeGiB(), volume.encrypted(),
                    volume.kmsKeyId(), "pending", 0, now, done,
                    "Created by CreateImage(" + instance.id() + ") for " + amiId, account, volume.disk(),
                    snapshotTags));
            devices.add(new BlockDevice(volume.device(), snapshotId, volume.sizeGiB(), volume.volumeType(),
                    volume.encrypted(), volume.deleteOnTermination()));
        }
        Ami ami = new Ami(amiId, name, description, "pending", now, done, instance.id(), instance.architecture(),
                instance.platformDetails(), instance.rootDeviceName(), devices, instance.productCodes(), account, false,
                imageTags);
        amis.put(amiId, ami);
        return ami;
    }

    /** Removes an AMI; its snapshots stay unless asked otherwise. Returns the snapshots deleted. */
    public List<String> deregisterImage(String imageId, boolean deleteSnapshots) {
        Ami ami = amis.remove(imageId);
        List<String> deleted = new ArrayList<>();
        if (ami != null && deleteSnapshots) {
            for (BlockDevice device : ami.blockDevices()) {
                Snapshot snapshot = snapshots.remove(device.snapshotId());
                if (snapshot != null) {
                    release(snapshot.disk());
                    deleted.add(snapshot.id());
                }
            }
        }
        return deleted;
    }

    public void deleteSnapshot(String snapshotId) {
        Snapshot snapshot = snapshots.remove(snapshotId);
        if (snapshot != null) {
            release(snapshot.disk());
        }
    }

    /** The AMI that uses a snapshot, if any. */
    public Optional<Ami> amiUsingSnapshot(String snapshotId) {
        return amis.values().stream()
                .filter(a -> a.blockDevices().stream().anyMatch(d -> d.snapshotId().equals(snapshotId)))
                .findFirst();
    }

    public int activeConversionTasks() {
        long active = exportImageTasks.values().stream().filter(ExportImageTask::active).count()
                + importImageTasks.values().stream().filter(ImportImageTask::active).count()
                + instanceExportTasks.values().stream().filter(InstanceExportTask::active).count();
        return (int) active;
    }

    /** The most conversion tasks that were ever active at the same instant. */
    public int maxConcurrentConversionTasks() {
        record Edge(Instant at, int delta) {
        }
        List<Edge> edges = new ArrayList<>();
        for (ConversionTaskSpan span : conversionSpans) {
            edges.add(new Edge(span.start(), 1));
            if (span.end() != null) {
                edges.add(new Edge(span.end(), -1));
            }
        }
        // At the same instant an end frees its slot before a start takes one.
        edges.sort(Comparator.comparing(Edge::at).thenComparingInt(Edge::delta));
        int current = 0;
        int max = 0;
        for (Edge edge : edges) {
            current += edge.delta();
            max = Math.max(max, current);
        }
        return max;
    }

    public ExportImageTask startExportImage(Ami ami, String format, String bucket, String prefix, String roleName,
                                            String description, String clientToken, Map<String, String> tags) {
        Instant now = now();
        String id = ids.ec2("export-ami");
        ExportImageTask task = new ExportImageTask(id, ami.id(), format.toLowerCase(Locale.ROOT), bucket,
                prefix == null ? "" : prefix, roleName, description, clientToken, "active", "validating", 0, now,
                now.plus(clock.scaled(EXPORT_IMAGE_DURATION)), null, tags);
        exportImageTasks.put(id, task);
        conversionSpans.add(new ConversionTaskSpan(id, "export-image", now, null));
        return task;
    }

    /**
     * Starts an import of the disks {@code raws} (the boot disk first) described by {@code details}; when
     * {@code failure} is set the task fails with it at the end of validation (and {@code raws} is empty).
     *
     * @param platform     {@code Linux} or {@code Windows}
     * @param architecture {@code x86_64} or {@code i386}
     */
    public ImportImageTask startImportImage(String description, String clientToken,
                                            List<ImportImageTask.SnapshotDetail> details, String roleName,
                                            String architecture, String platform, String licenseType, String bootMode,
                                            List<Blob> raws, String failure, Map<String, String> tags) {
        if (details.isEmpty() || (failure == null && raws.size() != details.size())) {
            throw new IllegalArgumentException("one raw disk per snapshot detail");
        }
        Instant now = now();
        Duration total = clock.scaled(IMPORT_IMAGE_DURATION);
        String id = ids.ec2("import-ami");
        Instant failAt = failure == null ? null : now.plus(total.multipliedBy(15).dividedBy(100));
        ImportImageTask.SnapshotDetail first = details.get(0);
        ImportImageTask task = new ImportImageTask(id, description, clientToken, first.format(), first.s3Bucket(),
                first.s3Key(), roleName, architecture, platform, licenseType, bootMode, "active", "pending", 0, now,
                now.plus(total), failure, failAt, first.diskImageSize(), null, null, tags, details);
        importImageTasks.put(id, task);
        if (failure == null) {
            importDisks.put(id, List.copyOf(raws));
            raws.forEach(blobs::retain);
        }
        conversionSpans.add(new ConversionTaskSpan(id, "import-image", now, null));
        return task;
    }

    public InstanceExportTask startInstanceExport(Ec2Instance instance, String targetEnvironment, String format,
                                                  String container, String bucket, String prefix, String description,
                                                  Map<String, String> tags) {
        Instant now = now();
        String id = ids.ec2("export-i");
        String extension = container != null ? container.toLowerCase(Locale.ROOT) : format.toLowerCase(Locale.ROOT);
        String key = (prefix == null ? "" : prefix) + id + "." + extension;
        InstanceExportTask task = new InstanceExportTask(id, instance.id(), targetEnvironment,
                format.toLowerCase(Locale.ROOT), container == null ? null : container.toLowerCase(Locale.ROOT), bucket,
                prefix == null ? "" : prefix, key, description, "active", null, now,
                now.plus(clock.scaled(INSTANCE_EXPORT_DURATION)), tags);
        instanceExportTasks.put(id, task);
        conversionSpans.add(new ConversionTaskSpan(id, "instance-export", now, null));
        return task;
    }

    /** Cancels an export image or instance export task; false when it is not active. */
    public boolean cancelExport(String taskId) {
        Instant now = now();
        ExportImageTask image = exportImageTasks.get(taskId);
        if (image != null) {
            if (!image.active()) {
                return false;
            }
            exportImageTasks.put(taskId, image.withProgress("deleted", "Canceled by user", image.progress(), null));
            endSpan(taskId, now);
            return true;
        }
        InstanceExportTask instance = instanceExportTasks.get(taskId);
        if (instance != null) {
            if (!instance.active()) {
                return false;
            }
            instanceExportTasks.put(taskId, instance.withState("cancelled", "Canceled by user"));
            endSpan(taskId, now);
            return true;
        }
        return false;
    }

    /** Launches instances from an AMI (pending, running after a while). */
    public List<Ec2Instance> runInstances(Ami ami, String instanceType, Subnet subnet, List<String> groupIds,
                                          List<String> privateIps, String keyName, String clientToken,
                                          Map<String, String> instanceTags, Map<String, String> volumeTags) {
        Instant now = now();
        String reservationId = ids.ec2("r");
        InstanceTypeSpec type = instanceType(instanceType).orElseThrow();
        List<Ec2Instance> launched = new ArrayList<>();
        for (String privateIp : privateIps) {
            String id = ids.ec2("i");
            List<String> volumeIds = new ArrayList<>();
            for (BlockDevice device : ami.blockDevices()) {
                Snapshot snapshot = snapshots.get(device.snapshotId());
                String volumeId = ids.ec2("vol");
                DiskSource disk = snapshot.disk();
                retain(disk);
                volumes.put(volumeId, new Volume(volumeId, device.volumeSizeGiB(), device.volumeType(), 3000, 125,
                        device.encrypted(), snapshot.kmsKeyId(), subnet.availabilityZone(), now, snapshot.id(),
                        "in-use", id, device.deviceName(), device.deleteOnTermination(), disk, volumeTags));
                volumeIds.add(volumeId);
            }
            Ec2Instance instance = new Ec2Instance(id, type.name(), ami.architecture(), ami.platformDetails(),
                    ami.id(), InstanceState.PENDING, now.plus(clock.scaled(EC2_PENDING_DURATION)), now, subnet.id(),
                    subnet.vpcId(), subnet.availabilityZone(), privateIp, null, groupIds, ami.rootDeviceName(),
                    volumeIds, ami.productCodes(), keyName, clientToken, reservationId, true, instanceTags);
            instances.put(id, instance);
            launched.add(instance);
        }
        return launched;
    }

    /** Starts terminating an instance; returns its state before. */
    public InstanceState terminate(String instanceId) {
        Ec2Instance instance = instances.get(instanceId);
        InstanceState previous = instance.state();
        if (previous != InstanceState.TERMINATED && previous != InstanceState.SHUTTING_DOWN) {
            instances.put(instanceId, instance.withState(InstanceState.SHUTTING_DOWN,
                    now().plus(clock.scaled(EC2_SHUTTING_DOWN_DURATION))));
        }
        return previous;
    }

    /** A free private address in the subnet (after the five AWS reserves). */
    public String freePrivateIp(Subnet subnet, List<String> taken) {
        long base = Cidr.parse(subnet.cidrBlock()).firstAddress();
        long size = Cidr.parse(subnet.cidrBlock()).size();
        for (long offset = 10; offset < size - 1; offset++) {
            String candidate = Cidr.format(base + offset);
            boolean used = taken.contains(candidate) || instances.values().stream()
                    .anyMatch(i -> i.state() != InstanceState.TERMINATED && i.privateIp().equals(candidate));
            if (!used) {
                return candidate;
            }
        }
        return null;
    }

    // ---- S3 operations ----

    /** Stores an object, replacing (and releasing) any previous one under the key. */
    public void putObject(S3Object object) {
        blobs.retain(object.blob());
        S3Object previous = objects(object.bucket()).put(object.key(), object);
        if (previous != null) {
            blobs.release(previous.blob());
        }
    }

    public boolean deleteObject(String bucket, String key) {
        S3Object previous = objects(bucket).remove(key);
        if (previous != null) {
            blobs.release(previous.blob());
            return true;
        }
        return false;
    }

    public void putUpload(MultipartUpload upload) {
        MultipartUpload previous = uploads.put(upload.uploadId(), upload);
        // Parts are counted while the upload holds them.
        for (UploadedPart part : upload.parts().values()) {
            if (previous == null || previous.parts().get(part.partNumber()) != part) {
                blobs.retain(part.blob());
            }
        }
        if (previous != null) {
            for (UploadedPart part : previous.parts().values()) {
                if (upload.parts().get(part.partNumber()) != part) {
                    blobs.release(part.blob());
                }
            }
        }
    }

    /** Ends an upload (completed or aborted), releasing its hold on its parts. */
    public void removeUpload(String uploadId) {
        MultipartUpload upload = uploads.remove(uploadId);
        if (upload != null) {
            for (UploadedPart part : upload.parts().values()) {
                blobs.release(part.blob());
            }
        }
    }

    public void deleteBucket(String name) {
        buckets.remove(name);
        TreeMap<String, S3Object> gone = objects.remove(name);
        if (gone != null) {
            gone.values().forEach(o -> blobs.release(o.blob()));
        }
        List<String> abandoned = uploads.values().stream().filter(u -> u.bucket().equals(name))
                .map(MultipartUpload::uploadId).toList();
        abandoned.forEach(this::removeUpload);
    }

    // ---- Linode operations ----

    public long nextLinodeId() {
        return nextLinodeId++;
    }

    public long nextImageNumber() {
        return nextImageNumber++;
    }

    public long nextFirewallId() {
        return nextFirewallId++;
    }

    public long nextDeviceId() {
        return nextDeviceId++;
    }

    /** A public IPv4 address for a new Linode. */
    public String nextLinodePublicIp() {
        int n = nextPublicIp++;
        return "172.233." + (128 + (n / 250) % 100) + "." + (2 + n % 250);
    }

    public LinodeEvent addEvent(String action, String status, String entityType, long entityId, String entityLabel,
                                String entityUrl, String message) {
        long id = nextEventId++;
        LinodeEvent event = new LinodeEvent(id, action, status, now(), entityType, entityId, entityLabel, entityUrl,
                message, status.equals("finished") ? 100 : 0);
        events.put(id, event);
        return event;
    }

    private void finishEvent(String action, String entityType, long entityId, String status, String message,
                             Instant at) {
        events.values().stream()
                .filter(e -> e.action().equals(action) && e.entityType().equals(entityType)
                        && e.entityId() == entityId && e.status().equals("started"))
                .findFirst()
                .ifPresent(e -> events.put(e.id(), e.finished(status, message)));
    }

    /** An upload arrived whole and inflated cleanly: the image is being created. */
    public void uploadReceived(long imageNumber, UploadDigest digest) {
        LinodeImage image = linodeImages.get(imageNumber);
        Instant now = now();
        long sizeMb = Math.max(1, (digest.rawBytes() + 1024 * 1024 - 1) / (1024 * 1024));
        linodeImages.put(imageNumber, image.withStatus("creating", now,
                now.plus(clock.scaled(LINODE_IMAGE_CREATING_DURATION)), sizeMb, digest, null));
    }

    /** An upload was unusable: the image is gone from the API and the event tells why. */
    public void uploadFailed(long imageNumber, UploadDigest digest, String reason) {
        LinodeImage image = linodeImages.get(imageNumber);
        linodeImages.put(imageNumber, image.withStatus("failed", now(), null, image.sizeMb(), digest, reason));
        finishEvent("image_upload", "image", imageNumber, "failed", reason, now());
    }

    // ---- time ----

    /** Brings every operation in flight up to now. */
    void advance() {
        Instant now = now();
        advanceInstances(now);
        advanceSnapshotsAndImages(now);
        advanceExportImageTasks(now);
        advanceImportImageTasks(now);
        advanceInstanceExports(now);
        advanceLinode(now);
    }

    private void advanceInstances(Instant now) {
        for (Ec2Instance instance : List.copyOf(instances.values())) {
            if (instance.stateUntil() == null || now.isBefore(instance.stateUntil())) {
                continue;
            }
            switch (instance.state()) {
                case PENDING -> instances.put(instance.id(), instance.withState(InstanceState.RUNNING, null));
                case SHUTTING_DOWN -> {
                    instances.put(instance.id(), instance.withState(InstanceState.TERMINATED, null));
                    for (String volumeId : instance.volumeIds()) {
                        Volume volume = volumes.get(volumeId);
                        if (volume == null) {
                            continue;
                        }
                        if (volume.deleteOnTermination()) {
                            volumes.remove(volumeId);
                            release(volume.disk());
                        } else {
                            volumes.put(volumeId, volume.withState("available"));
                        }
                    }
                }
                case STOPPING -> instances.put(instance.id(), instance.withState(InstanceState.STOPPED, null));
                case RUNNING, TERMINATED, STOPPED -> instances.put(instance.id(), instance.withState(instance.state(),
                        null));
            }
        }
    }

    private void advanceSnapshotsAndImages(Instant now) {
        for (Snapshot snapshot : List.copyOf(snapshots.values())) {
            if (!snapshot.state().equals("pending")) {
                continue;
            }
            if (!now.isBefore(snapshot.completeAt())) {
                snapshots.put(snapshot.id(), snapshot.withProgress("completed", 100));
            } else {
                snapshots.put(snapshot.id(), snapshot.withProgress("pending",
                        percent(snapshot.startTime(), snapshot.completeAt(), now)));
            }
        }
        for (Ami ami : List.copyOf(amis.values())) {
            if (ami.state().equals("pending") && ami.availableAt() != null && !now.isBefore(ami.availableAt())) {
                amis.put(ami.id(), ami.withState("available"));
            }
        }
    }

    private void advanceExportImageTasks(Instant now) {
        for (ExportImageTask task : List.copyOf(exportImageTasks.values())) {
            if (!task.active()) {
                continue;
            }
            if (now.isBefore(task.completeAt())) {
                int progress = percent(task.startedAt(), task.completeAt(), now);
                String phase = progress < 10 ? "validating" : progress < 85 ? "converting" : "uploading";
                exportImageTasks.put(task.id(), task.withProgress("active", phase, Math.min(99, progress), null));
                continue;
            }
            Instant at = task.completeAt();
            endSpan(task.id(), at);
            Bucket bucket = buckets.get(task.s3Bucket());
            Ami ami = amis.get(task.imageId());
            Snapshot root = ami == null ? null : snapshots.get(ami.rootDevice().snapshotId());
            if (bucket == null || root == null) {
                String why = bucket == null ? "ClientError: The S3 bucket " + task.s3Bucket() + " does not exist"
                        : "ClientError: The image " + task.imageId() + " no longer exists";
                exportImageTasks.put(task.id(), task.withProgress("deleted", why, task.progress(), null));
                continue;
            }
            String key = task.s3Prefix() + task.id() + "." + task.diskImageFormat();
            Blob raw = disks.blob(root.disk());
            Blob written = formats.wrap(raw, task.diskImageFormat(), null, task.id());
            putObject(new S3Object(bucket.name(), key, written.size(), multipartEtag(task.id(), written.size()), at,
                    "application/octet-stream", Map.of(), Map.of(), written));
            exportImageTasks.put(task.id(), task.withProgress("completed", null, 100, key));
        }
    }

    private void advanceImportImageTasks(Instant now) {
        for (ImportImageTask task : List.copyOf(importImageTasks.values())) {
            if (!task.active()) {
                continue;
            }
            if (task.failAt() != null && !now.isBefore(task.failAt())) {
                endSpan(task.id(), task.failAt());
                importImageTasks.put(task.id(), task.withProgress("deleted", task.failureMessage(), task.progress()));
                List<Blob> raws = importDisks.remove(task.id());
                if (raws != null) {
                    raws.forEach(blobs::release);
                }
                continue;
            }
            if (now.isBefore(task.completeAt())) {
                int progress = percent(task.startedAt(), task.completeAt(), now);
                String phase = progress < 5 ? "pending" : progress < 15 ? "validating" : progress < 50 ? "converting"
                        : progress < 70 ? "updating" : progress < 85 ? "booting" : "preparing ami";
                importImageTasks.put(task.id(), task.withProgress("active", phase,
                        Math.max(2, Math.min(99, progress))));
                continue;
            }
            Instant at = task.completeAt();
            endSpan(task.id(), at);
            // The import task held the disks until now; the snapshots hold them from here on.
            List<Blob> raws = importDisks.remove(task.id());
            List<BlockDevice> devices = new ArrayList<>();
            List<ImportImageTask.SnapshotDetail> details = new ArrayList<>();
            for (int i = 0; i < raws.size(); i++) {
                Blob raw = raws.get(i);
                int sizeGiB = (int) Math.max(1, (raw.size() + (1L << 30) - 1) >> 30);
                String snapshotId = ids.ec2("snap");
                String device = i == 0 ? "/dev/sda1" : "/dev/sd" + (char) ('a' + i);
                snapshots.put(snapshotId, new Snapshot(snapshotId, "vol-ffffffff", sizeGiB, false, null, "completed",
                        100, task.startedAt(), at, "Created by AWS-VMImport service for " + task.id(), account,
                        DiskSource.blob(raw), Map.of()));
                devices.add(new BlockDevice(device, snapshotId, sizeGiB, "gp2", false, true));
                details.add(task.snapshotDetails().get(i).completed(device, snapshotId));
            }
            String amiId = ids.ec2("ami");
            String architecture = task.architecture() == null ? "x86_64" : task.architecture();
            String platformDetails = "Windows".equalsIgnoreCase(task.platform()) ? "Windows" : "Linux/UNIX";
            amis.put(amiId, new Ami(amiId, task.id(), task.description() == null ? "AWS-VMImport service: "
                    + task.s3Key() : task.description(), "available", at, at, null, architecture, platformDetails,
                    "/dev/sda1", devices, List.of(), account, true, Map.of()));
            importImageTasks.put(task.id(), task.completed(amiId, details));
        }
    }

    private void advanceInstanceExports(Instant now) {
        for (InstanceExportTask task : List.copyOf(instanceExportTasks.values())) {
            if (!task.active() || now.isBefore(task.completeAt())) {
                continue;
            }
            Instant at = task.completeAt();
            endSpan(task.id(), at);
            Bucket bucket = buckets.get(task.s3Bucket());
            Ec2Instance instance = instances.get(task.instanceId());
            Volume root = instance == null || instance.volumeIds().isEmpty() ? null
                    : volumes.get(instance.volumeIds().get(0));
            if (bucket == null || root == null) {
                instanceExportTasks.put(task.id(), task.withState("cancelled",
                        bucket == null ? "The S3 bucket " + task.s3Bucket() + " does not exist"
                                : "The instance's volume no longer exists"));
                continue;
            }
            Blob written = formats.wrap(disks.blob(root.disk()), task.diskImageFormat(), task.containerFormat(),
                    task.id());
            putObject(new S3Object(bucket.name(), task.s3Key(), written.size(), multipartEtag(task.id(),
                    written.size()), at, "application/octet-stream", Map.of(), Map.of(), written));
            instanceExportTasks.put(task.id(), task.withState("completed", null));
        }
    }

    private void advanceLinode(Instant now) {
        for (LinodeImage image : List.copyOf(linodeImages.values())) {
            if (image.status().equals("creating") && image.availableAt() != null
                    && !now.isBefore(image.availableAt())) {
                linodeImages.put(image.number(), image.withStatus("available", image.availableAt(), null,
                        image.sizeMb(), image.upload(), null));
                finishEvent("image_upload", "image", image.number(), "finished", null, image.availableAt());
            }
        }
        for (LinodeInstance linode : List.copyOf(linodeInstances.values())) {
            if (linode.status().equals("provisioning") && !now.isBefore(linode.bootingAt())) {
                finishEvent("linode_create", "linode", linode.id(), "finished", null, linode.bootingAt());
                if (linode.booted()) {
                    linode = linode.withStatus("booting", linode.bootingAt());
                    addEvent("linode_boot", "started", "linode", linode.id(), linode.label(),
                            "/v4/linode/instances/" + linode.id(), null);
                } else {
                    linode = linode.withStatus("offline", linode.bootingAt());
                }
                linodeInstances.put(linode.id(), linode);
            }
            if (linode.status().equals("booting") && !now.isBefore(linode.readyAt())) {
                linodeInstances.put(linode.id(), linode.withStatus("running", linode.readyAt()));
                finishEvent("linode_boot", "linode", linode.id(), "finished", null, linode.readyAt());
            }
        }
    }

    private void endSpan(String taskId, Instant at) {
        for (int i = 0; i < conversionSpans.size(); i++) {
            ConversionTaskSpan span = conversionSpans.get(i);
            if (span.taskId().equals(taskId) && span.end() == null) {
                conversionSpans.set(i, span.ended(at));
            }
        }
    }

    private static int percent(Instant start, Instant end, Instant now) {
        long total = Duration.between(start, end).toNanos();
        if (total <= 0) {
            return 100;
        }
        long done = Duration.between(start, now).toNanos();
        return (int) Math.max(0, Math.min(100, done * 100 / total));
    }

    /** An ETag in the shape S3 gives objects written in parts, as the export service writes them. */
    static String multipartEtag(String seed, long size) {
        try {
            byte[] md5 = MessageDigest.getInstance("MD5").digest(seed.getBytes(StandardCharsets.UTF_8));
            long parts = Math.max(1, (size + 8L * 1024 * 1024 - 1) / (8L * 1024 * 1024));
            return "\"" + HexFormat.of().formatHex(md5) + "-" + parts + "\"";
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    void retain(DiskSource disk) {
        if (disk.blob() != null) {
            blobs.retain(disk.blob());
        }
    }

    void release(DiskSource disk) {
        if (disk.blob() != null) {
            blobs.release(disk.blob());
        }
    }

    // ---- persistence ----

    /** Everything that changes, for the state file. */
    public synchronized PersistedWorld persisted() {
        return new PersistedWorld(List.copyOf(vpcs.values()), List.copyOf(subnets.values()),
                List.copyOf(securityGroups.values()), List.copyOf(instances.values()), List.copyOf(volumes.values()),
                List.copyOf(amis.values()), List.copyOf(snapshots.values()), List.copyOf(exportImageTasks.values()),
                List.copyOf(importImageTasks.values()), Map.copyOf(importDisks),
                List.copyOf(instanceExportTasks.values()), List.copyOf(conversionSpans),
                List.copyOf(buckets.values()),
                objects.values().stream().flatMap(m -> m.values().stream()).toList(),
                List.copyOf(uploads.values()), List.copyOf(roles.values()), List.copyOf(linodeImages.values()),
                List.copyOf(linodeInstances.values()), List.copyOf(firewalls.values()), List.copyOf(events.values()),
                new PersistedWorld.Counters(nextLinodeId, nextImageNumber, nextFirewallId, nextDeviceId, nextEventId,
                        nextPublicIp), List.copyOf(vms.values()));
    }

    /** Replaces the seeded state with a saved one. */
    public synchronized void restore(PersistedWorld saved) {
        vpcs.clear();
        subnets.clear();
        securityGroups.clear();
        instances.clear();
        volumes.clear();
        amis.clear();
        snapshots.clear();
        exportImageTasks.clear();
        importImageTasks.clear();
        importDisks.clear();
        instanceExportTasks.clear();
        conversionSpans.clear();
        buckets.clear();
        objects.clear();
        uploads.clear();
        roles.clear();
        linodeImages.clear();
        linodeInstances.clear();
        firewalls.clear();
        events.clear();
        saved.vpcs().forEach(v -> vpcs.put(v.id(), v));
        saved.subnets().forEach(v -> subnets.put(v.id(), v));
        saved.securityGroups().forEach(v -> securityGroups.put(v.id(), v));
        saved.instances().forEach(v -> instances.put(v.id(), v));
        saved.volumes().forEach(v -> {
            volumes.put(v.id(), v);
            retain(v.disk());
        });
        saved.amis().forEach(v -> amis.put(v.id(), v));
        saved.snapshots().forEach(v -> {
            snapshots.put(v.id(), v);
            retain(v.disk());
        });
        saved.exportImageTasks().forEach(v -> exportImageTasks.put(v.id(), v));
        saved.importImageTasks().forEach(v -> importImageTasks.put(v.id(), v));
        saved.importDisks().forEach((k, v) -> {
            importDisks.put(k, List.copyOf(v));
            v.forEach(blobs::retain);
        });
        saved.instanceExportTasks().forEach(v -> instanceExportTasks.put(v.id(), v));
        conversionSpans.addAll(saved.conversionSpans());
        saved.buckets().forEach(v -> buckets.put(v.name(), v));
        saved.objects().forEach(this::putObject);
        saved.uploads().forEach(this::putUpload);
        saved.roles().forEach(v -> roles.put(v.name(), v));
        saved.linodeImages().forEach(v -> linodeImages.put(v.number(), v));
        saved.linodeInstances().forEach(v -> linodeInstances.put(v.id(), v));
        saved.firewalls().forEach(v -> firewalls.put(v.id(), v));
        saved.events().forEach(v -> events.put(v.id(), v));
        if (saved.vms() != null) {
            vms.clear();
            saved.vms().forEach(v -> vms.put(v.id(), v));
        }
        PersistedWorld.Counters c = saved.counters();
        nextLinodeId = c.nextLinodeId();
        nextImageNumber = c.nextImageNumber();
        nextFirewallId = c.nextFirewallId();
        nextDeviceId = c.nextDeviceId();
        nextEventId = c.nextEventId();
        nextPublicIp = c.nextPublicIp();
    }

    /** Checks the seed's references and files; called once the seed is in place. */
    static void requireFile(String what, String path) {
        if (!Files.isRegularFile(Path.of(path))) {
            throw new IllegalArgumentException(what + ": disk_image " + path + " does not exist or is not a file");
        }
    }
}
