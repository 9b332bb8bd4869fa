package dev.ferry.sandbox.world;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

import static java.util.Objects.requireNonNull;

/**
 * The insides of Linodes: their disks and Block Storage volumes (with their bytes in sparse files), their
 * configuration profiles, and booting, rebooting and shutting down into them. Live state, used only inside {@link World#read}/{@link
 * World#write}; the disks' bytes are read and written outside the lock, through {@link #file}.
 */
public final class LinodeMachines {

    /** Base durations at time scale 1. */
    public static final Duration DISK_CREATING_DURATION = Duration.ofSeconds(1);
    public static final Duration SHUTTING_DOWN_DURATION = Duration.ofSeconds(1);
    public static final Duration VOLUME_CREATING_DURATION = Duration.ofSeconds(1);
    public static final String DIRECT_DISK = "linode/direct-disk";

    final Map<Long, LinodeDisk> disks = new LinkedHashMap<>();
    final Map<Long, LinodeConfig> configs = new LinkedHashMap<>();
    final Map<Long, LinodeVolume> volumes = new LinkedHashMap<>();
    long nextDiskId = 61_000_001;
    long nextConfigId = 71_000_001;
    long nextVolumeId = 81_000_001;

    /** What a slot of a booted config holds, as the helper sees it: a size and the file of its bytes. */
    public record SlotDevice(long sizeBytes, Path file) {
    }

    private final LinodeState linode;
    private final WorldClock clock;
    private final Path directory;

    LinodeMachines(LinodeState linode, WorldClock clock, Path directory) {
        this.linode = requireNonNull(linode, "linode is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.directory = requireNonNull(directory, "directory is null");
    }

    public Map<Long, LinodeDisk> disks() {
        return disks;
    }

    public Map<Long, LinodeConfig> configs() {
        return configs;
    }

    public Map<Long, LinodeVolume> volumes() {
        return volumes;
    }

    public List<LinodeDisk> disksOf(long linodeId) {
        return disks.values().stream().filter(d -> d.linodeId() == linodeId).toList();
    }

    public List<LinodeConfig> configsOf(long linodeId) {
        return configs.values().stream().filter(c -> c.linodeId() == linodeId).toList();
    }

    /** The sparse file holding a disk's bytes (absent until first written: all zeros). */
    public Path file(long diskId) {
        return directory.resolve(diskId + ".raw");
    }

    /** The sparse file holding a volume's bytes. */
    public Path volumeFile(long volumeId) {
        return directory.resolve("volume-" + volumeId + ".raw");
    }

    /** Adds a volume, {@code creating} until its scaled creation time has passed (event {@code volume_create}). */
    public LinodeVolume createVolume(String label, String region, int sizeGb, List<String> tags, String encryption) {
        Instant now = clock.now();
        LinodeVolume volume = new LinodeVolume(nextVolumeId++, label, region, sizeGb, "creating", null, tags,
                encryption, now, now, now.plus(clock.scaled(VOLUME_CREATING_DURATION)));
        volumes.put(volume.id(), volume);
        volumeEvent("volume_create", "started", volume);
        return volume;
    }

    /** Attaches a volume to a Linode, into the first free slot from {@code sdb} of {@code config} if given. */
    public LinodeVolume attach(LinodeVolume volume, LinodeInstance machine, LinodeConfig config) {
        LinodeVolume attached = volume.attachedTo(machine.id(), clock.now());
        volumes.put(volume.id(), attached);
        if (config != null) {
            String free = List.of("sdb", "sdc", "sdd", "sde", "sdf", "sdg", "sdh").stream()
                    .filter(slot -> !config.devices().containsKey(slot)).findFirst()
                    .orElseThrow(() -> new IllegalStateException("no free device slot in config " + config.id()));
            Map<String, LinodeConfig.Device> devices = new LinkedHashMap<>(config.devices());
            devices.put(free, new LinodeConfig.Device(null, volume.id()));
            configs.put(config.id(), config.withDevices(devices, clock.now()));
        }
        volumeEvent("volume_attach", "finished", attached);
        return attached;
    }

    /** Detaches a volume, taking it out of every config of its Linode. */
    public void detach(LinodeVolume volume) {
        for (LinodeConfig config : List.copyOf(configs.values())) {
            Map<String, LinodeConfig.Device> devices = new LinkedHashMap<>(config.devices());
            if (devices.values().removeIf(d -> Long.valueOf(volume.id()).equals(d.volumeId()))) {
                configs.put(config.id(), config.withDevices(devices, clock.now()));
            }
        }
        volumes.put(volume.id(), volume.attachedTo(null, clock.now()));
        volumeEvent("volume_detach", "finished", volume);
    }

    public void deleteVolume(LinodeVolume volume) {
        volumes.remove(volume.id());
        try {
            DiskBytes.deleted(volumeFile(volume.id()));
        } catch (IOException e) {
            // A leftover file in the sandbox's own storage.
        }
        volumeEvent("volume_delete", "finished", volume);
    }

    private void volumeEvent(String action, String status, LinodeVolume volume) {
        linode.addEvent(action, status, "volume", volume.id(), volume.label(), "/v4/volumes/" + volume.id(), null);
    }

    /** Adds a disk, {@code not ready} until its scaled creation time has passed (event {@code disk_create}). */
    public LinodeDisk createDisk(LinodeInstance owner, String label, int sizeMb, String filesystem, String image,
                                 List<String> authorizedKeys) {
        Instant now = clock.now();
        LinodeDisk disk = new LinodeDisk(nextDiskId++, owner.id(), label, "not ready", sizeMb, filesystem, image,
                now, now, now.plus(clock.scaled(DISK_CREATING_DURATION)), authorizedKeys);
        disks.put(disk.id(), disk);
        event("disk_create", "started", owner);
        return disk;
    }

    /** Removes a disk and its bytes (event {@code disk_delete}). */
    public void deleteDisk(LinodeDisk disk) {
        disks.remove(disk.id());
        deleteFile(disk.id());
        LinodeInstance owner = linode.linodeInstances.get(disk.linodeId());
        if (owner != null) {
            event("disk_delete", "finished", owner);
        }
    }

    public long nextConfigId() {
        return nextConfigId++;
    }

    /** Stores a new or changed config (event {@code linode_config_create} or {@code linode_config_update}). */
    public void saveConfig(LinodeConfig config) {
        boolean created = !configs.containsKey(config.id());
        configs.put(config.id(), config);
        event(created ? "linode_config_create" : "linode_config_update", "notification",
                linode.linodeInstances.get(config.linodeId()));
    }

    public void deleteConfig(LinodeConfig config) {
        configs.remove(config.id());
        event("linode_config_delete", "notification", linode.linodeInstances.get(config.linodeId()));
    }

    /** Boots an offline Linode, or reboots a running one, into a config (event linode_boot or linode_reboot). */
    public void boot(LinodeInstance machine, LinodeConfig config) {
        Instant now = clock.now();
        boolean reboot = machine.status().equals("running");
        Duration takes = clock.scaled(World.LINODE_BOOTING_DURATION);
        if (reboot) {
            takes = takes.plus(clock.scaled(SHUTTING_DOWN_DURATION));
        }
        LinodeInstance booting = machine.withPower(reboot ? "rebooting" : "booting", config.id(), now.plus(takes),
                now);
        linode.linodeInstances.put(machine.id(), booting);
        event(reboot ? "linode_reboot" : "linode_boot", "started", booting);
    }

    /** Shuts a running Linode down (event linode_shutdown). */
    public void shutdown(LinodeInstance machine) {
        Instant now = clock.now();
        LinodeInstance stopping = machine.withPower("shutting_down", machine.configId(),
                now.plus(clock.scaled(SHUTTING_DOWN_DURATION)), now);
        linode.linodeInstances.put(machine.id(), stopping);
        event("linode_shutdown", "started", stopping);
    }

    /** A deleted Linode takes its disks (and their bytes) and configs with it, and lets its volumes go. */
    public void removeLinode(long linodeId) {
        volumes.values().stream().filter(v -> Long.valueOf(linodeId).equals(v.linodeId())).toList()
                .forEach(v -> volumes.put(v.id(), v.attachedTo(null, clock.now())));
        for (LinodeDisk disk : disksOf(linodeId)) {
            disks.remove(disk.id());
            deleteFile(disk.id());
        }
        configs.values().removeIf(c -> c.linodeId() == linodeId);
    }

    /**
     * The running Linode whose booted config has in {@code sda} a disk deployed with an authorized key that
     * {@code accepts} (how the helper's SSH server knows which machine a key logs in to).
     */
    public Optional<LinodeInstance> runningWithKey(Predicate<String> accepts) {
        return linode.linodeInstances.values().stream()
                .filter(l -> l.status().equals("running") && l.configId() != null)
                .filter(l -> {
                    LinodeConfig config = configs.get(l.configId());
                    LinodeDisk sda = config == null || config.diskIn("sda") == null ? null
                            : disks.get(config.diskIn("sda"));
                    return sda != null && sda.authorizedKeys().stream().anyMatch(accepts);
                })
                .findFirst();
    }

    /** What the slots of a running Linode's booted config hold; empty when it is not running. */
    public Map<String, SlotDevice> bootedDevices(long linodeId) {
        LinodeInstance machine = linode.linodeInstances.get(linodeId);
        Map<String, SlotDevice> slots = new LinkedHashMap<>();
        if (machine == null || !machine.status().equals("running") || machine.configId() == null
                || !configs.containsKey(machine.configId())) {
            return slots;
        }
        configs.get(machine.configId()).devices().forEach((slot, device) -> {
            if (device.diskId() != null && disks.containsKey(device.diskId())) {
                slots.put(slot, new SlotDevice(disks.get(device.diskId()).sizeBytes(), file(device.diskId())));
            } else if (device.volumeId() != null && volumes.containsKey(device.volumeId())) {
                slots.put(slot, new SlotDevice(volumes.get(device.volumeId()).sizeBytes(),
                        volumeFile(device.volumeId())));
            }
        });
        return slots;
    }

    void advance(Instant now) {
        for (LinodeVolume volume : List.copyOf(volumes.values())) {
            if (volume.status().equals("creating") && !now.isBefore(volume.readyAt())) {
                volumes.put(volume.id(), volume.withStatus("active", volume.readyAt()));
                linode.finishEvent("volume_create", "volume", volume.id(), "finished", null, volume.readyAt());
            }
        }
        for (LinodeDisk disk : List.copyOf(disks.values())) {
            if (disk.status().equals("not ready") && !now.isBefore(disk.readyAt())) {
                disks.put(disk.id(), disk.withStatus("ready", disk.readyAt()));
                linode.finishEvent("disk_create", "linode", disk.linodeId(), "finished", null, disk.readyAt());
            }
        }
        for (LinodeInstance machine : List.copyOf(linode.linodeInstances.values())) {
            if (machine.readyAt() == null || now.isBefore(machine.readyAt())) {
                continue;
            }
            switch (machine.status()) {
                case "booting", "rebooting" -> {
                    String action = machine.status().equals("booting") ? "linode_boot" : "linode_reboot";
                    String failure = bootFailure(machine);
                    linode.linodeInstances.put(machine.id(), machine.withPower(failure == null ? "running"
                            : "offline", machine.configId(), machine.readyAt(), machine.readyAt()));
                    linode.finishEvent(action, "linode", machine.id(), failure == null ? "finished" : "failed",
                            failure, machine.readyAt());
                }
                case "shutting_down" -> {
                    linode.linodeInstances.put(machine.id(), machine.withPower("offline", machine.configId(),
                            machine.readyAt(), machine.readyAt()));
                    linode.finishEvent("linode_shutdown", "linode", machine.id(), "finished", null,
                            machine.readyAt());
                }
                default -> { }
            }
        }
    }

    /** Why a boot fails, or null: direct-disk boots the root disk's own boot loader, which must be there. */
    private String bootFailure(LinodeInstance machine) {
        LinodeConfig config = machine.configId() == null ? null : configs.get(machine.configId());
        if (config == null || !config.kernel().equals(DIRECT_DISK)) {
            return null;
        }
        Long root = config.diskIn(config.rootSlot());
        if (root == null || !disks.containsKey(root)) {
            return "Boot failed: no disk in the root device " + config.rootDevice();
        }
        if (!DiskBytes.hasBootSignature(file(root))) {
            return "Boot failed: the disk in " + config.rootDevice() + " has no boot sector (no 0x55AA signature "
                    + "at byte 510)";
        }
        return null;
    }

    private void event(String action, String status, LinodeInstance owner) {
        linode.addEvent(action, status, "linode", owner.id(), owner.label(), "/v4/linode/instances/" + owner.id(),
                null);
    }

    private void deleteFile(long diskId) {
        try {
            DiskBytes.deleted(file(diskId));
        } catch (IOException e) {
            // A leftover file in the sandbox's own storage.
        }
    }

    void restore(List<LinodeDisk> savedDisks, List<LinodeConfig> savedConfigs, List<LinodeVolume> savedVolumes,
                 PersistedWorld.Counters counters) {
        disks.clear();
        configs.clear();
        volumes.clear();
        if (savedVolumes != null) {
            savedVolumes.forEach(v -> volumes.put(v.id(), v));
        }
        if (savedDisks != null) {
            savedDisks.forEach(d -> disks.put(d.id(), d));
        }
        if (savedConfigs != null) {
            savedConfigs.forEach(c -> configs.put(c.id(), c));
        }
        // states written before Linodes had disks have no such counters
        nextDiskId = Math.max(nextDiskId, counters.nextDiskId());
        nextConfigId = Math.max(nextConfigId, counters.nextConfigId());
        nextVolumeId = Math.max(nextVolumeId, counters.nextVolumeId());
    }
}
