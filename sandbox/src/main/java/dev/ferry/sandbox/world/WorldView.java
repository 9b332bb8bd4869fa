package dev.ferry.sandbox.world;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * What tests may see of the sandbox's clouds: read-only snapshots of every resource (as of now: operations
 * in flight are brought up to date first), and a few mutators to set up situations such as drift.
 */
public final class WorldView {

    private final World world;
    private final VmImages vmImages;

    public WorldView(World world) {
        this.world = requireNonNull(world, "world is null");
        this.vmImages = new VmImages(world.disks());
    }

    // ---- EC2 ----

    public List<Ec2Instance> ec2Instances() {
        return world.read(w -> List.copyOf(w.instances().values()));
    }

    public Optional<Ec2Instance> ec2Instance(String id) {
        return world.read(w -> Optional.ofNullable(w.instances().get(id)));
    }

    public List<Volume> volumes() {
        return world.read(w -> List.copyOf(w.volumes().values()));
    }

    public List<SecurityGroup> securityGroups() {
        return world.read(w -> List.copyOf(w.securityGroups().values()));
    }

    public Optional<SecurityGroup> securityGroup(String id) {
        return world.read(w -> Optional.ofNullable(w.securityGroups().get(id)));
    }

    public List<Subnet> subnets() {
        return world.read(w -> List.copyOf(w.subnets().values()));
    }

    public List<Vpc> vpcs() {
        return world.read(w -> List.copyOf(w.vpcs().values()));
    }

    public List<InstanceTypeSpec> instanceTypes() {
        return world.instanceTypes();
    }

    /** AMIs the account owns (created or imported; deregistered ones are gone). */
    public List<Ami> amis() {
        return world.read(w -> List.copyOf(w.amis().values()));
    }

    public Optional<Ami> ami(String id) {
        return world.read(w -> Optional.ofNullable(w.amis().get(id)));
    }

    /** Launch templates with all their versions. */
    public List<LaunchTemplate> launchTemplates() {
        return world.read(w -> List.copyOf(w.launchTemplates().values()));
    }

    public Optional<LaunchTemplate> launchTemplate(String idOrName) {
        return world.read(w -> w.launchTemplates().values().stream()
                .filter(t -> t.id().equals(idOrName) || t.name().equals(idOrName)).findFirst());
    }

    public List<Snapshot> snapshots() {
        return world.read(w -> List.copyOf(w.snapshots().values()));
    }

    public List<ExportImageTask> exportImageTasks() {
        return world.read(w -> List.copyOf(w.exportImageTasks().values()));
    }

    public List<ImportImageTask> importImageTasks() {
        return world.read(w -> List.copyOf(w.importImageTasks().values()));
    }

    public List<InstanceExportTask> instanceExportTasks() {
        return world.read(w -> List.copyOf(w.instanceExportTasks().values()));
    }

    /** When each conversion task (export image, import image, instance export) started and ended. */
    public List<ConversionTaskSpan> conversionTimeline() {
        return world.read(w -> List.copyOf(w.conversionSpans()));
    }

    /** The most conversion tasks ever active at once in the region (AWS allows 5). */
    public int maxConcurrentConversionTasks() {
        return world.read(World::maxConcurrentConversionTasks);
    }

    /**
     * The raw bytes behind an instance's root volume (built now if not cached): what an export of it writes.
     */
    public Path rootDiskImage(String instanceId) {
        DiskSource disk = world.read(w -> {
            Ec2Instance instance = w.instances().get(instanceId);
            if (instance == null) {
                throw new IllegalArgumentException("no instance " + instanceId);
            }
            return w.volumes().get(instance.volumeIds().get(0)).disk();
        });
        Blob blob = world.disks().blob(disk);
        if (blob.segments().size() == 1 && blob.segments().get(0).path() != null
                && blob.segments().get(0).offset() == 0) {
            return Path.of(blob.segments().get(0).path());
        }
        throw new IllegalStateException("the disk of " + instanceId + " is not a single file");
    }

    // ---- EBS direct APIs ----

    /** The indexes of a snapshot's written 512 KiB blocks: what ListSnapshotBlocks lists, ascending. */
    public int[] writtenBlocks(String snapshotId) {
        DiskSource disk = world.read(w -> {
            Snapshot snapshot = w.snapshots().get(snapshotId);
            if (snapshot == null) {
                throw new IllegalArgumentException("no snapshot " + snapshotId);
            }
            return snapshot.disk();
        });
        return SnapshotBlocks.writtenBlocks(world.disks().blob(disk));
    }

    /** Every block token listed so far expires now (GetSnapshotBlock refuses them as expired). */
    public void expireBlockTokens() {
        world.snapshotBlocks().expireTokens();
    }

    /** The next {@code times} GetSnapshotBlock answers for this block carry bytes that do not match their checksum. */
    public void corruptSnapshotBlock(String snapshotId, int blockIndex, int times) {
        world.snapshotBlocks().corrupt(snapshotId, blockIndex, times);
    }

    /** The account's policy denies (or again allows) ebs:ListSnapshotBlocks and ebs:GetSnapshotBlock. */
    public void denyEbsDirect(boolean deny) {
        world.snapshotBlocks().deny(deny);
    }

    /** The caller may not (or again may) use this KMS key to decrypt: encrypted snapshots' blocks are refused. */
    public void denyKmsDecrypt(String kmsKeyId, boolean deny) {
        world.snapshotBlocks().denyDecrypt(kmsKeyId, deny);
    }

    // ---- S3 ----

    public List<Bucket> buckets() {
        return world.read(w -> List.copyOf(w.buckets().values()));
    }

    public Optional<Bucket> bucket(String name) {
        return world.read(w -> Optional.ofNullable(w.buckets().get(name)));
    }

    public List<S3Object> objects(String bucket) {
        return world.read(w -> w.buckets().containsKey(bucket) ? List.copyOf(w.objects(bucket).values())
                : List.of());
    }

    public Optional<S3Object> object(String bucket, String key) {
        return world.read(w -> Optional.ofNullable(w.buckets().containsKey(bucket) ? w.objects(bucket).get(key)
                : null));
    }

    /** The bytes of an object, as a stream (the object's files stay until the stream is read or closed). */
    public InputStream openObject(String bucket, String key) {
        S3Object object = object(bucket, key).orElseThrow(() -> new IllegalArgumentException(
                "no object s3://" + bucket + "/" + key));
        return object.blob().open();
    }

    /** The SHA-256 (hex) of an object's bytes. */
    public String objectSha256(String bucket, String key) {
        try (InputStream in = openObject(bucket, key)) {
            java.security.MessageDigest sha = java.security.MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[64 * 1024];
            int n;
            while ((n = in.read(buffer)) >= 0) {
                sha.update(buffer, 0, n);
            }
            return HexFormat.of().formatHex(sha.digest());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public List<MultipartUpload> multipartUploads() {
        return world.read(w -> List.copyOf(w.uploads().values()));
    }

    // ---- IAM ----

    public List<IamRole> roles() {
        return world.read(w -> List.copyOf(w.roles().values()));
    }

    public Optional<IamRole> role(String name) {
        return world.read(w -> Optional.ofNullable(w.roles().get(name)));
    }

    // ---- Linode ----

    /** Uploaded images, including failed ones (which the API no longer shows). */
    public List<LinodeImage> linodeImages() {
        return world.read(w -> List.copyOf(w.linodeImages().values()));
    }

    /** An image by its API id, {@code private/NUMBER}. */
    public Optional<LinodeImage> linodeImage(String id) {
        return linodeImages().stream().filter(i -> i.id().equals(id)).findFirst();
    }

    public List<LinodeInstance> linodeInstances() {
        return world.read(w -> List.copyOf(w.linodeInstances().values()));
    }

    public List<Firewall> firewalls() {
        return world.read(w -> List.copyOf(w.firewalls().values()));
    }

    public List<LinodeEvent> linodeEvents() {
        return world.read(w -> List.copyOf(w.events().values()));
    }

    /** The disks of a Linode (empty for a Linode that does not exist), in the order they were made. */
    public List<LinodeDisk> linodeDisks(long linodeId) {
        return world.read(w -> w.linodeMachines().disksOf(linodeId));
    }

    /** The configuration profiles of a Linode, in the order they were made. */
    public List<LinodeConfig> linodeConfigs(long linodeId) {
        return world.read(w -> w.linodeMachines().configsOf(linodeId));
    }

    /** The hex SHA-256 of the first {@code length} bytes of a Linode disk (cut at its end; never written: zeros). */
    public String linodeDiskSha256(long diskId, long length) {
        LinodeDisk disk = linodeDisk(diskId);
        try {
            return DiskBytes.sha256(world.linodeMachines().file(diskId), disk.sizeBytes(), 0, length);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Block Storage volumes, attached or not. */
    public List<LinodeVolume> linodeVolumes() {
        return world.read(w -> List.copyOf(w.linodeMachines().volumes().values()));
    }

    /** The hex SHA-256 of the first {@code length} bytes of a Block Storage volume (cut at its end). */
    public String linodeVolumeSha256(long volumeId, long length) {
        LinodeVolume volume = world.read(w -> w.linodeMachines().volumes().get(volumeId));
        if (volume == null) {
            throw new IllegalArgumentException("no Block Storage volume " + volumeId);
        }
        try {
            return DiskBytes.sha256(world.linodeMachines().volumeFile(volumeId), volume.sizeBytes(), 0, length);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The public keys a disk deployed from an image was given for root ({@code authorized_keys}). */
    public List<String> linodeDiskAuthorizedKeys(long diskId) {
        return linodeDisk(diskId).authorizedKeys();
    }

    private LinodeDisk linodeDisk(long diskId) {
        LinodeDisk disk = world.read(w -> w.linodeMachines().disks().get(diskId));
        if (disk == null) {
            throw new IllegalArgumentException("no Linode disk " + diskId);
        }
        return disk;
    }

    // ---- vCenter ----

    /** vCenter's virtual machines, in inventory order. */
    public List<VirtualMachine> vms() {
        return world.read(w -> List.copyOf(w.vms().values()));
    }

    /** A VM by its id ({@code vm-1002}) or, when no id matches, by its name if only one VM has it. */
    public Optional<VirtualMachine> vm(String idOrName) {
        return world.read(w -> find(w, idOrName));
    }

    private static Optional<VirtualMachine> find(World w, String idOrName) {
        VirtualMachine byId = w.vms().get(idOrName);
        if (byId != null) {
            return Optional.of(byId);
        }
        List<VirtualMachine> named = w.vms().values().stream().filter(v -> v.name().equals(idOrName)).toList();
        if (named.size() > 1) {
            throw new IllegalArgumentException(named.size() + " VMs are named " + idOrName + " ("
                    + String.join(", ", named.stream().map(VirtualMachine::id).toList()) + "): name one by its id");
        }
        return named.stream().findFirst();
    }

    private VirtualMachine requireVm(String idOrName) {
        return vm(idOrName).orElseThrow(() -> new IllegalArgumentException("no VM " + idOrName + " in the sandbox's "
                + "vCenter (it has " + String.join(", ", vms().stream().map(v -> v.name() + " (" + v.id() + ")")
                .toList()) + ")"));
    }

    /**
     * Writes the disk image file vCenter would export of a VM (by id or name) to {@code target}, replacing
     * it: an OVA (OVF descriptor, manifest and a stream-optimized VMDK per disk), the stream-optimized VMDK
     * of its boot disk, or its boot disk raw (a sparse file of the disk's full capacity). The OVF describes
     * the VM as the API does (CPUs, memory, disk capacities, guest OS, firmware, networks); the disks hold
     * the VM's generated content. VMDKs are cached with the disk images, so repeated exports are cheap.
     *
     * @return {@code target}
     */
    public Path exportVmImage(String vm, Path target, VmImageFormat format) {
        return exportVmImage(vm, 1, target, format);
    }

    /**
     * As {@link #exportVmImage(String, Path, VmImageFormat)}, for disk {@code diskNumber} (from 1) of a VMDK or
     * RAW export; an OVA always holds every disk, so it takes only 1.
     */
    public Path exportVmImage(String vm, int diskNumber, Path target, VmImageFormat format) {
        requireNonNull(format, "format is null");
        if (format == VmImageFormat.OVA && diskNumber != 1) {
            throw new IllegalArgumentException("an OVA holds all of a VM's disks: export it as disk 1");
        }
        return vmImages.export(requireVm(vm), diskNumber, target, format);
    }

    /**
     * The hex SHA-256 of the first {@code length} bytes of disk {@code diskNumber} (from 1) of a VM, as the guest
     * sees it (past the disk's content it reads as zeros).
     */
    public String vmDiskSha256(String vm, int diskNumber, long length) {
        VirtualMachine machine = requireVm(vm);
        if (diskNumber < 1 || diskNumber > machine.disks().size()) {
            throw new IllegalArgumentException("VM " + machine.name() + " has " + machine.disks().size() + " disk(s), not a disk " + diskNumber);
        }
        return sha256(world.disks().blob(machine.disks().get(diskNumber - 1).content()), length);
    }

    /** How many bytes of disk {@code diskNumber} (from 1) of a VM hold content (the rest of its capacity is zeros). */
    public long vmDiskContentBytes(String vm, int diskNumber) {
        return world.disks().blob(requireVm(vm).disks().get(diskNumber - 1).content()).size();
    }

    /** The hex SHA-256 of the first {@code length} bytes of an EBS snapshot (past its content: zeros). */
    public String snapshotSha256(String snapshotId, long length) {
        DiskSource disk = world.read(w -> {
            Snapshot snapshot = w.snapshots().get(snapshotId);
            if (snapshot == null) {
                throw new IllegalArgumentException("no snapshot " + snapshotId);
            }
            return snapshot.disk();
        });
        return sha256(world.disks().blob(disk), length);
    }

    private static String sha256(Blob blob, long length) {
        java.security.MessageDigest sha;
        try {
            sha = java.security.MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        byte[] buffer = new byte[1 << 20];
        long remaining = length;
        try (InputStream in = blob.open()) {
            int n;
            while (remaining > 0 && (n = in.read(buffer, 0, (int) Math.min(buffer.length, remaining))) > 0) {
                sha.update(buffer, 0, n);
                remaining -= n;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        java.util.Arrays.fill(buffer, (byte) 0);
        while (remaining > 0) {
            int n = (int) Math.min(buffer.length, remaining);
            sha.update(buffer, 0, n);
            remaining -= n;
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    /**
     * Takes a snapshot of a VM, as the vSphere Client's "Take Snapshot" does: from then on each disk is backed by a
     * new delta file ({@code app-02-000001.vmdk}), which is what {@code GET /api/vcenter/vm/{vm}} shows. The disks'
     * content (the VM's current state) does not change.
     */
    public void takeVmSnapshot(String idOrName) {
        String id = requireVm(idOrName).id();
        world.writeAndForget(w -> w.vms().computeIfPresent(id, (k, vm) -> vm.withSnapshotTaken()));
    }

    /** How many vCenter API sessions are open. */
    public int vcenterSessionCount() {
        return world.read(w -> w.vcenterSessions().size());
    }

    /** Forgets every vCenter API session, as vCenter does with idle ones: clients must log in again. */
    public void expireVcenterSessions() {
        world.read(w -> {
            w.vcenterSessions().clear();
            return null;
        });
    }

    /** Powers a VM on or off ({@code POWERED_ON}, {@code POWERED_OFF}, {@code SUSPENDED}). */
    public void setVmPowerState(String idOrName, String powerState) {
        if (!VirtualMachine.POWER_STATES.contains(powerState)) {
            throw new IllegalArgumentException("power state must be one of " + VirtualMachine.POWER_STATES);
        }
        String id = requireVm(idOrName).id();
        world.writeAndForget(w -> w.vms().computeIfPresent(id, (k, vm) -> vm.withPowerState(powerState)));
    }

    // ---- mutators for tests ----

    /** Replaces a security group's rules (to make the cloud drift from a plan). */
    public void replaceSecurityGroupRules(String groupId, List<SecurityGroupRule> rules) {
        world.writeAndForget(w -> {
            SecurityGroup group = w.securityGroups().get(groupId);
            if (group == null) {
                throw new IllegalArgumentException("no security group " + groupId);
            }
            w.securityGroups().put(groupId, group.withRules(rules));
        });
    }

    public void addSecurityGroupRule(String groupId, SecurityGroupRule rule) {
        List<SecurityGroupRule> rules = new ArrayList<>(securityGroup(groupId).orElseThrow(
                () -> new IllegalArgumentException("no security group " + groupId)).rules());
        rules.add(rule);
        replaceSecurityGroupRules(groupId, rules);
    }

    public void removeSecurityGroupRule(String groupId, String ruleId) {
        List<SecurityGroupRule> rules = new ArrayList<>(securityGroup(groupId).orElseThrow(
                () -> new IllegalArgumentException("no security group " + groupId)).rules());
        if (!rules.removeIf(r -> r.ruleId().equals(ruleId))) {
            throw new IllegalArgumentException("no rule " + ruleId + " in " + groupId);
        }
        replaceSecurityGroupRules(groupId, rules);
    }

    /** Sets a tag on any EC2 resource. */
    public void tag(String resourceId, String key, String value) {
        world.writeAndForget(w -> {
            if (!w.tag(resourceId, Map.of(key, value))) {
                throw new IllegalArgumentException("no EC2 resource " + resourceId);
            }
        });
    }

    /**
     * Creates a bucket in the sandbox's region directly.
     *
     * @param objectOwnership {@code BucketOwnerEnforced}, {@code BucketOwnerPreferred} or {@code ObjectWriter}
     */
    public void createBucket(String name, String objectOwnership) {
        world.writeAndForget(w -> {
            if (w.buckets().containsKey(name)) {
                throw new IllegalArgumentException("bucket " + name + " exists");
            }
            w.buckets().put(name, new Bucket(name, w.region(), w.now(), objectOwnership, null,
                    List.of(new Grant("CanonicalUser", w.canonicalUserId(), "sandbox", null, "FULL_CONTROL"))));
        });
    }

    /** Stores a copy of a file as an object (a disk image to import, for instance). */
    public void putObject(String bucket, String key, Path file) {
        Path copy = world.blobs().newFile();
        try {
            Files.copy(file, copy, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Blob blob = Blob.ofFile(copy);
        world.writeAndForget(w -> {
            if (!w.buckets().containsKey(bucket)) {
                w.blobs().discard(copy);
                throw new IllegalArgumentException("no bucket " + bucket);
            }
            w.putObject(new S3Object(bucket, key, blob.size(), S3State.multipartEtag(key, blob.size()), w.now(),
                    "application/octet-stream", Map.of(), Map.of(), blob));
        });
    }

    /** Stores bytes as an object. */
    public void putObject(String bucket, String key, byte[] bytes) {
        Blob blob = world.blobs().writeSmall(bytes);
        world.writeAndForget(w -> {
            if (!w.buckets().containsKey(bucket)) {
                w.blobs().release(blob);
                throw new IllegalArgumentException("no bucket " + bucket);
            }
            w.putObject(new S3Object(bucket, key, blob.size(), S3State.multipartEtag(key, blob.size()), w.now(),
                    "application/octet-stream", Map.of(), Map.of(), blob));
        });
    }
}
