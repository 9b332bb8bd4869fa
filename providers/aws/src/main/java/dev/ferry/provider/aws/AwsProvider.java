package dev.ferry.provider.aws;

import static java.util.Objects.requireNonNull;

import dev.ferry.engine.FerryException;
import dev.ferry.engine.permission.Permission;
import dev.ferry.engine.permission.PermissionDocument;
import dev.ferry.engine.provider.Provider;
import dev.ferry.engine.provider.ProviderContext;
import dev.ferry.engine.provider.ProviderSession;
import dev.ferry.engine.provider.SourceKind;
import dev.ferry.engine.provider.TargetKind;
import dev.ferry.engine.resource.Attributes;
import dev.ferry.engine.resource.ResourceAddress;
import dev.ferry.engine.spec.Diagnostics;
import dev.ferry.engine.spec.Migration;
import dev.ferry.engine.spec.MigrationFile;
import dev.ferry.engine.spec.Section;
import dev.ferry.engine.spec.Staging;
import dev.ferry.engine.spec.SectionKind.Role;
import dev.ferry.engine.spec.SectionKind;
import dev.ferry.provider.aws.client.AwsClients;
import dev.ferry.provider.aws.client.AwsConfig;
import dev.ferry.provider.aws.client.AwsRegionNames;
import dev.ferry.engine.spec.Spelling;
import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.provider.aws.client.IamPolicy;
import dev.ferry.provider.aws.source.AmiResource;
import dev.ferry.provider.aws.source.Ec2InstanceData;
import dev.ferry.provider.aws.source.ImageExportResource;
import dev.ferry.provider.aws.source.SnapshotReadResource;
import dev.ferry.provider.aws.staging.BucketExportGrantResource;
import dev.ferry.provider.aws.staging.BucketPolicyResource;
import dev.ferry.provider.aws.staging.BucketResource;
import dev.ferry.provider.aws.staging.CallerIdentityData;
import dev.ferry.provider.aws.staging.VmImportRoleResource;
import dev.ferry.provider.aws.target.ImageImportResource;
import dev.ferry.provider.aws.target.InstanceExportResource;
import dev.ferry.provider.aws.target.InstanceResource;
import dev.ferry.provider.aws.target.LaunchTemplateResource;
import dev.ferry.provider.aws.state.S3StateBackend;
import dev.ferry.engine.state.RemoteStateLocation;
import dev.ferry.engine.state.StateBackend;
import java.util.Optional;
import dev.ferry.provider.aws.target.S3ObjectUploadResource;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;

/** Amazon Web Services: EC2 instances as sources (by snapshot or by export) and as targets (by import). */
public final class AwsProvider implements Provider {

    public static final String NAME = "aws";

    private final AwsClients.RetryTuning retry;
    private final S3ObjectUploadResource.UploadTuning upload;
    private final List<ExecutionInterceptor> interceptors;

    public AwsProvider() {
        this(AwsClients.RetryTuning.STANDARD, S3ObjectUploadResource.UploadTuning.STANDARD);
    }

    /** With other retry and upload settings (tests shorten the backoff and the parts). */
    AwsProvider(AwsClients.RetryTuning retry, S3ObjectUploadResource.UploadTuning upload) {
        this(retry, upload, List.of());
    }

    /** With {@code interceptors} on every SDK client as well (tests count the attempts of a call). */
    AwsProvider(AwsClients.RetryTuning retry, S3ObjectUploadResource.UploadTuning upload, List<ExecutionInterceptor> interceptors) {
        this.retry = requireNonNull(retry, "retry is null");
        this.upload = requireNonNull(upload, "upload is null");
        this.interceptors = List.copyOf(interceptors);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public List<SourceKind> sources() {
        return List.of(new SourceKind(new SectionKind("ec2", Role.SOURCE, NAME, false, Set.of("raw"), true, AwsProvider::checkSource),
                new Ec2SourceExpander()));
    }

    @Override
    public List<TargetKind> targets() {
        return List.of(new TargetKind(new SectionKind("ec2", Role.TARGET, NAME, true, Set.of("ova", "vmdk", "vhd", "vhdx", "raw"),
                false, AwsProvider::checkTarget), new Ec2TargetExpander()));
    }

    @Override
    public ProviderSession open(ProviderContext context) {
        AwsConfig config = context.block().map(block -> block.bind(AwsConfig.class))
                .orElseThrow(() -> new FerryException("the file has no providers.aws block; add one with the region,"
                        + " such as 'providers: {aws: {region: us-west-1}}'"));
        AwsClients clients = AwsClients.connect(config, context.environment(), context.home(), retry, context.notices(), interceptors);
        try {
            // Credentials are found now, so that a missing one stops the command before anything is planned.
            clients.credentials().provider().resolveCredentials();
            return new AwsSession(clients, upload);
        } catch (RuntimeException e) {
            clients.close();
            throw e;
        }
    }

    @Override
    public Optional<StateBackend> stateBackend(RemoteStateLocation location, ProviderContext context) {
        if (!location.scheme().equals("s3")) {
            return Optional.empty();
        }
        Optional<AwsConfig> block = context.block().map(b -> b.bind(AwsConfig.class));
        String region = location.region().or(() -> block.map(AwsConfig::region)).or(() -> context.variable("AWS_REGION"))
                .orElseThrow(() -> new FerryException("the state " + location.uri() + " needs a region: add 'region:' under"
                        + " state.s3, a providers.aws block, or set AWS_REGION"));
        AwsConfig config = new AwsConfig(region, block.flatMap(AwsConfig::profile), block.flatMap(AwsConfig::endpoint));
        AwsClients clients = AwsClients.connect(config, context.environment(), context.home(), retry, context.notices(), interceptors);
        try {
            return Optional.of(new S3StateBackend(clients, location));
        } catch (RuntimeException e) {
            clients.close();
            throw e;
        }
    }

    /**
     * A region AWS does not have is a typo more often than not: warned (once, however many sections use the
     * block), with the nearest name. Not an error, so that an SDK older than a new region is no obstacle.
     */
    private static void checkRegion(MigrationFile file, Diagnostics out) {
        file.provider(NAME).ifPresent(block -> {
            JsonNode region = block.body().path("region");
            if (!region.isTextual() || region.asText().contains("${") || AwsRegionNames.known(region.asText())) {
                return;
            }
            String given = region.asText();
            out.warning(block.locate("region"), "region '" + given + "' is not an AWS region",
                    Spelling.closest(given, AwsRegionNames.all()).map(best -> "did you mean '" + best + "'?")
                            .orElse("use the name of an AWS region, such as us-west-1 or eu-west-3"));
        });
    }

    /** Every resource type's own answer to what it calls, by type. */
    private static final Map<String, Permissions> PERMISSIONS = Map.ofEntries(
            Map.entry(CallerIdentityData.NAME, CallerIdentityData::permissions),
            Map.entry(Ec2InstanceData.NAME, Ec2InstanceData::permissions),
            Map.entry(AmiResource.NAME, AmiResource::permissions),
            Map.entry(SnapshotReadResource.NAME, SnapshotReadResource::permissions),
            Map.entry(BucketResource.NAME, BucketResource::permissions),
            Map.entry(BucketPolicyResource.NAME, BucketPolicyResource::permissions),
            Map.entry(VmImportRoleResource.NAME, VmImportRoleResource::permissions),
            Map.entry(ImageExportResource.NAME, ImageExportResource::permissions),
            Map.entry(S3ObjectUploadResource.NAME, S3ObjectUploadResource::permissions),
            Map.entry(ImageImportResource.NAME, ImageImportResource::permissions),
            Map.entry(InstanceResource.NAME, InstanceResource::permissions),
            Map.entry(BucketExportGrantResource.NAME, BucketExportGrantResource::permissions),
            Map.entry(InstanceExportResource.NAME, InstanceExportResource::permissions),
            Map.entry(LaunchTemplateResource.NAME, LaunchTemplateResource::permissions));

    private interface Permissions {
        List<Permission> of(IamPolicy.Scope scope, String address, Attributes arguments);
    }

    @Override
    public List<Permission> permissions(MigrationFile file, ResourceAddress address, Attributes arguments) {
        Permissions type = PERMISSIONS.get(address.type());
        if (type == null) {
            return List.of();
        }
        String region = file.provider(NAME).map(block -> block.bind(AwsConfig.class).region()).orElse("us-east-1");
        return type.of(IamPolicy.Scope.of(region), address.toString(), arguments);
    }

    @Override
    public List<Permission> statePermissions(RemoteStateLocation location) {
        return location.scheme().equals("s3") ? S3StateBackend.permissions(IamPolicy.Scope.of(location.region().orElse("us-east-1")), location)
                : List.of();
    }

    @Override
    public Optional<PermissionDocument> permissionDocument(List<Permission> permissions) {
        return Optional.of(IamPolicy.document(permissions));
    }

    /** The export road moves the disk through the staging bucket; the snapshot road (the default) needs none. */
    private static void checkSource(Migration migration, Section section, MigrationFile file, Diagnostics out) {
        checkRegion(file, out);
        Ec2Source source = section.bind(Ec2Source.class);
        if (!source.viaSnapshot() && file.staging().flatMap(Staging::bucketName).isEmpty()) {
            out.error(section.keyLocation(), "source.ec2 with 'via: export' moves disk images through an S3 bucket, and the file"
                    + (file.staging().isPresent() ? "'s 'staging:' names no bucket" : " has no 'staging:'"),
                    (file.staging().isPresent() ? "add 'bucket: NAME' (and 'create: true') under 'staging:'"
                            : "add 'staging: { bucket: NAME, create: true }'")
                            + ", or remove 'via: export' to read the snapshot with the EBS direct APIs");
        }
    }

    /**
     * A launch template launches the backup image, so it needs one; and its name is unique in the region, so two
     * migrations of one file cannot both have it (the second would find the first's template in its way).
     */
    private static void checkLaunchTemplate(Migration migration, Section section, MigrationFile file, Ec2Target target,
                                            Ec2Target.LaunchTemplate template, Diagnostics out) {
        if (!target.backupAmi().enabled()) {
            out.error(section.locate("launch_template"), "launch_template launches the backup image of the new instance,"
                    + " but backup_ami is not set", "add 'backup_ami: true' (or '{reboot: true}') under target.ec2, or remove"
                    + " 'launch_template'");
        }
        for (Migration earlier : file.migrations()) {
            if (earlier == migration) {
                break;
            }
            if (earlier.target().kind().equals("ec2") && earlier.target().body().path("launch_template").path("name").asText()
                    .equals(template.name())) {
                out.error(section.locate("launch_template/name"), "launch template name " + template.name()
                        + " is already used by migration " + earlier.name() + " (launch template names are unique in a region)",
                        "give each migration's launch template its own name");
            }
        }
    }

    private static void checkTarget(Migration migration, Section section, MigrationFile file, Diagnostics out) {
        checkRegion(file, out);
        Ec2Target target = section.bind(Ec2Target.class);
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < target.securityGroups().size(); i++) {
            String group = target.securityGroups().get(i);
            if (!seen.add(group)) {
                out.error(section.locate("security_groups/" + i), "security group " + group + " is listed twice",
                        "list each security group once");
            }
        }
        target.tags().keySet().stream()
                .filter(key -> key.regionMatches(true, 0, "aws:", 0, 4))
                .forEach(key -> out.error(section.locate("tags/" + key), "tag key '" + key + "' uses the prefix 'aws:', which AWS reserves",
                        "choose a key without the 'aws:' prefix"));
        target.launchTemplate().ifPresent(template -> checkLaunchTemplate(migration, section, file, target, template, out));
        if (target.family().isPresent() && !target.instanceType().equals(Ec2Target.MATCH)) {
            out.warning(section.locate("family"), "family is used only with instance_type: match; it is ignored here",
                    "remove 'family', or set 'instance_type: match'");
        }
    }
}
