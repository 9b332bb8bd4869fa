package dev.ferry.provider.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.engine.testing.MigrationYaml;
import dev.ferry.engine.diff.Planner;
import dev.ferry.engine.machine.FirewallIntent;
import dev.ferry.engine.machine.MachineFacts;
import dev.ferry.engine.plan.Change;
import dev.ferry.engine.plan.Plan;
import dev.ferry.engine.provider.Note;
import dev.ferry.engine.resource.ResourceAddress;
import dev.ferry.sandbox.Sandbox;
import dev.ferry.sandbox.world.SandboxWorld;
import dev.ferry.sandbox.world.SandboxWorld.InstanceSpec;
import dev.ferry.sandbox.world.SandboxWorld.VolumeSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading source instances: what the plan learns, what stops it, and how few calls it takes. */
class DiscoveryTest {

    @TempDir
    Path directory;
    Sandbox sandbox;

    @BeforeEach
    void start() {
        sandbox = Sandboxes.start();
    }

    @AfterEach
    void stop() {
        sandbox.close();
    }

    /** A journey A file moving {@code instances} (name → instance id). */
    static String file(Map<String, String> instances) {
        MigrationYaml yaml = MigrationYaml.named("discovery").provider("aws", "{region: us-west-1}").provider("linode", "{}")
                .staging("{bucket: ferry-discovery, create: true}");
        instances.forEach((name, id) -> yaml.migration(name, "{ec2: {instance: " + id + ", via: export}}", MigrationYaml.LINODE_TARGET));
        return yaml.yaml();
    }

    Change change(Plan plan, String address) {
        return plan.change(ResourceAddress.parse(address)).orElseThrow(() -> new AssertionError(address + " is not in the plan"));
    }

    @Test
    void describesTheMachineItsDisksItsPriceAndItsFirewall() {
        Journey journey = new Journey(sandbox, file(Map.of("db-01", "i-0b2c3d4e5f6789012", "web-01", "i-0e1dc0292b0ae7293")), directory);

        Plan plan = journey.plan();

        Change db = change(plan, "data.aws_ec2_instance.db-01");
        MachineFacts facts = MachineFacts.fromJson(db.knownOutputs().get("machine"));
        assertThat(facts.name()).isEqualTo("db-01");
        assertThat(facts.sizeName()).contains("m5.large");
        assertThat(facts.vcpus()).isEqualTo(2);
        assertThat(facts.memoryMib()).isEqualTo(8192);
        assertThat(facts.architecture()).isEqualTo(MachineFacts.X86_64);
        assertThat(facts.platform()).isEqualTo("linux");
        assertThat(facts.privateAddresses()).containsExactly("10.0.1.30");
        assertThat(facts.tags()).containsEntry("Role", "db");
        assertThat(facts.disks()).extracting(MachineFacts.Disk::name, MachineFacts.Disk::root, MachineFacts.Disk::sizeBytes).containsExactly(
                org.assertj.core.groups.Tuple.tuple("vol-0b2c3d4e5f6700001", true, 5L << 30),
                org.assertj.core.groups.Tuple.tuple("vol-0b2c3d4e5f6700002", false, 20L << 30));
        assertThat(facts.price()).hasValueSatisfying(price -> {
            assertThat(price.monthlyUsd()).isPositive();
            assertThat(price.basis()).contains("m5.large").contains("us-west-1").contains("× 730 hours");
        });
        assertThat(db.knownOutputs().path("root_volume_size_bytes").asLong()).isEqualTo(5L << 30);
        assertThat(db.knownOutputs().path("encrypted").asBoolean()).isFalse();
        // the volume besides the root is in the facts; the target, which chooses the road, names what it leaves behind
        assertThat(db.notes()).noneSatisfy(note -> assertThat(note.text()).contains("vol-0b2c3d4e5f6700002"));

        FirewallIntent firewall = FirewallIntent.fromJson(change(plan, "data.aws_ec2_instance.db-01").knownOutputs().get("firewall"));
        assertThat(firewall.rules()).isEmpty();
        assertThat(firewall.untranslatable()).extracting(FirewallIntent.Untranslatable::reference)
                .containsExactlyInAnyOrder("sg-0a1b2c3d4e5f60789", "sg-0123456789abcdef0");
        assertThat(firewall.untranslatable().get(0).suggestion()).hasValueSatisfying(s -> assertThat(s).contains("10.0.0.0/16"));
        FirewallIntent web = FirewallIntent.fromJson(change(plan, "data.aws_ec2_instance.web-01").knownOutputs().get("firewall"));
        assertThat(web.rules()).extracting(FirewallIntent.Rule::description).contains(java.util.Optional.of("SSH from the office"));
        assertThat(web.egressOpen()).isTrue();
    }

    @Test
    void anInstanceThatDoesNotExistStopsThePlanNamingItAndTheRegion() {
        Journey journey = new Journey(sandbox, file(Map.of("ghost", "i-0123456789abcdef0")), directory);

        assertThatThrownBy(journey::plan).isInstanceOf(Planner.PlanFailedException.class)
                .hasMessageContaining("data.aws_ec2_instance.ghost")
                .hasMessageContaining("instance i-0123456789abcdef0 does not exist in us-west-1");
    }

    @Test
    void aMarketplaceInstanceCannotBeExportedAndThePlanSaysWhatToDo() {
        Journey journey = new Journey(sandbox, file(Map.of("vendor-01", "i-0e5f6789012345678")), directory);

        assertThatThrownBy(journey::plan).isInstanceOf(Planner.PlanFailedException.class)
                .hasMessageContaining("aws_image_export.vendor-01")
                .hasMessageContaining("AWS Marketplace image (product code aw0evgkw8e5c1q413zgy5pjce)")
                .hasMessageContaining("Migrate it with the vendor's own tools");
    }

    @Test
    void anEncryptedRootVolumeCannotBeExportedAndThePlanSaysWhatToDo() {
        Journey journey = new Journey(sandbox, file(Map.of("vault-01", "i-0d4e5f67890123456")), directory);

        assertThatThrownBy(journey::plan).isInstanceOf(Planner.PlanFailedException.class)
                .hasMessageContaining("aws_image_export.vault-01")
                .hasMessageContaining("the root volume vol-0d4e5f67890000001 of i-0d4e5f67890123456 is encrypted")
                .hasMessageContaining("unencrypted volume")
                .hasMessageContaining("take the snapshot road");
    }

    @Test
    void withoutPricesThePlanGoesOnAndSaysWhy() {
        sandbox.faults().set("services=pricing,rate=1,statuses=500");
        Journey journey = new Journey(sandbox, file(Map.of("web-01", "i-0e1dc0292b0ae7293")), directory);
        sandbox.requests().clear();

        Plan plan = journey.plan();

        assertThat(sandbox.requests().forService("pricing")).as("a failing Pricing API is asked once and retried once at most,"
                + " though the other services' calls may be sent ten times").hasSizeBetween(1, 2)
                .allSatisfy(request -> assertThat(request.key()).isEqualTo("pricing:GetProducts"));

        Change web = change(plan, "data.aws_ec2_instance.web-01");
        assertThat(MachineFacts.fromJson(web.knownOutputs().get("machine")).price()).isEmpty();
        assertThat(web.notes()).anySatisfy(note -> {
            assertThat(note.level()).isEqualTo(Note.Level.INFO);
            assertThat(note.text()).startsWith("no price for t3.medium:").contains("Pricing GetProducts");
        });
    }

    /** A world of {@code count} instances of three types, each with a root volume (every third with a data volume too). */
    static SandboxWorld manyInstances(int count) {
        SandboxWorld defaults = SandboxWorld.defaults();
        List<InstanceSpec> instances = new ArrayList<>(defaults.instances());
        String[] types = {"t3.medium", "m5.large", "r5.large"};
        for (int i = 0; i < count; i++) {
            String suffix = String.format("%012x", i);
            List<VolumeSpec> volumes = new ArrayList<>();
            volumes.add(new VolumeSpec("vol-0aa00" + suffix, "/dev/xvda", 8, "gp3", null, null, false, null, true, null, null));
            if (i % 3 == 0) {
                volumes.add(new VolumeSpec("vol-0bb00" + suffix, "/dev/sdf", 16, "gp3", null, null, false, null, true, null, null));
            }
            instances.add(new InstanceSpec("i-0cc00" + suffix, "many-" + i, types[i % 3], "x86_64", "Linux/UNIX", "ami-0abcdef1234567890",
                    "subnet-0abc5678", "10.0.2." + (10 + i), null, List.of(i % 2 == 0 ? "sg-0a1b2c3d4e5f60789" : "sg-0123456789abcdef0"),
                    "ops", "2024-11-02T09:30:00Z", "/dev/xvda", List.of(), Map.of("Name", "many-" + i), volumes));
        }
        return defaults.withInstances(instances);
    }

    static Map<String, String> firstInstances(int count) {
        Map<String, String> instances = new TreeMap<>();
        for (int i = 0; i < count; i++) {
            instances.put("many-" + i, "i-0cc00" + String.format("%012x", i));
        }
        return instances;
    }

    /** Every request the plan made, by key. */
    Map<String, Long> planCalls(int count) {
        Journey journey = new Journey(sandbox, file(firstInstances(count)), directory);
        sandbox.requests().clear();
        journey.plan();
        return sandbox.requests().counts();
    }

    @Test
    void aPlanOverFiftyInstancesMakesAsManyDescribeCallsAsOverSix() {
        sandbox.close();
        sandbox = Sandbox.start(Sandboxes.options().world(manyInstances(50)).build());

        Map<String, Long> six = planCalls(6);
        Map<String, Long> fifty = planCalls(50);

        assertThat(fifty).as("the same calls for 50 instances as for 6").isEqualTo(six);
        assertThat(fifty).containsEntry("ec2:DescribeInstances", 1L)
                .containsEntry("ec2:DescribeInstanceTypes", 1L)
                .containsEntry("ec2:DescribeVolumes", 1L)
                .containsEntry("ec2:DescribeSecurityGroups", 1L)
                .containsEntry("ec2:DescribeSecurityGroupRules", 1L)
                .containsEntry("ec2:DescribeVpcs", 1L)
                .containsEntry("pricing:GetProducts", 3L)
                .containsEntry("sts:GetCallerIdentity", 1L);
        long total = fifty.values().stream().mapToLong(Long::longValue).sum();
        System.out.println("FIGURE plan over 50 instances: " + total + " requests " + fifty);
        assertThat(total).isLessThanOrEqualTo(14);
    }
}
