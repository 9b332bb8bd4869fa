package dev.ferry.sandbox.world;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;

/** Puts a {@link SandboxWorld} into a fresh {@link World}, checking its references as it goes. */
final class WorldSeeder {

    private static final Pattern EC2_ID = Pattern.compile("[a-z]+-([0-9a-f]{8}|[0-9a-f]{17})");

    private WorldSeeder() {
    }

    static void seed(World world, SandboxWorld seed) {
        Instant now = world.now();
        for (SandboxWorld.VpcSpec vpc : seed.vpcs()) {
            checkId("vpc", vpc.id());
            Cidr.parse(vpc.cidr());
            world.ec2().vpcs().put(vpc.id(), new Vpc(vpc.id(), vpc.cidr(), vpc.isDefault(), vpc.tags()));
        }
        for (SandboxWorld.SubnetSpec subnet : seed.subnets()) {
            checkId("subnet", subnet.id());
            if (!world.ec2().vpcs().containsKey(subnet.vpc())) {
                throw new IllegalArgumentException("subnet " + subnet.id() + ": vpc " + subnet.vpc()
                        + " is not in the world");
            }
            Cidr.parse(subnet.cidr());
            String zone = subnet.availabilityZone() == null ? seed.region() + "a" : subnet.availabilityZone();
            world.ec2().subnets().put(subnet.id(), new Subnet(subnet.id(), subnet.vpc(), subnet.cidr(), zone,
                    subnet.tags()));
        }
        for (SandboxWorld.SecurityGroupSpec group : seed.securityGroups()) {
            checkId("sg", group.id());
            if (!world.ec2().vpcs().containsKey(group.vpc())) {
                throw new IllegalArgumentException("security group " + group.id() + ": vpc " + group.vpc()
                        + " is not in the world");
            }
            world.ec2().securityGroups().put(group.id(), new SecurityGroup(group.id(), group.name(), group.description(),
                    group.vpc(), List.of(), group.tags()));
        }
        for (SandboxWorld.SecurityGroupSpec group : seed.securityGroups()) {
            List<SecurityGroupRule> rules = new ArrayList<>();
            int index = 0;
            for (boolean egress : new boolean[]{false, true}) {
                for (SandboxWorld.RuleSpec rule : egress ? group.egress() : group.ingress()) {
                    for (String cidr : rule.cidrs()) {
                        Cidr.parse(cidr);
                        rules.add(rule(group.id(), index++, egress, rule, cidr, null, null, null));
                    }
                    for (String cidr : rule.ipv6Cidrs()) {
                        rules.add(rule(group.id(), index++, egress, rule, null, cidr, null, null));
                    }
                    for (String other : rule.groups()) {
                        if (!world.ec2().securityGroups().containsKey(other)) {
                            throw new IllegalArgumentException("security group " + group.id() + ": rule refers to "
                                    + other + ", which is not in the world");
                        }
                        rules.add(rule(group.id(), index++, egress, rule, null, null, other, null));
                    }
                    for (String prefixList : rule.prefixLists()) {
                        rules.add(rule(group.id(), index++, egress, rule, null, null, null, prefixList));
                    }
                }
            }
            world.ec2().securityGroups().computeIfPresent(group.id(), (k, g) -> g.withRules(rules));
        }
        for (SandboxWorld.PublicImageSpec image : seed.publicImages()) {
            world.ec2().publicImages().put(image.id(), new PublicImage(image.id(), image.name(), image.owner(),
                    image.architecture(), image.productCodes()));
        }
        Map<String, String> volumeOwners = new HashMap<>();
        for (SandboxWorld.InstanceSpec spec : seed.instances()) {
            seedInstance(world, seed, spec, volumeOwners, now);
        }
        for (int i = 0; i < seed.vms().size(); i++) {
            seedVm(world, seed.vms().get(i), i);
        }
        for (SandboxWorld.BucketSpec bucket : seed.buckets()) {
            world.s3().buckets().put(bucket.name(), new Bucket(bucket.name(),
                    bucket.region() == null ? seed.region() : bucket.region(), now, bucket.objectOwnership(), null,
                    List.of(new Grant("CanonicalUser", canonicalUserId(seed.account()), "sandbox", null,
                            "FULL_CONTROL"))));
        }
    }

    private static void seedInstance(World world, SandboxWorld seed, SandboxWorld.InstanceSpec spec,
                                     Map<String, String> volumeOwners, Instant now) {
        String where = "instance " + spec.id();
        checkId("i", spec.id());
        Subnet subnet = world.ec2().subnets().get(spec.subnet());
        if (subnet == null) {
            throw new IllegalArgumentException(where + ": subnet " + spec.subnet() + " is not in the world");
        }
        if (world.ec2().instanceType(spec.type()).isEmpty()) {
            throw new IllegalArgumentException(where + ": instance type " + spec.type()
                    + " is not in the sandbox's catalogue");
        }
        if (!Cidr.parse(subnet.cidrBlock()).contains(spec.privateIp())) {
            throw new IllegalArgumentException(where + ": private_ip " + spec.privateIp() + " is outside subnet "
                    + subnet.id() + " (" + subnet.cidrBlock() + ")");
        }
        for (String group : spec.securityGroups()) {
            SecurityGroup sg = world.ec2().securityGroups().get(group);
            if (sg == null) {
                throw new IllegalArgumentException(where + ": security group " + group + " is not in the world");
            }
            if (!sg.vpcId().equals(subnet.vpcId())) {
                throw new IllegalArgumentException(where + ": security group " + group + " and subnet "
                        + subnet.id() + " are in different VPCs");
            }
        }
        Instant launch;
        try {
            launch = spec.launchTime() == null ? now : Instant.parse(spec.launchTime());
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(where + ": launch_time '" + spec.launchTime()
                    + "' is not an ISO-8601 instant such as 2024-11-02T09:30:00Z");
        }
        String host = spec.name() == null ? spec.id() : spec.name();
        List<String> volumeIds = new ArrayList<>();
        boolean hasRoot = false;
        for (SandboxWorld.VolumeSpec v : spec.volumes()) {
            checkId("vol", v.id());
            if (volumeOwners.put(v.id(), spec.id()) != null) {
                throw new IllegalArgumentException(where + ": volume " + v.id() + " is attached twice");
            }
            boolean root = v.device().equals(spec.rootDevice());
            hasRoot |= root;
            DiskSource disk;
            if (v.diskImage() != null) {
                requireFile(where + " volume " + v.id(), v.diskImage());
                disk = DiskSource.file(v.diskImage());
            } else {
                long bytes = v.imageBytes() != null ? v.imageBytes()
                        : v.layout() != null ? (long) v.sizeGib() << 30 : world.defaultImageBytes();
                if (v.layout() != null && !root) {
                    throw new IllegalArgumentException(where + " volume " + v.id() + ": layout " + v.layout()
                            + " is for the root volume");
                }
                disk = DiskSource.generated(v.layout() == null ? new GeneratedDisk(root ? "root" : "data", host, bytes)
                        : new GeneratedDisk("root", host, bytes, "ubuntu", v.layout()));
            }
            world.ec2().volumes().put(v.id(), new Volume(v.id(), v.sizeGib(), v.type(), v.iops(), v.throughput(),
                    v.encrypted(), v.kmsKeyId(), subnet.availabilityZone(), launch, null, "in-use", spec.id(),
                    v.device(), v.deleteOnTermination(), disk, Map.of()));
            if (root) {
                volumeIds.add(0, v.id());
            } else {
                volumeIds.add(v.id());
            }
        }
        if (!hasRoot) {
            throw new IllegalArgumentException(where + ": no volume on the root device " + spec.rootDevice());
        }
        Map<String, String> tags = new HashMap<>(spec.tags());
        if (spec.name() != null) {
            tags.put("Name", spec.name());
        }
        world.ec2().instances().put(spec.id(), new Ec2Instance(spec.id(), spec.type(), spec.architecture(),
                spec.platform(), spec.imageId(), InstanceState.RUNNING, null, launch, subnet.id(), subnet.vpcId(),
                subnet.availabilityZone(), spec.privateIp(), spec.publicIp(), spec.securityGroups(),
                spec.rootDevice(), volumeIds, spec.productCodes(), spec.keyName(), null,
                "r-0" + hash(spec.id()).substring(0, 16), false, tags));
    }

    private static void seedVm(World world, SandboxWorld.VmSpec spec, int index) {
        String id = spec.id() != null ? spec.id() : "vm-" + (1001 + index);
        String where = "vm " + id + " (" + spec.name() + ")";
        if (world.vms().containsKey(id)) {
            throw new IllegalArgumentException(where + ": another VM has the id " + id);
        }
        GuestOs guest = GuestOs.byId(spec.guestOs()).orElseThrow();
        List<VirtualMachine.Disk> disks = new ArrayList<>();
        for (int d = 0; d < spec.disks().size(); d++) {
            SandboxWorld.VmDiskSpec diskSpec = spec.disks().get(d);
            long capacity = (long) diskSpec.capacityGib() << 30;
            DiskSource content;
            if (diskSpec.diskImage() != null) {
                requireFile(where + " disk " + (d + 1), diskSpec.diskImage());
                try {
                    if (Files.size(Path.of(diskSpec.diskImage())) > capacity) {
                        throw new IllegalArgumentException(where + " disk " + (d + 1) + ": disk_image "
                                + diskSpec.diskImage() + " is larger than capacity_gib " + diskSpec.capacityGib());
                    }
                } catch (IOException e) {
                    throw new IllegalArgumentException(where + ": cannot read " + diskSpec.diskImage(), e);
                }
                content = DiskSource.file(diskSpec.diskImage());
            } else {
                long bytes = Math.min(capacity, diskSpec.imageBytes() != null ? diskSpec.imageBytes()
                        : world.defaultImageBytes());
                content = DiskSource.generated(d == 0
                        ? new GeneratedDisk("root", spec.name(), bytes, guest.distribution())
                        : new GeneratedDisk("data", spec.name(), bytes));
            }
            String file = "[datastore1] " + spec.name() + "/" + spec.name() + (d == 0 ? "" : "_" + d) + ".vmdk";
            disks.add(new VirtualMachine.Disk(Integer.toString(2000 + d), "Hard disk " + (d + 1), capacity, file,
                    content));
        }
        List<VirtualMachine.Nic> nics = new ArrayList<>();
        for (int n = 0; n < spec.nics().size(); n++) {
            SandboxWorld.VmNicSpec nic = spec.nics().get(n);
            String mac = nic.macAddress() != null ? nic.macAddress().toLowerCase(Locale.ROOT)
                    : "00:50:56:" + hash(id + "/nic/" + n).substring(0, 6).replaceAll("(..)(?!$)", "$1:");
            nics.add(new VirtualMachine.Nic(Integer.toString(4000 + n), "Network adapter " + (n + 1), nic.type(), mac,
                    nic.network(), "network-" + (12 + Math.floorMod(nic.network().hashCode(), 50))));
        }
        world.vms().put(id, new VirtualMachine(id, spec.name(), guest, spec.powerState(), spec.cpuCount(),
                spec.coresPerSocket(), spec.memoryMib(), spec.bootType(), spec.hardwareVersion(), disks, nics,
                uuid("bios:" + id), uuid("instance:" + id)));
    }

    /** A UUID derived from {@code text}, so that the same world gives the same VMs. */
    private static String uuid(String text) {
        return UUID.nameUUIDFromBytes(text.getBytes(StandardCharsets.UTF_8)).toString();
    }

    private static SecurityGroupRule rule(String groupId, int index, boolean egress, SandboxWorld.RuleSpec rule,
                                          String cidr, String ipv6, String group, String prefixList) {
        return new SecurityGroupRule("sgr-0" + hash(groupId + "/" + index).substring(0, 16), egress,
                rule.ec2Protocol(), rule.from(), rule.to(), cidr, ipv6, group, prefixList, rule.description());
    }

    private static void checkId(String prefix, String id) {
        if (!id.startsWith(prefix + "-") || !EC2_ID.matcher(id).matches()) {
            throw new IllegalArgumentException("'" + id + "' is not a valid " + prefix
                    + " id (" + prefix + "- followed by 8 or 17 hex digits)");
        }
    }

    static String hash(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The canonical user id S3 shows for an account (64 hex digits). */
    static String canonicalUserId(String account) {
        return hash("canonical-user:" + account);
    }

    /** Checks that a file the seed names is there. */
    static void requireFile(String what, String path) {
        if (!Files.isRegularFile(Path.of(path))) {
            throw new IllegalArgumentException(what + ": disk_image " + path + " does not exist or is not a file");
        }
    }
}
