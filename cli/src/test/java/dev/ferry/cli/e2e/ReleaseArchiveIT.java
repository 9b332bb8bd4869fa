package dev.ferry.cli.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.engine.FerryVersion;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The release archive {@code mvn package} makes, installed as the README says: unpacked into a folder and
 * run through its {@code bin/ferry} with a PATH that has Java and a few shell tools, and no Maven.
 */
class ReleaseArchiveIT {

    /** What bin/ferry itself calls, besides java. */
    private static final List<String> SHELL_TOOLS = List.of("sh", "sed", "head", "cut", "dirname", "ls");

    @TempDir
    Path dir;

    @Test
    void theUnpackedArchiveRunsTheDemoWithOnlyJavaOnThePath() throws Exception {
        Path launcher = unpack();
        Path home = launcher.getParent().getParent();
        assertThat(Files.getPosixFilePermissions(launcher)).contains(PosixFilePermission.OWNER_EXECUTE,
                PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.OTHERS_EXECUTE);
        assertThat(home.resolve("lib/ferry.jar")).isRegularFile();
        assertThat(home.resolve("README.md")).isRegularFile();

        Path path = onlyJavaAndShellTools();
        assertThat(path.resolve("mvn")).doesNotExist();
        Path work = Files.createDirectories(dir.resolve("work"));
        FerryJar ferry = new FerryJar(List.of(launcher.toString()), work, Map.of(
                "PATH", path.toString(), "JAVA_HOME", "", "HOME", work.toString(),
                "FERRY_POLL_INTERVAL", "20ms", "NO_COLOR", "1"));

        Ferry.Result version = ferry.run("--version");
        assertThat(version.exitCode()).as(version.toString()).isZero();
        assertThat(version.out()).as(version.toString())
                .containsPattern("^ferry " + FerryVersion.get().replace(".", "\\.") + " \\(commit ([0-9a-f]{4,40}|unknown)\\)\nJava 17");

        Ferry.Result demo = ferry.run("demo", "--time-scale", "0.02");
        assertThat(demo.exitCode()).as(demo.toString()).isZero();
        assertThat(demo.err()).as(demo.toString()).isEmpty();
        assertThat(demo.out()).contains("== 1. ferry plan", "Apply complete!", "# linode_instance.web-01", "Destroy complete!", "== Done.");
    }

    @Test
    void theLauncherRunsTheJvmWithLibJvmOptionsAndACollectorChosenInFerryJavaOptsReplacesThem() throws Exception {
        Path launcher = unpack();
        assertThat(launcher.getParent().getParent().resolve("lib/jvm.options")).content().contains("-XX:+UseSerialGC");
        Path path = onlyJavaAndShellTools();

        Ferry.Result defaults = new FerryJar(List.of(launcher.toString()), dir, Map.of("PATH", path.toString(), "JAVA_HOME", "",
                "FERRY_JAVA_OPTS", "-XX:+PrintCommandLineFlags")).run("--version");
        assertThat(defaults.exitCode()).as(defaults.toString()).isZero();
        assertThat(defaults.out()).contains("-XX:+UseSerialGC", "-XX:InitialHeapSize=33554432", "ferry " + FerryVersion.get());

        Ferry.Result chosen = new FerryJar(List.of(launcher.toString()), dir, Map.of("PATH", path.toString(), "JAVA_HOME", "",
                "FERRY_JAVA_OPTS", "-XX:+UseParallelGC -XX:+PrintCommandLineFlags")).run("--version");
        assertThat(chosen.exitCode()).as(chosen.toString()).isZero();
        assertThat(chosen.out()).contains("-XX:+UseParallelGC").doesNotContain("-XX:+UseSerialGC");
    }

    @Test
    void withoutJavaOrWithAnOlderOneTheLauncherSaysWhatIsNeeded() throws Exception {
        Path launcher = unpack();
        Path path = onlyJavaAndShellTools();
        Files.delete(path.resolve("java"));
        FerryJar ferry = new FerryJar(List.of(launcher.toString()), dir, Map.of("PATH", path.toString(), "JAVA_HOME", ""));

        Ferry.Result missing = ferry.run("--version");
        assertThat(missing.exitCode()).as(missing.toString()).isEqualTo(1);
        assertThat(missing.err()).contains("ferry: Java 17 or newer is needed to run ferry, and no 'java' is on PATH");
        assertThat(missing.out()).isEmpty();

        // a Java 11 as 'java -version' shows it
        Files.writeString(path.resolve("java"), "#!/bin/sh\necho 'openjdk version \"11.0.20\" 2023-07-18' >&2\n");
        Files.setPosixFilePermissions(path.resolve("java"), PosixFilePermissions.fromString("rwxr-xr-x"));
        Ferry.Result old = ferry.run("--version");
        assertThat(old.exitCode()).as(old.toString()).isEqualTo(1);
        assertThat(old.err()).contains("ferry: Java 17 or newer is needed to run ferry; java is Java 11.0.20.");
    }

    /** The archive unpacked into a fresh folder with tar, as a user installs it; returns its bin/ferry. */
    private Path unpack() throws IOException, InterruptedException {
        Path archive = Journeys.repositoryRoot().resolve("cli/target/ferry-" + FerryVersion.get() + ".tar.gz");
        assertThat(archive).as("these tests run after 'mvn package' (mvn verify runs them)").isRegularFile();
        Path install = Files.createDirectories(dir.resolve("opt"));
        Process tar = new ProcessBuilder("tar", "-xzf", archive.toString(), "-C", install.toString()).inheritIO().start();
        assertThat(tar.waitFor(2, TimeUnit.MINUTES)).as("tar finished").isTrue();
        assertThat(tar.exitValue()).as("tar -xzf " + archive).isZero();
        return install.resolve("ferry-" + FerryVersion.get() + "/bin/ferry");
    }

    /** A folder of links to this test's java and the shell tools bin/ferry uses: a PATH without mvn. */
    private Path onlyJavaAndShellTools() throws IOException {
        Path bin = Files.createDirectories(dir.resolve("path"));
        Files.createSymbolicLink(bin.resolve("java"), Path.of(System.getProperty("java.home"), "bin", "java"));
        for (String tool : SHELL_TOOLS) {
            Path found = List.of(Path.of("/usr/bin", tool), Path.of("/bin", tool)).stream().filter(Files::isExecutable).findFirst()
                    .orElseThrow(() -> new IllegalStateException(tool + " is not in /usr/bin or /bin"));
            Files.createSymbolicLink(bin.resolve(tool), found);
        }
        return bin;
    }
}
