package dev.ferry.sandbox.world;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * What tests may see of EC2: read-only snapshots of its resources (as of now), the bytes behind an instance's root
 * volume, and mutators to make the cloud drift from a plan.
 */
public final class Ec2View {

    private final World world;

    Ec2View(World world) {
        this.world = requireNonNull(world, "world is null");
    }

    public List<Ec2Instance> instances() {
        return world.read(w -> List.copyOf(w.ec2().instances().values()));
    }

    public Optional<Ec2Instance> instance(String id) {
        return world.read(w -> Optional.ofNullable(w.ec2().instances().get(id)));
    }

    public List<Volume> volumes() {
        return world.read(w -> List.copyOf(w.ec2().volumes().values()));
    }

    public List<SecurityGroup> securityGroups() {
        return world.read(w -> List.copyOf(w.ec2().securityGroups().values()));
    }

    public Optional<SecurityGroup> securityGroup(String id) {
        return world.read(w -> Optional.ofNullable(w.ec2().securityGroups().get(id)));
    }

    public List<Subnet> subnets() {
        return world.read(w -> List.copyOf(w.ec2().subnets().values()));
    }

    public List<Vpc> vpcs() {
        return world.read(w -> List.copyOf(w.ec2().vpcs().values()));
    }

    public List<InstanceTypeSpec> instanceTypes() {
        return world.ec2().instanceTypes();
    }

    /** AMIs the account owns (created or imported; deregistered ones are gone). */
    public List<Ami> amis() {
        return world.read(w -> List.copyOf(w.ec2().amis().values()));
    }

    public Optional<Ami> ami(String id) {
        return world.read(w -> Optional.ofNullable(w.ec2().amis().get(id)));
    }

    /** Launch templates with all their versions. */
    public List<LaunchTemplate> launchTemplates() {
        return world.read(w -> List.copyOf(w.ec2().launchTemplates().values()));
    }

    public Optional<LaunchTemplate> launchTemplate(String idOrName) {
        return world.read(w -> w.ec2().launchTemplates().values().stream()
                .filter(t -> t.id().equals(idOrName) || t.name().equals(idOrName)).findFirst());
    }

    public List<Snapshot> snapshots() {
        return world.read(w -> List.copyOf(w.ec2().snapshots().values()));
    }

    /**
     * The raw bytes behind an instance's root volume (built now if not cached): what an export of it writes.
     */
    public Path rootDiskImage(String instanceId) {
        String volumeId = world.read(w -> {
            Ec2Instance instance = w.ec2().instances().get(instanceId);
            if (instance == null) {
                throw new IllegalArgumentException("no instance " + instanceId);
            }
            return instance.volumeIds().get(0);
        });
        return volumeDiskImage(volumeId);
    }

    /** The raw bytes behind an EBS volume (built now if not cached), such as a data volume's. */
    public Path volumeDiskImage(String volumeId) {
        DiskSource disk = world.read(w -> {
            Volume volume = w.ec2().volumes().get(volumeId);
            if (volume == null) {
                throw new IllegalArgumentException("no volume " + volumeId);
            }
            return volume.disk();
        });
        Blob blob = world.disks().blob(disk);
        if (blob.segments().size() == 1 && blob.segments().get(0).path() != null
                && blob.segments().get(0).offset() == 0) {
            return Path.of(blob.segments().get(0).path());
        }
        throw new IllegalStateException("the disk of " + volumeId + " is not a single file");
    }

    // ---- mutators for tests ----

    /** Replaces a security group's rules (to make the cloud drift from a plan). */
    public void replaceSecurityGroupRules(String groupId, List<SecurityGroupRule> rules) {
        world.writeAndForget(w -> {
            SecurityGroup group = w.ec2().securityGroups().get(groupId);
            if (group == null) {
                throw new IllegalArgumentException("no security group " + groupId);
            }
            w.ec2().securityGroups().put(groupId, group.withRules(rules));
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
            if (!w.tagged().tag(resourceId, Map.of(key, value))) {
                throw new IllegalArgumentException("no EC2 resource " + resourceId);
            }
        });
    }
}
