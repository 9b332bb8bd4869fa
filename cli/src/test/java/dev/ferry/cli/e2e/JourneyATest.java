package dev.ferry.cli.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.ferry.sandbox.Sandbox;
import dev.ferry.sandbox.world.Catalogs;
import dev.ferry.sandbox.world.Ec2Instance;
import dev.ferry.sandbox.world.Firewall;
import dev.ferry.sandbox.world.FirewallRule;
import dev.ferry.sandbox.world.InstanceTypeSpec;
import dev.ferry.sandbox.world.LinodeImage;
import dev.ferry.sandbox.world.LinodeInstance;
import dev.ferry.sandbox.world.LinodeType;
import dev.ferry.sandbox.world.SecurityGroupRule;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Journey A as a user runs it: {@code ferry plan} then {@code ferry apply} of a copy of
 * plans/examples/ec2-to-linode.yaml against the sandbox (on the snapshot road it names, and again on the
 * export road), a second plan that finds nothing to do, and
 * {@code ferry destroy} that leaves the clouds as they were.
 */
class JourneyATest {

    private static final String LINODE = "linode_instance." + Journeys.MIGRATION;

    @TempDir
    Path dir;

    Sandbox sandbox;
    Ferry ferry;

    @BeforeEach
    void start() throws IOException {
        sandbox = Sandbox.start(Journeys.sandbox().build());
        Journeys.copyExample(dir);
        ferry = Ferry.in(dir, sandbox, Journeys.distinctiveSecret("Root-"));
    }

    @AfterEach
    void stop() {
        sandbox.close();
    }

    @Test
    void planThenApplyMovesTheInstance_aSecondPlanFindsNothing_andDestroyLeavesTheCloudsAsTheyWere() throws Exception {
        WorldSnapshot before = WorldSnapshot.of(sandbox.world());

        Ferry.Result plan = ferry.run("plan");
        assertThat(plan.exitCode()).as(plan.toString()).isZero();
        assertThat(plan.out()).contains("aws_snapshot_read." + Journeys.MIGRATION)
                .contains("road: snapshot (source.ec2.via: snapshot)")
                .contains("reads up to the volume size (5 GiB)")
                .doesNotContain("aws_image_export").doesNotContain("aws_s3_bucket").doesNotContain("aws_iam_role");
        assertThat(sandbox.world().ec2().amis()).as("plan changes nothing").isEmpty();
        assertThat(sandbox.world().linode().instances()).isEmpty();
        String plannedType = plannedType(plan.out());

        Ferry.Result apply = ferry.run("apply", "--auto-approve");
        assertThat(apply.exitCode()).as(apply.toString()).isZero();
        assertThat(apply.out()).contains("Apply complete! Resources: 5 added, 0 changed, 0 destroyed.");

        LinodeInstance linode = checkTheLinode(plannedType);
        LinodeImage image = sandbox.world().linode().image(linode.image()).orElseThrow();
        // the snapshot holds the whole volume: the disk's bytes, then zeros up to the volume's size
        long volumeBytes = sandbox.world().ec2().volumes().stream()
                .filter(v -> v.id().equals(sandbox.world().ec2().instance(Journeys.INSTANCE).orElseThrow().volumeIds().get(0)))
                .findFirst().orElseThrow().sizeGiB() * (1L << 30);
        assertThat(image.upload().rawSha256()).as("the Linode image holds exactly the instance's root volume")
                .isEqualTo(sha256(sandbox.world().ec2().rootDiskImage(Journeys.INSTANCE), volumeBytes));

        // only the written blocks were read, once each: no export, no bucket, no object
        long written = writtenBlocksOfTheRootDisk();
        assertThat(sandbox.requests().successCount("ebs:GetSnapshotBlock")).isEqualTo(written);
        assertThat(sandbox.requests().count("ebs:GetSnapshotBlock")).isLessThanOrEqualTo((long) Math.ceil(written * 1.05));
        assertThat(sandbox.world().conversions().exportImageTasks()).isEmpty();
        assertThat(sandbox.world().s3().buckets()).isEmpty();
        assertThat(sandbox.requests().count("iam:CreateRole")).isZero();
        assertThat(sandbox.world().ec2().amis()).as("the staging AMI is deregistered (delete-after-import)").isEmpty();
        assertThat(sandbox.world().ec2().snapshots()).as("with its snapshots").isEmpty();

        planAgainAndDestroy(before);
    }

    @Test
    void theExportRoadStillMovesTheInstance() throws Exception {
        Journeys.copyExampleViaExport(dir);
        WorldSnapshot before = WorldSnapshot.of(sandbox.world());

        Ferry.Result plan = ferry.run("plan");
        assertThat(plan.exitCode()).as(plan.toString()).isZero();
        assertThat(plan.out()).contains("aws_image_export." + Journeys.MIGRATION).doesNotContain("aws_snapshot_read");
        String plannedType = plannedType(plan.out());

        Ferry.Result apply = ferry.run("apply", "--auto-approve");
        assertThat(apply.exitCode()).as(apply.toString()).isZero();
        assertThat(apply.out()).contains("Apply complete! Resources: 8 added, 0 changed, 0 destroyed.");

        LinodeInstance linode = checkTheLinode(plannedType);
        LinodeImage image = sandbox.world().linode().image(linode.image()).orElseThrow();
        assertThat(image.upload().rawSha256()).as("the Linode image holds exactly the instance's root disk")
                .isEqualTo(sha256(sandbox.world().ec2().rootDiskImage(Journeys.INSTANCE)));
        assertThat(sandbox.requests().count("ebs:GetSnapshotBlock")).isZero();
        assertThat(sandbox.world().ec2().amis()).as("the staging AMI is deregistered (delete-after-import)").isEmpty();
        assertThat(sandbox.world().ec2().snapshots()).as("with its snapshots").isEmpty();
        assertThat(sandbox.world().s3().objects(Journeys.BUCKET)).as("the exported object is deleted").isEmpty();
        assertThat(sandbox.world().conversions().exportImageTasks()).hasSize(1);

        planAgainAndDestroy(before);
    }

    private LinodeInstance checkTheLinode(String plannedType) throws IOException {
        LinodeInstance linode = theLinode();
        assertThat(linode.type()).as("the type the plan showed").isEqualTo(plannedType);
        assertTypeMatches(linode.type(), sandbox.world().ec2().instance(Journeys.INSTANCE).orElseThrow());
        assertThat(linode.status()).isEqualTo("running");
        assertThat(linode.region()).isEqualTo("us-lax");
        assertThat(linode.label()).isEqualTo("migrated-from-aws-ec2");
        assertThat(linode.tags()).contains("migrated");
        assertFirewallTranslatedAndAttached(linode);
        LinodeImage image = sandbox.world().linode().image(linode.image()).orElseThrow();
        assertThat(image.status()).isEqualTo("available");
        assertThat(sandbox.world().linode().images()).hasSize(1);
        return linode;
    }

    /** How many 512 KiB blocks of the instance's root disk hold anything but zeros. */
    private long writtenBlocksOfTheRootDisk() throws IOException {
        byte[] block = new byte[512 * 1024];
        long written = 0;
        try (InputStream in = Files.newInputStream(sandbox.world().ec2().rootDiskImage(Journeys.INSTANCE))) {
            int n;
            while ((n = in.readNBytes(block, 0, block.length)) > 0) {
                for (int i = 0; i < n; i++) {
                    if (block[i] != 0) {
                        written++;
                        break;
                    }
                }
            }
        }
        return written;
    }

    private void planAgainAndDestroy(WorldSnapshot before) {
        Ferry.Result again = ferry.run("plan");
        assertThat(again.exitCode()).as(again.toString()).isZero();
        assertThat(again.out()).contains("No changes.");
        Ferry.Result detailed = ferry.run("plan", "--detailed-exitcode");
        assertThat(detailed.exitCode()).as(detailed.toString()).isZero();
        assertThat(detailed.out()).contains("No changes.");

        Ferry.Result destroy = ferry.run("destroy", "--auto-approve");
        assertThat(destroy.exitCode()).as(destroy.toString()).isZero();
        // staging.cleanup is delete-after-import: the file keeps nothing, so nothing may be left
        assertThat(WorldSnapshot.of(sandbox.world())).isEqualTo(before);
    }

    /** The type the plan shows for the Linode, e.g. {@code g6-standard-2}. */
    static String plannedType(String planOutput) {
        Matcher m = Pattern.compile("(?s)# " + Pattern.quote(LINODE) + " will be created.*?\\+ type\\s+=\\s+\"([^\"]+)\"")
                .matcher(planOutput);
        assertThat(m.find()).as("the plan shows the Linode's type:\n" + planOutput).isTrue();
        assertThat(planOutput).contains("type: match chose " + m.group(1));
        return m.group(1);
    }

    /** A real Linode type, and the cheapest one with at least the instance's vCPUs and memory. */
    private static void assertTypeMatches(String type, Ec2Instance instance) {
        InstanceTypeSpec source = Catalogs.instanceTypes().stream().filter(t -> t.name().equals(instance.instanceType()))
                .findFirst().orElseThrow();
        List<LinodeType> types = Catalogs.linodeTypes();
        LinodeType chosen = types.stream().filter(t -> t.id().equals(type)).findFirst()
                .orElseThrow(() -> new AssertionError(type + " is not a Linode type"));
        assertThat(chosen.vcpus()).isGreaterThanOrEqualTo(source.vcpus());
        assertThat((long) chosen.memory()).isGreaterThanOrEqualTo(source.memoryMiB());
        LinodeType cheapest = types.stream().filter(t -> t.vcpus() >= source.vcpus() && t.memory() >= source.memoryMiB())
                .min(Comparator.comparingDouble(LinodeType::monthly)).orElseThrow();
        assertThat(chosen.monthly()).as("no cheaper type is big enough").isEqualTo(cheapest.monthly());
    }

    private LinodeInstance theLinode() {
        List<LinodeInstance> linodes = sandbox.world().linode().instances();
        assertThat(linodes).hasSize(1);
        return linodes.get(0);
    }

    /**
     * The firewall carries every address rule of the instance's security groups (no more), then the file's
     * own rules, and protects the new Linode.
     */
    private void assertFirewallTranslatedAndAttached(LinodeInstance linode) throws IOException {
        List<Firewall> firewalls = sandbox.world().linode().firewalls();
        assertThat(firewalls).hasSize(1);
        Firewall firewall = firewalls.get(0);
        assertThat(firewall.devices()).as("attached to the Linode")
                .anySatisfy(d -> {
                    assertThat(d.type()).isEqualTo("linode");
                    assertThat(d.entityId()).isEqualTo(linode.id());
                });
        assertThat(firewall.rules().inboundPolicy()).isEqualTo("DROP");
        assertThat(firewall.rules().outboundPolicy()).isEqualTo("ACCEPT");
        // the groups' only egress rule allows everything, which the ACCEPT policy already does
        assertThat(firewall.rules().outbound()).isEmpty();

        List<SecurityGroupRule> groupRules = new ArrayList<>();
        for (String group : sandbox.world().ec2().instance(Journeys.INSTANCE).orElseThrow().securityGroupIds()) {
            groupRules.addAll(sandbox.world().ec2().securityGroup(group).orElseThrow().rules());
        }
        List<JsonNode> fileRules = fileRules();
        List<FirewallRule> inbound = firewall.rules().inbound();
        assertThat(inbound.size()).isGreaterThan(fileRules.size());
        List<FirewallRule> translated = inbound.subList(0, inbound.size() - fileRules.size());
        List<FirewallRule> added = inbound.subList(inbound.size() - fileRules.size(), inbound.size());

        Set<String> expected = FirewallRules.ofSecurityGroupIngress(groupRules);
        assertThat(expected).as("the seeded groups have address rules to translate").isNotEmpty();
        assertThat(FirewallRules.ofLinode(translated)).isEqualTo(expected);

        for (int i = 0; i < fileRules.size(); i++) {
            JsonNode want = fileRules.get(i);
            FirewallRule got = added.get(i);
            assertThat(got.action()).isEqualTo(want.path("action").asText());
            assertThat(got.protocol()).isEqualTo(want.path("protocol").asText());
            assertThat(got.ports()).isEqualTo(want.path("ports").asText());
            assertThat(got.label()).isEqualTo(want.path("label").asText());
            List<String> addresses = new ArrayList<>();
            want.path("addresses").forEach(a -> addresses.add(a.asText()));
            assertThat(got.ipv4()).containsExactlyElementsOf(addresses);
        }
    }

    /** {@code migrations[0].firewall.rules} of the example file. */
    private List<JsonNode> fileRules() throws IOException {
        JsonNode file = new ObjectMapper(new YAMLFactory()).readTree(dir.resolve("migration.yaml").toFile());
        List<JsonNode> rules = new ArrayList<>();
        file.path("migrations").path(0).path("firewall").path("rules").forEach(rules::add);
        assertThat(rules).as("the example adds a rule of its own").isNotEmpty();
        return rules;
    }

    /** The SHA-256 of a file followed by zeros up to {@code size} bytes. */
    static String sha256(Path file, long size) throws IOException {
        MessageDigest digest = sha256();
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), digest)) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
        }
        byte[] zeros = new byte[1 << 20];
        for (long left = size - Files.size(file); left > 0; left -= zeros.length) {
            digest.update(zeros, 0, (int) Math.min(zeros.length, left));
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    static String sha256(Path file) throws IOException {
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), sha256())) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
            return HexFormat.of().formatHex(((DigestInputStream) in).getMessageDigest().digest());
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
