package dev.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every malformed file in {@code corpus/malformed} fails {@code ferry validate} with exit code 1, a
 * message at the expected FILE:LINE:COLUMN, its hint, and no stack trace.
 */
class MalformedFilesTest {

    record Expectation(String file, String position, String message, String hint) {
        @Override
        public String toString() {
            return file;
        }
    }

    static Path corpus() throws URISyntaxException {
        return Path.of(MalformedFilesTest.class.getResource("/corpus/malformed/expectations.tsv").toURI()).getParent();
    }

    static List<Expectation> expectations() throws IOException, URISyntaxException {
        List<Expectation> expectations = new ArrayList<>();
        for (String line : Files.readAllLines(corpus().resolve("expectations.tsv"), StandardCharsets.UTF_8)) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String[] columns = line.split("\t");
            expectations.add(new Expectation(columns[0], columns[1], columns[2], columns.length > 3 ? columns[3] : null));
        }
        return expectations;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("expectations")
    void reportsTheProblemAtItsLineAndColumn(Expectation expected) throws Exception {
        CliRunner.Result result = CliRunner.run(corpus(), "validate", "-f", expected.file());

        assertThat(result.exitCode()).as(result.all()).isEqualTo(1);
        List<String> lines = result.err().lines().toList();
        String prefix = expected.file() + ":" + expected.position() + ": ";
        assertThat(lines).as(result.err()).anySatisfy(line -> {
            assertThat(line).startsWith(prefix);
            assertThat(line).contains(expected.message());
        });
        if (expected.hint() != null) {
            assertThat(result.err()).contains("hint: ").contains(expected.hint());
        }
        assertNoStackTrace(result);
        assertThat(result.out()).doesNotContain("is valid");
    }

    @Test
    void everyCorpusFileHasAnExpectation() throws Exception {
        Set<String> listed = expectations().stream().map(Expectation::file).collect(Collectors.toSet());
        try (Stream<Path> files = Files.list(corpus())) {
            Set<String> present = files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".yaml"))
                    .collect(Collectors.toSet());
            assertThat(present).isEqualTo(listed);
            assertThat(present).hasSizeGreaterThanOrEqualTo(40);
        }
    }

    @Test
    void nonUtf8TextIsReportedWhereTheBadByteIs(@TempDir Path dir) throws IOException {
        byte[] bytes = "apiVersion: ferry/v1\nkind: Migration\nmetadata: { name: caf\u00e9 }\n".getBytes(StandardCharsets.ISO_8859_1);
        Files.write(dir.resolve("latin1.yaml"), bytes);

        CliRunner.Result result = CliRunner.run(dir, "validate", "-f", "latin1.yaml");

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.err()).contains("latin1.yaml:3:22: the file is not valid UTF-8 text");
        assertNoStackTrace(result);
    }

    @Test
    void utf16IsRecognisedAndNamed(@TempDir Path dir) throws IOException {
        Files.write(dir.resolve("utf16.yaml"), "apiVersion: ferry/v1\n".getBytes(StandardCharsets.UTF_16));

        CliRunner.Result result = CliRunner.run(dir, "validate", "-f", "utf16.yaml");

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.err()).contains("utf16.yaml:1:1: the file is UTF-16 text");
        assertNoStackTrace(result);
    }

    @Test
    void binaryFileIsRefused(@TempDir Path dir) throws IOException {
        byte[] bytes = new byte[4096];
        new java.util.Random(7).nextBytes(bytes);
        bytes[10] = 0;
        Files.write(dir.resolve("disk.img"), bytes);

        CliRunner.Result result = CliRunner.run(dir, "validate", "-f", "disk.img");

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.err()).containsPattern("disk\\.img:\\d+:\\d+: the file holds binary data");
        assertNoStackTrace(result);
    }

    @Test
    void fiftyMegabyteFileIsRefusedWithoutParsingIt(@TempDir Path dir) throws IOException {
        Path big = dir.resolve("big.yaml");
        byte[] line = "  - name: web-01-padding-padding-padding-padding-padding-padding\n".getBytes(StandardCharsets.UTF_8);
        try (OutputStream out = Files.newOutputStream(big)) {
            out.write("apiVersion: ferry/v1\nmigrations:\n".getBytes(StandardCharsets.UTF_8));
            for (long written = 0; written < 50L * 1024 * 1024; written += line.length) {
                out.write(line);
            }
        }

        CliRunner.Result result = CliRunner.run(dir, "validate", "-f", "big.yaml");

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.err()).contains("big.yaml:1:1: the file is 50.0 MiB; ferry reads migration files of up to 4.0 MiB");
        assertNoStackTrace(result);
    }

    @Test
    void directoryGetsOneClearLine(@TempDir Path dir) throws IOException {
        Files.createDirectory(dir.resolve("plans"));

        CliRunner.Result result = CliRunner.run(dir, "validate", "-f", "plans");

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.err().lines()).containsExactly(
                "Error: plans: is a directory, not a migration file (pass the YAML file inside it with -f)");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("expectations")
    void permissionsReportsABadFileAsPlanDoes(Expectation expected) throws URISyntaxException {
        CliRunner.Result permissions = CliRunner.run(corpus(), "permissions", "-f", expected.file());
        CliRunner.Result plan = CliRunner.run(corpus(), "plan", "-f", expected.file());

        assertThat(permissions.exitCode()).as(permissions.all()).isEqualTo(1);
        assertThat(permissions.err()).isEqualTo(plan.err()).contains(expected.file() + ":" + expected.position() + ": ");
        assertThat(permissions.out()).isEmpty();
        assertNoStackTrace(permissions);
    }

    @Test
    void permissionsOfAMissingFileGetsTheSameLine(@TempDir Path dir) {
        CliRunner.Result result = CliRunner.run(dir, "permissions");

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.err().lines()).containsExactly(
                "Error: migration.yaml: no such file (run ferry where your migration.yaml is, or pass -f FILE)");
    }

    @Test
    void missingFileGetsOneClearLine(@TempDir Path dir) {
        CliRunner.Result result = CliRunner.run(dir, "validate");

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.err().lines()).containsExactly(
                "Error: migration.yaml: no such file (run ferry where your migration.yaml is, or pass -f FILE)");
    }

    @Test
    void unreadableFileGetsOneClearLine(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("secret.yaml");
        Files.writeString(file, "apiVersion: ferry/v1\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("---------"));
        Assumptions.assumeFalse(Files.isReadable(file), "running as root: permissions do not stop reading");

        CliRunner.Result result = CliRunner.run(dir, "validate", "-f", "secret.yaml");

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.err().lines()).containsExactly("Error: secret.yaml: cannot be read: permission denied");
    }

    @Test
    void unreadableFileGetsOneClearLineEvenForRoot() {
        // /proc/self/mem is a regular file that nobody can read from offset 0, root included.
        Path mem = Path.of("/proc/self/mem");
        Assumptions.assumeTrue(Files.isRegularFile(mem));

        CliRunner.Result result = CliRunner.run(Path.of("/"), "validate", "-f", mem.toString());

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.err().lines()).hasSize(1).first().asString().startsWith("Error: /proc/self/mem: cannot be read");
    }

    static void assertNoStackTrace(CliRunner.Result result) {
        assertThat(result.all()).doesNotContain("Exception").doesNotContainPattern("\\bat [a-z]+\\.[a-z]+\\.");
    }
}
