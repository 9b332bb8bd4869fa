package dev.ferry.cli.e2e;

import dev.ferry.cli.StoredState;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.cli.Main;
import dev.ferry.sandbox.Sandbox;
import dev.ferry.sandbox.world.ExportImageTask;
import dev.ferry.sandbox.world.LinodeImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ferry apply} of the example file in its own JVM, killed with SIGKILL at 20 moments spread
 * evenly over the journey, then carried through by the next apply.
 *
 * <p>Each moment is the Nth request the killed process makes to the sandbox, N spread from the first
 * request to the last of an uninterrupted apply (measured first), so the moments are repeatable. One
 * sandbox serves every round: after each kill an in-process {@code apply} runs to convergence, the world
 * must hold exactly one of each thing the migration makes (one AMI, read through the snapshot road, at most
 * until the clean-up, one Linode image, one firewall, one Linode), a plan must find nothing to do, and a destroy
 * must bring the world back to how it was, ready for the next round.
 */
class KilledApplyConvergesTest {

    private static final int KILLS = 20;

    @TempDir
    Path dir;

    @Test
    void anApplyKilledAtAnyOfTwentyMomentsIsCarriedThroughByTheNextWithNothingMadeTwice() throws Exception {
        String password = Journeys.distinctiveSecret("Root-");
        // small disks: twenty uploads of the image are the bulk of the work
        // and a 1 GiB root volume: the snapshot road reads all of it, forty times here
        try (Sandbox sandbox = Sandbox.start(Journeys.sandbox().world(Journeys.smallRootWorld()).diskImageBytes(4L * 1024 * 1024).build())) {
            Journeys.copyExample(dir);
            Ferry ferry = Ferry.in(dir, sandbox, password);
            WorldSnapshot pristine = WorldSnapshot.of(sandbox.world());

            // The uninterrupted run is forked too, to count the requests the killed ones make.
            long before = requests(sandbox);
            Process whole = fork(dir, ferry, "apply", "--auto-approve");
            assertThat(whole.waitFor(120, TimeUnit.SECONDS)).isTrue();
            assertThat(whole.exitValue()).as(Files.readString(dir.resolve("out.log")) + Files.readString(dir.resolve("err.log"))).isZero();
            long journey = requests(sandbox) - before;
            destroy(ferry, sandbox, pristine, "after the uninterrupted apply");

            List<String> log = new ArrayList<>();
            int killed = 0;
            for (int k = 1; k <= KILLS; k++) {
                long moment = Math.max(1, Math.round((double) k * journey / (KILLS + 1)));
                Set<String> exportsBefore = ids(sandbox.world().conversions().exportImageTasks());
                long imagesBefore = sandbox.requests().successCount("ec2:CreateImage");
                long t0 = System.nanoTime();
                String killedAt = killAt(dir, ferry, sandbox, moment);
                boolean finished = killedAt.startsWith("exited");
                log.add("kill " + k + ": request " + moment + " of " + journey + " (" + killedAt + ")");
                if (!finished) {
                    killed++;
                }
                Path state = dir.resolve(".ferry/web-tier/state.json");
                if (Files.exists(state)) {
                    StoredState.read(state); // every object whole, whenever the kill came
                }

                long t1 = System.nanoTime();
                Ferry.Result resumed = ferry.run("apply", "--auto-approve");
                long t2 = System.nanoTime();
                assertThat(resumed.exitCode()).as(log + "\n" + resumed).isZero();
                String round = "after " + log.get(log.size() - 1);
                assertThat(sandbox.world().ec2().amis()).as(round + ": staging AMI cleaned up").isEmpty();
                assertThat(sandbox.world().s3().objects(Journeys.BUCKET)).as(round + ": exported object cleaned up").isEmpty();
                Set<String> exports = ids(sandbox.world().conversions().exportImageTasks());
                exports.removeAll(exportsBefore);
                // the example takes the snapshot road: no export task, and one AMI (with its snapshot) per round
                assertThat(exports).as(round + ": export tasks started").isEmpty();
                assertThat(sandbox.requests().successCount("ec2:CreateImage") - imagesBefore)
                        .as(round + ": AMIs made\n" + Files.readString(dir.resolve("out.log")) + "\n-- resumed:\n" + resumed.out())
                        .isEqualTo(1);
                assertThat(sandbox.world().linode().images().stream().filter(i -> !i.status().equals("failed")).map(LinodeImage::id))
                        .as(round + ": Linode images").hasSize(1);
                assertThat(sandbox.world().linode().firewalls()).as(round + ": firewalls").hasSize(1);
                assertThat(sandbox.world().linode().instances()).as(round + ": Linodes").hasSize(1);
                assertThat(sandbox.world().roles()).as(round + ": no vmimport role on the snapshot road").isEmpty();
                Ferry.Result plan = ferry.run("plan", "--detailed-exitcode");
                assertThat(plan.exitCode()).as(round + "\n" + plan).isZero();
                assertThat(plan.out()).contains("No changes.");
                long t3 = System.nanoTime();
                destroy(ferry, sandbox, pristine, round + "\n" + resumed.out());
                System.out.printf("%s: fork+kill %d ms, resume %d ms, checks+plan %d ms, destroy %d ms%n", log.get(log.size() - 1),
                        (t1 - t0) / 1_000_000, (t2 - t1) / 1_000_000, (t3 - t2) / 1_000_000, (System.nanoTime() - t3) / 1_000_000);
            }
            assertThat(killed).as(String.join("\n", log)).isGreaterThanOrEqualTo(KILLS - 2);
        }
    }

    private static void destroy(Ferry ferry, Sandbox sandbox, WorldSnapshot pristine, String round) {
        Ferry.Result destroy = ferry.run("destroy", "--auto-approve");
        assertThat(destroy.exitCode()).as(round + "\n" + destroy).isZero();
        assertThat(WorldSnapshot.of(sandbox.world())).as(round + "\n" + destroy).isEqualTo(pristine);
    }

    /**
     * Forks {@code ferry apply --auto-approve} and SIGKILLs it once it has made {@code moment} requests to the
     * sandbox; says how far it got, or that it exited first.
     */
    static String killAt(Path dir, Ferry ferry, Sandbox sandbox, long moment) throws Exception {
        long start = requests(sandbox);
        Process apply = fork(dir, ferry, "apply", "--auto-approve");
        boolean finished = false;
        while (requests(sandbox) - start < moment) {
            if (!apply.isAlive()) {
                finished = true;
                break;
            }
            LockSupport.parkNanos(200_000); // not a busy wait: the forked JVM needs the core
        }
        apply.destroyForcibly();
        assertThat(apply.waitFor(30, TimeUnit.SECONDS)).isTrue();
        long reached = requests(sandbox) - start;
        return finished ? "exited " + apply.exitValue() + " first, at request " + reached : "reached request " + reached;
    }

    static long requests(Sandbox sandbox) {
        return sandbox.requests().counts().values().stream().mapToLong(Long::longValue).sum();
    }

    private static Set<String> ids(List<ExportImageTask> tasks) {
        return tasks.stream().map(ExportImageTask::id).collect(Collectors.toSet());
    }

    /**
     * {@code java -cp <this classpath> dev.ferry.cli.Main ARGS} in the test's folder with the shell's variables,
     * as a user's shell would run ferry.
     */
    static Process fork(Path dir, Ferry ferry, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
                Main.class.getName()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile());
        builder.environment().remove("AWS_PROFILE");
        builder.environment().putAll(ferry.variables());
        builder.redirectOutput(dir.resolve("out.log").toFile()).redirectError(dir.resolve("err.log").toFile());
        return builder.start();
    }
}
