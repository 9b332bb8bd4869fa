package dev.ferry.cli.e2e;

import static dev.ferry.cli.e2e.KilledApplyConvergesTest.fork;
import static dev.ferry.cli.e2e.KilledApplyConvergesTest.killAt;
import static dev.ferry.cli.e2e.KilledApplyConvergesTest.requests;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.sandbox.Sandbox;
import dev.ferry.sandbox.world.LinodeConfig;
import dev.ferry.sandbox.world.LinodeInstance;
import dev.ferry.sandbox.world.LinodeVolume;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ferry apply} on the disk road of an instance with a data volume, in its own JVM, SIGKILLed at moments spread
 * over the road, then carried through by the next apply: one Linode, one Block Storage volume (never a twin) holding
 * the data volume's bytes and attached after the raw disk, nothing to do at the next plan, and a destroy that
 * removes the volume with the rest.
 */
class KilledDataVolumeConvergesTest {

    private static final int KILLS = 3;

    @TempDir
    Path dir;

    @Test
    void anApplyKilledAnywhereLeavesOneVolumeWithTheDataVolumesBytes() throws Exception {
        try (Sandbox sandbox = Sandbox.start(Journeys.sandbox().world(DataVolumeOnTheDiskRoadTest.world()).build())) {
            Files.writeString(dir.resolve("migration.yaml"), """
                    apiVersion: ferry/v1
                    kind: Migration
                    metadata: {name: volumes}
                    providers:
                      aws: {region: us-west-1}
                      linode: {token: "${env:LINODE_TOKEN}"}
                    staging: {bucket: ferry-disk-road, cleanup: delete-after-import}
                    migrations:
                      - name: files-01
                        source: {ec2: {instance: %s}}
                        target: {linode: {region: us-lax, type: match, via: disk}}
                        firewall: {from: none}
                    """.formatted(DataVolumeOnTheDiskRoadTest.INSTANCE));
            Ferry ferry = Ferry.in(dir, sandbox, Journeys.distinctiveSecret("Root-"));
            WorldSnapshot pristine = WorldSnapshot.of(sandbox.world());
            long size = 1L << 30;
            String data = JourneyATest.sha256(sandbox.world().ec2().volumeDiskImage(DataVolumeOnTheDiskRoadTest.DATA), size);

            long before = requests(sandbox);
            Process whole = fork(dir, ferry, "apply", "--auto-approve");
            assertThat(whole.waitFor(300, TimeUnit.SECONDS)).isTrue();
            assertThat(whole.exitValue()).as(Files.readString(dir.resolve("out.log")) + Files.readString(dir.resolve("err.log")))
                    .isZero();
            long journey = requests(sandbox) - before;
            destroy(ferry, sandbox, pristine, "after the uninterrupted apply");

            List<String> log = new ArrayList<>();
            for (int k = 1; k <= KILLS; k++) {
                long moment = Math.max(1, Math.round((double) k * journey / (KILLS + 1)));
                String killedAt = killAt(dir, ferry, sandbox, moment);
                log.add("kill " + k + ": request " + moment + " of " + journey + " (" + killedAt + ")");
                String round = "after " + log.get(log.size() - 1);

                Ferry.Result resumed = ferry.run("apply", "--auto-approve");
                assertThat(resumed.exitCode()).as(log + "\n" + resumed).isZero();
                assertThat(sandbox.world().linode().instances()).as(round + ": Linodes").hasSize(1);
                LinodeInstance linode = sandbox.world().linode().instances().get(0);
                List<LinodeVolume> volumes = sandbox.world().linode().volumes();
                assertThat(volumes).as(round + ": one Block Storage volume").hasSize(1);
                assertThat(sandbox.world().linode().volumeSha256(volumes.get(0).id(), size)).as(round).isEqualTo(data);
                assertThat(sandbox.world().linode().configs(linode.id())).as(round).singleElement()
                        .satisfies(c -> assertThat(c.devices().get("sdb")).isEqualTo(new LinodeConfig.Device(null,
                                volumes.get(0).id())));
                Ferry.Result plan = ferry.run("plan", "--detailed-exitcode");
                assertThat(plan.exitCode()).as(round + "\n" + plan).isZero();
                destroy(ferry, sandbox, pristine, round + "\n" + resumed.out());
                System.out.println(log.get(log.size() - 1));
            }
        }
    }

    private static void destroy(Ferry ferry, Sandbox sandbox, WorldSnapshot pristine, String round) {
        Ferry.Result destroy = ferry.run("destroy", "--auto-approve");
        assertThat(destroy.exitCode()).as(round + "\n" + destroy).isZero();
        assertThat(WorldSnapshot.of(sandbox.world())).as(round + "\n" + destroy).isEqualTo(pristine);
    }
}
