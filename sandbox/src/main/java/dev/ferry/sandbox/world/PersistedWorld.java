package dev.ferry.sandbox.world;

import java.util.List;
import java.util.Map;

/**
 * The changing part of a {@link World}, as kept in the sandbox's state directory between runs ({@code vms}
 * is null in states written before the sandbox had a vCenter: the seeded VMs stay; an import's disks were
 * one blob before imports could hold several, and still read as a list of one; Linode disks, configs and volumes are null
 * in states written before Linodes had them, launch templates in states written before EC2 had them).
 */
public record PersistedWorld(
        List<Vpc> vpcs,
        List<Subnet> subnets,
        List<SecurityGroup> securityGroups,
        List<Ec2Instance> instances,
        List<Volume> volumes,
        List<Ami> amis,
        List<Snapshot> snapshots,
        List<ExportImageTask> exportImageTasks,
        List<ImportImageTask> importImageTasks,
        Map<String, List<Blob>> importDisks,
        List<InstanceExportTask> instanceExportTasks,
        List<ConversionTaskSpan> conversionSpans,
        List<Bucket> buckets,
        List<S3Object> objects,
        List<MultipartUpload> uploads,
        List<IamRole> roles,
        List<LinodeImage> linodeImages,
        List<LinodeInstance> linodeInstances,
        List<Firewall> firewalls,
        List<LinodeEvent> events,
        Counters counters,
        List<VirtualMachine> vms,
        List<LinodeDisk> linodeDisks,
        List<LinodeConfig> linodeConfigs,
        List<LinodeVolume> linodeVolumes,
        List<LaunchTemplate> launchTemplates) {

    /** The next identifiers to hand out on the Linode side. */
    public record Counters(long nextLinodeId, long nextImageNumber, long nextFirewallId, long nextDeviceId,
                           long nextEventId, int nextPublicIp, long nextDiskId, long nextConfigId,
                           long nextVolumeId) {
    }
}
