package dev.ferry.sandbox.world;

import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * Linode's images, instances (their disks and configs in {@link LinodeMachines}), firewalls and events, their id
 * counters, the catalogues (types, regions), and how they change with time. The maps are live: use them only inside
 * {@link World#read}/{@link World#write}.
 */
public final class LinodeState {

    final Map<Long, LinodeImage> linodeImages = new LinkedHashMap<>();
    final Map<Long, LinodeInstance> linodeInstances = new LinkedHashMap<>();
    final Map<Long, Firewall> firewalls = new LinkedHashMap<>();
    final Map<Long, LinodeEvent> events = new LinkedHashMap<>();

    long nextLinodeId = 41_000_001;
    long nextImageNumber = 30_000_001;
    long nextFirewallId = 12_001;
    long nextDeviceId = 21_001;
    long nextEventId = 900_000_001;
    int nextPublicIp = 20;

    private final WorldClock clock;
    final LinodeMachines machines;
    private final List<LinodeType> types = Catalogs.linodeTypes();
    private final List<LinodeRegion> regions = Catalogs.linodeRegions();

    /** @param diskDirectory where the bytes of Linode disks are kept */
    LinodeState(WorldClock clock, Path diskDirectory) {
        this.clock = requireNonNull(clock, "clock is null");
        this.machines = new LinodeMachines(this, clock, diskDirectory);
    }

    public List<LinodeType> types() {
        return types;
    }

    public Optional<LinodeType> type(String id) {
        return types.stream().filter(t -> t.id().equals(id)).findFirst();
    }

    public List<LinodeRegion> regions() {
        return regions;
    }

    public Optional<LinodeRegion> region(String id) {
        return regions.stream().filter(r -> r.id().equals(id)).findFirst();
    }

    public Map<Long, LinodeImage> images() {
        return linodeImages;
    }

    public Map<Long, LinodeInstance> instances() {
        return linodeInstances;
    }

    public Map<Long, Firewall> firewalls() {
        return firewalls;
    }

    public Map<Long, LinodeEvent> events() {
        return events;
    }

    /** Linodes' disks and configs, and booting and shutting down into them. */
    public LinodeMachines machines() {
        return machines;
    }

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
        LinodeEvent event = new LinodeEvent(id, action, status, clock.now(), entityType, entityId, entityLabel,
                entityUrl, message, status.equals("finished") ? 100 : 0);
        events.put(id, event);
        return event;
    }

    void finishEvent(String action, String entityType, long entityId, String status, String message,
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
        Instant now = clock.now();
        long sizeMb = Math.max(1, (digest.rawBytes() + 1024 * 1024 - 1) / (1024 * 1024));
        linodeImages.put(imageNumber, image.withStatus("creating", now,
                now.plus(clock.scaled(World.LINODE_IMAGE_CREATING_DURATION)), sizeMb, digest, null));
    }

    /** An upload was unusable: the image is gone from the API and the event tells why. */
    public void uploadFailed(long imageNumber, UploadDigest digest, String reason) {
        LinodeImage image = linodeImages.get(imageNumber);
        linodeImages.put(imageNumber, image.withStatus("failed", clock.now(), null, image.sizeMb(), digest, reason));
        finishEvent("image_upload", "image", imageNumber, "failed", reason, clock.now());
    }

    void advanceLinode(Instant now) {
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
        }
        machines.advance(now);
    }

    PersistedWorld.Counters counters() {
        return new PersistedWorld.Counters(nextLinodeId, nextImageNumber, nextFirewallId, nextDeviceId, nextEventId,
                nextPublicIp, machines.nextDiskId, machines.nextConfigId, machines.nextVolumeId);
    }

    /** Replaces this state with a saved one. */
    void restore(PersistedWorld saved) {
        linodeImages.clear();
        linodeInstances.clear();
        firewalls.clear();
        events.clear();
        saved.linodeImages().forEach(v -> linodeImages.put(v.number(), v));
        saved.linodeInstances().forEach(v -> linodeInstances.put(v.id(), v));
        saved.firewalls().forEach(v -> firewalls.put(v.id(), v));
        saved.events().forEach(v -> events.put(v.id(), v));
        PersistedWorld.Counters c = saved.counters();
        nextLinodeId = c.nextLinodeId();
        nextImageNumber = c.nextImageNumber();
        nextFirewallId = c.nextFirewallId();
        nextDeviceId = c.nextDeviceId();
        nextEventId = c.nextEventId();
        nextPublicIp = c.nextPublicIp();
        machines.restore(saved.linodeDisks(), saved.linodeConfigs(), saved.linodeVolumes(), c);
    }
}
