package dev.ferry.provider.aws;

import dev.ferry.engine.provider.ExpansionContext;
import dev.ferry.provider.aws.client.AwsConfig;
import dev.ferry.provider.aws.source.SnapshotReadResource;
import dev.ferry.engine.provider.SourceHalf;
import dev.ferry.engine.provider.SourceKind;
import dev.ferry.engine.resource.Expression;
import dev.ferry.engine.resource.ResourceAddress;
import dev.ferry.engine.resource.ResourceDeclaration;
import dev.ferry.engine.spec.SourceLocation;
import dev.ferry.provider.aws.source.AmiResource;
import dev.ferry.provider.aws.source.Ec2InstanceData;
import dev.ferry.provider.aws.source.ImageExportResource;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * {@code source.ec2}, the AWS half of journey A. With {@code via: export}: read the instance ({@code data.aws_ec2_instance.NAME}),
 * image it ({@code aws_ami.NAME}), make sure the staging bucket, its policy and the vmimport role are in
 * place, and export the image as RAW ({@code aws_image_export.NAME}). The target sees the machine facts,
 * the firewall intent and the exported {@code disk_image}; the AMI and the exported object (and a bucket
 * ferry creates, with its policy) are staging copies the file's clean-up policy applies to.
 */
final class Ec2SourceExpander implements SourceKind.SourceExpander {

    @Override
    public SourceHalf expand(ExpansionContext context) {
        Ec2Source source = context.source().bind(Ec2Source.class);
        if (source.viaSnapshot()) {
            return expandSnapshot(context, source);
        }
        SharedDeclarations shared = SharedDeclarations.of(context, "source.ec2");
        String name = context.name();
        SourceLocation origin = context.sourceLocation();
        ResourceAddress instance = ResourceAddress.data(Ec2InstanceData.NAME, name);
        ResourceAddress ami = ResourceAddress.managed(AmiResource.NAME, name);
        ResourceAddress export = ResourceAddress.managed(ImageExportResource.NAME, name);

        List<ResourceDeclaration> declarations = new ArrayList<>();
        declarations.add(shared.callerIdentity());
        declarations.add(ResourceDeclaration.builder(instance, origin)
                .argument("instance", source.instance())
                .argument("region", shared.region())
                .build());
        declarations.add(ResourceDeclaration.builder(ami, origin)
                .reference("instance", instance, "instance_id")
                .argument("reboot", source.reboot())
                .argument(AmiResource.REBOOT_SETTING, "source.ec2.reboot: true")
                .build());
        declarations.addAll(shared.bucketAndRole());
        declarations.add(shared.bucketPolicy());
        declarations.add(ResourceDeclaration.builder(export, origin)
                .reference("image_id", ami, "id")
                .argument("bucket", shared.bucket())
                .argument("prefix", shared.staging().prefix())
                .argument("format", "raw")
                .reference("role_name", SharedDeclarations.ROLE, "name")
                .reference("instance", instance, "instance_id")
                .reference("source_disk", instance, "root_volume")
                .reference("product_codes", instance, "product_codes")
                .dependsOn(SharedDeclarations.BUCKET_POLICY)
                .build());

        Set<ResourceAddress> stagingCopies = new LinkedHashSet<>(List.of(ami, export));
        if (shared.staging().create()) {
            stagingCopies.add(SharedDeclarations.BUCKET);
            stagingCopies.add(SharedDeclarations.BUCKET_POLICY);
        }
        return new SourceHalf(declarations,
                new Expression.Reference(instance, "machine"),
                Optional.of(new Expression.Reference(instance, "firewall")),
                new Expression.Reference(export, "disk_image"),
                stagingCopies);
    }

    /**
     * {@code via: snapshot}: read the instance, image it, and read the image's root snapshot block by block
     * ({@code aws_snapshot_read.NAME}); no bucket, policy, role or export. The AMI (with its snapshot) is the
     * staging copy the clean-up policy applies to.
     */
    private static SourceHalf expandSnapshot(ExpansionContext context, Ec2Source source) {
        String name = context.name();
        SourceLocation origin = context.sourceLocation();
        AwsConfig config = context.file().provider(AwsProvider.NAME).map(block -> block.bind(AwsConfig.class))
                .orElseThrow(() -> new dev.ferry.engine.FerryException("source.ec2 needs the AWS provider: add"
                        + " 'providers: {aws: {region: REGION}}'"));
        ResourceAddress instance = ResourceAddress.data(Ec2InstanceData.NAME, name);
        ResourceAddress ami = ResourceAddress.managed(AmiResource.NAME, name);
        ResourceAddress read = ResourceAddress.managed(SnapshotReadResource.NAME, name);
        boolean named = context.source().body().hasNonNull("via");
        List<ResourceDeclaration> declarations = new ArrayList<>();
        declarations.add(ResourceDeclaration.builder(SharedDeclarations.CALLER,
                context.file().document().locate("/providers/" + AwsProvider.NAME)).build());
        declarations.add(ResourceDeclaration.builder(instance, origin)
                .argument("instance", source.instance())
                .argument("region", config.region())
                .build());
        declarations.add(ResourceDeclaration.builder(ami, origin)
                .reference("instance", instance, "instance_id")
                .argument("reboot", source.reboot())
                .argument(AmiResource.REBOOT_SETTING, "source.ec2.reboot: true")
                .build());
        declarations.add(ResourceDeclaration.builder(read, origin)
                .reference("image_id", ami, "id")
                .reference("snapshot_id", ami, "root_snapshot_id")
                .reference("instance", instance, "instance_id")
                .reference("source_disk", instance, "root_volume")
                .argument("via", Ec2Source.SNAPSHOT)
                .argument("via_from", named ? "file" : "default")
                .build());
        return new SourceHalf(declarations,
                new Expression.Reference(instance, "machine"),
                Optional.of(new Expression.Reference(instance, "firewall")),
                new Expression.Reference(read, "disk_image"),
                new LinkedHashSet<>(List.of(ami, read)),
                Optional.of(new Expression.Reference(read, "data_disks")));
    }
}
