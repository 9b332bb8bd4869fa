package dev.ferry.cli.e2e;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The JVM options a benchmark runs ferry with: those of ferry's launchers ({@code cli/src/dist/lib/jvm.options}, as
 * an {@code @} argument file), then {@code BENCH_JAVA_OPTS}, which leaves the launchers' out when it chooses a collector,
 * as {@code FERRY_JAVA_OPTS} does for the launchers. The benchmarks run from the repository's root.
 */
final class BenchJvm {

    static final Path LAUNCHER_OPTIONS = Path.of("cli", "src", "dist", "lib", "jvm.options");

    private BenchJvm() {
    }

    static List<String> options() {
        List<String> options = new ArrayList<>();
        String extra = System.getenv().getOrDefault("BENCH_JAVA_OPTS", "").strip();
        Path launcher = LAUNCHER_OPTIONS.toAbsolutePath();
        if (!extra.matches(".*-XX:\\+Use\\w*GC.*")) {
            if (!Files.isRegularFile(launcher)) {
                throw new IllegalStateException(launcher + " is missing: run the benchmark from the repository's root");
            }
            options.add("@" + launcher);
        }
        if (!extra.isEmpty()) {
            options.addAll(List.of(extra.split("\\s+")));
        }
        return options;
    }

    /** What {@link #options()} gives, as the figures' heading says it. */
    static String describe() {
        return String.join(" ", options());
    }
}
