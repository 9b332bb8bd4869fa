package dev.ferry.provider.aws;

import static java.util.Objects.requireNonNull;

import dev.ferry.engine.provider.ArtifactOpener;
import dev.ferry.engine.provider.ProviderSession;
import dev.ferry.engine.provider.ResourceType;
import dev.ferry.provider.aws.client.AwsCalls;
import dev.ferry.provider.aws.client.AwsClients;
import dev.ferry.provider.aws.client.Images;
import dev.ferry.provider.aws.source.AmiResource;
import dev.ferry.provider.aws.source.Ec2InstanceData;
import dev.ferry.provider.aws.source.ImageExportResource;
import dev.ferry.provider.aws.source.PriceCatalog;
import dev.ferry.provider.aws.source.S3ArtifactOpener;
import dev.ferry.provider.aws.staging.BucketExportGrantResource;
import dev.ferry.provider.aws.staging.BucketPolicyResource;
import dev.ferry.provider.aws.staging.BucketResource;
import dev.ferry.provider.aws.staging.Buckets;
import dev.ferry.provider.aws.staging.CallerIdentityData;
import dev.ferry.provider.aws.staging.VmImportRoleResource;
import dev.ferry.provider.aws.target.ImageImportResource;
import dev.ferry.provider.aws.target.InstanceExportResource;
import dev.ferry.provider.aws.target.InstanceResource;
import dev.ferry.provider.aws.target.InstanceTypes;
import dev.ferry.provider.aws.target.LaunchTemplateResource;
import dev.ferry.provider.aws.target.Network;
import dev.ferry.provider.aws.target.S3ObjectUploadResource;
import dev.ferry.provider.aws.task.ConversionTasks;
import dev.ferry.provider.aws.source.SnapshotBlockSource;
import dev.ferry.provider.aws.source.SnapshotOpener;
import dev.ferry.provider.aws.source.SnapshotReadResource;
import java.util.List;
import java.util.Map;

/**
 * The AWS provider connected for one command run: its clients, and every resource type built over them
 * with the lookups they share (bucket facts, subnets and groups, instance types, prices), so that a plan
 * over many migrations asks AWS each thing once.
 */
final class AwsSession implements ProviderSession {

    private final AwsClients clients;
    private final CallerIdentityData callerIdentity;
    private final List<ResourceType> types;
    private final S3ArtifactOpener opener;
    private final SnapshotOpener snapshotOpener;

    AwsSession(AwsClients clients, S3ObjectUploadResource.UploadTuning upload) {
        this.clients = requireNonNull(clients, "clients is null");
        AwsCalls calls = new AwsCalls(clients.credentials(), clients.regionName(), clients.describeEndpoint(), clients.retry().baseDelay());
        Images images = new Images(clients, calls);
        Buckets buckets = new Buckets(clients, calls);
        PriceCatalog prices = new PriceCatalog(clients, calls);
        this.callerIdentity = new CallerIdentityData(clients, calls);
        this.opener = new S3ArtifactOpener(clients, calls);
        this.snapshotOpener = new SnapshotOpener(clients::ebs, clients.regionName(), SnapshotBlockSource.Tuning.STANDARD);
        this.types = List.of(
                callerIdentity,
                new Ec2InstanceData(clients, calls, prices),
                new AmiResource(clients, calls, images),
                new BucketResource(clients, calls, buckets),
                new BucketPolicyResource(clients, calls, buckets),
                new VmImportRoleResource(clients, calls),
                new ImageExportResource(clients, calls),
                new SnapshotReadResource(clients::ec2, clients::ebs, clients.regionName(), SnapshotBlockSource.Tuning.STANDARD,
                        calls::call),
                new S3ObjectUploadResource(clients, calls, upload),
                new ImageImportResource(clients, calls, images),
                new InstanceResource(clients, calls, new Network(clients, calls), new InstanceTypes(clients, calls)),
                new BucketExportGrantResource(clients, calls, buckets),
                new InstanceExportResource(clients, calls),
                new LaunchTemplateResource(clients, calls));
    }

    AwsClients clients() {
        return clients;
    }

    /** The account ferry acts in (STS GetCallerIdentity, once). */
    String accountId() {
        return callerIdentity.identity().account();
    }

    @Override
    public List<ResourceType> resourceTypes() {
        return types;
    }

    @Override
    public Map<String, Integer> limits() {
        return Map.of(ConversionTasks.limit(clients.regionName()), ConversionTasks.PER_REGION);
    }

    @Override
    public List<ArtifactOpener> artifactOpeners() {
        return List.of(opener, snapshotOpener);
    }

    @Override
    public void close() {
        clients.close();
    }

    @Override
    public String toString() {
        return "AwsSession[" + clients.regionName() + clients.endpoint().map(e -> ", endpoint " + e).orElse("") + "]";
    }
}
