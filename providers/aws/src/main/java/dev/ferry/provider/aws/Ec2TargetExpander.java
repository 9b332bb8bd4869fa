package dev.ferry.provider.aws;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.engine.provider.ExpansionContext;
import dev.ferry.engine.provider.SourceHalf;
import dev.ferry.engine.provider.TargetHalf;
import dev.ferry.engine.provider.TargetKind;
import dev.ferry.engine.resource.Expression.Reference;
import dev.ferry.engine.resource.ResourceAddress;
import dev.ferry.engine.resource.ResourceDeclaration;
import dev.ferry.engine.spec.SourceLocation;
import dev.ferry.provider.aws.client.Json;
import dev.ferry.provider.aws.source.AmiResource;
import dev.ferry.provider.aws.target.ImageImportResource;
import dev.ferry.provider.aws.target.InstanceExportResource;
import dev.ferry.provider.aws.target.InstanceResource;
import dev.ferry.provider.aws.target.LaunchTemplateResource;
import dev.ferry.provider.aws.target.S3ObjectUploadResource;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * {@code target.ec2}, the AWS half of journey B: upload the source's disk image to the staging bucket
 * ({@code aws_s3_object.NAME}), import it with the vmimport role ({@code aws_image_import.NAME}, the
 * resource after which the upload may go), launch the instance ({@code aws_instance.NAME}), and, when the
 * file asks, back it up as an AMI ({@code aws_ami.NAME-backup}), keep a launch template that launches that
 * backup ({@code aws_launch_template.NAME}), and export it back to the bucket ({@code aws_instance_export.NAME}).
 */
final class Ec2TargetExpander implements TargetKind.TargetExpander {

    @Override
    public TargetHalf expand(ExpansionContext context, SourceHalf source) {
        Ec2Target target = context.target().bind(Ec2Target.class);
        SharedDeclarations shared = SharedDeclarations.of(context, "target.ec2");
        String name = context.name();
        SourceLocation origin = context.targetLocation();
        ResourceAddress object = ResourceAddress.managed(S3ObjectUploadResource.NAME, name);
        ResourceAddress image = ResourceAddress.managed(ImageImportResource.NAME, name);
        ResourceAddress instance = ResourceAddress.managed(InstanceResource.NAME, name);

        List<ResourceDeclaration> declarations = new ArrayList<>(shared.bucketAndRole());
        declarations.add(ResourceDeclaration.builder(object, origin)
                .argument("bucket", shared.bucket())
                .argument("prefix", shared.staging().prefix())
                .argument("name", name)
                .argument("source", source.diskImage())
                .build());

        ObjectNode tags = Json.object();
        target.tags().entrySet().stream().sorted(java.util.Map.Entry.comparingByKey()).forEach(tag -> tags.put(tag.getKey(), tag.getValue()));
        ResourceDeclaration.Builder importing = ResourceDeclaration.builder(image, origin)
                .reference("bucket", object, "bucket")
                .reference("key", object, "key")
                .reference("format", object, "format")
                .reference("role_name", SharedDeclarations.ROLE, "name")
                .argument("architecture", target.architecture())
                .argument("machine", source.machine())
                .argument("tags", tags);
        target.platform().ifPresent(platform -> importing.argument("platform", platform));
        target.bootMode().ifPresent(mode -> importing.argument("boot_mode", mode));
        target.licenseType().ifPresent(license -> importing.argument("license_type", license));
        declarations.add(importing.build());

        ResourceDeclaration.Builder launching = ResourceDeclaration.builder(instance, origin)
                .reference("image_id", image, "image_id")
                .argument("instance_type", target.instanceType())
                .argument("subnet", target.subnet())
                .argument("security_groups", Json.array(target.securityGroups()))
                .argument("tags", tags)
                .argument("architecture", target.architecture())
                .argument("name", name)
                .argument("machine", source.machine());
        target.family().ifPresent(family -> launching.argument("family", family));
        target.privateIp().ifPresent(ip -> launching.argument("private_ip", ip));
        declarations.add(launching.build());

        ResourceAddress backup = ResourceAddress.managed(AmiResource.NAME, name + "-backup");
        if (target.backupAmi().enabled()) {
            declarations.add(ResourceDeclaration.builder(backup, origin)
                    .reference("instance", instance, "id")
                    .argument("reboot", target.backupAmi().reboot())
                    .argument(AmiResource.REBOOT_SETTING, "target.ec2.backup_ami: {reboot: true}")
                    .argument("tags", tags)
                    .build());
        }
        // validation refuses a launch template without a backup image to launch (AwsProvider.checkTarget)
        target.launchTemplate().filter(template -> target.backupAmi().enabled()).ifPresent(template -> declarations.add(
                ResourceDeclaration.builder(ResourceAddress.managed(LaunchTemplateResource.NAME, name), origin)
                        .argument("name", template.name())
                        .reference("image_id", backup, "image_id")
                        .reference("instance_type", instance, "instance_type")
                        .argument("subnet", target.subnet())
                        .argument("security_groups", Json.array(target.securityGroups()))
                        .argument("tags", tags)
                        .argument("instance_name", name)
                        .build()));
        target.exportBack().ifPresent(back -> {
            declarations.add(shared.exportGrant());
            ResourceDeclaration.Builder exporting = ResourceDeclaration.builder(ResourceAddress.managed(InstanceExportResource.NAME, name), origin)
                    .reference("instance_id", instance, "id")
                    .argument("bucket", shared.bucket())
                    .argument("prefix", back.prefix())
                    .argument("format", back.format().name().toLowerCase(Locale.ROOT))
                    // CreateInstanceExportTask writes through the bucket's ACL: the grant comes first.
                    .dependsOn(SharedDeclarations.EXPORT_GRANT);
            if (target.backupAmi().enabled()) {
                // An instance export may reboot the instance; the backup image is taken first.
                exporting.dependsOn(backup);
            }
            declarations.add(exporting.build());
        });
        return new TargetHalf(declarations, image, Set.of(object), Optional.of(new Reference(instance, "addresses")));
    }
}
