package dev.ferry.sandbox.world;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import static java.util.Objects.requireNonNull;

/**
 * EC2's resources (networks, security groups, instances, volumes, images, snapshots, launch templates), its
 * catalogues (instance types, public images), and how the resources change with time. The maps are live: use
 * them only inside {@link World#read}/{@link World#write}.
 */
public final class Ec2State {

    final Map<String, Vpc> vpcs = new LinkedHashMap<>();
    final Map<String, Subnet> subnets = new LinkedHashMap<>();
    final Map<String, SecurityGroup> securityGroups = new LinkedHashMap<>();
    final Map<String, Ec2Instance> instances = new LinkedHashMap<>();
    final Map<String, Volume> volumes = new LinkedHashMap<>();
    final Map<String, Ami> amis = new LinkedHashMap<>();
    final Map<String, Snapshot> snapshots = new LinkedHashMap<>();
    final Map<String, LaunchTemplate> launchTemplates = new LinkedHashMap<>();

    private final String account;
    private final WorldClock clock;
    private final Ids ids;
    private final BlobStore blobs;
    private final List<InstanceTypeSpec> instanceTypes;
    private final SnapshotBlocks snapshotBlocks;
    private final Map<String, PublicImage> publicImages = new TreeMap<>();

    Ec2State(String account, WorldClock clock, Ids ids, BlobStore blobs, List<InstanceTypeSpec> instanceTypes, SnapshotBlocks snapshotBlocks) {
        this.account = requireNonNull(account, "account is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.ids = requireNonNull(ids, "ids is null");
        this.blobs = requireNonNull(blobs, "blobs is null");
        this.instanceTypes = requireNonNull(instanceTypes, "instanceTypes is null");
        this.snapshotBlocks = requireNonNull(snapshotBlocks, "snapshotBlocks is null");
    }

    /** The EBS direct APIs' view of the snapshots: written blocks, block tokens, denials for tests. */
    public SnapshotBlocks snapshotBlocks() {
        return snapshotBlocks;
    }

    public List<InstanceTypeSpec> instanceTypes() {
        return instanceTypes;
    }

    public Optional<InstanceTypeSpec> instanceType(String name) {
        return instanceTypes.stream().filter(t -> t.name().equals(name)).findFirst();
    }

    public Map<String, PublicImage> publicImages() {
        return publicImages;
    }

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

    /** Launch templates by id ({@code lt-...}). */
    public Map<String, LaunchTemplate> launchTemplates() {
        return launchTemplates;
    }

    /**
     * Starts an AMI of an instance: one pending snapshot per volume, the image pending until they complete.
     */
    public Ami createImage(Ec2Instance instance, String name, String description, Map<String, String> imageTags,
                    Map<String, String> snapshotTags) {
        Instant now = clock.now();
        Instant done = now.plus(clock.scaled(World.AMI_DURATION));
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

    /** Launches instances from an AMI (pending, running after a while). */
    public List<Ec2Instance> runInstances(Ami ami, String instanceType, Subnet subnet, List<String> groupIds,
                                   List<String> privateIps, String keyName, String clientToken,
                                   Map<String, String> instanceTags, Map<String, String> volumeTags) {
        Instant now = clock.now();
        String reservationId = ids.ec2("r");
        InstanceTypeSpec type = instanceTypes.stream().filter(t -> t.name().equals(instanceType)).findFirst()
                .orElseThrow();
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
                    ami.id(), InstanceState.PENDING, now.plus(clock.scaled(World.EC2_PENDING_DURATION)), now,
                    subnet.id(), subnet.vpcId(), subnet.availabilityZone(), privateIp, null, groupIds,
                    ami.rootDeviceName(), volumeIds, ami.productCodes(), keyName, clientToken, reservationId, true,
                    instanceTags);
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
                    clock.now().plus(clock.scaled(World.EC2_SHUTTING_DOWN_DURATION))));
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

    void advanceInstances(Instant now) {
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

    void advanceSnapshotsAndImages(Instant now) {
        for (Snapshot snapshot : List.copyOf(snapshots.values())) {
            if (!snapshot.state().equals("pending")) {
                continue;
            }
            if (!now.isBefore(snapshot.completeAt())) {
                snapshots.put(snapshot.id(), snapshot.withProgress("completed", 100));
            } else {
                snapshots.put(snapshot.id(), snapshot.withProgress("pending",
                        WorldClock.percent(snapshot.startTime(), snapshot.completeAt(), now)));
            }
        }
        for (Ami ami : List.copyOf(amis.values())) {
            if (ami.state().equals("pending") && ami.availableAt() != null && !now.isBefore(ami.availableAt())) {
                amis.put(ami.id(), ami.withState("available"));
            }
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

    /** Replaces this state with a saved one. */
    void restore(PersistedWorld saved) {
        vpcs.clear();
        subnets.clear();
        securityGroups.clear();
        instances.clear();
        volumes.clear();
        amis.clear();
        snapshots.clear();
        launchTemplates.clear();
        saved.vpcs().forEach(v -> vpcs.put(v.id(), v));
        saved.subnets().forEach(v -> subnets.put(v.id(), v));
        saved.securityGroups().forEach(v -> securityGroups.put(v.id(), v));
        saved.instances().forEach(v -> instances.put(v.id(), v));
        saved.volumes().forEach(v -> {
            volumes.put(v.id(), v);
            retain(v.disk());
        });
        saved.amis().forEach(v -> amis.put(v.id(), v));
        if (saved.launchTemplates() != null) {
            saved.launchTemplates().forEach(v -> launchTemplates.put(v.id(), v));
        }
        saved.snapshots().forEach(v -> {
            snapshots.put(v.id(), v);
            retain(v.disk());
        });
    }
}
