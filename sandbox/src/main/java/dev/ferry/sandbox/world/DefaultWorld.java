package dev.ferry.sandbox.world;

import dev.ferry.sandbox.world.SandboxWorld.InstanceSpec;
import dev.ferry.sandbox.world.SandboxWorld.PublicImageSpec;
import dev.ferry.sandbox.world.SandboxWorld.RuleSpec;
import dev.ferry.sandbox.world.SandboxWorld.SecurityGroupSpec;
import dev.ferry.sandbox.world.SandboxWorld.SubnetSpec;
import dev.ferry.sandbox.world.SandboxWorld.VmDiskSpec;
import dev.ferry.sandbox.world.SandboxWorld.VmSpec;
import dev.ferry.sandbox.world.SandboxWorld.VolumeSpec;
import dev.ferry.sandbox.world.SandboxWorld.VpcSpec;

import java.util.List;
import java.util.Map;

import static dev.ferry.sandbox.world.SandboxWorld.DEFAULT_ACCESS_KEY_ID;
import static dev.ferry.sandbox.world.SandboxWorld.DEFAULT_ACCOUNT;
import static dev.ferry.sandbox.world.SandboxWorld.DEFAULT_LINODE_TOKEN;
import static dev.ferry.sandbox.world.SandboxWorld.DEFAULT_REGION;
import static dev.ferry.sandbox.world.SandboxWorld.DEFAULT_SECRET_ACCESS_KEY;
import static dev.ferry.sandbox.world.SandboxWorld.DEFAULT_VCENTER_PASSWORD;
import static dev.ferry.sandbox.world.SandboxWorld.DEFAULT_VCENTER_USERNAME;

/** The world ferry's examples are written against (see the module README for the inventory). */
final class DefaultWorld {

    private DefaultWorld() {
    }

    static SandboxWorld world() {
        String mainVpc = "vpc-0abc1234def567890";
        String otherVpc = "vpc-0def4567abc890123";
        List<VpcSpec> vpcs = List.of(
                new VpcSpec(mainVpc, "10.0.0.0/16", false, Map.of("Name", "main")),
                new VpcSpec(otherVpc, "172.31.0.0/16", true, Map.of("Name", "default")));
        List<SubnetSpec> subnets = List.of(
                new SubnetSpec("subnet-0abc1234", mainVpc, "10.0.1.0/24", "us-west-1a", Map.of("Name", "app-a")),
                new SubnetSpec("subnet-0abc5678", mainVpc, "10.0.2.0/24", "us-west-1c", Map.of("Name", "app-c")),
                new SubnetSpec("subnet-0def5678", otherVpc, "172.31.0.0/20", "us-west-1a",
                        Map.of("Name", "default-a")));
        RuleSpec allOut = new RuleSpec("all", null, null, null, List.of("0.0.0.0/0"), List.of("::/0"), null, null,
                null);
        List<SecurityGroupSpec> groups = List.of(
                new SecurityGroupSpec("sg-0a1b2c3d4e5f60789", "web", "Web servers", mainVpc, Map.of("Name", "web"),
                        List.of(
                                new RuleSpec("tcp", 22, null, null, List.of("203.0.113.0/24"), null, null, null,
                                        "SSH from the office"),
                                new RuleSpec("tcp", 80, null, null, List.of("0.0.0.0/0"), List.of("::/0"), null, null,
                                        "HTTP"),
                                new RuleSpec("tcp", 443, null, null, List.of("0.0.0.0/0"), List.of("::/0"), null, null,
                                        "HTTPS"),
                                new RuleSpec("icmp", null, 8, -1, List.of("0.0.0.0/0"), null, null, null,
                                        "ping"),
                                new RuleSpec("tcp", 8080, null, null, null, null, List.of("sg-0fedcba9876543210"),
                                        null, "app port from the load balancer")),
                        List.of(allOut)),
                new SecurityGroupSpec("sg-0fedcba9876543210", "lb", "Load balancer", mainVpc, Map.of("Name", "lb"),
                        List.of(new RuleSpec("tcp", 443, null, null, List.of("0.0.0.0/0"), List.of("::/0"), null,
                                null, null)),
                        List.of(allOut)),
                new SecurityGroupSpec("sg-0123456789abcdef0", "app", "Application servers", mainVpc,
                        Map.of("Name", "app"),
                        List.of(new RuleSpec("tcp", 22, null, null, List.of("10.0.0.0/16"), null, null, null,
                                        "SSH from the VPC"),
                                new RuleSpec("tcp", 8080, null, null, null, null, List.of("sg-0fedcba9876543210"),
                                        null, null)),
                        List.of(allOut)),
                new SecurityGroupSpec("sg-0db0a1b2c3d4e5f60", "db", "Databases", mainVpc, Map.of("Name", "db"),
                        List.of(new RuleSpec("tcp", 5432, null, null, null, null,
                                List.of("sg-0a1b2c3d4e5f60789", "sg-0123456789abcdef0"), null, "PostgreSQL")),
                        List.of(allOut)),
                new SecurityGroupSpec("sg-0c0ffee0c0ffee000", "cache", "Caches", mainVpc, Map.of("Name", "cache"),
                        List.of(new RuleSpec("tcp", null, 6379, 6380, List.of("10.0.0.0/16"), null, null, null,
                                "Redis")),
                        List.of(allOut)),
                new SecurityGroupSpec("sg-0999888877776666f", "default", "default VPC security group", otherVpc,
                        Map.of(), List.of(), List.of(allOut)));
        List<PublicImageSpec> publicImages = List.of(
                new PublicImageSpec("ami-0abcdef1234567890", "amzn2-ami-kernel-5.10-hvm-2.0.20241113.1-x86_64-gp2",
                        "137112412989", "x86_64", List.of()),
                new PublicImageSpec("ami-0fa1b2c3d4e5f6a7b", "vendor-appliance-7.2-x86_64", "679593333241",
                        "x86_64", List.of("aw0evgkw8e5c1q413zgy5pjce")));
        List<InstanceSpec> instances = List.of(
                instance("i-0e1dc0292b0ae7293", "web-01", "t3.medium", "10.0.1.15", "54.183.22.10",
                        "sg-0a1b2c3d4e5f60789", "ami-0abcdef1234567890", List.of(),
                        Map.of("Environment", "production", "Role", "web"),
                        List.of(volume("vol-0a1b2c3d4e5f60001", "/dev/xvda", 5, false)), List.of(22, 80, 443, 8080)),
                instance("i-0a1b2c3d4e5f67890", "web-02", "t3.medium", "10.0.1.16", "54.183.22.11",
                        "sg-0a1b2c3d4e5f60789", "ami-0abcdef1234567890", List.of(),
                        Map.of("Environment", "production", "Role", "web"),
                        // laid out like a real AMI (GPT, BIOS boot code): over Linode's image limit, it takes the disk road
                        List.of(bootableVolume("vol-0a1b2c3d4e5f60002", "/dev/xvda", 8)), List.of(22, 80, 443)),
                instance("i-0b2c3d4e5f6789012", "db-01", "m5.large", "10.0.1.30", null,
                        "sg-0db0a1b2c3d4e5f60", "ami-0abcdef1234567890", List.of(),
                        Map.of("Environment", "production", "Role", "db"),
                        List.of(volume("vol-0b2c3d4e5f6700001", "/dev/xvda", 5, false),
                                volume("vol-0b2c3d4e5f6700002", "/dev/sdf", 20, false)), List.of(22, 5432)),
                instance("i-0c3d4e5f678901234", "cache-01", "r5.large", "10.0.1.40", null,
                        "sg-0c0ffee0c0ffee000", "ami-0abcdef1234567890", List.of(),
                        Map.of("Environment", "production", "Role", "cache"),
                        List.of(volume("vol-0c3d4e5f678000001", "/dev/xvda", 8, false))),
                instance("i-0d4e5f67890123456", "vault-01", "t3.small", "10.0.1.50", null,
                        "sg-0123456789abcdef0", "ami-0abcdef1234567890", List.of(),
                        Map.of("Environment", "production", "Role", "secrets"),
                        List.of(volume("vol-0d4e5f67890000001", "/dev/xvda", 8, true))),
                instance("i-0e5f6789012345678", "vendor-01", "t3.medium", "10.0.1.60", "54.183.22.12",
                        "sg-0123456789abcdef0", "ami-0fa1b2c3d4e5f6a7b", List.of("aw0evgkw8e5c1q413zgy5pjce"),
                        Map.of("Environment", "production", "Role", "appliance"),
                        List.of(volume("vol-0e5f6789012000001", "/dev/xvda", 8, false))),
                instance("i-0f6789012345678ab", "archive-01", "m5.xlarge", "10.0.1.70", null,
                        "sg-0123456789abcdef0", "ami-0abcdef1234567890", List.of(),
                        Map.of("Environment", "production", "Role", "archive"),
                        List.of(volume("vol-0f678901234500001", "/dev/xvda", 100, false))));
        List<VmSpec> vms = List.of(
                new VmSpec("vm-1002", "app-02", "UBUNTU_64", VirtualMachine.POWERED_OFF, 2, 1, 4096, "BIOS", "VMX_19",
                        List.of(new VmDiskSpec(8, null, null)), null),
                new VmSpec("vm-1003", "app-03", "RHEL_8_64", VirtualMachine.POWERED_ON, 4, 2, 8192, "EFI", "VMX_19",
                        List.of(new VmDiskSpec(16, null, null)), null),
                new VmSpec("vm-1004", "db-02", "DEBIAN_11_64", VirtualMachine.POWERED_OFF, 2, 1, 8192, "BIOS",
                        "VMX_17", List.of(new VmDiskSpec(10, null, null), new VmDiskSpec(50, "8MiB", null)), null));
        return new SandboxWorld(DEFAULT_ACCOUNT, DEFAULT_REGION, DEFAULT_ACCESS_KEY_ID, DEFAULT_SECRET_ACCESS_KEY,
                DEFAULT_LINODE_TOKEN, DEFAULT_VCENTER_USERNAME, DEFAULT_VCENTER_PASSWORD, vpcs, subnets, groups,
                publicImages, instances, List.of(), vms);
    }

    private static InstanceSpec instance(String id, String name, String type, String privateIp, String publicIp,
                                         String group, String imageId, List<String> productCodes,
                                         Map<String, String> tags, List<VolumeSpec> volumes) {
        return instance(id, name, type, privateIp, publicIp, group, imageId, productCodes, tags, volumes, List.of(22));
    }

    private static InstanceSpec instance(String id, String name, String type, String privateIp, String publicIp,
                                         String group, String imageId, List<String> productCodes,
                                         Map<String, String> tags, List<VolumeSpec> volumes, List<Integer> services) {
        return new InstanceSpec(id, name, type, "x86_64", "Linux/UNIX", imageId, "subnet-0abc1234", privateIp,
                publicIp, List.of(group), "ops", "2024-11-02T09:30:00Z", "/dev/xvda", productCodes, tags, volumes,
                services);
    }

    /** A root volume laid out like an Ubuntu AMI ({@link GeneratedDisk#UBUNTU_GPT}), which boots by BIOS or UEFI. */
    private static VolumeSpec bootableVolume(String id, String device, int sizeGib) {
        return new VolumeSpec(id, device, sizeGib, "gp3", 3000, 125, false, null, true, null, null, GeneratedDisk.UBUNTU_GPT);
    }

    private static VolumeSpec volume(String id, String device, int sizeGib, boolean encrypted) {
        return new VolumeSpec(id, device, sizeGib, "gp3", 3000, 125, encrypted,
                encrypted ? "arn:aws:kms:us-west-1:123456789012:key/1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d" : null,
                true, null, null);
    }
}
