package dev.ferry.provider.aws;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.engine.expand.Configuration;
import dev.ferry.engine.resource.Expression;
import dev.ferry.engine.resource.ResourceAddress;
import dev.ferry.engine.resource.ResourceDeclaration;
import dev.ferry.sandbox.Sandbox;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How the ec2 source and target expand: the resources, the references joining them, the staging copies. */
class ExpandersTest {

    static Sandbox sandbox;

    @TempDir
    Path directory;

    @BeforeAll
    static void start() {
        sandbox = Sandboxes.start();
    }

    @AfterAll
    static void stop() {
        sandbox.close();
    }

    static final String BOTH_JOURNEYS = """
            apiVersion: ferry/v1
            kind: Migration
            metadata: {name: both}
            providers:
              aws: {region: us-west-1}
              linode: {}
              vsphere: {}
            staging: {bucket: ferry-both, prefix: stage/, create: true, cleanup: delete-after-import}
            migrations:
              - name: web-01
                source: {ec2: {instance: i-0e1dc0292b0ae7293, reboot: true, via: export}}
                target: {linode: {region: us-lax, root_pass: "${env:ROOT_PASS}"}}
              - name: app-02
                source: {vsphere: {vm: app-02, disk_image: app-02.ova}}
                target:
                  ec2: {subnet: subnet-0abc1234, security_groups: [sg-0123456789abcdef0], private_ip: 10.0.1.20, family: m5,
                        backup_ami: true, export_back: {format: vhd}}
            """;

    ResourceDeclaration declared(Configuration configuration, String address) {
        return configuration.get(ResourceAddress.parse(address)).orElseThrow(() -> new AssertionError(address + " is not declared"));
    }

    static Expression.Reference reference(String address, String output) {
        return new Expression.Reference(ResourceAddress.parse(address), output);
    }

    @Test
    void journeyAsSourceHalfReadsImagesAndExportsTheInstance() {
        Configuration configuration = new Journey(sandbox, BOTH_JOURNEYS, directory).configuration();

        ResourceDeclaration instance = declared(configuration, "data.aws_ec2_instance.web-01");
        assertThat(instance.arguments()).containsEntry("instance", Expression.literal("i-0e1dc0292b0ae7293"))
                .containsEntry("region", Expression.literal("us-west-1"));
        assertThat(declared(configuration, "aws_ami.web-01").arguments())
                .containsEntry("instance", reference("data.aws_ec2_instance.web-01", "instance_id"))
                .containsEntry("reboot", Expression.literal(true));
        ResourceDeclaration export = declared(configuration, "aws_image_export.web-01");
        assertThat(export.arguments()).containsEntry("image_id", reference("aws_ami.web-01", "id"))
                .containsEntry("bucket", reference("aws_s3_bucket.staging", "bucket"))
                .containsEntry("prefix", Expression.literal("stage/"))
                .containsEntry("format", Expression.literal("raw"))
                .containsEntry("role_name", reference("aws_iam_role.vmimport", "name"))
                .containsEntry("source_disk", reference("data.aws_ec2_instance.web-01", "root_volume"))
                .containsEntry("product_codes", reference("data.aws_ec2_instance.web-01", "product_codes"));
        assertThat(export.dependencies()).contains(ResourceAddress.parse("aws_s3_bucket_policy.staging"));
        assertThat(declared(configuration, "aws_s3_bucket_policy.staging").arguments())
                .containsEntry("account_id", reference("data.aws_caller_identity.current", "account_id"));

        ResourceDeclaration target = declared(configuration, "fake_image.web-01");
        assertThat(target.arguments()).containsEntry("source", reference("aws_image_export.web-01", "disk_image"))
                .containsEntry("machine", reference("data.aws_ec2_instance.web-01", "machine"))
                .containsEntry("firewall", reference("data.aws_ec2_instance.web-01", "firewall"));
        for (String copy : new String[] {"aws_ami.web-01", "aws_image_export.web-01"}) {
            assertThat(declared(configuration, copy).lifecycle().cleanupAfter()).as(copy).contains(ResourceAddress.parse("fake_image.web-01"));
        }
        assertThat(declared(configuration, "aws_s3_bucket.staging").lifecycle().cleanupAfter())
                .as("the bucket ferry makes is a staging copy of journey A").contains(ResourceAddress.parse("fake_image.web-01"));
    }

    @Test
    void journeyBsTargetHalfUploadsImportsLaunchesBacksUpAndExportsBack() {
        Configuration configuration = new Journey(sandbox, BOTH_JOURNEYS, directory).configuration();

        assertThat(declared(configuration, "aws_s3_object.app-02").arguments())
                .containsEntry("source", reference("data.fake_vm.app-02", "disk_image"))
                .containsEntry("bucket", reference("aws_s3_bucket.staging", "bucket"))
                .containsEntry("prefix", Expression.literal("stage/"))
                .containsEntry("name", Expression.literal("app-02"));
        assertThat(declared(configuration, "aws_s3_object.app-02").lifecycle().cleanupAfter())
                .containsExactly(ResourceAddress.parse("aws_image_import.app-02"));
        assertThat(declared(configuration, "aws_image_import.app-02").arguments())
                .containsEntry("bucket", reference("aws_s3_object.app-02", "bucket"))
                .containsEntry("key", reference("aws_s3_object.app-02", "key"))
                .containsEntry("format", reference("aws_s3_object.app-02", "format"))
                .containsEntry("role_name", reference("aws_iam_role.vmimport", "name"))
                .containsEntry("machine", reference("data.fake_vm.app-02", "machine"))
                .containsEntry("architecture", Expression.literal("x86_64"));
        assertThat(declared(configuration, "aws_instance.app-02").arguments())
                .containsEntry("image_id", reference("aws_image_import.app-02", "image_id"))
                .containsEntry("instance_type", Expression.literal("match"))
                .containsEntry("family", Expression.literal("m5"))
                .containsEntry("subnet", Expression.literal("subnet-0abc1234"))
                .containsEntry("private_ip", Expression.literal("10.0.1.20"));
        assertThat(declared(configuration, "aws_ami.app-02-backup").arguments())
                .containsEntry("instance", reference("aws_instance.app-02", "id"));
        ResourceDeclaration exportBack = declared(configuration, "aws_instance_export.app-02");
        assertThat(exportBack.arguments()).containsEntry("format", Expression.literal("vhd"))
                .containsEntry("prefix", Expression.literal("exports-back/"));
        assertThat(exportBack.dependencies()).contains(ResourceAddress.parse("aws_ami.app-02-backup"));
    }

    @Test
    void bothJourneysShareOneBucketAndOneRoleAlike() {
        Configuration configuration = new Journey(sandbox, BOTH_JOURNEYS, directory).configuration();

        assertThat(configuration.migrationsOf(ResourceAddress.parse("aws_iam_role.vmimport"))).containsExactlyInAnyOrder("web-01", "app-02");
        assertThat(configuration.migrationsOf(ResourceAddress.parse("aws_s3_bucket.staging"))).containsExactlyInAnyOrder("web-01", "app-02");
        assertThat(declared(configuration, "aws_s3_bucket.staging").arguments())
                .containsEntry("object_ownership", Expression.literal("BucketOwnerPreferred"));
        assertThat(declared(configuration, "aws_iam_role.vmimport").arguments()).isEqualTo(Map.of(
                "name", Expression.literal("vmimport"), "bucket", Expression.literal("ferry-both")));
    }
}
