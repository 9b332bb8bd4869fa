package dev.ferry.cli.testing;

import dev.ferry.cli.CliEnvironment;
import dev.ferry.cli.Main;
import dev.ferry.engine.testing.MemoryCloud;
import java.nio.file.Path;

/**
 * {@code ferry} with the in-memory journey, for tests that run it in a separate JVM (to kill it):
 * the cloud is persisted in the file named by FERRY_MEMORY_CLOUD so it outlives the process.
 */
public final class MemoryMain {

    private MemoryMain() {
    }

    public static void main(String[] args) {
        MemoryCloud cloud = MemoryCloud.persistedIn(Path.of(System.getenv("FERRY_MEMORY_CLOUD")));
        String slowness = System.getenv().getOrDefault("FERRY_MEMORY_SLOWNESS", "1");
        System.exit(Main.run(CliEnvironment.system(), MemoryJourney.modules(cloud, Integer.parseInt(slowness)), args));
    }
}
