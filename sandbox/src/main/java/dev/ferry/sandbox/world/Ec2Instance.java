package dev.ferry.sandbox.world;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static java.util.Objects.requireNonNull;

/**
 * An EC2 instance.
 *
 * @param stateUntil  when a transient state ({@code pending}, {@code shutting-down}) ends, else null
 * @param volumeIds   attached EBS volumes, root first
 * @param productCodes Marketplace product codes inherited from its AMI (such AMIs cannot be exported)
 * @param exportable  whether CreateInstanceExportTask may export it: its snapshots are the account's
 *                    own (launched from an AMI the account made or imported), not a public AMI's
 */
public record Ec2Instance(
        String id,
        String instanceType,
        String architecture,
        String platformDetails,
        String imageId,
        InstanceState state,
        Instant stateUntil,
        Instant launchTime,
        String subnetId,
        String vpcId,
        String availabilityZone,
        String privateIp,
        String publicIp,
        List<String> securityGroupIds,
        String rootDeviceName,
        List<String> volumeIds,
        List<String> productCodes,
        String keyName,
        String clientToken,
        String reservationId,
        boolean exportable,
        Map<String, String> tags) {

    public Ec2Instance {
        requireNonNull(id, "id is null");
        requireNonNull(instanceType, "instanceType is null");
        requireNonNull(architecture, "architecture is null");
        requireNonNull(platformDetails, "platformDetails is null");
        requireNonNull(imageId, "imageId is null");
        requireNonNull(state, "state is null");
        requireNonNull(launchTime, "launchTime is null");
        requireNonNull(subnetId, "subnetId is null");
        requireNonNull(vpcId, "vpcId is null");
        requireNonNull(availabilityZone, "availabilityZone is null");
        requireNonNull(privateIp, "privateIp is null");
        securityGroupIds = List.copyOf(securityGroupIds);
        requireNonNull(rootDeviceName, "rootDeviceName is null");
        volumeIds = List.copyOf(volumeIds);
        productCodes = List.copyOf(productCodes);
        requireNonNull(reservationId, "reservationId is null");
        tags = Tags.copy(tags);
    }

    public String name() {
        return tags.get("Name");
    }

    public Ec2Instance withState(InstanceState newState, Instant until) {
        return new Ec2Instance(id, instanceType, architecture, platformDetails, imageId, newState, until, launchTime,
                subnetId, vpcId, availabilityZone, privateIp, newState == InstanceState.TERMINATED ? null : publicIp,
                securityGroupIds, rootDeviceName, volumeIds, productCodes, keyName, clientToken, reservationId,
                exportable, tags);
    }

    public Ec2Instance withTags(Map<String, String> newTags) {
        return new Ec2Instance(id, instanceType, architecture, platformDetails, imageId, state, stateUntil, launchTime,
                subnetId, vpcId, availabilityZone, privateIp, publicIp, securityGroupIds, rootDeviceName, volumeIds,
                productCodes, keyName, clientToken, reservationId, exportable, newTags);
    }
}
