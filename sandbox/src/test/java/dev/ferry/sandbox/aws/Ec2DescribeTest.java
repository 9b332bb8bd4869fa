package dev.ferry.sandbox.aws;

import dev.ferry.sandbox.AwsClients;
import dev.ferry.sandbox.Sandbox;
import dev.ferry.sandbox.TestSandboxes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.DescribeInstanceTypesRequest;
import software.amazon.awssdk.services.ec2.model.DescribeInstancesResponse;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.InstanceTypeInfo;
import software.amazon.awssdk.services.ec2.model.IpPermission;
import software.amazon.awssdk.services.ec2.model.Reservation;
import software.amazon.awssdk.services.ec2.model.SecurityGroup;
import software.amazon.awssdk.services.ec2.model.SecurityGroupRule;
import software.amazon.awssdk.services.ec2.model.Tag;
import software.amazon.awssdk.services.ec2.model.TagDescription;
import software.amazon.awssdk.services.ec2.model.Volume;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class Ec2DescribeTest {

    private static Sandbox sandbox;
    private static AwsClients clients;
    private static Ec2Client ec2;

    @BeforeAll
    static void start() {
        sandbox = TestSandboxes.start(0.01);
        clients = new AwsClients(sandbox);
        ec2 = clients.ec2();
    }

    @AfterAll
    static void stop() {
        ec2.close();
        clients.close();
        sandbox.close();
    }

    private static Filter filter(String name, String... values) {
        return Filter.builder().name(name).values(values).build();
    }

    private static String errorCode(Throwable e) {
        return ((AwsServiceException) e).awsErrorDetails().errorCode();
    }

    @Test
    void describesTheSeededSourceInstanceWithItsNetworkAndDisk() {
        Instance web = ec2.describeInstances(r -> r.instanceIds("i-0e1dc0292b0ae7293"))
                .reservations().get(0).instances().get(0);

        assertThat(web.instanceTypeAsString()).isEqualTo("t3.medium");
        assertThat(web.architectureAsString()).isEqualTo("x86_64");
        assertThat(web.platformDetails()).isEqualTo("Linux/UNIX");
        assertThat(web.state().nameAsString()).isEqualTo("running");
        assertThat(web.privateIpAddress()).isEqualTo("10.0.1.15");
        assertThat(web.publicIpAddress()).isEqualTo("54.183.22.10");
        assertThat(web.subnetId()).isEqualTo("subnet-0abc1234");
        assertThat(web.vpcId()).isEqualTo("vpc-0abc1234def567890");
        assertThat(web.rootDeviceName()).isEqualTo("/dev/xvda");
        assertThat(web.securityGroups()).extracting(g -> g.groupId() + "/" + g.groupName())
                .containsExactly("sg-0a1b2c3d4e5f60789/web");
        assertThat(web.tags()).contains(Tag.builder().key("Name").value("web-01").build());
        assertThat(web.blockDeviceMappings()).singleElement()
                .satisfies(m -> assertThat(m.deviceName()).isEqualTo("/dev/xvda"));
        assertThat(web.launchTime()).isNotNull();
    }

    @Test
    void filtersInstancesByTagTagKeyAndWildcards() {
        assertThat(instanceIds(ec2.describeInstances(r -> r.filters(filter("tag:Name", "web-*")))))
                .containsExactlyInAnyOrder("i-0e1dc0292b0ae7293", "i-0a1b2c3d4e5f67890");
        assertThat(instanceIds(ec2.describeInstances(r -> r.filters(filter("tag:Role", "db"),
                filter("instance-state-name", "running"))))).containsExactly("i-0b2c3d4e5f6789012");
        assertThat(instanceIds(ec2.describeInstances(r -> r.filters(filter("tag-key", "Name"))))).hasSize(7);
        assertThat(instanceIds(ec2.describeInstances(r -> r.filters(filter("instance.group-id",
                "sg-0123456789abcdef0"))))).hasSize(3);
        assertThat(instanceIds(ec2.describeInstances(r -> r.filters(filter("tag:Name", "nothing")))))
                .isEmpty();
    }

    private static List<String> instanceIds(DescribeInstancesResponse response) {
        return response.reservations().stream().flatMap(r -> r.instances().stream()).map(Instance::instanceId)
                .toList();
    }

    @Test
    void paginatesInstancesAcrossPagesWithMaxResultsAndNextToken() {
        DescribeInstancesResponse first = ec2.describeInstances(r -> r.maxResults(5));
        assertThat(first.reservations()).hasSize(5);
        assertThat(first.nextToken()).isNotBlank();
        DescribeInstancesResponse second = ec2.describeInstances(r -> r.maxResults(5).nextToken(first.nextToken()));
        assertThat(second.reservations()).hasSize(2);
        assertThat(second.nextToken()).isNull();

        List<String> all = ec2.describeInstancesPaginator(r -> r.maxResults(5)).reservations().stream()
                .flatMap(r -> r.instances().stream()).map(Instance::instanceId).toList();
        assertThat(all).hasSize(7).doesNotHaveDuplicates();
    }

    @Test
    void refusesMaxResultsOutsideTheRealBoundsAndCombinedWithIds() {
        assertThatThrownBy(() -> ec2.describeInstances(r -> r.maxResults(4)))
                .satisfies(e -> assertThat(errorCode(e)).isEqualTo("InvalidParameterValue"));
        assertThatThrownBy(() -> ec2.describeInstances(r -> r.maxResults(5).instanceIds("i-0e1dc0292b0ae7293")))
                .satisfies(e -> assertThat(errorCode(e)).isEqualTo("InvalidParameterCombination"));
        assertThatThrownBy(() -> ec2.describeInstances(r -> r.maxResults(5).nextToken("garbage")))
                .satisfies(e -> assertThat(errorCode(e)).isEqualTo("InvalidParameterValue"));
    }

    @Test
    void reportsUnknownAndMalformedIdsAndFiltersWithTheRealCodes() {
        assertThatThrownBy(() -> ec2.describeInstances(r -> r.instanceIds("i-0123456789abcdef0")))
                .satisfies(e -> assertThat(errorCode(e)).isEqualTo("InvalidInstanceID.NotFound"))
                .hasMessageContaining("i-0123456789abcdef0");
        assertThatThrownBy(() -> ec2.describeInstances(r -> r.instanceIds("web-01")))
                .satisfies(e -> assertThat(errorCode(e)).isEqualTo("InvalidInstanceID.Malformed"));
        assertThatThrownBy(() -> ec2.describeInstances(r -> r.filters(filter("colour", "blue"))))
                .satisfies(e -> assertThat(errorCode(e)).isEqualTo("InvalidParameterValue"))
                .hasMessageContaining("colour");
        assertThatThrownBy(() -> ec2.describeSubnets(r -> r.subnetIds("subnet-0badbad0")))
                .satisfies(e -> assertThat(errorCode(e)).isEqualTo("InvalidSubnetID.NotFound"));
        assertThatThrownBy(() -> ec2.describeSecurityGroups(r -> r.groupIds("sg-0badbadbadbadbad0")))
                .satisfies(e -> assertThat(errorCode(e)).isEqualTo("InvalidGroup.NotFound"));
        assertThatThrownBy(() -> ec2.describeVpcs(r -> r.vpcIds("vpc-0badbad0")))
                .satisfies(e -> assertThat(errorCode(e)).isEqualTo("InvalidVpcID.NotFound"));
        assertThatThrownBy(() -> ec2.describeVolumes(r -> r.volumeIds("vol-0badbadbadbadbad0")))
                .satisfies(e -> assertThat(errorCode(e)).isEqualTo("InvalidVolume.NotFound"));
    }

    @Test
    void describesInstanceTypesWithFiltersOnCpuMemoryGenerationAndArchitecture() {
        InstanceTypeInfo medium = ec2.describeInstanceTypes(r -> r.instanceTypesWithStrings("t3.medium"))
                .instanceTypes().get(0);
        assertThat(medium.vCpuInfo().defaultVCpus()).isEqualTo(2);
        assertThat(medium.memoryInfo().sizeInMiB()).isEqualTo(4096L);
        assertThat(medium.currentGeneration()).isTrue();
        assertThat(medium.processorInfo().supportedArchitecturesAsStrings()).containsExactly("x86_64");
        assertThat(medium.burstablePerformanceSupported()).isTrue();

        List<String> twoByFour = ec2.describeInstanceTypesPaginator(r -> r.filters(
                        filter("vcpu-info.default-vcpus", "2"), filter("memory-info.size-in-mib", "4096"),
                        filter("processor-info.supported-architecture", "x86_64"),
                        filter("current-generation", "true")))
                .instanceTypes().stream().map(InstanceTypeInfo::instanceTypeAsString).toList();
        assertThat(twoByFour).containsExactlyInAnyOrder("t3.medium", "t3a.medium", "c5.large", "t2.medium");

        List<String> previous = ec2.describeInstanceTypes(r -> r.filters(filter("current-generation", "false")))
                .instanceTypes().stream().map(InstanceTypeInfo::instanceTypeAsString).toList();
        assertThat(previous).containsExactlyInAnyOrder("m3.medium", "c3.large");

        assertThatThrownBy(() -> ec2.describeInstanceTypes(r -> r.instanceTypesWithStrings("t9.huge")))
                .satisfies(e -> assertThat(errorCode(e)).isEqualTo("InvalidInstanceType"));
    }

    @Test
    void paginatesInstanceTypesInPagesOfMaxResults() {
        DescribeInstanceTypesRequest request = DescribeInstanceTypesRequest.builder().maxResults(5).build();
        var first = ec2.describeInstanceTypes(request);
        assertThat(first.instanceTypes()).hasSize(5);
        assertThat(first.nextToken()).isNotNull();
        List<String> all = ec2.describeInstanceTypesPaginator(request).instanceTypes().stream()
                .map(InstanceTypeInfo::instanceTypeAsString).toList();
        assertThat(all).hasSize(sandbox.world().ec2().instanceTypes().size()).doesNotHaveDuplicates();
    }

    @Test
    void describesVolumesWithSizesEncryptionAndAttachments() {
        List<Volume> db = ec2.describeVolumes(r -> r.filters(filter("attachment.instance-id",
                "i-0b2c3d4e5f6789012"))).volumes();
        assertThat(db).extracting(Volume::size).containsExactlyInAnyOrder(5, 20);
        assertThat(db).allSatisfy(v -> assertThat(v.attachments()).singleElement()
                .satisfies(a -> assertThat(a.instanceId()).isEqualTo("i-0b2c3d4e5f6789012")));
        Volume encrypted = ec2.describeVolumes(r -> r.filters(filter("encrypted", "true"))).volumes().get(0);
        assertThat(encrypted.attachments().get(0).instanceId()).isEqualTo("i-0d4e5f67890123456");
        assertThat(encrypted.kmsKeyId()).startsWith("arn:aws:kms:");
        Volume big = ec2.describeVolumes(r -> r.filters(filter("size", "100"))).volumes().get(0);
        assertThat(big.volumeTypeAsString()).isEqualTo("gp3");
        assertThat(big.attachments().get(0).instanceId()).isEqualTo("i-0f6789012345678ab");
    }

    @Test
    void describesSecurityGroupsWithRulesGroupedAsIpPermissions() {
        SecurityGroup web = ec2.describeSecurityGroups(r -> r.groupIds("sg-0a1b2c3d4e5f60789"))
                .securityGroups().get(0);
        assertThat(web.groupName()).isEqualTo("web");
        assertThat(web.vpcId()).isEqualTo("vpc-0abc1234def567890");
        IpPermission ssh = permission(web.ipPermissions(), "tcp", 22);
        assertThat(ssh.ipRanges()).singleElement().satisfies(r -> {
            assertThat(r.cidrIp()).isEqualTo("203.0.113.0/24");
            assertThat(r.description()).isEqualTo("SSH from the office");
        });
        IpPermission http = permission(web.ipPermissions(), "tcp", 80);
        assertThat(http.ipRanges()).extracting(r -> r.cidrIp()).containsExactly("0.0.0.0/0");
        assertThat(http.ipv6Ranges()).extracting(r -> r.cidrIpv6()).containsExactly("::/0");
        IpPermission ping = permission(web.ipPermissions(), "icmp", 8);
        assertThat(ping.toPort()).isEqualTo(-1);
        IpPermission app = permission(web.ipPermissions(), "tcp", 8080);
        assertThat(app.userIdGroupPairs()).extracting(p -> p.groupId()).containsExactly("sg-0fedcba9876543210");
        assertThat(web.ipPermissionsEgress()).singleElement().satisfies(p -> {
            assertThat(p.ipProtocol()).isEqualTo("-1");
            assertThat(p.fromPort()).isNull();
            assertThat(p.ipRanges()).extracting(r -> r.cidrIp()).containsExactly("0.0.0.0/0");
        });

        assertThat(ec2.describeSecurityGroups(r -> r.filters(filter("vpc-id", "vpc-0abc1234def567890")))
                .securityGroups()).extracting(SecurityGroup::groupId)
                .contains("sg-0123456789abcdef0", "sg-0fedcba9876543210").doesNotContain("sg-0999888877776666f");
    }

    private static IpPermission permission(List<IpPermission> permissions, String protocol, int from) {
        return permissions.stream().filter(p -> p.ipProtocol().equals(protocol) && p.fromPort() == from)
                .findFirst().orElseThrow();
    }

    @Test
    void describesSecurityGroupRulesOneSourceEach() {
        List<SecurityGroupRule> rules = ec2.describeSecurityGroupRulesPaginator(r -> r.filters(
                filter("group-id", "sg-0a1b2c3d4e5f60789")).maxResults(5)).securityGroupRules().stream().toList();
        assertThat(rules).hasSize(9);
        assertThat(rules).filteredOn(SecurityGroupRule::isEgress).hasSize(2);
        assertThat(rules).filteredOn(r -> r.referencedGroupInfo() != null).singleElement()
                .satisfies(r -> {
                    assertThat(r.referencedGroupInfo().groupId()).isEqualTo("sg-0fedcba9876543210");
                    assertThat(r.fromPort()).isEqualTo(8080);
                });
        assertThat(rules).extracting(SecurityGroupRule::securityGroupRuleId).allMatch(id -> id.startsWith("sgr-"));
    }

    @Test
    void describesSubnetsAndVpcs() {
        var subnet = ec2.describeSubnets(r -> r.subnetIds("subnet-0abc1234")).subnets().get(0);
        assertThat(subnet.cidrBlock()).isEqualTo("10.0.1.0/24");
        assertThat(subnet.vpcId()).isEqualTo("vpc-0abc1234def567890");
        assertThat(subnet.availabilityZone()).isEqualTo("us-west-1a");
        assertThat(ec2.describeSubnets(r -> r.filters(filter("vpc-id", "vpc-0def4567abc890123"))).subnets())
                .extracting(s -> s.subnetId()).containsExactly("subnet-0def5678");
        assertThat(ec2.describeVpcs(r -> r.filters(filter("is-default", "true"))).vpcs())
                .extracting(v -> v.vpcId()).containsExactly("vpc-0def4567abc890123");
    }

    @Test
    void createsAndDescribesTagsAndRefusesReservedKeys() {
        ec2.createTags(r -> r.resources("i-0c3d4e5f678901234", "vol-0c3d4e5f678000001")
                .tags(Tag.builder().key("ferry:address").value("ec2_instance.cache").build()));

        List<TagDescription> tags = ec2.describeTags(r -> r.filters(filter("key", "ferry:address"))).tags();
        assertThat(tags).extracting(TagDescription::resourceId)
                .containsExactlyInAnyOrder("i-0c3d4e5f678901234", "vol-0c3d4e5f678000001");
        assertThat(tags).extracting(t -> t.resourceTypeAsString()).containsExactlyInAnyOrder("instance", "volume");
        assertThat(ec2.describeTags(r -> r.filters(filter("resource-id", "i-0c3d4e5f678901234"))).tags())
                .extracting(TagDescription::key).contains("Name", "ferry:address");

        assertThatThrownBy(() -> ec2.createTags(r -> r.resources("i-0c3d4e5f678901234")
                .tags(Tag.builder().key("aws:owner").value("x").build())))
                .satisfies(e -> assertThat(errorCode(e)).isEqualTo("InvalidParameterValue"));
        assertThatThrownBy(() -> ec2.createTags(r -> r.resources("i-0aaaaaaaaaaaaaaaa")
                .tags(Tag.builder().key("k").value("v").build())))
                .satisfies(e -> assertThat(errorCode(e)).isEqualTo("InvalidInstanceID.NotFound"));
    }

    @Test
    void refusesWrongCredentialsAndDryRuns() {
        try (AwsClients stranger = new AwsClients(sandbox, "AKIAOTHERACCOUNT0001", "secret");
             Ec2Client other = stranger.ec2()) {
            assertThatThrownBy(other::describeInstances)
                    .satisfies(e -> assertThat(errorCode(e)).isEqualTo("AuthFailure"));
        }
        assertThatThrownBy(() -> ec2.describeInstances(r -> r.dryRun(true)))
                .satisfies(e -> assertThat(errorCode(e)).isEqualTo("DryRunOperation"));
    }

    @Test
    void countsEveryRequestByAction() {
        long before = sandbox.requests().count("ec2:DescribeVpcs");
        ec2.describeVpcs();
        ec2.describeVpcs();
        assertThat(sandbox.requests().count("ec2:DescribeVpcs")).isEqualTo(before + 2);
        assertThat(sandbox.requests().forService("ec2")).isNotEmpty()
                .allSatisfy(r -> assertThat(r.service()).isEqualTo("ec2"));
    }

    static List<String> reservationIds(List<Reservation> reservations) {
        return reservations.stream().map(Reservation::reservationId).toList();
    }
}
