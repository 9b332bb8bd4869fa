package dev.ferry.sandbox.world;

import dev.ferry.sandbox.AwsClients;
import dev.ferry.sandbox.Sandbox;
import dev.ferry.sandbox.SandboxException;
import dev.ferry.sandbox.TestSandboxes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.Instance;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SandboxWorldTest {

    @TempDir
    Path temp;

    @Test
    void theDefaultWorldIsTheOneFerrysExamplesUse() {
        SandboxWorld world = SandboxWorld.defaults();
        assertThat(world.account()).isEqualTo("123456789012");
        assertThat(world.region()).isEqualTo("us-west-1");
        assertThat(world.instances()).extracting(SandboxWorld.InstanceSpec::id).contains("i-0e1dc0292b0ae7293",
                "i-0a1b2c3d4e5f67890", "i-0b2c3d4e5f6789012", "i-0c3d4e5f678901234");
        assertThat(world.subnets()).extracting(SandboxWorld.SubnetSpec::id).contains("subnet-0abc1234");
        assertThat(world.securityGroups()).extracting(SandboxWorld.SecurityGroupSpec::id)
                .contains("sg-0a1b2c3d4e5f60789", "sg-0fedcba9876543210", "sg-0123456789abcdef0");
        assertThat(world.buckets()).isEmpty();
        assertThat(world.toString()).doesNotContain(world.secretAccessKey()).doesNotContain(world.linodeToken());
        try (Sandbox sandbox = TestSandboxes.start(0.01)) {
            assertThat(sandbox.world().s3().bucket("ec2-backup-images-for-migration")).isEmpty();
            assertThat(sandbox.world().ec2().instance("i-0e1dc0292b0ae7293").orElseThrow().name()).isEqualTo("web-01");
        }
    }

    @Test
    void readsAWorldFileWhoseVolumesPointAtExistingImages() throws Exception {
        Path disk = temp.resolve("app.raw");
        byte[] bytes = new byte[4 * 1024 * 1024];
        bytes[510] = 0x55;
        bytes[511] = (byte) 0xAA;
        Files.write(disk, bytes);
        Path file = temp.resolve("world.yaml");
        Files.writeString(file, """
                account: "111122223333"
                region: us-west-1
                vpcs: [{id: vpc-11112222, cidr: 10.9.0.0/16}]
                subnets: [{id: subnet-11112222, vpc: vpc-11112222, cidr: 10.9.1.0/24}]
                security_groups:
                  - id: sg-11112222
                    name: app
                    vpc: vpc-11112222
                    ingress: [{protocol: tcp, port: 443, cidrs: [0.0.0.0/0], description: HTTPS}]
                    egress: [{protocol: all, cidrs: [0.0.0.0/0]}]
                instances:
                  - id: i-11112222
                    name: app-01
                    type: m5.large
                    subnet: subnet-11112222
                    private_ip: 10.9.1.10
                    security_groups: [sg-11112222]
                    volumes: [{id: vol-11112222, device: /dev/xvda, size_gib: 50, disk_image: %s}]
                """.formatted(disk));
        try (Sandbox sandbox = Sandbox.start(TestSandboxes.options(0.01).worldFile(file).build());
             AwsClients clients = new AwsClients(sandbox);
             Ec2Client ec2 = clients.ec2()) {
            assertThat(sandbox.accountId()).isEqualTo("111122223333");
            Instance app = ec2.describeInstances().reservations().get(0).instances().get(0);
            assertThat(app.instanceId()).isEqualTo("i-11112222");
            assertThat(app.instanceTypeAsString()).isEqualTo("m5.large");
            assertThat(ec2.describeVolumes().volumes().get(0).size()).isEqualTo(50);
            assertThat(sandbox.world().ec2().rootDiskImage("i-11112222")).isEqualTo(disk);
            assertThat(ec2.describeSecurityGroups().securityGroups().get(0).ipPermissions().get(0).fromPort())
                    .isEqualTo(443);
        }
    }

    @Test
    void namesTheFileLineAndKeyOfAMistake() throws Exception {
        Path file = temp.resolve("typo.yaml");
        Files.writeString(file, "account: \"123456789012\"\nregoin: us-west-1\n");
        assertThatThrownBy(() -> Sandbox.start(TestSandboxes.options(0.01).worldFile(file).build()))
                .isInstanceOf(SandboxException.class)
                .hasMessageContaining("typo.yaml:2:")
                .hasMessageContaining("unknown key 'regoin'")
                .hasMessageContaining("did you mean 'region'");
    }

    @Test
    void refusesAWorldThatRefersToWhatItDoesNotHave() throws Exception {
        Path file = temp.resolve("dangling.yaml");
        Files.writeString(file, """
                instances:
                  - id: i-0aaaaaaaaaaaaaaaa
                    type: t3.medium
                    subnet: subnet-0bbbbbbb
                    private_ip: 10.0.0.5
                    volumes: [{id: vol-0aaaaaaaaaaaaaaaa, device: /dev/xvda, size_gib: 8}]
                """);
        assertThatThrownBy(() -> Sandbox.start(TestSandboxes.options(0.01).worldFile(file).build()))
                .isInstanceOf(SandboxException.class)
                .hasMessageContaining("i-0aaaaaaaaaaaaaaaa").hasMessageContaining("subnet-0bbbbbbb");

        Path missingDisk = temp.resolve("missing-disk.yaml");
        Files.writeString(missingDisk, """
                vpcs: [{id: vpc-11112222, cidr: 10.9.0.0/16}]
                subnets: [{id: subnet-11112222, vpc: vpc-11112222, cidr: 10.9.1.0/24}]
                instances:
                  - id: i-11112222
                    type: t3.medium
                    subnet: subnet-11112222
                    private_ip: 10.9.1.10
                    volumes: [{id: vol-11112222, device: /dev/xvda, size_gib: 8, disk_image: /nowhere/disk.raw}]
                """);
        assertThatThrownBy(() -> Sandbox.start(TestSandboxes.options(0.01).worldFile(missingDisk).build()))
                .isInstanceOf(SandboxException.class).hasMessageContaining("/nowhere/disk.raw");
    }

    @Test
    void theDefaultWorldHasTheVcenterVmsOfJourneyB() {
        SandboxWorld world = SandboxWorld.defaults();
        assertThat(world.vcenterUsername()).isEqualTo("administrator@vsphere.local");
        assertThat(world.toString()).doesNotContain(world.vcenterPassword());
        try (Sandbox sandbox = TestSandboxes.start(0.01)) {
            VirtualMachine app02 = sandbox.world().vcenter().vm("app-02").orElseThrow();
            assertThat(app02.id()).isEqualTo("vm-1002");
            assertThat(app02.guestOs().id()).isEqualTo("UBUNTU_64");
            assertThat(app02.powerState()).isEqualTo(VirtualMachine.POWERED_OFF);
            assertThat(app02.cpuCount()).isEqualTo(2);
            assertThat(app02.memoryMib()).isEqualTo(4096);
            assertThat(app02.bootType()).isEqualTo("BIOS");
            assertThat(app02.disks()).singleElement().satisfies(d -> assertThat(d.capacityBytes()).isEqualTo(8L << 30));
            assertThat(sandbox.world().vcenter().vms()).extracting(VirtualMachine::powerState).contains(VirtualMachine.POWERED_ON);
            assertThat(sandbox.world().vcenter().vm("vm-1004").orElseThrow().disks()).hasSize(2);
        }
    }

    @Test
    void aWorldFileDeclaresVmsAndItsMistakesAreNamed() throws Exception {
        Path file = temp.resolve("vms.yaml");
        Files.writeString(file, """
                vcenter_username: ops@corp.local
                vms:
                  - name: api-01
                    guest_os: debian_12_64
                    power_state: powered_on
                    cpu_count: 4
                    cores_per_socket: 2
                    memory_mib: 6144
                    disks: [{capacity_gib: 20, image_size: 8MiB}]
                    nics: [{network: prod, mac_address: "00:50:56:AA:BB:CC"}]
                  - {id: vm-77, name: api-01, disks: [{capacity_gib: 4, image_size: 4MiB}]}
                """);
        try (Sandbox sandbox = Sandbox.start(TestSandboxes.options(0.01).worldFile(file).build())) {
            assertThat(sandbox.vcenterUsername()).isEqualTo("ops@corp.local");
            assertThat(sandbox.world().vcenter().vms()).extracting(VirtualMachine::id).containsExactly("vm-1001", "vm-77");
            VirtualMachine api = sandbox.world().vcenter().vm("vm-1001").orElseThrow();
            assertThat(api.guestOs().id()).isEqualTo("DEBIAN_12_64");
            assertThat(api.powerState()).isEqualTo(VirtualMachine.POWERED_ON);
            assertThat(api.nics().get(0).macAddress()).isEqualTo("00:50:56:aa:bb:cc");
            assertThat(api.nics().get(0).networkName()).isEqualTo("prod");
            assertThatThrownBy(() -> sandbox.world().vcenter().vm("api-01")).as("two VMs share the name")
                    .hasMessageContaining("vm-1001").hasMessageContaining("vm-77");
        }

        Path unknownGuest = temp.resolve("guest.yaml");
        Files.writeString(unknownGuest, "vms: [{name: x, guest_os: BEOS_64, disks: [{capacity_gib: 1}]}]\n");
        assertThatThrownBy(() -> Sandbox.start(TestSandboxes.options(0.01).worldFile(unknownGuest).build()))
                .isInstanceOf(SandboxException.class).hasMessageContaining("guest.yaml:1:")
                .hasMessageContaining("BEOS_64").hasMessageContaining("UBUNTU_64");

        Path typo = temp.resolve("typo.yaml");
        Files.writeString(typo, "vms:\n  - name: x\n    memory_mb: 2048\n    disks: [{capacity_gib: 1}]\n");
        assertThatThrownBy(() -> Sandbox.start(TestSandboxes.options(0.01).worldFile(typo).build()))
                .isInstanceOf(SandboxException.class).hasMessageContaining("typo.yaml:3:")
                .hasMessageContaining("did you mean 'memory_mib'");

        Path tooBig = temp.resolve("big.yaml");
        Files.writeString(tooBig, "vms: [{name: x, disks: [{capacity_gib: 1, image_size: 2GiB}]}]\n");
        assertThatThrownBy(() -> Sandbox.start(TestSandboxes.options(0.01).worldFile(tooBig).build()))
                .isInstanceOf(SandboxException.class).hasMessageContaining("exceeds capacity_gib");
    }
}
