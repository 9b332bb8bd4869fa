package dev.ferry.cli.e2e;

import static dev.ferry.cli.e2e.KilledApplyConvergesTest.fork;
import static dev.ferry.cli.e2e.KilledApplyConvergesTest.killAt;
import static dev.ferry.cli.e2e.KilledApplyConvergesTest.requests;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.sandbox.Sandbox;
import dev.ferry.sandbox.world.GeneratedDisk;
import dev.ferry.sandbox.world.LinodeDisk;
import dev.ferry.sandbox.world.LinodeInstance;
import dev.ferry.sandbox.world.SandboxWorld;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ferry apply} on the Linode disk road, in its own JVM, SIGKILLed at moments spread over the road — while
 * the AMI is made, before the Linode boots its helper, in the middle of the write, during the config swap — then
 * carried through by the next apply: exactly one Linode with one raw disk holding the source's bytes, no helper
 * disk or config left, the direct-disk config, a plan with nothing to do, and a destroy that leaves the world as
 * it was. The source is an Ubuntu-laid-out instance with a 1 GiB root, the smallest EBS volume.
 */
class KilledDiskRoadConvergesTest {

    private static final int KILLS = 5;
    private static final String INSTANCE = "i-0d15c0000000000a1";

    @TempDir
    Path dir;

    static SandboxWorld world() {
        SandboxWorld.InstanceSpec ubuntu = SandboxWorld.ubuntuInstance();
        return SandboxWorld.defaults().withInstance(new SandboxWorld.InstanceSpec(INSTANCE, "disk-01", ubuntu.type(),
                ubuntu.architecture(), ubuntu.platform(), ubuntu.imageId(), ubuntu.subnet(), "10.0.1.82", null,
                ubuntu.securityGroups(), ubuntu.keyName(), ubuntu.launchTime(), ubuntu.rootDevice(), List.of(), ubuntu.tags(),
                List.of(new SandboxWorld.VolumeSpec("vol-0d15c0000000000a1", ubuntu.rootDevice(), 1, "gp3", 3000, 125, false,
                        null, true, null, null, GeneratedDisk.UBUNTU_GPT))));
    }

    @Test
    void anApplyKilledAnywhereOnTheDiskRoadIsCarriedThroughWithOneLinodeAndOneRawDisk() throws Exception {
        try (Sandbox sandbox = Sandbox.start(Journeys.sandbox().world(world()).build())) {
            Files.writeString(dir.resolve("migration.yaml"), """
                    apiVersion: ferry/v1
                    kind: Migration
                    metadata: {name: disk-road}
                    providers:
                      aws: {region: us-west-1}
                      linode: {token: "${env:LINODE_TOKEN}"}
                    staging: {bucket: ferry-disk-road, cleanup: delete-after-import}
                    migrations:
                      - name: disk-01
                        source: {ec2: {instance: %s}}
                        target: {linode: {region: us-lax, type: match, via: disk}}
                        firewall: {from: security-groups, inbound_policy: DROP, outbound_policy: ACCEPT}
                    """.formatted(INSTANCE));
            Ferry ferry = Ferry.in(dir, sandbox, Journeys.distinctiveSecret("Root-"));
            WorldSnapshot pristine = WorldSnapshot.of(sandbox.world());
            String source = JourneyATest.sha256(sandbox.world().ec2().rootDiskImage(INSTANCE), 1L << 30);

            long before = requests(sandbox);
            Process whole = fork(dir, ferry, "apply", "--auto-approve");
            assertThat(whole.waitFor(300, TimeUnit.SECONDS)).isTrue();
            assertThat(whole.exitValue()).as(Files.readString(dir.resolve("out.log")) + Files.readString(dir.resolve("err.log")))
                    .isZero();
            long journey = requests(sandbox) - before;
            destroy(ferry, sandbox, pristine, "after the uninterrupted apply");

            List<String> log = new ArrayList<>();
            int killed = 0;
            for (int k = 1; k <= KILLS; k++) {
                long moment = Math.max(1, Math.round((double) k * journey / (KILLS + 1)));
                String killedAt = killAt(dir, ferry, sandbox, moment);
                killed += killedAt.startsWith("exited") ? 0 : 1;
                log.add("kill " + k + ": request " + moment + " of " + journey + " (" + killedAt + ")");
                String round = "after " + log.get(log.size() - 1);

                Ferry.Result resumed = ferry.run("apply", "--auto-approve");
                assertThat(resumed.exitCode()).as(log + "\n" + resumed).isZero();
                assertThat(sandbox.world().linode().instances()).as(round + ": Linodes").hasSize(1);
                LinodeInstance linode = sandbox.world().linode().instances().get(0);
                assertThat(linode.status()).as(round).isEqualTo("running");
                List<LinodeDisk> disks = sandbox.world().linode().disks(linode.id());
                assertThat(disks).as(round + ": one raw disk, no helper").singleElement()
                        .extracting(LinodeDisk::filesystem).isEqualTo("raw");
                assertThat(sandbox.world().linode().diskSha256(disks.get(0).id(), 1L << 30)).as(round).isEqualTo(source);
                assertThat(sandbox.world().linode().configs(linode.id())).as(round + ": the direct-disk config only")
                        .singleElement().satisfies(c -> assertThat(c.kernel()).isEqualTo("linode/direct-disk"));
                Ferry.Result plan = ferry.run("plan", "--detailed-exitcode");
                assertThat(plan.exitCode()).as(round + "\n" + plan).isZero();
                destroy(ferry, sandbox, pristine, round + "\n" + resumed.out());
                System.out.println(log.get(log.size() - 1));
            }
            assertThat(killed).as(String.join("\n", log)).isGreaterThanOrEqualTo(KILLS - 1);
        }
    }

    private static void destroy(Ferry ferry, Sandbox sandbox, WorldSnapshot pristine, String round) {
        Ferry.Result destroy = ferry.run("destroy", "--auto-approve");
        assertThat(destroy.exitCode()).as(round + "\n" + destroy).isZero();
        assertThat(WorldSnapshot.of(sandbox.world())).as(round + "\n" + destroy).isEqualTo(pristine);
    }
}
