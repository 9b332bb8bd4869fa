package dev.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.cli.testing.MemoryJourney;
import dev.ferry.cli.testing.MemoryMain;
import dev.ferry.engine.testing.MemoryCloud;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs {@code ferry apply} in its own JVM and kills it with SIGKILL at random moments, again and
 * again: after every kill the state file must be whole and parseable, and the next apply must carry
 * on, until one finally finishes with every resource made exactly once.
 */
class KillAndResumeTest {

    private static final String FILE = EngineCommandsTest.FILE + """
              - name: db-01
                source: { ec2: { instance: i-0b2c3d4e5f6789012 } }
                target: { linode: { region: us-lax, root_pass: "${env:ROOT_PASSWORD}" } }
            """;

    @TempDir
    Path dir;

    @Test
    void killedAtRandomMomentsTheApplyStillConvergesWithNothingMadeTwice() throws Exception {
        Files.writeString(dir.resolve("migration.yaml"), FILE);
        Path cloudFile = dir.resolve("cloud.json");
        Random random = new Random(20261123);
        int kills = 0;
        for (int attempt = 0; attempt < 20; attempt++) {
            Process apply = start("apply", "--auto-approve");
            long delay = 600 + random.nextInt(1600);
            boolean finished = apply.waitFor(delay, TimeUnit.MILLISECONDS);
            if (!finished) {
                apply.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                kills++;
            }
            Path state = dir.resolve(".ferry/memory/state.json");
            if (Files.exists(state)) {
                StoredState.read(state); // every object whole and parseable, whenever the kill came
            }
            if (finished && apply.exitValue() == 0) {
                break;
            }
        }
        Process last = start("apply", "--auto-approve");
        assertThat(last.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String output = Files.readString(dir.resolve("out.log")) + Files.readString(dir.resolve("err.log"));
        assertThat(last.exitValue()).as(output).isZero();

        MemoryCloud cloud = MemoryCloud.persistedIn(cloudFile);
        assertThat(kills).as("the test killed apply at least a few times; last log:\n" + Files.readString(dir.resolve("out.log"))
                + Files.readString(dir.resolve("err.log"))).isGreaterThanOrEqualTo(3);
        for (String m : List.of("web-01", "web-02", "db-01")) {
            assertThat(cloud.thingsAt("test_thing." + m + "-image")).as(m + " image").hasSize(1);
            assertThat(cloud.thingsAt("test_slow." + m + "-instance")).as(m + " instance").hasSize(1);
            assertThat(cloud.thingsAt("test_slow." + m + "-snapshot")).as(m + " snapshot, cleaned up").isEmpty();
            assertThat(cloud.thingsAt("test_slow." + m + "-export")).as(m + " export, cleaned up").isEmpty();
        }
        assertThat(cloud.thingsAt("test_thing.staging")).hasSize(1);
        CliRunner.Result plan = CliRunner.runWith(MemoryJourney.modules(cloud, 5), dir, environment(cloudFile), "", "plan");
        assertThat(plan.out()).contains("No changes.");
    }

    private Process start(String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-XX:TieredStopAtLevel=1");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(MemoryMain.class.getName());
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile());
        builder.environment().putAll(environment(dir.resolve("cloud.json")));
        builder.redirectOutput(dir.resolve("out.log").toFile()).redirectError(dir.resolve("err.log").toFile());
        return builder.start();
    }

    private static Map<String, String> environment(Path cloudFile) {
        Map<String, String> environment = new HashMap<>();
        environment.put("ROOT_PASSWORD", EngineCommandsTest.PASSWORD);
        environment.put("FERRY_POLL_INTERVAL", "100ms");
        environment.put("FERRY_MEMORY_SLOWNESS", "5");
        environment.put("FERRY_MEMORY_CLOUD", cloudFile.toString());
        environment.put("NO_COLOR", "1");
        return environment;
    }
}
