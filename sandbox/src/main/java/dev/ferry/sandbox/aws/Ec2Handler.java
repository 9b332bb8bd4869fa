package dev.ferry.sandbox.aws;

import dev.ferry.sandbox.http.HttpCall;
import dev.ferry.sandbox.world.World;

import java.util.Map;

/**
 * The EC2 Query API: answers in EC2's words and hands each action to the area that serves it (instances,
 * instance types, networking, images and snapshots, tags, export and import tasks, launch templates).
 */
public final class Ec2Handler extends QueryService {

    private final Ec2Instances instances;
    private final Ec2InstanceTypes instanceTypes;
    private final Ec2Networking networking;
    private final Ec2Images images;
    private final Ec2Tags tags;
    private final Ec2Exports exports;
    private final Ec2Imports imports;
    private final Ec2LaunchTemplates launchTemplates;

    public Ec2Handler(World world) {
        super(world);
        this.instances = new Ec2Instances(world);
        this.instanceTypes = new Ec2InstanceTypes(world);
        this.networking = new Ec2Networking(world);
        this.images = new Ec2Images(world);
        this.tags = new Ec2Tags(world);
        this.exports = new Ec2Exports(world);
        this.imports = new Ec2Imports(world);
        this.launchTemplates = new Ec2LaunchTemplates(world);
    }

    @Override
    protected Map<String, String> headers(HttpCall call) {
        return Map.of();
    }

    @Override
    protected String errorXml(AwsException error, String requestId) {
        return Ec2Xml.error(error, requestId);
    }

    @Override
    protected AwsException missingCredentials() {
        return new AwsException(401, "AuthFailure", "AWS was not able to validate the provided access credentials");
    }

    @Override
    protected AwsException unknownAccessKey() {
        return new AwsException(401, "AuthFailure", "AWS was not able to validate the provided access credentials");
    }

    @Override
    protected AwsException throttled() {
        return new AwsException(503, "RequestLimitExceeded", "Request limit exceeded.");
    }

    @Override
    protected AwsException unavailable() {
        return new AwsException(503, "Unavailable", "The server is overloaded and can't handle the request.");
    }

    @Override
    protected AwsException internalFailure() {
        return new AwsException(500, "InternalError", "An internal error has occurred");
    }

    @Override
    protected String serve(String action, QueryParams params, HttpCall call) {
        if (params.bool("DryRun", false)) {
            throw new AwsException(412, "DryRunOperation", "Request would have succeeded, but DryRun flag is set.");
        }
        String id = call.requestId();
        return switch (action) {
            case "DescribeInstances" -> instances.describeInstances(params, id);
            case "DescribeInstanceTypes" -> instanceTypes.describeInstanceTypes(params, id);
            case "DescribeVolumes" -> instances.describeVolumes(params, id);
            case "DescribeSecurityGroups" -> networking.describeSecurityGroups(params, id);
            case "DescribeSecurityGroupRules" -> networking.describeSecurityGroupRules(params, id);
            case "DescribeSubnets" -> networking.describeSubnets(params, id);
            case "DescribeVpcs" -> networking.describeVpcs(params, id);
            case "CreateImage" -> images.createImage(params, id);
            case "DescribeImages" -> images.describeImages(params, id);
            case "DeregisterImage" -> images.deregisterImage(params, id);
            case "DescribeSnapshots" -> images.describeSnapshots(params, id);
            case "DeleteSnapshot" -> images.deleteSnapshot(params, id);
            case "CreateTags" -> tags.createTags(params, id);
            case "DescribeTags" -> tags.describeTags(params, id);
            case "ExportImage" -> exports.exportImage(params, id);
            case "DescribeExportImageTasks" -> exports.describeExportImageTasks(params, id);
            case "CancelExportTask" -> exports.cancelExportTask(params, id);
            case "ImportImage" -> imports.importImage(params, id);
            case "DescribeImportImageTasks" -> imports.describeImportImageTasks(params, id);
            case "RunInstances" -> instances.runInstances(params, id);
            case "TerminateInstances" -> instances.terminateInstances(params, id);
            case "CreateInstanceExportTask" -> exports.createInstanceExportTask(params, id);
            case "DescribeExportTasks" -> exports.describeExportTasks(params, id);
            case "CreateLaunchTemplate" -> launchTemplates.createLaunchTemplate(params, id);
            case "CreateLaunchTemplateVersion" -> launchTemplates.createLaunchTemplateVersion(params, id);
            case "DescribeLaunchTemplates" -> launchTemplates.describeLaunchTemplates(params, id);
            case "DescribeLaunchTemplateVersions" -> launchTemplates.describeLaunchTemplateVersions(params, id);
            case "ModifyLaunchTemplate" -> launchTemplates.modifyLaunchTemplate(params, id);
            case "DeleteLaunchTemplate" -> launchTemplates.deleteLaunchTemplate(params, id);
            default -> throw new AwsException(400, "InvalidAction",
                    "The action " + action + " is not valid for this web service.");
        };
    }
}
