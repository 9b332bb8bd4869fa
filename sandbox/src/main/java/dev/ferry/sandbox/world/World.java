package dev.ferry.sandbox.world;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.Function;

import static java.util.Objects.requireNonNull;

/**
 * The sandbox's clouds: every resource of each, the catalogues, and the passage of time.
 *
 * <p>All access goes through {@link #read} or {@link #write}, which hold the world's lock and first bring every
 * operation in flight up to the present ({@link #advance}): an AMI whose time has come becomes available, an
 * export task that has run its course writes its object. Transitions are applied at the instant they were due,
 * not when someone happens to look, so timelines are exact. The maps returned by the accessors are live and only
 * to be used inside {@code read}/{@code write}. This class holds the lock, the identity and the catalogues; the
 * state lives in {@link Ec2State}, {@link S3State}, {@link LinodeState} and {@link ConversionTasks}.
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

    private final SandboxWorld seed;
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

    private final Map<String, IamRole> roles = new TreeMap<>();
    private final Map<String, VirtualMachine> vms = new LinkedHashMap<>();
    private final Map<String, VcenterSession> vcenterSessions = new LinkedHashMap<>();
    private final Ec2State ec2;
    private final S3State s3;
    private final ConversionTasks tasks;
    private final TaggedResources tagged;
    private final LinodeState linode;

    private Consumer<World> afterWrite = w -> { };

    public World(SandboxWorld seed, WorldClock clock, DiskImages disks, BlobStore blobs, long defaultImageBytes) {
        this.seed = requireNonNull(seed, "seed is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.disks = requireNonNull(disks, "disks is null");
        this.blobs = requireNonNull(blobs, "blobs is null");
        this.formats = new DiskFormats(blobs);
        this.defaultImageBytes = defaultImageBytes;
        this.instanceTypes = Catalogs.instanceTypes();
        this.ec2 = new Ec2State(seed.account(), clock, ids, blobs, instanceTypes, new SnapshotBlocks(seed.secretAccessKey()));
        this.s3 = new S3State(blobs);
        this.tasks = new ConversionTasks(seed.account(), clock, ids, blobs, disks, formats, ec2, s3);
        this.tagged = new TaggedResources(ec2, tasks);
        this.linode = new LinodeState(clock, blobs.directory().resolve("linode-disks"));
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
        write(w -> { writer.accept(w); return null; });
    }

    // ---- identity, time, storage ----

    public String account() {
        return seed.account();
    }

    public String region() {
        return seed.region();
    }

    public String accessKeyId() {
        return seed.accessKeyId();
    }

    public String secretAccessKey() {
        return seed.secretAccessKey();
    }

    public String linodeToken() {
        return seed.linodeToken();
    }

    /** The vCenter single sign-on user the sandbox's vCenter accepts ({@code administrator@vsphere.local}). */
    public String vcenterUsername() {
        return seed.vcenterUsername();
    }

    public String vcenterPassword() {
        return seed.vcenterPassword();
    }

    /** The canonical user id S3 shows for this account. */
    public String canonicalUserId() {
        return WorldSeeder.canonicalUserId(seed.account());
    }

    /**
     * The canonical user id of the VM Import/Export service in the commercial Regions other than the opt-in ones
     * ("Export an instance", bucket ACL). Grants to {@value #EXPORT_SERVICE_EMAIL} are stored under it, as S3
     * resolves an e-mail grantee to its id, so a client may grant either way.
     */
    public static String exportServiceCanonicalId() {
        return "c4d8eabf8db69dbe46bfe0e517100c554f01200b104d59cd408e777ba442a322";
    }

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

    /** The EBS direct APIs' view of the snapshots: written blocks, block tokens, denials for tests. */
    public SnapshotBlocks snapshotBlocks() {
        return ec2.snapshotBlocks();
    }

    public Map<String, Vpc> vpcs() {
        return ec2.vpcs;
    }

    public Map<String, Subnet> subnets() {
        return ec2.subnets;
    }

    public Map<String, SecurityGroup> securityGroups() {
        return ec2.securityGroups;
    }

    public Map<String, Ec2Instance> instances() {
        return ec2.instances;
    }

    public Map<String, Volume> volumes() {
        return ec2.volumes;
    }

    public Map<String, Ami> amis() {
        return ec2.amis;
    }

    public Map<String, Snapshot> snapshots() {
        return ec2.snapshots;
    }

    /** Launch templates by id ({@code lt-...}). */
    public Map<String, LaunchTemplate> launchTemplates() {
        return ec2.launchTemplates;
    }

    public Map<String, ExportImageTask> exportImageTasks() {
        return tasks.exportImageTasks;
    }

    public Map<String, ImportImageTask> importImageTasks() {
        return tasks.importImageTasks;
    }

    public Map<String, InstanceExportTask> instanceExportTasks() {
        return tasks.instanceExportTasks;
    }

    public List<ConversionTaskSpan> conversionSpans() {
        return tasks.conversionSpans;
    }

    public Map<String, Bucket> buckets() {
        return s3.buckets;
    }

    /** The objects of a bucket by key (empty for a bucket that does not exist). */
    public TreeMap<String, S3Object> objects(String bucket) {
        return s3.objects(bucket);
    }

    public Map<String, MultipartUpload> uploads() {
        return s3.uploads;
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
        return linode.linodeImages;
    }

    public Map<Long, LinodeInstance> linodeInstances() {
        return linode.linodeInstances;
    }

    public Map<Long, Firewall> firewalls() {
        return linode.firewalls;
    }

    public Map<Long, LinodeEvent> events() {
        return linode.events;
    }

    /** Linodes' disks and configs, and booting and shutting down into them. */
    public LinodeMachines linodeMachines() {
        return linode.machines;
    }

    // ---- operations, each in the aggregate that owns it ----

    /** Tags of any taggable EC2 resource by id, or null when there is no such resource. */
    public Map<String, String> tagsOf(String resourceId) {
        return tagged.tagsOf(resourceId);
    }

    /** The EC2 resource type name DescribeTags reports for an id ({@code instance}, {@code image}, ...). */
    public static String resourceType(String resourceId) {
        return TaggedResources.resourceType(resourceId);
    }

    /** Adds or overwrites tags on an EC2 resource; false when there is no such resource. */
    public boolean tag(String resourceId, Map<String, String> tags) {
        return tagged.tag(resourceId, tags);
    }

    /** Starts an AMI of an instance: one pending snapshot per volume, the image pending until they complete. */
    public Ami createImage(Ec2Instance instance, String name, String description, Map<String, String> imageTags,
                           Map<String, String> snapshotTags) {
        return ec2.createImage(instance, name, description, imageTags, snapshotTags);
    }

    /** Removes an AMI; its snapshots stay unless asked otherwise. Returns the snapshots deleted. */
    public List<String> deregisterImage(String imageId, boolean deleteSnapshots) {
        return ec2.deregisterImage(imageId, deleteSnapshots);
    }

    public void deleteSnapshot(String snapshotId) {
        ec2.deleteSnapshot(snapshotId);
    }

    /** The AMI that uses a snapshot, if any. */
    public Optional<Ami> amiUsingSnapshot(String snapshotId) {
        return ec2.amiUsingSnapshot(snapshotId);
    }

    /** Launches instances from an AMI (pending, running after a while). */
    public List<Ec2Instance> runInstances(Ami ami, String instanceType, Subnet subnet, List<String> groupIds,
                                          List<String> privateIps, String keyName, String clientToken,
                                          Map<String, String> instanceTags, Map<String, String> volumeTags) {
        return ec2.runInstances(ami, instanceType, subnet, groupIds, privateIps, keyName, clientToken, instanceTags,
                volumeTags);
    }

    /** Starts terminating an instance; returns its state before. */
    public InstanceState terminate(String instanceId) {
        return ec2.terminate(instanceId);
    }

    /** A free private address in the subnet (after the five AWS reserves). */
    public String freePrivateIp(Subnet subnet, List<String> taken) {
        return ec2.freePrivateIp(subnet, taken);
    }

    public int activeConversionTasks() {
        return tasks.activeConversionTasks();
    }

    /** The most conversion tasks that were ever active at the same instant. */
    public int maxConcurrentConversionTasks() {
        return tasks.maxConcurrentConversionTasks();
    }

    public ExportImageTask startExportImage(Ami ami, String format, String bucket, String prefix, String roleName,
                                            String description, String clientToken, Map<String, String> tags) {
        return tasks.startExportImage(ami, format, bucket, prefix, roleName, description, clientToken, tags);
    }

    /** See {@link ConversionTasks#startImportImage}. */
    public ImportImageTask startImportImage(String description, String clientToken,
                                            List<ImportImageTask.SnapshotDetail> details, String roleName,
                                            String architecture, String platform, String licenseType, String bootMode,
                                            List<Blob> raws, String failure, Map<String, String> tags) {
        return tasks.startImportImage(description, clientToken, details, roleName, architecture, platform,
                licenseType, bootMode, raws, failure, tags);
    }

    public InstanceExportTask startInstanceExport(Ec2Instance instance, String targetEnvironment, String format,
                                                  String container, String bucket, String prefix, String description,
                                                  Map<String, String> tags) {
        return tasks.startInstanceExport(instance, targetEnvironment, format, container, bucket, prefix, description,
                tags);
    }

    /** Cancels an export image or instance export task; false when it is not active. */
    public boolean cancelExport(String taskId) {
        return tasks.cancelExport(taskId);
    }

    /** Stores an object, replacing (and releasing) any previous one under the key. */
    public void putObject(S3Object object) {
        s3.putObject(object);
    }

    public boolean deleteObject(String bucket, String key) {
        return s3.deleteObject(bucket, key);
    }

    public void putUpload(MultipartUpload upload) {
        s3.putUpload(upload);
    }

    /** Ends an upload (completed or aborted), releasing its hold on its parts. */
    public void removeUpload(String uploadId) {
        s3.removeUpload(uploadId);
    }

    public void deleteBucket(String name) {
        s3.deleteBucket(name);
    }

    public long nextLinodeId() {
        return linode.nextLinodeId();
    }

    public long nextImageNumber() {
        return linode.nextImageNumber();
    }

    public long nextFirewallId() {
        return linode.nextFirewallId();
    }

    public long nextDeviceId() {
        return linode.nextDeviceId();
    }

    /** A public IPv4 address for a new Linode. */
    public String nextLinodePublicIp() {
        return linode.nextLinodePublicIp();
    }

    public LinodeEvent addEvent(String action, String status, String entityType, long entityId, String entityLabel,
                                String entityUrl, String message) {
        return linode.addEvent(action, status, entityType, entityId, entityLabel, entityUrl, message);
    }

    /** An upload arrived whole and inflated cleanly: the image is being created. */
    public void uploadReceived(long imageNumber, UploadDigest digest) {
        linode.uploadReceived(imageNumber, digest);
    }

    /** An upload was unusable: the image is gone from the API and the event tells why. */
    public void uploadFailed(long imageNumber, UploadDigest digest, String reason) {
        linode.uploadFailed(imageNumber, digest, reason);
    }

    // ---- time ----

    /** Brings every operation in flight up to now. */
    void advance() {
        Instant now = now();
        ec2.advanceInstances(now);
        ec2.advanceSnapshotsAndImages(now);
        tasks.advanceExportImageTasks(now);
        tasks.advanceImportImageTasks(now);
        tasks.advanceInstanceExports(now);
        linode.advanceLinode(now);
    }

    // ---- persistence ----

    /** Everything that changes, for the state file. */
    public synchronized PersistedWorld persisted() {
        return new PersistedWorld(List.copyOf(ec2.vpcs.values()), List.copyOf(ec2.subnets.values()),
                List.copyOf(ec2.securityGroups.values()), List.copyOf(ec2.instances.values()),
                List.copyOf(ec2.volumes.values()), List.copyOf(ec2.amis.values()), List.copyOf(ec2.snapshots.values()),
                List.copyOf(tasks.exportImageTasks.values()), List.copyOf(tasks.importImageTasks.values()),
                Map.copyOf(tasks.importDisks), List.copyOf(tasks.instanceExportTasks.values()),
                List.copyOf(tasks.conversionSpans), List.copyOf(s3.buckets.values()), s3.allObjects(),
                List.copyOf(s3.uploads.values()), List.copyOf(roles.values()),
                List.copyOf(linode.linodeImages.values()), List.copyOf(linode.linodeInstances.values()),
                List.copyOf(linode.firewalls.values()), List.copyOf(linode.events.values()), linode.counters(),
                List.copyOf(vms.values()), List.copyOf(linode.machines.disks.values()),
                List.copyOf(linode.machines.configs.values()), List.copyOf(linode.machines.volumes.values()),
                List.copyOf(ec2.launchTemplates.values()));
    }

    /** Replaces the seeded state with a saved one. */
    public synchronized void restore(PersistedWorld saved) {
        ec2.restore(saved);
        tasks.restore(saved);
        s3.restore(saved);
        roles.clear();
        saved.roles().forEach(v -> roles.put(v.name(), v));
        linode.restore(saved);
        if (saved.vms() != null) {
            vms.clear();
            saved.vms().forEach(v -> vms.put(v.id(), v));
        }
    }
}
