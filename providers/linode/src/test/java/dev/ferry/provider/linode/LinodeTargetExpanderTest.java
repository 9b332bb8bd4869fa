package dev.ferry.provider.linode;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.engine.machine.MachineFacts;
import dev.ferry.engine.provider.ExpansionContext;
import dev.ferry.engine.provider.Lookahead;
import dev.ferry.engine.provider.SourceHalf;
import dev.ferry.engine.provider.TargetHalf;
import dev.ferry.engine.resource.Expression;
import dev.ferry.engine.resource.ResourceAddress;
import dev.ferry.engine.resource.ResourceDeclaration;
import dev.ferry.engine.spec.Diagnostic;
import dev.ferry.engine.spec.MigrationFile;
import dev.ferry.engine.spec.MigrationFiles;
import dev.ferry.engine.state.ResourceState;
import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code linode} target expanded by hand, against a source half shaped like the AWS one. */
class LinodeTargetExpanderTest {

    @TempDir
    Path folder;

    private static final ResourceAddress READ = ResourceAddress.data("aws_ec2_instance", "m");
    private static final ResourceAddress EXPORT = ResourceAddress.managed("aws_image_export", "m");

    private static SourceHalf source(boolean withFirewall) {
        return new SourceHalf(List.of(), new Expression.Reference(READ, "machine"),
                withFirewall ? Optional.of(new Expression.Reference(READ, "firewall")) : Optional.empty(),
                new Expression.Reference(EXPORT, "disk_image"), Set.of(EXPORT));
    }

    private TargetHalf expand(String migration, String target, String firewall, boolean sourceFirewall) {
        return expand(migration, target, firewall, sourceFirewall, Lookahead.NONE);
    }

    private TargetHalf expand(String migration, String target, String firewall, boolean sourceFirewall, Lookahead lookahead) {
        MigrationFile file = TestFiles.load(TestFiles.HEADER + """
                providers:
                  aws: { region: us-west-1 }
                  linode: {}
                staging: { bucket: ferry-test-bucket }
                migrations:
                  - name: %s
                    source: { ec2: { instance: i-0123456789abcdef0 } }
                    target: { linode: %s }
                %s""".formatted(migration, target, firewall), folder);
        return new LinodeTargetExpander().expand(new ExpansionContext(file, file.migrations().get(0), lookahead), source(sourceFirewall));
    }

    private static ResourceDeclaration declaration(TargetHalf half, String address) {
        return half.declarations().stream().filter(d -> d.address().equals(ResourceAddress.parse(address))).findFirst()
                .orElseThrow(() -> new AssertionError(address + " is not declared"));
    }

    private static JsonNode literal(ResourceDeclaration declaration, String argument) {
        return ((Expression.Literal) declaration.arguments().get(argument)).value();
    }

    @Test
    void onTheDiskRoadTheSourcesOtherDisksBecomeVolumesWrittenWithTheRootAndAttachedByTheConfig() {
        MigrationFile file = TestFiles.load(TestFiles.HEADER + """
                providers:
                  aws: { region: us-west-1 }
                  linode: {}
                staging: { bucket: ferry-test-bucket }
                migrations:
                  - name: files-01
                    source: { ec2: { instance: i-0123456789abcdef0 } }
                    target: { linode: { region: us-lax, via: disk } }
                    firewall: { from: none }
                """, folder);
        ResourceAddress read = ResourceAddress.managed("aws_snapshot_read", "files-01");
        SourceHalf source = new SourceHalf(List.of(), new Expression.Reference(READ, "machine"), Optional.empty(),
                new Expression.Reference(read, "disk_image"), Set.of(read), Optional.of(new Expression.Reference(read, "data_disks")));

        TargetHalf half = new LinodeTargetExpander().expand(new ExpansionContext(file, file.migrations().get(0)), source);

        ResourceDeclaration volumes = declaration(half, "linode_volumes.files-01");
        assertThat(volumes.dependencies()).containsExactlyInAnyOrder(READ, ResourceAddress.parse("linode_instance.files-01"));
        assertThat(literal(volumes, "region").asText()).isEqualTo("us-lax");
        assertThat(literal(volumes, "label").asText()).isEqualTo("files-01");
        ResourceDeclaration write = declaration(half, "linode_disk_write.files-01");
        assertThat(write.arguments().get("volume_ids"))
                .isEqualTo(new Expression.Reference(volumes.address(), "volume_ids"));
        assertThat(write.arguments().get("data_disks")).isEqualTo(new Expression.Reference(read, "data_disks"));
        assertThat(declaration(half, "linode_config.files-01").arguments().get("volume_ids"))
                .isEqualTo(new Expression.Reference(volumes.address(), "volume_ids"));
        assertThat(literal(declaration(half, "linode_instance.files-01"), "moves_volumes").asBoolean()).isTrue();
    }

    @Test
    void aSourceThatHandsOnOnlyItsRootGetsNoVolumesOnTheDiskRoad() {
        TargetHalf half = expand("web-01", "{ region: us-lax, via: disk }", "", false);

        assertThat(half.declarations()).extracting(d -> d.address().type()).doesNotContain(VolumesResource.TYPE);
        assertThat(literal(declaration(half, "linode_instance.web-01"), "moves_volumes").asBoolean()).isFalse();
        assertThat(declaration(half, "linode_config.web-01").arguments()).doesNotContainKey("volume_ids");
    }

    @Test
    void aMigrationBecomesAnImageAFirewallAndALinodeJoinedByReferences() {
        TargetHalf half = expand("web-01", "{ region: us-lax, root_pass: \"${env:ROOT_PASSWORD}\", tags: [migrated] }", "", true);

        assertThat(half.declarations()).extracting(d -> d.address().toString())
                .containsExactly("linode_image.web-01", "linode_firewall.web-01", "linode_instance.web-01");
        assertThat(half.imported()).isEqualTo(ResourceAddress.parse("linode_image.web-01"));
        assertThat(half.stagingCopies()).isEmpty();
        ResourceDeclaration image = declaration(half, "linode_image.web-01");
        assertThat(image.dependencies()).containsExactlyInAnyOrder(READ, EXPORT);
        assertThat(literal(image, "region").asText()).isEqualTo("us-lax");
        assertThat(literal(image, "cloud_init").asBoolean()).isFalse();
        ResourceDeclaration firewall = declaration(half, "linode_firewall.web-01");
        assertThat(literal(firewall, "from").asText()).isEqualTo("security-groups");
        assertThat(literal(firewall, "inbound_policy").asText()).isEqualTo("DROP");
        assertThat(firewall.arguments()).doesNotContainKey("outbound_policy");
        assertThat(literal(firewall, "label").asText()).isEqualTo("ferry-web-01");
        ResourceDeclaration instance = declaration(half, "linode_instance.web-01");
        assertThat(instance.dependencies()).contains(ResourceAddress.parse("linode_image.web-01"),
                ResourceAddress.parse("linode_firewall.web-01"));
        assertThat(literal(instance, "type").asText()).isEqualTo("match");
        assertThat(literal(instance, "class").asText()).isEqualTo("standard");
        assertThat(literal(instance, "booted").asBoolean()).isTrue();
        assertThat(literal(instance, "tags")).hasSize(1);
        assertThat(instance.arguments().get("root_pass")).isInstanceOf(Expression.Secret.class);
    }

    @Test
    void withoutALabelOneIsMadeFromTheMigrationName() {
        TargetHalf half = expand("01-db", "{ region: us-lax, root_pass: \"${env:ROOT_PASSWORD}\" }", "", true);

        assertThat(literal(declaration(half, "linode_instance.01-db"), "label").asText()).isEqualTo("linode-01-db");
        assertThat(literal(declaration(half, "linode_image.01-db"), "label").asText()).isEqualTo("linode-01-db");
        assertThat(literal(declaration(half, "linode_firewall.01-db"), "label").asText()).isEqualTo("ferry-01-db");
    }

    @Test
    void theFilesLabelTypeAndClassAreKept() {
        TargetHalf half = expand("web-01", "{ region: us-lax, type: g6-dedicated-4, class: dedicated, label: migrated-from-aws-ec2,"
                + " booted: false, cloud_init: true, root_pass: \"${env:ROOT_PASSWORD}\" }", "", true);

        ResourceDeclaration instance = declaration(half, "linode_instance.web-01");
        assertThat(literal(instance, "label").asText()).isEqualTo("migrated-from-aws-ec2");
        assertThat(literal(instance, "type").asText()).isEqualTo("g6-dedicated-4");
        assertThat(literal(instance, "class").asText()).isEqualTo("dedicated");
        assertThat(literal(instance, "booted").asBoolean()).isFalse();
        assertThat(literal(declaration(half, "linode_image.web-01"), "cloud_init").asBoolean()).isTrue();
    }

    @Test
    void fromNoneWithoutRulesMeansNoFirewallAtAll() {
        TargetHalf half = expand("web-01", "{ region: us-lax, root_pass: \"${env:ROOT_PASSWORD}\" }",
                "    firewall: { from: none }\n", true);

        assertThat(half.declarations()).extracting(d -> d.address().type()).containsExactly("linode_image", "linode_instance");
        assertThat(declaration(half, "linode_instance.web-01").arguments()).doesNotContainKey("firewall_id");
    }

    @Test
    void aSourceWithoutAFirewallStillGetsTheFilesRules() {
        TargetHalf half = expand("web-01", "{ region: us-lax, root_pass: \"${env:ROOT_PASSWORD}\" }", """
                    firewall:
                      outbound_policy: DROP
                      rules:
                        - { direction: inbound, action: ACCEPT, protocol: TCP, ports: "22" }
                """, false);

        ResourceDeclaration firewall = declaration(half, "linode_firewall.web-01");
        assertThat(literal(firewall, "from").asText()).isEqualTo("none");
        assertThat(firewall.arguments()).doesNotContainKey("intent");
        assertThat(literal(firewall, "outbound_policy").asText()).isEqualTo("DROP");
        assertThat(literal(firewall, "rules").get(0).get("ports").asText()).isEqualTo("22");
        assertThat(declaration(half, "linode_instance.web-01").arguments()).containsKey("firewall_id");
    }

    @Test
    void aLabelLinodeWouldRefuseIsReportedWhereTheFileSaysIt() {
        MigrationFiles.Loaded loaded = TestFiles.read(TestFiles.HEADER + """
                providers:
                  aws: { region: us-west-1 }
                  linode: {}
                staging: { bucket: ferry-test-bucket }
                migrations:
                  - name: web-01
                    source: { ec2: { instance: i-0123456789abcdef0 } }
                    target:
                      linode:
                        region: us-lax
                        label: 9lives
                        root_pass: "${env:ROOT_PASSWORD}"
                """, folder);

        assertThat(loaded.diagnostics()).filteredOn(Diagnostic::isError).singleElement().satisfies(diagnostic -> {
            assertThat(diagnostic.location().line()).isEqualTo(15);
            assertThat(diagnostic.message()).isEqualTo("label '9lives' is not a valid Linode label: it must start with a letter (a–z or A–Z)");
        });
    }

    @Test
    void anAuthorizedKeyLinodeWouldRefuseIsReportedAtItsEntryOfTheList() {
        String good = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDfA2JpVvzrxj7zU7hxaKSsRu8Ud1Ri3d0r4LEvTeDS2 ops@example.com";
        String cut = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDfA2JpVvzrxj7zU7hxaKSsRu8Ud1Ri3d0r4 ops@example.com";
        MigrationFiles.Loaded loaded = TestFiles.read(TestFiles.HEADER + """
                providers:
                  aws: { region: us-west-1 }
                  linode: {}
                staging: { bucket: ferry-test-bucket }
                migrations:
                  - name: web-01
                    source: { ec2: { instance: i-0123456789abcdef0 } }
                    target:
                      linode:
                        region: us-lax
                        root_pass: "${env:ROOT_PASSWORD}"
                        authorized_keys:
                          - "%s"
                          - "%s"
                """.formatted(good, cut), folder);

        assertThat(loaded.file()).isEmpty();
        assertThat(loaded.diagnostics()).filteredOn(Diagnostic::isError).singleElement().satisfies(diagnostic -> {
            assertThat(diagnostic.render()).startsWith("migration.yaml:18:13: authorized_keys[1] is not a well-formed OpenSSH public key,"
                    + " so Linode would refuse it when creating the Linode, after the disk has moved: the key data ends inside the"
                    + " Ed25519 key; it was probably cut when copied");
            assertThat(diagnostic.hint()).hasValueSatisfying(hint -> assertThat(hint).contains("ssh-keygen -y -f KEY"));
        });
    }

    /** The advice for a disk over the image limit names a key the file takes. */
    @Test
    void theDiskRoadTheSizeAdviceNamesIsAKeyTheFileTakes() {
        java.util.regex.Matcher key = java.util.regex.Pattern.compile("target\\.linode\\.via: (\\w+)").matcher(ImageResource.DISK_ROAD_ADVICE);
        assertThat(key.find()).as(ImageResource.DISK_ROAD_ADVICE).isTrue();
        assertThat(ImageResource.DISK_ROAD_ADVICE).contains("an EBS volume cannot be shrunk").doesNotContain("Shrink the root file system");

        MigrationFiles.Loaded loaded = loaded("{ region: us-lax, root_pass: \"${env:ROOT_PASSWORD}\", via: " + key.group(1) + " }");

        assertThat(loaded.diagnostics()).filteredOn(Diagnostic::isError).isEmpty();
    }

    // ---- the road, when the file does not name it ----

    private static final String NO_VIA = "{ region: us-lax, root_pass: \"${env:ROOT_PASSWORD}\" }";

    /** A lookahead whose source machine has a root volume of {@code rootBytes}, and whose state holds {@code recorded}. */
    private static Lookahead source(long rootBytes, ResourceAddress... recorded) {
        MachineFacts machine = new MachineFacts("ec2", "i-0123456789abcdef0", 2, 4096, null, null, Optional.empty(),
                List.of(new MachineFacts.Disk("/dev/xvda", rootBytes, true, Optional.of("gp3"), false)), List.of(), List.of(),
                Map.of(), Optional.of("t3.medium"), Optional.empty(), Optional.of("running"));
        Set<ResourceAddress> inState = Set.of(recorded);
        return new Lookahead() {
            @Override
            public Optional<JsonNode> value(Expression.Reference reference, Collection<ResourceDeclaration> declarations) {
                return reference.equals(new Expression.Reference(READ, "machine")) ? Optional.of(machine.toJson()) : Optional.empty();
            }

            @Override
            public Optional<ResourceState> recorded(ResourceAddress address) {
                return inState.contains(address) ? Optional.of(ResourceState.creating(address, 1, Instant.EPOCH)) : Optional.empty();
            }
        };
    }

    private static List<String> addresses(TargetHalf half) {
        return half.declarations().stream().map(d -> d.address().toString()).toList();
    }

    @Test
    void withoutViaAnEightGibRootVolumeTakesTheDiskRoadAndSaysWhy() {
        TargetHalf half = expand("m", NO_VIA, "", false, source(8L << 30));

        assertThat(addresses(half)).containsExactly("linode_instance.m", "linode_disk.m", "linode_disk_write.m", "linode_config.m");
        ResourceDeclaration instance = declaration(half, "linode_instance.m");
        assertThat(literal(instance, "via").asText()).isEqualTo("disk");
        assertThat(literal(instance, InstanceResource.ROAD_REASON).asText())
                .isEqualTo("the 8 GiB root volume of i-0123456789abcdef0 (/dev/xvda) is over Linode's 6 GiB image limit");
    }

    @Test
    void withoutViaOrARootPasswordAnEightGibRootVolumeTakesTheDiskRoadWhichNeedsNone() {
        TargetHalf half = expand("m", "{ region: us-lax }", "", false, source(8L << 30));

        assertThat(addresses(half)).contains("linode_disk_write.m");
        assertThat(declaration(half, "linode_instance.m").arguments()).doesNotContainKey("root_pass");
        assertThat(loaded("{ region: us-lax }").diagnostics()).filteredOn(Diagnostic::isError).as("the file is valid").isEmpty();
    }

    @Test
    void anExplicitImageRoadWithoutARootPasswordIsAnErrorInTheFile() {
        assertThat(loaded("{ region: us-lax, via: image }").diagnostics()).filteredOn(Diagnostic::isError)
                .singleElement().asString().contains("root_pass");
    }

    private MigrationFiles.Loaded loaded(String target) {
        return TestFiles.read(TestFiles.HEADER + """
                providers:
                  aws: { region: us-west-1 }
                  linode: {}
                staging: { bucket: ferry-test-bucket }
                migrations:
                  - name: web-01
                    source: { ec2: { instance: i-0123456789abcdef0 } }
                    target: { linode: %s }
                """.formatted(target), folder);
    }

    @Test
    void withoutViaARootVolumeThatFitsStaysOnTheImageRoad() {
        TargetHalf half = expand("m", NO_VIA, "", false, source(6L << 30));

        assertThat(addresses(half)).containsExactly("linode_image.m", "linode_instance.m");
        assertThat(literal(declaration(half, "linode_instance.m"), InstanceResource.ROAD_REASON).asText())
                .isEqualTo("the 6 GiB root volume of i-0123456789abcdef0 (/dev/xvda) fits Linode's 6 GiB image limit");
    }

    @Test
    void anExplicitImageRoadIsTakenEvenForADiskTooLargeForIt() {
        TargetHalf half = expand("m", "{ region: us-lax, root_pass: \"${env:ROOT_PASSWORD}\", via: image }", "", false,
                source(8L << 30));

        assertThat(addresses(half)).containsExactly("linode_image.m", "linode_instance.m");
        assertThat(literal(declaration(half, "linode_instance.m"), InstanceResource.ROAD_REASON).asText())
                .isEqualTo("target.linode.via: image");
    }

    @Test
    void anExplicitDiskRoadIsTakenEvenForADiskThatWouldFitAnImage() {
        TargetHalf half = expand("m", "{ region: us-lax, via: disk }", "", false, source(1L << 30));

        assertThat(addresses(half)).contains("linode_disk_write.m").doesNotContain("linode_image.m");
    }

    @Test
    void aRoadAnEarlierApplyBeganIsKeptWhateverTheSizeNowSays() {
        TargetHalf disk = expand("m", NO_VIA, "", false, source(2L << 30, ResourceAddress.managed(DiskResource.TYPE, "m")));
        assertThat(addresses(disk)).contains("linode_disk_write.m").doesNotContain("linode_image.m");
        assertThat(literal(declaration(disk, "linode_instance.m"), InstanceResource.ROAD_REASON).asText())
                .startsWith("kept: linode_disk.m is in the state");

        TargetHalf image = expand("m", NO_VIA, "", false, source(8L << 30, ResourceAddress.managed(ImageResource.TYPE, "m")));
        assertThat(addresses(image)).containsExactly("linode_image.m", "linode_instance.m");
        assertThat(literal(declaration(image, "linode_instance.m"), InstanceResource.ROAD_REASON).asText())
                .startsWith("kept: linode_image.m is in the state");
    }

    @Test
    void withNothingKnownOfTheSourceTheImageRoadIsTheDefault() {
        TargetHalf half = expand("m", NO_VIA, "", false);

        assertThat(addresses(half)).containsExactly("linode_image.m", "linode_instance.m");
        assertThat(literal(declaration(half, "linode_instance.m"), InstanceResource.ROAD_REASON).asText())
                .startsWith("the default while the source's disk size is not known");
    }
}
