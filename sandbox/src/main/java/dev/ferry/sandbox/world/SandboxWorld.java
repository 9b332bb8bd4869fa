package dev.ferry.sandbox.world;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
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
 *                    security_groups, key_name, launch_time, root_device, product_codes, tags,
 *                    volumes: [{id, device, size_gib, type, iops, throughput, encrypted, kms_key_id,
 *                               delete_on_termination, disk_image: /path/to/raw, image_size: 32MiB}]}]
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
                               List<String> productCodes, Map<String, String> tags, List<VolumeSpec> volumes) {
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
            if (volumes.isEmpty()) {
                throw new IllegalArgumentException("instance " + id + ": needs at least one volume");
            }
        }
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record VolumeSpec(String id, String device, Integer sizeGib, String type, Integer iops, Integer throughput,
                             boolean encrypted, String kmsKeyId, Boolean deleteOnTermination, String diskImage,
                             String imageSize) {
        public VolumeSpec {
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
        ObjectMapper mapper = new ObjectMapper(new YAMLFactory())
                .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true);
        try {
            SandboxWorld world = mapper.readValue(Files.readString(file), SandboxWorld.class);
            if (world == null) {
                throw new IllegalArgumentException(file + ": the world file is empty");
            }
            return world;
        } catch (UnrecognizedPropertyException e) {
            throw new IllegalArgumentException(file + keyLocation(file, e.getPropertyName(), e.getLocation())
                    + ": unknown key '" + e.getPropertyName() + "'"
                    + suggestion(e.getPropertyName(), e.getKnownPropertyIds()), e);
        } catch (JsonMappingException e) {
            Throwable cause = e.getCause() instanceof IllegalArgumentException || e.getCause() instanceof NullPointerException
                    ? e.getCause() : e;
            String message = cause == e ? e.getOriginalMessage() : cause.getMessage();
            throw new IllegalArgumentException(file + where(e.getLocation()) + ": " + message, e);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(file + where(e.getLocation()) + ": " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read world file " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Where the unknown key itself is: the parser reports the position after its value, so the key is looked
     * up on that line and the lines before it.
     */
    private static String keyLocation(Path file, String key, JsonLocation reported) {
        try {
            List<String> lines = Files.readAllLines(file);
            int last = reported == null || reported.getLineNr() < 1 ? lines.size()
                    : Math.min(lines.size(), reported.getLineNr());
            Pattern asKey = Pattern.compile("^(\\s*(?:-\\s*)?)[\"']?" + Pattern.quote(key) + "[\"']?\\s*:");
            for (int i = last - 1; i >= 0; i--) {
                Matcher m = asKey.matcher(lines.get(i));
                if (m.find()) {
                    return ":" + (i + 1) + ":" + (m.group(1).length() + 1);
                }
            }
        } catch (IOException e) {
            // fall back to the parser's position
        }
        return where(reported);
    }

    private static String where(JsonLocation location) {
        if (location == null || location.getLineNr() < 0) {
            return "";
        }
        return ":" + location.getLineNr() + ":" + location.getColumnNr();
    }

    private static String suggestion(String unknown, Collection<Object> known) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        List<String> names = new ArrayList<>();
        for (Object k : known) {
            String name = String.valueOf(k);
            names.add(name);
            int d = distance(unknown, name);
            if (d < bestDistance) {
                bestDistance = d;
                best = name;
            }
        }
        if (best != null && bestDistance <= Math.max(2, unknown.length() / 3)) {
            return " (did you mean '" + best + "'?)";
        }
        names.sort(String::compareTo);
        return " (known keys: " + String.join(", ", names) + ")";
    }

    private static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                current[j] = Math.min(Math.min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }

    /** The world ferry's examples are written against (see the module README for the inventory). */
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

    public static SandboxWorld defaults() {
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
                        List.of(volume("vol-0a1b2c3d4e5f60001", "/dev/xvda", 5, false))),
                instance("i-0a1b2c3d4e5f67890", "web-02", "t3.medium", "10.0.1.16", "54.183.22.11",
                        "sg-0a1b2c3d4e5f60789", "ami-0abcdef1234567890", List.of(),
                        Map.of("Environment", "production", "Role", "web"),
                        List.of(volume("vol-0a1b2c3d4e5f60002", "/dev/xvda", 8, false))),
                instance("i-0b2c3d4e5f6789012", "db-01", "m5.large", "10.0.1.30", null,
                        "sg-0db0a1b2c3d4e5f60", "ami-0abcdef1234567890", List.of(),
                        Map.of("Environment", "production", "Role", "db"),
                        List.of(volume("vol-0b2c3d4e5f6700001", "/dev/xvda", 5, false),
                                volume("vol-0b2c3d4e5f6700002", "/dev/sdf", 20, false))),
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
        return new InstanceSpec(id, name, type, "x86_64", "Linux/UNIX", imageId, "subnet-0abc1234", privateIp,
                publicIp, List.of(group), "ops", "2024-11-02T09:30:00Z", "/dev/xvda", productCodes, tags, volumes);
    }

    private static VolumeSpec volume(String id, String device, int sizeGib, boolean encrypted) {
        return new VolumeSpec(id, device, sizeGib, "gp3", 3000, 125, encrypted,
                encrypted ? "arn:aws:kms:us-west-1:123456789012:key/1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d" : null,
                true, null, null);
    }
}
