package dev.ferry.sandbox.world;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static java.util.Objects.requireNonNull;

/**
 * The starting world: account, credentials, the EC2 estate (VPCs, subnets, security groups, instances
 * with volumes), optional S3 buckets, catalogue overrides, and the vCenter's virtual machines. Read from YAML or JSON with
 * {@link #load(Path)}, or {@link #defaults()} for the one ferry's examples use.
 *
 * <p>File format (keys in snake_case, unknown keys are errors):
 * <pre>
 * account: "123456789012"
 * region: us-west-1
 * access_key_id: AKIASANDBOX000000001
 * secret_access_key: ...
 * linode_token: ...
 * vcenter_username: administrator@vsphere.local
 * vcenter_password: ...
 * vpcs:            [{id, cidr, default, tags}]
 * subnets:         [{id, vpc, cidr, availability_zone, tags}]
 * security_groups: [{id, name, description, vpc, tags, ingress: [RULE], egress: [RULE]}]
 *   RULE: {protocol: tcp|udp|icmp|all, port | from_port + to_port, cidrs, ipv6_cidrs, groups, prefix_lists, description}
 * public_images:   [{id, name, owner, architecture, product_codes}]
 * instances:       [{id, name, type, architecture, platform, image_id, subnet, private_ip, public_ip,
 *                    security_groups, key_name, launch_time, root_device, product_codes, tags, services: [22, 443],
 *                    volumes: [{id, device, size_gib, type, iops, throughput, encrypted, kms_key_id,
 *                               delete_on_termination, disk_image: /path/to/raw, image_size: 32MiB,
 *                               layout: ubuntu-gpt}]}]
 *   services: the TCP ports the machine's disk serves (a tiny HTTP server answers 200 at / and /health on each);
 *   they answer through the sandbox's SOCKS5 proxy where the security groups let the operator (203.0.113.10) in, and
 *   so do machines made from such disks, behind their Cloud Firewall or security groups
 *   layout ubuntu-gpt: a root volume laid out like an Ubuntu AMI (GPT, BIOS boot, ESP, ext4), stored sparse,
 *   as large as the volume unless image_size says otherwise
 * buckets:         [{name, region, object_ownership}]
 * vms:             [{id, name, guest_os, power_state, cpu_count, cores_per_socket, memory_mib, boot_type,
 *                    hardware_version, disks: [{capacity_gib, image_size: 32MiB, disk_image: /path/to/raw}],
 *                    nics: [{network, type, mac_address}]}]
 * </pre>
 * A VM's disk content is generated like an instance volume's (its first disk holds the guest's
 * {@code /etc/os-release}), or read from {@code disk_image}; it may be smaller than the capacity, the rest
 * reading as zeros.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record SandboxWorld(
        String account,
        String region,
        String accessKeyId,
        String secretAccessKey,
        String linodeToken,
        String vcenterUsername,
        String vcenterPassword,
        List<VpcSpec> vpcs,
        List<SubnetSpec> subnets,
        List<SecurityGroupSpec> securityGroups,
        List<PublicImageSpec> publicImages,
        List<InstanceSpec> instances,
        List<BucketSpec> buckets,
        List<VmSpec> vms) {

    public static final String DEFAULT_ACCOUNT = "123456789012";
    public static final String DEFAULT_REGION = "us-west-1";
    public static final String DEFAULT_ACCESS_KEY_ID = "AKIASANDBOX000000001";
    public static final String DEFAULT_SECRET_ACCESS_KEY = "sandboxSecretKey/ferry/0000000000000000000";
    public static final String DEFAULT_LINODE_TOKEN = "ferry-sandbox-linode-token-0000000000000000000000000000";
    public static final String DEFAULT_VCENTER_USERNAME = "administrator@vsphere.local";
    public static final String DEFAULT_VCENTER_PASSWORD = "Sandbox-vCenter-0000!";

    public SandboxWorld {
        account = account == null ? DEFAULT_ACCOUNT : account;
        region = region == null ? DEFAULT_REGION : region;
        accessKeyId = accessKeyId == null ? DEFAULT_ACCESS_KEY_ID : accessKeyId;
        secretAccessKey = secretAccessKey == null ? DEFAULT_SECRET_ACCESS_KEY : secretAccessKey;
        linodeToken = linodeToken == null ? DEFAULT_LINODE_TOKEN : linodeToken;
        vcenterUsername = vcenterUsername == null ? DEFAULT_VCENTER_USERNAME : vcenterUsername;
        vcenterPassword = vcenterPassword == null ? DEFAULT_VCENTER_PASSWORD : vcenterPassword;
        vpcs = copy(vpcs);
        subnets = copy(subnets);
        securityGroups = copy(securityGroups);
        publicImages = copy(publicImages);
        instances = copy(instances);
        buckets = copy(buckets);
        vms = copy(vms);
        if (!account.matches("\\d{12}")) {
            throw new IllegalArgumentException("account must be 12 digits, was '" + account + "'");
        }
    }

    private static <T> List<T> copy(List<T> list) {
        return list == null ? List.of() : List.copyOf(list);
    }

    /**
     * An Ubuntu instance with a realistic root volume: 8 GiB gp3 laid out like an Ubuntu AMI (GPT, BIOS boot,
     * EFI system partition, ext4 root) with some 25 MiB written, stored sparse and built on first use. Not in
     * the default world; add it with {@link #withInstance}.
     */
    public static InstanceSpec ubuntuInstance() {
        return new InstanceSpec("i-0ab1c2d3e4f5a6b7c", "ubuntu-01", "t3.medium", "x86_64", "Linux/UNIX",
                "ami-0abcdef1234567890", "subnet-0abc1234", "10.0.1.80", null, List.of("sg-0a1b2c3d4e5f60789"), "ops",
                "2025-06-02T09:30:00Z", "/dev/sda1", List.of(), Map.of("Environment", "production", "Role", "web"),
                List.of(new VolumeSpec("vol-0ab1c2d3e4f5a6b7c", "/dev/sda1", 8, "gp3", 3000, 125, false, null, true,
                        null, null, GeneratedDisk.UBUNTU_GPT)));
    }

    /** This world with one more EC2 instance (after the others). */
    public SandboxWorld withInstance(InstanceSpec instance) {
        List<InstanceSpec> all = new java.util.ArrayList<>(instances);
        all.add(requireNonNull(instance, "instance is null"));
        return new SandboxWorld(account, region, accessKeyId, secretAccessKey, linodeToken, vcenterUsername,
                vcenterPassword, vpcs, subnets, securityGroups, publicImages, all, buckets, vms);
    }

    /** Secrets are not shown. */
    @Override
    public String toString() {
        return "SandboxWorld[account=" + account + ", region=" + region + ", accessKeyId=" + accessKeyId
                + ", instances=" + instances.size() + ", securityGroups=" + securityGroups.size() + ", vms=" + vms.size()
                + "]";
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record VpcSpec(String id, String cidr, @JsonProperty("default") boolean isDefault,
                          Map<String, String> tags) {
        public VpcSpec {
            requireNonNull(id, "vpc id is missing");
            requireNonNull(cidr, "vpc " + id + ": cidr is missing");
            tags = tags == null ? Map.of() : Map.copyOf(tags);
        }
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record SubnetSpec(String id, String vpc, String cidr, String availabilityZone, Map<String, String> tags) {
        public SubnetSpec {
            requireNonNull(id, "subnet id is missing");
            requireNonNull(vpc, "subnet " + id + ": vpc is missing");
            requireNonNull(cidr, "subnet " + id + ": cidr is missing");
            tags = tags == null ? Map.of() : Map.copyOf(tags);
        }
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record SecurityGroupSpec(String id, String name, String description, String vpc, Map<String, String> tags,
                                    List<RuleSpec> ingress, List<RuleSpec> egress) {
        public SecurityGroupSpec {
            requireNonNull(id, "security group id is missing");
            requireNonNull(name, "security group " + id + ": name is missing");
            requireNonNull(vpc, "security group " + id + ": vpc is missing");
            description = description == null ? name : description;
            tags = tags == null ? Map.of() : Map.copyOf(tags);
            ingress = copy(ingress);
            egress = copy(egress);
        }
    }

    /**
     * A security group rule in the file: one protocol and port range from (or to) any number of
     * sources; each source becomes one rule as AWS reports them.
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record RuleSpec(String protocol, Integer port, Integer fromPort, Integer toPort, List<String> cidrs,
                           List<String> ipv6Cidrs, List<String> groups, List<String> prefixLists,
                           String description) {
        public RuleSpec {
            protocol = protocol == null ? "all" : protocol.toLowerCase(Locale.ROOT);
            cidrs = copy(cidrs);
            ipv6Cidrs = copy(ipv6Cidrs);
            groups = copy(groups);
            prefixLists = copy(prefixLists);
        }

        /** The protocol as EC2 writes it: {@code tcp}, {@code udp}, {@code icmp}, or {@code -1}. */
        public String ec2Protocol() {
            return switch (protocol) {
                case "all", "-1" -> "-1";
                default -> protocol;
            };
        }

        public int from() {
            if (ec2Protocol().equals("-1")) {
                return -1;
            }
            return port != null ? port : fromPort != null ? fromPort : -1;
        }

        public int to() {
            if (ec2Protocol().equals("-1")) {
                return -1;
            }
            return port != null ? port : toPort != null ? toPort : -1;
        }
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record PublicImageSpec(String id, String name, String owner, String architecture,
                                  List<String> productCodes) {
        public PublicImageSpec {
            requireNonNull(id, "public image id is missing");
            name = name == null ? id : name;
            owner = owner == null ? "137112412989" : owner;
            architecture = architecture == null ? "x86_64" : architecture;
            productCodes = copy(productCodes);
        }
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record InstanceSpec(String id, String name, String type, String architecture, String platform,
                               String imageId, String subnet, String privateIp, String publicIp,
                               List<String> securityGroups, String keyName, String launchTime, String rootDevice,
                               List<String> productCodes, Map<String, String> tags, List<VolumeSpec> volumes,
                               List<Integer> services) {

        /** An instance that serves nothing ferry can probe. */
        public InstanceSpec(String id, String name, String type, String architecture, String platform,
                            String imageId, String subnet, String privateIp, String publicIp,
                            List<String> securityGroups, String keyName, String launchTime, String rootDevice,
                            List<String> productCodes, Map<String, String> tags, List<VolumeSpec> volumes) {
            this(id, name, type, architecture, platform, imageId, subnet, privateIp, publicIp, securityGroups, keyName,
                    launchTime, rootDevice, productCodes, tags, volumes, null);
        }

        public InstanceSpec {
            requireNonNull(id, "instance id is missing");
            requireNonNull(type, "instance " + id + ": type is missing");
            requireNonNull(subnet, "instance " + id + ": subnet is missing");
            requireNonNull(privateIp, "instance " + id + ": private_ip is missing");
            architecture = architecture == null ? "x86_64" : architecture;
            platform = platform == null ? "Linux/UNIX" : platform;
            imageId = imageId == null ? "ami-0abcdef1234567890" : imageId;
            securityGroups = copy(securityGroups);
            rootDevice = rootDevice == null ? "/dev/xvda" : rootDevice;
            productCodes = copy(productCodes);
            tags = tags == null ? Map.of() : Map.copyOf(tags);
            volumes = copy(volumes);
            services = copy(services);
            if (services.stream().anyMatch(port -> port < 1 || port > 65535)) {
                throw new IllegalArgumentException("instance " + id + ": services must be TCP ports from 1 to 65535");
            }
            if (volumes.isEmpty()) {
                throw new IllegalArgumentException("instance " + id + ": needs at least one volume");
            }
        }
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record VolumeSpec(String id, String device, Integer sizeGib, String type, Integer iops, Integer throughput,
                             boolean encrypted, String kmsKeyId, Boolean deleteOnTermination, String diskImage,
                             String imageSize, String layout) {

        public VolumeSpec(String id, String device, Integer sizeGib, String type, Integer iops, Integer throughput,
                          boolean encrypted, String kmsKeyId, Boolean deleteOnTermination, String diskImage,
                          String imageSize) {
            this(id, device, sizeGib, type, iops, throughput, encrypted, kmsKeyId, deleteOnTermination, diskImage,
                    imageSize, null);
        }

        public VolumeSpec {
            if (layout != null && !layout.equals(GeneratedDisk.UBUNTU_GPT)) {
                throw new IllegalArgumentException("volume " + id + ": layout must be " + GeneratedDisk.UBUNTU_GPT);
            }
            if (layout != null && diskImage != null) {
                throw new IllegalArgumentException("volume " + id + ": give layout or disk_image, not both");
            }
            requireNonNull(id, "volume id is missing");
            requireNonNull(device, "volume " + id + ": device is missing");
            requireNonNull(sizeGib, "volume " + id + ": size_gib is missing");
            type = type == null ? "gp3" : type;
            deleteOnTermination = deleteOnTermination == null ? Boolean.TRUE : deleteOnTermination;
            if (imageSize != null) {
                parseSize(imageSize);
            }
        }

        /** The generated image size in bytes, or null for the sandbox's default. */
        public Long imageBytes() {
            return imageSize == null ? null : parseSize(imageSize);
        }
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record BucketSpec(String name, String region, String objectOwnership) {
        public BucketSpec {
            requireNonNull(name, "bucket name is missing");
            objectOwnership = objectOwnership == null ? "BucketOwnerEnforced" : objectOwnership;
        }
    }

    /**
     * A vCenter virtual machine. Defaults: id {@code vm-<1001 + its place in the list>}, guest
     * {@code OTHER_LINUX_64}, {@code POWERED_OFF}, 1 CPU with 1 core per socket, 1024 MiB, {@code BIOS},
     * {@code VMX_19}, one adapter on "VM Network".
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record VmSpec(String id, String name, String guestOs, String powerState, Integer cpuCount,
                         Integer coresPerSocket, Integer memoryMib, String bootType, String hardwareVersion,
                         List<VmDiskSpec> disks, List<VmNicSpec> nics) {
        public VmSpec {
            requireNonNull(name, "vm name is missing");
            String where = "vm " + (id == null ? name : id);
            if (id != null && !id.matches("vm-\\d+")) {
                throw new IllegalArgumentException(where + ": id must be vm- followed by digits (vm-1002)");
            }
            guestOs = guestOs == null ? "OTHER_LINUX_64" : guestOs.toUpperCase(Locale.ROOT);
            if (GuestOs.byId(guestOs).isEmpty()) {
                throw new IllegalArgumentException(where + ": guest_os " + guestOs + " is not one the sandbox knows ("
                        + String.join(", ", GuestOs.ids()) + ")");
            }
            powerState = powerState == null ? VirtualMachine.POWERED_OFF : powerState.toUpperCase(Locale.ROOT);
            if (!VirtualMachine.POWER_STATES.contains(powerState)) {
                throw new IllegalArgumentException(where + ": power_state must be POWERED_ON, POWERED_OFF or "
                        + "SUSPENDED, was " + powerState);
            }
            cpuCount = cpuCount == null ? 1 : cpuCount;
            coresPerSocket = coresPerSocket == null ? 1 : coresPerSocket;
            if (cpuCount < 1 || coresPerSocket < 1 || cpuCount % coresPerSocket != 0) {
                throw new IllegalArgumentException(where + ": cpu_count must be a positive multiple of "
                        + "cores_per_socket");
            }
            memoryMib = memoryMib == null ? 1024 : memoryMib;
            if (memoryMib < 4 || memoryMib % 4 != 0) {
                throw new IllegalArgumentException(where + ": memory_mib must be a positive multiple of 4");
            }
            bootType = bootType == null ? "BIOS" : bootType.toUpperCase(Locale.ROOT);
            if (!bootType.equals("BIOS") && !bootType.equals("EFI")) {
                throw new IllegalArgumentException(where + ": boot_type must be BIOS or EFI, was " + bootType);
            }
            hardwareVersion = hardwareVersion == null ? "VMX_19" : hardwareVersion.toUpperCase(Locale.ROOT);
            if (!hardwareVersion.matches("VMX_\\d\\d")) {
                throw new IllegalArgumentException(where + ": hardware_version must look like VMX_19, was "
                        + hardwareVersion);
            }
            disks = copy(disks);
            if (disks.isEmpty()) {
                throw new IllegalArgumentException(where + ": needs at least one disk");
            }
            nics = nics == null ? List.of(new VmNicSpec(null, null, null)) : List.copyOf(nics);
        }
    }

    /** A VM's virtual disk: its capacity, and optionally the size of its generated content or a raw file. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record VmDiskSpec(Integer capacityGib, String imageSize, String diskImage) {
        public VmDiskSpec {
            requireNonNull(capacityGib, "vm disk: capacity_gib is missing");
            if (capacityGib < 1) {
                throw new IllegalArgumentException("vm disk: capacity_gib must be at least 1, was " + capacityGib);
            }
            if (imageSize != null) {
                long bytes = parseSize(imageSize);
                if (bytes > (long) capacityGib << 30) {
                    throw new IllegalArgumentException("vm disk: image_size " + imageSize + " exceeds capacity_gib "
                            + capacityGib);
                }
            }
            if (imageSize != null && diskImage != null) {
                throw new IllegalArgumentException("vm disk: give image_size or disk_image, not both");
            }
        }

        /** The generated content's size in bytes, or null for the sandbox's default. */
        public Long imageBytes() {
            return imageSize == null ? null : parseSize(imageSize);
        }
    }

    /** A VM's network adapter: port group (default "VM Network"), type (default VMXNET3), MAC (default derived). */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record VmNicSpec(String network, String type, String macAddress) {
        public VmNicSpec {
            network = network == null ? "VM Network" : network;
            type = type == null ? "VMXNET3" : type.toUpperCase(Locale.ROOT);
            if (!List.of("VMXNET3", "VMXNET2", "VMXNET", "E1000", "E1000E", "PCNET32").contains(type)) {
                throw new IllegalArgumentException("vm nic: type must be VMXNET3, VMXNET2, VMXNET, E1000, E1000E or "
                        + "PCNET32, was " + type);
            }
            if (macAddress != null && !macAddress.matches("(?i)([0-9a-f]{2}:){5}[0-9a-f]{2}")) {
                throw new IllegalArgumentException("vm nic: mac_address must look like 00:50:56:a1:00:01, was "
                        + macAddress);
            }
        }
    }

    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(B|KiB|MiB|GiB|K|M|G)?", Pattern.CASE_INSENSITIVE);

    /** {@code 32MiB}, {@code 2GiB}, {@code 1048576}. */
    public static long parseSize(String text) {
        Matcher m = SIZE.matcher(text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a size (e.g. 32MiB, 2GiB)");
        }
        long amount = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "b" : m.group(2).toLowerCase(Locale.ROOT);
        return switch (unit) {
            case "kib", "k" -> amount * 1024;
            case "mib", "m" -> amount * 1024 * 1024;
            case "gib", "g" -> amount * 1024 * 1024 * 1024;
            default -> amount;
        };
    }

    /**
     * Reads a world file (YAML, or JSON which is YAML too).
     *
     * @throws IllegalArgumentException naming the file, line and column, and what to change
     */
    public static SandboxWorld load(Path file) {
        return WorldFileReader.load(file);
    }

    /** This world with other EC2 instances (tests that need many). */
    public SandboxWorld withInstances(List<InstanceSpec> replacement) {
        return new SandboxWorld(account, region, accessKeyId, secretAccessKey, linodeToken, vcenterUsername, vcenterPassword, vpcs,
                subnets, securityGroups, publicImages, replacement, buckets, vms);
    }

    /** This world with other pre-existing buckets. */
    public SandboxWorld withBuckets(List<BucketSpec> replacement) {
        return new SandboxWorld(account, region, accessKeyId, secretAccessKey, linodeToken, vcenterUsername, vcenterPassword, vpcs,
                subnets, securityGroups, publicImages, instances, replacement, vms);
    }

    /** This world with other vCenter VMs. */
    public SandboxWorld withVms(List<VmSpec> replacement) {
        return new SandboxWorld(account, region, accessKeyId, secretAccessKey, linodeToken, vcenterUsername, vcenterPassword, vpcs,
                subnets, securityGroups, publicImages, instances, buckets, replacement);
    }

    /** The world ferry's examples are written against (see the module README for the inventory). */
    public static SandboxWorld defaults() {
        return DefaultWorld.world();
    }
}
