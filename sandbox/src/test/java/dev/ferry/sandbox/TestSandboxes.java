package dev.ferry.sandbox;

import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Supplier;

/** Starting sandboxes for tests, and waiting for things that take (scaled) time. */
public final class TestSandboxes {

    /** Built disk images are cached here across the module's tests. */
    public static final Path CACHE = Path.of("target", "sandbox-cache");

    private TestSandboxes() {
    }

    public static SandboxOptions.Builder options(double timeScale) {
        return SandboxOptions.builder().timeScale(timeScale).cacheDirectory(CACHE);
    }

    public static Sandbox start(double timeScale) {
        return Sandbox.start(options(timeScale).build());
    }

    /** Polls until {@code condition} holds, failing after {@code timeout}. */
    public static void waitUntil(String what, Duration timeout, Supplier<Boolean> condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.get()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout + " waiting for " + what);
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for " + what);
            }
        }
    }
}
