package dev.ferry.provider.aws;

import dev.ferry.engine.FerryException;
import dev.ferry.engine.provider.ExpansionContext;
import dev.ferry.engine.resource.Expression;
import dev.ferry.engine.resource.ResourceAddress;
import dev.ferry.engine.resource.ResourceDeclaration;
import dev.ferry.engine.spec.Migration;
import dev.ferry.engine.spec.MigrationFile;
import dev.ferry.engine.spec.Section;
import dev.ferry.engine.spec.SourceLocation;
import dev.ferry.engine.spec.Staging;
import dev.ferry.provider.aws.client.AwsConfig;
import dev.ferry.provider.aws.staging.BucketExportGrantResource;
import dev.ferry.provider.aws.staging.BucketPolicyResource;
import dev.ferry.provider.aws.staging.BucketResource;
import dev.ferry.provider.aws.staging.CallerIdentityData;
import dev.ferry.provider.aws.staging.VmImportRoleResource;
import java.util.ArrayList;
import java.util.List;

/**
 * The declarations every AWS half of every migration shares: the staging bucket (when ferry creates it),
 * the vmimport role, the caller's identity. The engine merges a shared declaration only when every
 * migration declares it alike, so each is built here, from the file alone, in one place.
 */
final class SharedDeclarations {

    static final ResourceAddress CALLER = ResourceAddress.data(CallerIdentityData.NAME, "current");
    static final ResourceAddress BUCKET = ResourceAddress.managed(BucketResource.NAME, "staging");
    static final ResourceAddress BUCKET_POLICY = ResourceAddress.managed(BucketPolicyResource.NAME, "staging");
    static final ResourceAddress ROLE = ResourceAddress.managed(VmImportRoleResource.NAME, "vmimport");
    static final ResourceAddress EXPORT_GRANT = ResourceAddress.managed(BucketExportGrantResource.NAME, "staging");
    static final String ROLE_NAME = "vmimport";

    private final MigrationFile file;
    private final Staging staging;
    private final AwsConfig config;
    private final SourceLocation origin;

    private SharedDeclarations(MigrationFile file, Staging staging, AwsConfig config, SourceLocation origin) {
        this.file = file;
        this.staging = staging;
        this.config = config;
        this.origin = origin;
    }

    static SharedDeclarations of(ExpansionContext context, String section) {
        MigrationFile file = context.file();
        Staging staging = context.staging().filter(s -> s.bucketName().isPresent()).orElseThrow(() -> new FerryException(
                context.migration().pointer() + ": " + section + " needs the staging bucket: add 'bucket: NAME' under 'staging:'"));
        AwsConfig config = file.provider(AwsProvider.NAME).map(block -> block.bind(AwsConfig.class))
                .orElseThrow(() -> new FerryException(section + " needs the AWS provider: add 'providers: {aws: {region: REGION}}'"));
        // Shared resources point at the staging block (or the providers block), wherever a migration declares them.
        SourceLocation origin = file.document().locate("/staging");
        return new SharedDeclarations(file, staging, config, origin);
    }

    Staging staging() {
        return staging;
    }

    String region() {
        return config.region();
    }

    /** The staging bucket as arguments see it: a reference to the bucket ferry creates (an edge), or its name. */
    Expression bucket() {
        return staging.create() ? new Expression.Reference(BUCKET, "bucket") : Expression.literal(staging.bucket());
    }

    /** Object ownership of a bucket ferry creates: owner-preferred when an instance export needs ACL grants. */
    private String objectOwnership() {
        for (Migration migration : file.migrations()) {
            Section target = migration.target();
            if (target.kind().equals("ec2") && target.body().hasNonNull("export_back")) {
                return "BucketOwnerPreferred";
            }
        }
        return "BucketOwnerEnforced";
    }

    /** The bucket (when ferry creates it) and the vmimport role. */
    List<ResourceDeclaration> bucketAndRole() {
        List<ResourceDeclaration> declarations = new ArrayList<>();
        if (staging.create()) {
            declarations.add(ResourceDeclaration.builder(BUCKET, origin)
                    .argument("bucket", staging.bucket())
                    .argument("region", config.region())
                    .argument("object_ownership", objectOwnership())
                    .build());
        }
        declarations.add(ResourceDeclaration.builder(ROLE, origin)
                .argument("name", ROLE_NAME)
                .argument("bucket", staging.bucket())
                .build());
        return declarations;
    }

    ResourceDeclaration callerIdentity() {
        return ResourceDeclaration.builder(CALLER, file.document().locate("/providers/" + AwsProvider.NAME)).build();
    }

    /** The bucket ACL grant every instance export of the file writes through. */
    ResourceDeclaration exportGrant() {
        return ResourceDeclaration.builder(EXPORT_GRANT, origin)
                .argument("bucket", bucket())
                .build();
    }

    ResourceDeclaration bucketPolicy() {
        return ResourceDeclaration.builder(BUCKET_POLICY, origin)
                .argument("bucket", bucket())
                .argument("prefix", staging.prefix())
                .reference("account_id", CALLER, "account_id")
                .argument("bucket_managed", staging.create())
                .build();
    }
}
