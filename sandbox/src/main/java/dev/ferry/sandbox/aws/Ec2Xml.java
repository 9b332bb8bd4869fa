package dev.ferry.sandbox.aws;

import dev.ferry.sandbox.world.Ami;
import dev.ferry.sandbox.world.BlockDevice;
import dev.ferry.sandbox.world.Ec2Instance;
import dev.ferry.sandbox.world.ExportImageTask;
import dev.ferry.sandbox.world.ImportImageTask;
import dev.ferry.sandbox.world.InstanceExportTask;
import dev.ferry.sandbox.world.InstanceState;
import dev.ferry.sandbox.world.InstanceTypeSpec;
import dev.ferry.sandbox.world.PublicImage;
import dev.ferry.sandbox.world.SecurityGroup;
import dev.ferry.sandbox.world.SecurityGroupRule;
import dev.ferry.sandbox.world.Snapshot;
import dev.ferry.sandbox.world.Subnet;
import dev.ferry.sandbox.world.Volume;
import dev.ferry.sandbox.world.Vpc;
import dev.ferry.sandbox.world.World;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** EC2's XML shapes for the sandbox's resources (element names as in the EC2 API reference). */
final class Ec2Xml {

    static final String NAMESPACE = "http://ec2.amazonaws.com/doc/2016-11-15/";

    private Ec2Xml() {
    }

    static XmlWriter response(String action, String requestId) {
        return new XmlWriter().start(action + "Response", NAMESPACE).leaf("requestId", requestId);
    }

    static String error(AwsException error, String requestId) {
        return new XmlWriter().start("Response")
                .start("Errors").start("Error").leaf("Code", error.code()).leaf("Message", error.getMessage())
                .end().end()
                .leaf("RequestID", requestId)
                .end().toString();
    }

    static void tags(XmlWriter w, Map<String, String> tags) {
        if (tags.isEmpty()) {
            return;
        }
        w.start("tagSet");
        tags.forEach((k, v) -> w.start("item").leaf("key", k).leaf("value", v).end());
        w.end();
    }

    private static void productCodes(XmlWriter w, List<String> codes) {
        if (codes.isEmpty()) {
            return;
        }
        w.start("productCodes");
        for (String code : codes) {
            w.start("item").leaf("productCode", code).leaf("type", "marketplace").end();
        }
        w.end();
    }

    static void instance(XmlWriter w, Ec2Instance i, World world) {
        String region = world.region();
        w.start("item")
                .leaf("instanceId", i.id())
                .leaf("imageId", i.imageId())
                .start("instanceState").leaf("code", i.state().code()).leaf("name", i.state().apiName()).end()
                .leaf("privateDnsName", "ip-" + i.privateIp().replace('.', '-') + "." + region + ".compute.internal")
                .leaf("dnsName", i.publicIp() == null ? "" : "ec2-" + i.publicIp().replace('.', '-') + "." + region
                        + ".compute.amazonaws.com")
                .leaf("reason", i.state() == InstanceState.TERMINATED ? "User initiated" : "")
                .leaf("keyName", i.keyName())
                .leaf("amiLaunchIndex", 0);
        productCodes(w, i.productCodes());
        w.leaf("instanceType", i.instanceType())
                .leaf("launchTime", i.launchTime())
                .start("placement").leaf("availabilityZone", i.availabilityZone()).leaf("groupName", "")
                .leaf("tenancy", "default").end()
                .start("monitoring").leaf("state", "disabled").end()
                .leaf("subnetId", i.subnetId())
                .leaf("vpcId", i.vpcId())
                .leaf("privateIpAddress", i.privateIp())
                .leaf("ipAddress", i.publicIp())
                .leaf("sourceDestCheck", true);
        w.start("groupSet");
        for (String groupId : i.securityGroupIds()) {
            SecurityGroup group = world.ec2().securityGroups().get(groupId);
            w.start("item").leaf("groupId", groupId).leaf("groupName", group == null ? null : group.name()).end();
        }
        w.end();
        if (i.state() == InstanceState.TERMINATED) {
            w.start("stateReason").leaf("code", "Client.UserInitiatedShutdown")
                    .leaf("message", "Client.UserInitiatedShutdown: User initiated shutdown").end();
        }
        w.leaf("platform", "Windows".equals(i.platformDetails()) ? "windows" : null)
                .leaf("architecture", i.architecture())
                .leaf("rootDeviceType", "ebs")
                .leaf("rootDeviceName", i.rootDeviceName());
        w.start("blockDeviceMapping");
        if (i.state() != InstanceState.TERMINATED) {
            for (String volumeId : i.volumeIds()) {
                Volume v = world.ec2().volumes().get(volumeId);
                if (v == null) {
                    continue;
                }
                w.start("item").leaf("deviceName", v.device())
                        .start("ebs").leaf("volumeId", v.id()).leaf("status", "attached")
                        .leaf("attachTime", i.launchTime()).leaf("deleteOnTermination", v.deleteOnTermination())
                        .end().end();
            }
        }
        w.end();
        w.leaf("virtualizationType", "hvm")
                .leaf("clientToken", i.clientToken() == null ? "" : i.clientToken());
        tags(w, i.tags());
        w.leaf("hypervisor", "xen");
        if (i.state() != InstanceState.TERMINATED) {
            w.start("networkInterfaceSet").start("item")
                    .leaf("networkInterfaceId", "eni-" + i.id().substring(2))
                    .leaf("subnetId", i.subnetId()).leaf("vpcId", i.vpcId()).leaf("description", "")
                    .leaf("ownerId", world.account()).leaf("status", "in-use")
                    .leaf("macAddress", macAddress(i.id()))
                    .leaf("privateIpAddress", i.privateIp()).leaf("sourceDestCheck", true);
            w.start("groupSet");
            for (String groupId : i.securityGroupIds()) {
                SecurityGroup group = world.ec2().securityGroups().get(groupId);
                w.start("item").leaf("groupId", groupId).leaf("groupName", group == null ? null : group.name()).end();
            }
            w.end();
            w.start("attachment").leaf("attachmentId", "eni-attach-" + i.id().substring(2)).leaf("deviceIndex", 0)
                    .leaf("status", "attached").leaf("attachTime", i.launchTime()).leaf("deleteOnTermination", true)
                    .end();
            if (i.publicIp() != null) {
                w.start("association").leaf("publicIp", i.publicIp()).leaf("ipOwnerId", "amazon").end();
            }
            w.start("privateIpAddressesSet").start("item").leaf("privateIpAddress", i.privateIp())
                    .leaf("primary", true).end().end();
            w.leaf("interfaceType", "interface");
            w.end().end();
        }
        w.leaf("ebsOptimized", false).leaf("enaSupport", true);
        world.ec2().instanceType(i.instanceType()).ifPresent(t -> w.start("cpuOptions").leaf("coreCount", t.cores())
                .leaf("threadsPerCore", t.threadsPerCore()).end());
        w.start("metadataOptions").leaf("state", "applied").leaf("httpTokens", "required")
                .leaf("httpPutResponseHopLimit", 2).leaf("httpEndpoint", "enabled").end()
                .leaf("platformDetails", i.platformDetails())
                .leaf("usageOperation", "RunInstances")
                .leaf("bootMode", "legacy-bios")
                .end();
    }

    /** A stable, locally administered MAC address for an instance's network interface. */
    private static String macAddress(String instanceId) {
        int hash = instanceId.hashCode();
        return String.format("06:%02x:%02x:%02x:%02x:%02x", (hash >>> 24) & 0xff, (hash >>> 16) & 0xff,
                (hash >>> 8) & 0xff, hash & 0xff, instanceId.length() & 0xff);
    }

    static void instanceType(XmlWriter w, InstanceTypeSpec t) {
        w.start("item")
                .leaf("instanceType", t.name())
                .leaf("currentGeneration", t.currentGeneration())
                .leaf("freeTierEligible", t.name().equals("t2.micro") || t.name().equals("t3.micro"))
                .start("supportedUsageClasses").leaf("item", "on-demand").leaf("item", "spot").end()
                .start("supportedRootDeviceTypes").leaf("item", "ebs").end()
                .start("supportedVirtualizationTypes").leaf("item", "hvm").end()
                .leaf("bareMetal", false)
                .leaf("hypervisor", t.family().startsWith("t2") || t.family().startsWith("m4")
                        || t.family().startsWith("m3") || t.family().startsWith("c3") ? "xen" : "nitro")
                .start("processorInfo");
        w.start("supportedArchitectures");
        t.architectures().forEach(a -> w.leaf("item", a));
        w.end().leaf("sustainedClockSpeedInGhz", t.clockGhz()).leaf("manufacturer",
                t.processor().startsWith("AMD") ? "AMD" : t.processor().startsWith("AWS") ? "AWS" : "Intel").end();
        w.start("vCpuInfo").leaf("defaultVCpus", t.vcpus()).leaf("defaultCores", t.cores())
                .leaf("defaultThreadsPerCore", t.threadsPerCore()).end()
                .start("memoryInfo").leaf("sizeInMiB", t.memoryMiB()).end()
                .leaf("instanceStorageSupported", false)
                .start("ebsInfo").leaf("ebsOptimizedSupport", "default").leaf("encryptionSupport", "supported")
                .leaf("nvmeSupport", "required").end()
                .start("networkInfo").leaf("networkPerformance", t.networkPerformance())
                .leaf("maximumNetworkInterfaces", t.vcpus() <= 2 ? 3 : 4)
                .leaf("maximumNetworkCards", 1).leaf("defaultNetworkCardIndex", 0)
                .leaf("ipv4AddressesPerInterface", t.vcpus() <= 2 ? 6 : 15)
                .leaf("ipv6AddressesPerInterface", t.vcpus() <= 2 ? 6 : 15)
                .leaf("ipv6Supported", true).leaf("enaSupport", "required").leaf("efaSupported", false)
                .leaf("encryptionInTransitSupported", false).end()
                .start("placementGroupInfo").start("supportedStrategies").leaf("item", "partition")
                .leaf("item", "spread").end().end()
                .leaf("hibernationSupported", !t.architectures().contains("arm64"))
                .leaf("burstablePerformanceSupported", t.burstable())
                .leaf("dedicatedHostsSupported", !t.burstable())
                .leaf("autoRecoverySupported", true)
                .start("supportedBootModes").leaf("item", "legacy-bios").leaf("item", "uefi").end()
                .end();
    }

    static void volume(XmlWriter w, Volume v) {
        w.start("item")
                .leaf("volumeId", v.id())
                .leaf("size", v.sizeGiB())
                .leaf("snapshotId", v.snapshotId() == null ? "" : v.snapshotId())
                .leaf("availabilityZone", v.availabilityZone())
                .leaf("status", v.state())
                .leaf("createTime", v.createTime());
        w.start("attachmentSet");
        if (v.instanceId() != null) {
            w.start("item").leaf("volumeId", v.id()).leaf("instanceId", v.instanceId()).leaf("device", v.device())
                    .leaf("status", "attached").leaf("attachTime", v.createTime())
                    .leaf("deleteOnTermination", v.deleteOnTermination()).end();
        }
        w.end();
        tags(w, v.tags());
        w.leaf("volumeType", v.volumeType())
                .leaf("iops", v.iops())
                .leaf("throughput", v.volumeType().equals("gp3") ? v.throughput() : null)
                .leaf("encrypted", v.encrypted())
                .leaf("kmsKeyId", v.kmsKeyId())
                .leaf("multiAttachEnabled", false)
                .end();
    }

    /** Rules grouped into IpPermissions as DescribeSecurityGroups shows them. */
    static void securityGroup(XmlWriter w, SecurityGroup g, String owner, String region) {
        w.start("item")
                .leaf("ownerId", owner)
                .leaf("groupId", g.id())
                .leaf("groupName", g.name())
                .leaf("groupDescription", g.description())
                .leaf("vpcId", g.vpcId());
        permissions(w, "ipPermissions", g.ingress(), owner);
        permissions(w, "ipPermissionsEgress", g.egress(), owner);
        tags(w, g.tags());
        w.leaf("securityGroupArn", "arn:aws:ec2:" + region + ":" + owner + ":security-group/" + g.id());
        w.end();
    }

    private static void permissions(XmlWriter w, String element, List<SecurityGroupRule> rules, String owner) {
        Map<String, List<SecurityGroupRule>> grouped = new LinkedHashMap<>();
        for (SecurityGroupRule rule : rules) {
            grouped.computeIfAbsent(rule.protocol() + "/" + rule.fromPort() + "/" + rule.toPort(),
                    k -> new ArrayList<>()).add(rule);
        }
        w.start(element);
        for (List<SecurityGroupRule> group : grouped.values()) {
            SecurityGroupRule first = group.get(0);
            w.start("item").leaf("ipProtocol", first.protocol());
            if (!first.protocol().equals("-1")) {
                w.leaf("fromPort", first.fromPort()).leaf("toPort", first.toPort());
            }
            w.start("groups");
            for (SecurityGroupRule r : group) {
                if (r.referencedGroupId() != null) {
                    w.start("item").leaf("userId", owner).leaf("groupId", r.referencedGroupId())
                            .leaf("description", r.description()).end();
                }
            }
            w.end().start("ipRanges");
            for (SecurityGroupRule r : group) {
                if (r.cidrIpv4() != null) {
                    w.start("item").leaf("cidrIp", r.cidrIpv4()).leaf("description", r.description()).end();
                }
            }
            w.end().start("ipv6Ranges");
            for (SecurityGroupRule r : group) {
                if (r.cidrIpv6() != null) {
                    w.start("item").leaf("cidrIpv6", r.cidrIpv6()).leaf("description", r.description()).end();
                }
            }
            w.end().start("prefixListIds");
            for (SecurityGroupRule r : group) {
                if (r.prefixListId() != null) {
                    w.start("item").leaf("prefixListId", r.prefixListId()).leaf("description", r.description())
                            .end();
                }
            }
            w.end().end();
        }
        w.end();
    }

    static void securityGroupRule(XmlWriter w, SecurityGroupRule r, String groupId, String owner, String region) {
        w.start("item")
                .leaf("securityGroupRuleId", r.ruleId())
                .leaf("groupId", groupId)
                .leaf("groupOwnerId", owner)
                .leaf("isEgress", r.egress())
                .leaf("ipProtocol", r.protocol())
                .leaf("fromPort", r.fromPort())
                .leaf("toPort", r.toPort())
                .leaf("cidrIpv4", r.cidrIpv4())
                .leaf("cidrIpv6", r.cidrIpv6())
                .leaf("prefixListId", r.prefixListId());
        if (r.referencedGroupId() != null) {
            w.start("referencedGroupInfo").leaf("groupId", r.referencedGroupId()).leaf("userId", owner).end();
        }
        w.leaf("description", r.description())
                .leaf("securityGroupRuleArn", "arn:aws:ec2:" + region + ":" + owner + ":security-group-rule/"
                        + r.ruleId())
                .end();
    }

    static void subnet(XmlWriter w, Subnet s, String owner, String region) {
        long size = 1L << (32 - Integer.parseInt(s.cidrBlock().substring(s.cidrBlock().indexOf('/') + 1)));
        w.start("item")
                .leaf("subnetId", s.id())
                .leaf("subnetArn", "arn:aws:ec2:" + region + ":" + owner + ":subnet/" + s.id())
                .leaf("state", "available")
                .leaf("ownerId", owner)
                .leaf("vpcId", s.vpcId())
                .leaf("cidrBlock", s.cidrBlock())
                .leaf("availableIpAddressCount", size - 5)
                .leaf("availabilityZone", s.availabilityZone())
                .leaf("availabilityZoneId", "usw1-az" + (s.availabilityZone().endsWith("c") ? "3" : "1"))
                .leaf("defaultForAz", false)
                .leaf("mapPublicIpOnLaunch", false)
                .leaf("assignIpv6AddressOnCreation", false);
        tags(w, s.tags());
        w.end();
    }

    static void vpc(XmlWriter w, Vpc v, String owner) {
        w.start("item")
                .leaf("vpcId", v.id())
                .leaf("ownerId", owner)
                .leaf("state", "available")
                .leaf("cidrBlock", v.cidrBlock())
                .start("cidrBlockAssociationSet").start("item").leaf("cidrBlock", v.cidrBlock())
                .leaf("associationId", "vpc-cidr-assoc-" + v.id().substring(4))
                .start("cidrBlockState").leaf("state", "associated").end().end().end()
                .leaf("dhcpOptionsId", "dopt-0a1b2c3d")
                .leaf("instanceTenancy", "default")
                .leaf("isDefault", v.isDefault());
        tags(w, v.tags());
        w.end();
    }

    static void image(XmlWriter w, Ami a) {
        w.start("item")
                .leaf("imageId", a.id())
                .leaf("imageLocation", a.ownerId() + "/" + a.name())
                .leaf("imageState", a.state())
                .leaf("imageOwnerId", a.ownerId())
                .leaf("creationDate", a.creationDate())
                .leaf("isPublic", false)
                .leaf("architecture", a.architecture())
                .leaf("imageType", "machine")
                .leaf("platform", a.platformDetails().equals("Windows") ? "windows" : null)
                .leaf("sriovNetSupport", "simple");
        productCodes(w, a.productCodes());
        w.leaf("name", a.name())
                .leaf("description", a.description())
                .leaf("rootDeviceType", "ebs")
                .leaf("rootDeviceName", a.rootDeviceName());
        w.start("blockDeviceMapping");
        for (BlockDevice d : a.blockDevices()) {
            w.start("item").leaf("deviceName", d.deviceName())
                    .start("ebs").leaf("snapshotId", d.snapshotId()).leaf("volumeSize", d.volumeSizeGiB())
                    .leaf("deleteOnTermination", d.deleteOnTermination()).leaf("volumeType", d.volumeType())
                    .leaf("encrypted", d.encrypted()).end().end();
        }
        w.end();
        w.leaf("virtualizationType", "hvm");
        tags(w, a.tags());
        w.leaf("hypervisor", "xen")
                .leaf("enaSupport", true)
                .leaf("platformDetails", a.platformDetails())
                .leaf("usageOperation", "RunInstances")
                .leaf("sourceInstanceId", a.sourceInstanceId());
        if (a.state().equals("failed")) {
            w.start("stateReason").leaf("code", "Server.InternalError").leaf("message", "Image creation failed").end();
        }
        w.end();
    }

    static void publicImage(XmlWriter w, PublicImage p) {
        w.start("item")
                .leaf("imageId", p.id())
                .leaf("imageLocation", (p.ownerId().equals("137112412989") ? "amazon" : "aws-marketplace") + "/"
                        + p.name())
                .leaf("imageState", "available")
                .leaf("imageOwnerId", p.ownerId())
                .leaf("creationDate", "2024-11-13T00:00:00.000Z")
                .leaf("isPublic", true)
                .leaf("architecture", p.architecture())
                .leaf("imageType", "machine");
        productCodes(w, p.productCodes());
        w.leaf("name", p.name())
                .leaf("imageOwnerAlias", p.ownerId().equals("137112412989") ? "amazon" : "aws-marketplace")
                .leaf("rootDeviceType", "ebs")
                .leaf("rootDeviceName", "/dev/xvda")
                .start("blockDeviceMapping").start("item").leaf("deviceName", "/dev/xvda")
                .start("ebs").leaf("snapshotId", "snap-0" + p.id().substring(5)).leaf("volumeSize", 8)
                .leaf("deleteOnTermination", true).leaf("volumeType", "gp2").leaf("encrypted", false).end().end().end()
                .leaf("virtualizationType", "hvm")
                .leaf("hypervisor", "xen")
                .leaf("enaSupport", true)
                .leaf("platformDetails", "Linux/UNIX")
                .leaf("usageOperation", "RunInstances")
                .end();
    }

    static void snapshot(XmlWriter w, Snapshot s) {
        w.start("item")
                .leaf("snapshotId", s.id())
                .leaf("volumeId", s.volumeId())
                .leaf("status", s.state())
                .leaf("startTime", s.startTime())
                .leaf("progress", s.progress() + "%")
                .leaf("ownerId", s.ownerId())
                .leaf("volumeSize", s.volumeSizeGiB())
                .leaf("description", s.description())
                .leaf("encrypted", s.encrypted())
                .leaf("kmsKeyId", s.kmsKeyId())
                .leaf("storageTier", "standard");
        tags(w, s.tags());
        w.end();
    }

    static void exportImageTask(XmlWriter w, ExportImageTask t) {
        w.start("item");
        exportImageTaskFields(w, t);
        w.end();
    }

    static void exportImageTaskFields(XmlWriter w, ExportImageTask t) {
        w.leaf("exportImageTaskId", t.id())
                .leaf("description", t.description())
                .leaf("imageId", t.imageId())
                .leaf("progress", t.active() ? String.valueOf(t.progress()) : null)
                .start("s3ExportLocation").leaf("s3Bucket", t.s3Bucket()).leaf("s3Prefix", t.s3Prefix()).end()
                .leaf("status", t.status())
                .leaf("statusMessage", t.statusMessage());
        tags(w, t.tags());
    }

    static void importImageTask(XmlWriter w, ImportImageTask t) {
        w.start("item");
        importImageTaskFields(w, t);
        w.end();
    }

    static void importImageTaskFields(XmlWriter w, ImportImageTask t) {
        boolean completed = t.status().equals("completed");
        boolean windows = "Windows".equalsIgnoreCase(t.platform());
        w.leaf("importTaskId", t.id())
                .leaf("architecture", completed && t.architecture() == null ? "x86_64" : t.architecture())
                .leaf("description", t.description())
                .leaf("imageId", t.imageId())
                .leaf("licenseType", completed && t.licenseType() == null ? (windows ? "AWS" : "BYOL") : t.licenseType())
                .leaf("platform", completed && t.platform() == null ? "Linux" : t.platform())
                .leaf("progress", t.active() ? String.valueOf(t.progress()) : null)
                .start("snapshotDetailSet");
        for (ImportImageTask.SnapshotDetail d : t.snapshotDetails()) {
            w.start("item")
                    .leaf("deviceName", d.deviceName())
                    .leaf("diskImageSize", (double) d.diskImageSize())
                    .leaf("format", d.format())
                    .leaf("snapshotId", d.snapshotId())
                    .leaf("status", t.status())
                    .leaf("statusMessage", t.statusMessage())
                    .start("userBucket").leaf("s3Bucket", d.s3Bucket()).leaf("s3Key", d.s3Key()).end()
                    .end();
        }
        w.end()
                .leaf("status", t.status())
                .leaf("statusMessage", t.statusMessage())
                .leaf("bootMode", t.bootMode());
        tags(w, t.tags());
    }

    static void instanceExportTask(XmlWriter w, String element, InstanceExportTask t) {
        w.start(element)
                .leaf("exportTaskId", t.id())
                .leaf("description", t.description())
                .leaf("state", t.state())
                .leaf("statusMessage", t.statusMessage())
                .start("instanceExport").leaf("instanceId", t.instanceId())
                .leaf("targetEnvironment", t.targetEnvironment()).end()
                .start("exportToS3").leaf("diskImageFormat", t.diskImageFormat())
                .leaf("containerFormat", t.containerFormat()).leaf("s3Bucket", t.s3Bucket())
                .leaf("s3Key", t.s3Key()).end();
        tags(w, t.tags());
        w.end();
    }
}
