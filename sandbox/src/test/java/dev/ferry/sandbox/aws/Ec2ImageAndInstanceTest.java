package dev.ferry.sandbox.aws;

import dev.ferry.sandbox.AwsClients;
import dev.ferry.sandbox.Sandbox;
import dev.ferry.sandbox.TestSandboxes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.Image;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.RunInstancesResponse;
import software.amazon.awssdk.services.ec2.model.Snapshot;
import software.amazon.awssdk.services.ec2.model.Tag;
import software.amazon.awssdk.services.ec2.model.TagSpecification;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class Ec2ImageAndInstanceTest {

    private static Sandbox sandbox;
    private static AwsClients clients;
    private static Ec2Client ec2;

    @BeforeAll
    static void start() {
        // AMIs take 150 ms and instances boot in 100 ms: slow enough to see them pending.
        sandbox = TestSandboxes.start(0.05);
        clients = new AwsClients(sandbox);
        ec2 = clients.ec2();
    }

    @AfterAll
    static void stop() {
        ec2.close();
        clients.close();
        sandbox.close();
    }

    private static String errorCode(Throwable e) {
        return ((AwsServiceException) e).awsErrorDetails().errorCode();
    }

    static String createAndWait(Ec2Client ec2, String instanceId, String name) {
        String imageId = ec2.createImage(r -> r.instanceId(instanceId).name(name).noReboot(true)).imageId();
        TestSandboxes.waitUntil(name + " available", Duration.ofSeconds(20), () -> ec2.describeImages(
                r -> r.imageIds(imageId)).images().get(0).stateAsString().equals("available"));
        return imageId;
    }

    @Test
    void createImageIsPendingThenAvailableWithOneSnapshotPerVolume() {
        String imageId = ec2.createImage(r -> r.instanceId("i-0b2c3d4e5f6789012").name("db-01-backup")
                .description("before migration").noReboot(true)
                .tagSpecifications(TagSpecification.builder().resourceType(ResourceType.IMAGE)
                                .tags(Tag.builder().key("ferry:address").value("ec2_ami.db").build()).build(),
                        TagSpecification.builder().resourceType(ResourceType.SNAPSHOT)
                                .tags(Tag.builder().key("ferry:for").value("db-01").build()).build())).imageId();

        Image pending = ec2.describeImages(r -> r.imageIds(imageId)).images().get(0);
        assertThat(pending.stateAsString()).isEqualTo("pending");
        assertThat(pending.tags()).contains(Tag.builder().key("ferry:address").value("ec2_ami.db").build());

        TestSandboxes.waitUntil("the AMI", Duration.ofSeconds(20), () -> ec2.describeImages(r -> r.imageIds(imageId))
                .images().get(0).stateAsString().equals("available"));
        Image image = ec2.describeImages(r -> r.imageIds(imageId)).images().get(0);
        assertThat(image.name()).isEqualTo("db-01-backup");
        assertThat(image.ownerId()).isEqualTo(sandbox.accountId());
        assertThat(image.architectureAsString()).isEqualTo("x86_64");
        assertThat(image.blockDeviceMappings()).extracting(m -> m.deviceName() + "=" + m.ebs().volumeSize())
                .containsExactly("/dev/xvda=5", "/dev/sdf=20");
        List<String> snapshotIds = image.blockDeviceMappings().stream().map(m -> m.ebs().snapshotId()).toList();
        List<Snapshot> snapshots = ec2.describeSnapshots(r -> r.snapshotIds(snapshotIds)).snapshots();
        assertThat(snapshots).hasSize(2).allSatisfy(s -> {
            assertThat(s.stateAsString()).isEqualTo("completed");
            assertThat(s.progress()).isEqualTo("100%");
            assertThat(s.tags()).contains(Tag.builder().key("ferry:for").value("db-01").build());
        });
        assertThat(sandbox.world().ec2().amis()).filteredOn(a -> a.name().equals("db-01-backup")).hasSize(1);
    }

    @Test
    void refusesDuplicateAmiNamesAndBadInstances() {
        createAndWait(ec2, "i-0a1b2c3d4e5f67890", "web-02-unique");
        assertThatThrownBy(() -> ec2.createImage(r -> r.instanceId("i-0a1b2c3d4e5f67890").name("web-02-unique")))
                .satisfies(e -> assertThat(errorCode(e)).isEqualTo("InvalidAMIName.Duplicate"));
        assertThatThrownBy(() -> ec2.createImage(r -> r.instanceId("i-0aaaaaaaaaaaaaaaa").name("whatever")))
                .satisfies(e -> assertThat(errorCode(e)).isEqualTo("InvalidInstanceID.NotFound"));
        assertThatThrownBy(() -> ec2.createImage(r -> r.instanceId("i-0a1b2c3d4e5f67890").name("x")))
                .satisfies(e -> assertThat(errorCode(e)).isEqualTo("InvalidAMIName.Malformed"));
    }

    @Test
    void describesOwnAndPublicImagesByOwner() {
        String mine = createAndWait(ec2, "i-0c3d4e5f678901234", "cache-image");
        assertThat(ec2.describeImages(r -> r.owners("self")).images()).extracting(Image::imageId).contains(mine)
                .doesNotContain("ami-0abcdef1234567890");
        Image amazon = ec2.describeImages(r -> r.imageIds("ami-0abcdef1234567890")).images().get(0);
        assertThat(amazon.publicLaunchPermissions()).isTrue();
        assertThat(amazon.ownerId()).isEqualTo("137112412989");
        Image marketplace = ec2.describeImages(r -> r.imageIds("ami-0fa1b2c3d4e5f6a7b")).images().get(0);
        assertThat(marketplace.productCodes()).singleElement()
                .satisfies(c -> assertThat(c.productCodeTypeAsString()).isEqualTo("marketplace"));
        assertThatThrownBy(() -> ec2.describeImages(r -> r.imageIds("ami-0000000000000000f")))
                .satisfies(e -> assertThat(errorCode(e)).isEqualTo("InvalidAMIID.NotFound"));
        assertThatThrownBy(() -> ec2.describeImages(r -> r.imageIds("image-1")))
                .satisfies(e -> assertThat(errorCode(e)).isEqualTo("InvalidAMIID.Malformed"));
    }

    @Test
    void deregisterKeepsSnapshotsUnlessAskedAndInUseSnapshotsCannotBeDeleted() {
        String first = createAndWait(ec2, "i-0e1dc0292b0ae7293", "web-01-a");
        String snapshot = ec2.describeImages(r -> r.imageIds(first)).images().get(0).blockDeviceMappings().get(0)
                .ebs().snapshotId();
        assertThatThrownBy(() -> ec2.deleteSnapshot(r -> r.snapshotId(snapshot)))
                .satisfies(e -> assertThat(errorCode(e)).isEqualTo("InvalidSnapshot.InUse"))
                .hasMessageContaining(first);
        ec2.deregisterImage(r -> r.imageId(first));
        assertThat(ec2.describeImages(r -> r.owners("self")).images()).extracting(Image::imageId)
                .doesNotContain(first);
        assertThat(ec2.describeSnapshots(r -> r.snapshotIds(snapshot)).snapshots()).hasSize(1);
        ec2.deleteSnapshot(r -> r.snapshotId(snapshot));
        assertThatThrownBy(() -> ec2.describeSnapshots(r -> r.snapshotIds(snapshot)))
                .satisfies(e -> assertThat(errorCode(e)).isEqualTo("InvalidSnapshot.NotFound"));

        String second = createAndWait(ec2, "i-0e1dc0292b0ae7293", "web-01-b");
        String secondSnapshot = ec2.describeImages(r -> r.imageIds(second)).images().get(0).blockDeviceMappings()
                .get(0).ebs().snapshotId();
        var deregistered = ec2.deregisterImage(r -> r.imageId(second).deleteAssociatedSnapshots(true));
        assertThat(deregistered.deleteSnapshotResults()).extracting(d -> d.snapshotId())
                .containsExactly(secondSnapshot);
        assertThat(sandbox.world().ec2().snapshots()).noneMatch(s -> s.id().equals(secondSnapshot));
    }

    @Test
    void runInstancesFromAnAmiGoesPendingThenRunningAndTerminates() {
        String imageId = createAndWait(ec2, "i-0e1dc0292b0ae7293", "web-01-launch");
        RunInstancesResponse run = ec2.runInstances(r -> r.imageId(imageId).instanceType("t3.small")
                .minCount(1).maxCount(1).subnetId("subnet-0abc1234").securityGroupIds("sg-0123456789abcdef0")
                .privateIpAddress("10.0.1.20").clientToken("launch-app-02")
                .tagSpecifications(TagSpecification.builder().resourceType(ResourceType.INSTANCE)
                        .tags(Tag.builder().key("Name").value("app-02").build()).build()));
        Instance launched = run.instances().get(0);
        assertThat(launched.state().nameAsString()).isEqualTo("pending");
        assertThat(launched.privateIpAddress()).isEqualTo("10.0.1.20");
        assertThat(launched.instanceTypeAsString()).isEqualTo("t3.small");
        assertThat(launched.tags()).contains(Tag.builder().key("Name").value("app-02").build());

        RunInstancesResponse again = ec2.runInstances(r -> r.imageId(imageId).instanceType("t3.small")
                .minCount(1).maxCount(1).subnetId("subnet-0abc1234").securityGroupIds("sg-0123456789abcdef0")
                .privateIpAddress("10.0.1.20").clientToken("launch-app-02"));
        assertThat(again.instances().get(0).instanceId()).isEqualTo(launched.instanceId());
        assertThat(again.reservationId()).isEqualTo(run.reservationId());

        TestSandboxes.waitUntil("running", Duration.ofSeconds(20), () -> ec2.describeInstances(r -> r.instanceIds(
                launched.instanceId())).reservations().get(0).instances().get(0).state().nameAsString()
                .equals("running"));
        assertThat(ec2.describeVolumes(r -> r.filters(Filter.builder().name("attachment.instance-id")
                .values(launched.instanceId()).build())).volumes()).hasSize(1);

        var terminated = ec2.terminateInstances(r -> r.instanceIds(launched.instanceId()));
        assertThat(terminated.terminatingInstances().get(0).previousState().nameAsString()).isEqualTo("running");
        assertThat(terminated.terminatingInstances().get(0).currentState().nameAsString()).isEqualTo("shutting-down");
        TestSandboxes.waitUntil("terminated", Duration.ofSeconds(20), () -> ec2.describeInstances(r -> r.instanceIds(
                launched.instanceId())).reservations().get(0).instances().get(0).state().nameAsString()
                .equals("terminated"));
        assertThat(ec2.describeVolumes(r -> r.filters(Filter.builder().name("attachment.instance-id")
                .values(launched.instanceId()).build())).volumes()).isEmpty();
    }

    @Test
    void runInstancesChecksSubnetGroupsAddressAndArchitectureLikeEc2() {
        String imageId = createAndWait(ec2, "i-0a1b2c3d4e5f67890", "web-02-launch");
        AtomicReference<String> image = new AtomicReference<>(imageId);
        assertThatThrownBy(() -> ec2.runInstances(r -> r.imageId(image.get()).instanceType("t3.small").minCount(1)
                .maxCount(1).subnetId("subnet-0abc1234").securityGroupIds("sg-0999888877776666f")))
                .satisfies(e -> assertThat(errorCode(e)).isEqualTo("InvalidParameter"))
                .hasMessageContaining("belong to different networks");
        assertThatThrownBy(() -> ec2.runInstances(r -> r.imageId(image.get()).instanceType("t3.small").minCount(1)
                .maxCount(1).subnetId("subnet-0abc1234").privateIpAddress("10.0.9.9")))
                .satisfies(e -> assertThat(errorCode(e)).isEqualTo("InvalidParameterValue"));
        assertThatThrownBy(() -> ec2.runInstances(r -> r.imageId(image.get()).instanceType("t3.small").minCount(1)
                .maxCount(1).subnetId("subnet-0abc1234").privateIpAddress("10.0.1.15")))
                .satisfies(e -> assertThat(errorCode(e)).isEqualTo("InvalidIPAddress.InUse"));
        assertThatThrownBy(() -> ec2.runInstances(r -> r.imageId(image.get()).instanceType("t4g.medium").minCount(1)
                .maxCount(1).subnetId("subnet-0abc1234")))
                .satisfies(e -> assertThat(errorCode(e)).isEqualTo("InvalidParameterValue"))
                .hasMessageContaining("architecture");
        assertThatThrownBy(() -> ec2.runInstances(r -> r.imageId(image.get()).instanceType("t3.small").minCount(1)
                .maxCount(1).subnetId("subnet-0badbad0")))
                .satisfies(e -> assertThat(errorCode(e)).isEqualTo("InvalidSubnetID.NotFound"));
        assertThatThrownBy(() -> ec2.runInstances(r -> r.imageId("ami-0000000000000000f").instanceType("t3.small")
                .minCount(1).maxCount(1).subnetId("subnet-0abc1234")))
                .satisfies(e -> assertThat(errorCode(e)).isEqualTo("InvalidAMIID.NotFound"));
    }
}
