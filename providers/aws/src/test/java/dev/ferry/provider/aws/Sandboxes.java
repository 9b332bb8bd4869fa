package dev.ferry.provider.aws;

import dev.ferry.sandbox.Sandbox;
import dev.ferry.sandbox.SandboxOptions;
import java.nio.file.Path;

/** Sandboxes for this module's tests: a hundredth of real time, small disks, images cached across tests. */
public final class Sandboxes {

    static final Path CACHE = Path.of("target", "sandbox-cache");

    private Sandboxes() {
    }

    public static SandboxOptions.Builder options() {
        return SandboxOptions.builder().timeScale(0.01).cacheDirectory(CACHE).diskImageBytes(8L * 1024 * 1024);
    }

    public static Sandbox start() {
        return Sandbox.start(options().build());
    }
}
