package dev.ferry.cli.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.sandbox.Sandbox;
import dev.ferry.sandbox.world.ConversionTaskSpan;
import dev.ferry.sandbox.world.LinodeImage;
import dev.ferry.sandbox.world.LinodeInstance;
import dev.ferry.sandbox.world.SandboxWorld;
import dev.ferry.sandbox.world.SandboxWorld.InstanceSpec;
import dev.ferry.sandbox.world.SandboxWorld.VolumeSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One file, eight migrations: applied at once, sharing one staging bucket policy and one vmimport role,
 * with never more than five exports running (AWS's limit on conversion tasks per region) and the rest
 * queued rather than failed.
 */
class ManyMigrationsTest {

    private static final int MIGRATIONS = 8;

    @TempDir
    Path dir;

    @Test
    void eightMigrationsRunTogetherSharingTheBucketPolicyAndRole_withAtMostFiveExportsAtOnce() throws Exception {
        Map<String, String> instances = new LinkedHashMap<>();
        SandboxWorld world = worldWith(MIGRATIONS, instances);
        // Exports last long enough here (1.5 s) that five overlap even on a loaded machine: at the journeys'
        // usual scale one lasts 120 ms, and whether five ever ran at once depended on the machine's load.
        try (Sandbox sandbox = Sandbox.start(Journeys.sandbox().world(world).diskImageBytes(4L * 1024 * 1024)
                .timeScale(0.25).build())) {
            Files.writeString(dir.resolve("migration.yaml"), file(instances));
            Ferry ferry = Ferry.in(dir, sandbox, Journeys.distinctiveSecret("Root-"));

            Ferry.Result apply = ferry.run("apply", "--auto-approve");

            assertThat(apply.exitCode()).as(apply.toString()).isZero();
            assertThat(apply.out()).contains("Resources: " + (3 + 5 * MIGRATIONS) + " added");
            List<LinodeInstance> linodes = sandbox.world().linode().instances();
            assertThat(linodes).hasSize(MIGRATIONS);
            assertThat(sandbox.world().linode().firewalls()).hasSize(MIGRATIONS);
            for (Map.Entry<String, String> migration : instances.entrySet()) {
                LinodeInstance linode = linodes.stream().filter(l -> l.label().equals(migration.getKey())).findFirst().orElseThrow();
                LinodeImage image = sandbox.world().linode().image(linode.image()).orElseThrow();
                assertThat(image.upload().rawSha256()).as(migration.getKey() + " carries its own disk")
                        .isEqualTo(JourneyATest.sha256(sandbox.world().ec2().rootDiskImage(migration.getValue())));
            }

            assertThat(sandbox.requests().count("iam:CreateRole")).as("one vmimport role for all").isEqualTo(1);
            assertThat(sandbox.world().roles()).hasSize(1);
            assertThat(sandbox.requests().count("s3:CreateBucket")).isEqualTo(1);
            assertThat(sandbox.requests().count("s3:PutBucketPolicy")).as("one bucket policy for all").isEqualTo(1);

            List<ConversionTaskSpan> exports = sandbox.world().conversions().timeline().stream()
                    .filter(span -> span.kind().equals("export-image")).toList();
            assertThat(exports).hasSize(MIGRATIONS);
            assertThat(sandbox.requests().successCount("ec2:ExportImage")).isEqualTo(MIGRATIONS);
            assertThat(sandbox.world().conversions().maxConcurrent()).as("exports ran together, five at most")
                    .isEqualTo(5);
            assertThat(sandbox.requests().count("ec2:ExportImage")).as("the sixth waited its turn instead of being refused")
                    .isEqualTo(MIGRATIONS);
            assertThat(sandbox.world().ec2().amis()).isEmpty();
            assertThat(sandbox.world().s3().buckets()).isEmpty();

            Ferry.Result plan = ferry.run("plan", "--detailed-exitcode");
            assertThat(plan.exitCode()).as(plan.toString()).isZero();
        }
    }

    /** The default world plus {@code count} small instances behind the web group; their ids by migration name. */
    static SandboxWorld worldWith(int count, Map<String, String> instances) {
        SandboxWorld d = SandboxWorld.defaults();
        List<InstanceSpec> all = new ArrayList<>(d.instances());
        for (int i = 1; i <= count; i++) {
            String name = String.format("app-%02d", i);
            String id = String.format("i-0aa00000000000%03d", i);
            all.add(new InstanceSpec(id, name, "t3.small", "x86_64", "Linux/UNIX", "ami-0abcdef1234567890", "subnet-0abc1234",
                    "10.0.1." + (100 + i), null, List.of("sg-0a1b2c3d4e5f60789"), "ops", "2024-11-02T09:30:00Z", "/dev/xvda",
                    List.of(), Map.of("Name", name), List.of(new VolumeSpec(String.format("vol-0aa00000000000%03d", i), "/dev/xvda",
                    5, "gp3", null, null, false, null, true, null, null))));
            instances.put(name, id);
        }
        return new SandboxWorld(d.account(), d.region(), d.accessKeyId(), d.secretAccessKey(), d.linodeToken(),
                d.vcenterUsername(), d.vcenterPassword(), d.vpcs(), d.subnets(), d.securityGroups(), d.publicImages(), all,
                d.buckets(), d.vms());
    }

    static String file(Map<String, String> instances) {
        StringBuilder file = new StringBuilder("""
                apiVersion: ferry/v1
                kind: Migration
                metadata: {name: many}
                providers:
                  aws: {region: us-west-1}
                  linode: {token: "${env:LINODE_TOKEN}"}
                staging: {bucket: ferry-many, prefix: exports/, create: true, cleanup: delete-after-import}
                migrations:
                """);
        instances.forEach((name, id) -> file.append("""
                  - name: %s
                    source: {ec2: {instance: %s, via: export}}
                    target: {linode: {region: us-lax, type: match, label: %s, root_pass: "${env:ROOT_PASSWORD}"}}
                    firewall: {from: security-groups, inbound_policy: DROP, outbound_policy: ACCEPT}
                """.formatted(name, id, name)));
        return file.toString();
    }
}
