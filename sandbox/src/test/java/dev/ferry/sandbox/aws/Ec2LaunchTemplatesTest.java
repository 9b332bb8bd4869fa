package dev.ferry.sandbox.aws;

import dev.ferry.sandbox.AwsClients;
import dev.ferry.sandbox.Sandbox;
import dev.ferry.sandbox.TestSandboxes;
import dev.ferry.sandbox.world.LaunchTemplate;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.CreateLaunchTemplateResponse;
import software.amazon.awssdk.services.ec2.model.LaunchTemplateVersion;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.ResponseLaunchTemplateData;
import software.amazon.awssdk.services.ec2.model.Tag;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Launch templates through the real EC2 client: names, versions, the default version, idempotency, errors. */
class Ec2LaunchTemplatesTest {

    @TempDir
    Path state;
    Sandbox sandbox;
    AwsClients clients;
    Ec2Client ec2;

    @BeforeEach
    void start() {
        sandbox = Sandbox.start(TestSandboxes.options(0.01).stateDirectory(state).build());
        clients = new AwsClients(sandbox);
        ec2 = clients.ec2();
    }

    @AfterEach
    void stop() {
        ec2.close();
        clients.close();
        sandbox.close();
    }

    private static String errorCode(Throwable e) {
        return ((AwsServiceException) e).awsErrorDetails().errorCode();
    }

    private CreateLaunchTemplateResponse create(String name, String token, String image) {
        return ec2.createLaunchTemplate(r -> r.launchTemplateName(name).clientToken(token).versionDescription("first")
                .launchTemplateData(d -> d.imageId(image).instanceType("t3.small")
                        .networkInterfaces(n -> n.deviceIndex(0).subnetId("subnet-0abc1234").groups("sg-0a1b2c3d4e5f60789"))
                        .tagSpecifications(t -> t.resourceType(ResourceType.INSTANCE).tags(Tag.builder().key("Team").value("web").build())))
                .tagSpecifications(t -> t.resourceType(ResourceType.LAUNCH_TEMPLATE).tags(Tag.builder().key("Owner").value("ops").build())));
    }

    @Test
    void aTemplateIsCreatedOnceVersionedAndDescribedAsEc2Does() {
        CreateLaunchTemplateResponse created = create("web-replacement", "token-1", "ami-0123456789abcdef0");
        software.amazon.awssdk.services.ec2.model.LaunchTemplate template = created.launchTemplate();
        assertThat(template.launchTemplateId()).matches("lt-0[0-9a-f]{16}");
        assertThat(template.defaultVersionNumber()).isEqualTo(1);
        assertThat(template.latestVersionNumber()).isEqualTo(1);
        assertThat(template.createdBy()).startsWith("arn:aws:iam::");
        assertThat(template.createTime()).isNotNull();
        assertThat(template.tags()).extracting(Tag::key).containsExactly("Owner");
        assertThat(created.warning().errors()).as("a missing image is a warning at creation, as in EC2")
                .anySatisfy(error -> assertThat(error.code()).isEqualTo("InvalidAMIID.NotFound"));
        assertThat(create("web-replacement", "token-1", "ami-0123456789abcdef0").launchTemplate().launchTemplateId())
                .as("the same ClientToken answers with the same template").isEqualTo(template.launchTemplateId());
        assertThatThrownBy(() -> create("web-replacement", "token-2", "ami-0123456789abcdef0"))
                .satisfies(e -> assertThat(errorCode(e)).isEqualTo("InvalidLaunchTemplateName.AlreadyExistsException"));
        assertThatThrownBy(() -> create("no", "token-3", "ami-0123456789abcdef0"))
                .satisfies(e -> assertThat(errorCode(e)).isEqualTo("InvalidLaunchTemplateName.MalformedException"));

        String id = template.launchTemplateId();
        LaunchTemplateVersion second = ec2.createLaunchTemplateVersion(r -> r.launchTemplateId(id).clientToken("v2").sourceVersion("1")
                .launchTemplateData(d -> d.imageId("ami-0fedcba9876543210"))).launchTemplateVersion();
        assertThat(second.versionNumber()).isEqualTo(2);
        assertThat(second.defaultVersion()).isFalse();
        assertThat(second.launchTemplateData().instanceTypeAsString()).as("inherited from the source version").isEqualTo("t3.small");
        assertThat(ec2.createLaunchTemplateVersion(r -> r.launchTemplateId(id).clientToken("v2")
                .launchTemplateData(d -> d.imageId("ami-0fedcba9876543210"))).launchTemplateVersion().versionNumber()).isEqualTo(2);

        assertThat(ec2.modifyLaunchTemplate(r -> r.launchTemplateId(id).defaultVersion("2")).launchTemplate().defaultVersionNumber())
                .isEqualTo(2);
        List<LaunchTemplateVersion> versions = ec2.describeLaunchTemplateVersions(r -> r.launchTemplateName("web-replacement")
                .versions("$Latest", "$Default", "1")).launchTemplateVersions();
        assertThat(versions).extracting(LaunchTemplateVersion::versionNumber).containsExactly(2L, 1L);
        ResponseLaunchTemplateData latest = versions.get(0).launchTemplateData();
        assertThat(latest.imageId()).isEqualTo("ami-0fedcba9876543210");
        assertThat(latest.networkInterfaces()).singleElement().satisfies(nic -> {
            assertThat(nic.subnetId()).isEqualTo("subnet-0abc1234");
            assertThat(nic.groups()).containsExactly("sg-0a1b2c3d4e5f60789");
        });
        assertThat(latest.tagSpecifications()).singleElement().satisfies(spec -> {
            assertThat(spec.resourceType()).isEqualTo(ResourceType.INSTANCE);
            assertThat(spec.tags()).extracting(Tag::value).containsExactly("web");
        });
        assertThat(ec2.describeLaunchTemplates(r -> r.filters(f -> f.name("tag:Owner").values("ops"))).launchTemplates())
                .singleElement().satisfies(found -> assertThat(found.latestVersionNumber()).isEqualTo(2));
        assertThatThrownBy(() -> ec2.modifyLaunchTemplate(r -> r.launchTemplateId(id).defaultVersion("7")))
                .satisfies(e -> assertThat(errorCode(e)).isEqualTo("InvalidLaunchTemplateId.VersionNotFound"));

        ec2.deleteLaunchTemplate(r -> r.launchTemplateId(id));
        assertThatThrownBy(() -> ec2.describeLaunchTemplates(r -> r.launchTemplateIds(id)))
                .satisfies(e -> assertThat(errorCode(e)).isEqualTo("InvalidLaunchTemplateId.NotFound"));
        assertThatThrownBy(() -> ec2.describeLaunchTemplateVersions(r -> r.launchTemplateName("web-replacement")))
                .satisfies(e -> assertThat(errorCode(e)).isEqualTo("InvalidLaunchTemplateName.NotFoundException"));
        assertThat(sandbox.world().ec2().launchTemplates()).isEmpty();
    }

    @Test
    void templatesOutliveARestartOfTheSandbox() {
        String id = create("kept-template", "token-k", "ami-0123456789abcdef0").launchTemplate().launchTemplateId();
        ec2.close();
        clients.close();
        sandbox.close();

        sandbox = Sandbox.start(TestSandboxes.options(0.01).stateDirectory(state).build());
        clients = new AwsClients(sandbox);
        ec2 = clients.ec2();

        LaunchTemplate kept = sandbox.world().ec2().launchTemplate(id).orElseThrow();
        assertThat(kept.name()).isEqualTo("kept-template");
        assertThat(kept.latest().tagSpecifications()).isEqualTo(Map.of("instance", Map.of("Team", "web")));
        assertThat(ec2.describeLaunchTemplates(r -> r.launchTemplateNames("kept-template")).launchTemplates()).hasSize(1);
    }
}
