package dev.ferry.sandbox.world;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
 * to be used inside {@code read}/{@code write}. This class holds the lock, the identity, IAM's roles and vCenter's
 * VMs and sessions; each other service's state and catalogues live in its own aggregate, reached through
 * {@link #ec2()}, {@link #tagged()}, {@link #conversions()}, {@link #s3()} and {@link #linode()}.
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
        this.ec2 = new Ec2State(seed.account(), clock, ids, blobs, Catalogs.instanceTypes(), new SnapshotBlocks(seed.secretAccessKey()));
        this.s3 = new S3State(blobs);
        this.tasks = new ConversionTasks(seed.account(), clock, ids, blobs, disks, formats, ec2, s3);
        this.tagged = new TaggedResources(ec2, tasks);
        this.linode = new LinodeState(clock, blobs.directory().resolve("linode-disks"));
        WorldSeeder.seed(this, seed);
    }

    /**
     * Another region of the same account: the same keys, clock and storage, and none of this world's resources
     * (instances, AMIs, snapshots, networks and tasks live in one region each). It starts empty and is not persisted.
     */
    public World otherRegion(String region) {
        SandboxWorld empty = new SandboxWorld(seed.account(), requireNonNull(region, "region is null"),
                seed.accessKeyId(), seed.secretAccessKey(), seed.linodeToken(), seed.vcenterUsername(),
                seed.vcenterPassword(), null, null, null, null, null, null, null);
        return new World(empty, clock, disks, blobs, defaultImageBytes);
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

    // ---- the clouds' state, each in the aggregate that owns it (live: only inside read/write) ----

    /** EC2: networks, instances, volumes, images, snapshots, launch templates, and its catalogues. */
    public Ec2State ec2() {
        return ec2;
    }

    /** The tags of EC2 resources of every kind (conversion tasks included), found by id. */
    public TaggedResources tagged() {
        return tagged;
    }

    /** VM Import/Export: image exports, image imports and instance exports. */
    public ConversionTasks conversions() {
        return tasks;
    }

    public S3State s3() {
        return s3;
    }

    /** Linode: images, instances with their disks, configs and volumes, firewalls, events, and its catalogues. */
    public LinodeState linode() {
        return linode;
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
