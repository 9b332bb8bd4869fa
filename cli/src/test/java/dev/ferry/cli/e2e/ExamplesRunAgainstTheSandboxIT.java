package dev.ferry.cli.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every file in plans/examples, planned against the sandbox the way the README tells a user to: in a copy of the
 * repository's plans/ and schemas/, {@code ferry sandbox --examples plans/examples} runs as its own process and
 * prints the environment (having written the files the examples read from the disk), and {@code ferry plan -f
 * plans/examples/NAME.yaml} runs with exactly that environment. The examples are listed from the folder, so a new
 * one is planned here as soon as it is added. The journey-B example, cheap to carry out, is also applied and
 * destroyed, proving the OVA the sandbox wrote is one that imports.
 */
class ExamplesRunAgainstTheSandboxIT {

    private static final Path EXAMPLES = Path.of("plans", "examples");
    private static final Pattern EXPORT = Pattern.compile("^export ([A-Z_][A-Z0-9_]*)='((?:[^']|'\\\\'')*)'");

    /**
     * Warnings that mean an example does not fit the sandbox's world (a name it does not have, a region that is not
     * AWS's, a file that is not there), as opposed to the losses of translation that a real migration has too.
     */
    private static final List<String> MISFIT_WORDS = List.of("did you mean", "not an AWS region", "no such", "does not exist",
            "not found", "cannot read", "is not set");

    /** A clone's root, as far as the README's commands go: plans/examples and schemas. */
    @TempDir
    static Path root;

    static Process sandbox;
    static final List<String> sandboxOutput = new ArrayList<>();
    static final Map<String, String> shell = new HashMap<>();

    @BeforeAll
    static void startTheSandboxAsTheReadmeSays() throws IOException, InterruptedException {
        copyExamples(root);
        // a fiftieth of real time, so the applied example finishes in seconds (README: --time-scale)
        sandbox = new FerryJar(root, Map.of()).start("sandbox-err", "sandbox", "--examples", "plans/examples", "--time-scale", "0.02");
        BufferedReader out = new BufferedReader(new InputStreamReader(sandbox.getInputStream(), StandardCharsets.UTF_8));
        for (String line = out.readLine(); line != null; line = out.readLine()) {
            sandboxOutput.add(line);
            Matcher export = EXPORT.matcher(line);
            if (export.find()) {
                shell.put(export.group(1), export.group(2).replace("'\\''", "'"));
            }
            if (line.equals("Press Ctrl-C to stop.")) {
                break;
            }
        }
        assertThat(sandboxOutput).as("ferry sandbox printed, then stopped:\n%s\n%s", String.join("\n", sandboxOutput),
                sandbox.isAlive() ? "" : Files.readString(root.resolve(".jar-sandbox-err.log"))).contains("Press Ctrl-C to stop.");
        shell.put("NO_COLOR", "1");
    }

    @AfterAll
    static void stopTheSandbox() throws InterruptedException {
        if (sandbox != null) {
            sandbox.destroy();
            if (!sandbox.waitFor(30, TimeUnit.SECONDS)) {
                sandbox.destroyForcibly();
            }
        }
    }

    /** The files of plans/examples as the repository has them: the folder is listed, not a list kept here. */
    static Stream<String> examples() throws IOException {
        try (Stream<Path> files = Files.list(Journeys.repositoryRoot().resolve(EXAMPLES))) {
            List<String> names = files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".yaml") || n.endsWith(".yml"))
                    .sorted().toList();
            assertThat(names).as("plans/examples holds the examples").isNotEmpty();
            return names.stream();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("examples")
    void everyExamplePlansCleanlyAgainstTheSandbox(String example) throws Exception {
        Ferry.Result plan = new FerryJar(root, shell).run("plan", "-f", EXAMPLES.resolve(example).toString());

        assertThat(plan.exitCode()).as(plan.toString()).isZero();
        assertThat(plan.err()).as(plan.toString()).isEmpty();
        assertThat(plan.out()).as(plan.toString()).containsPattern("\nPlan: [1-9]\\d* to add, 0 to change, 0 to destroy\\.\n");
        for (String warning : warnings(plan.out())) {
            assertThat(MISFIT_WORDS).as("%s: a warning that the example does not fit the sandbox: %s", example, warning)
                    .noneMatch(words -> warning.toLowerCase(java.util.Locale.ROOT).contains(words.toLowerCase(java.util.Locale.ROOT)));
        }
        assertThat(plan.out()).as("secrets are shown as (sensitive) only").doesNotContain(shell.get("ROOT_PASSWORD"));
    }

    @Test
    void theSandboxWroteWhatTheExamplesReadFromTheDisk_andSaysSo() throws IOException {
        assertThat(sandboxOutput).anyMatch(line -> line.matches("Wrote plans/examples/exports/app-02\\.ova \\(\\d+ KiB\\): the OVA of the"
                + " sandbox's vCenter VM app-02, which plans/examples/vcenter-to-ec2\\.yaml's migrations\\[0]\\.source\\.vsphere\\.disk_image"
                + " names\\."));
        assertThat(sandboxOutput).contains("Wrote plans/examples/secrets/db-root-pass (mode 0600): a random root password, which"
                + " plans/examples/fleet.yaml's migrations[2].target.linode.root_pass reads.");
        Path ova = root.resolve(EXAMPLES).resolve("exports/app-02.ova");
        byte[] header = new byte[263];
        try (var in = Files.newInputStream(ova)) {
            assertThat(in.readNBytes(header, 0, header.length)).isEqualTo(header.length);
        }
        assertThat(new String(header, 0, 100, StandardCharsets.US_ASCII)).as("an OVA is a tar whose first member is the OVF descriptor")
                .startsWith("app-02.ovf");
        assertThat(new String(header, 257, 5, StandardCharsets.US_ASCII)).isEqualTo("ustar");
        Path password = root.resolve(EXAMPLES).resolve("secrets/db-root-pass");
        assertThat(Files.getPosixFilePermissions(password)).containsExactlyInAnyOrder(java.nio.file.attribute.PosixFilePermission.OWNER_READ,
                java.nio.file.attribute.PosixFilePermission.OWNER_WRITE);
        assertThat(Files.readString(password)).matches("\\S{12,}\n");
    }

    @Test
    void theFleetTakesTheDiskRoadForTheMachineTooBigForAnImage_andAdmitsItsDatabaseClients() throws Exception {
        Ferry.Result plan = new FerryJar(root, shell).run("plan", "-f", "plans/examples/fleet.yaml");

        assertThat(plan.exitCode()).as(plan.toString()).isZero();
        assertThat(plan.out()).contains("# linode_disk_write.web-02 will be created", "# linode_image.web-01 will be created",
                "# linode_image.db-01 will be created").doesNotContain("linode_image.web-02");
        assertThat(warnings(plan.out())).as("the file follows the advice on db-01's PostgreSQL rules")
                .noneMatch(w -> w.startsWith("linode_firewall.db-01:"));
        assertThat(warnings(plan.out())).as("db-01's data volume, which the image road does not move, is named once, where the road is chosen")
                .filteredOn(w -> w.contains("besides its root")).singleElement().asString().startsWith("linode_instance.db-01:");
    }

    @Test
    void theVcenterExampleAppliesAndDestroysWithTheOvaTheSandboxWrote() throws Exception {
        Map<String, String> fast = new HashMap<>(shell);
        fast.put("FERRY_POLL_INTERVAL", "200ms");
        FerryJar ferry = new FerryJar(root, fast);

        Ferry.Result apply = ferry.run("apply", "-f", "plans/examples/vcenter-to-ec2.yaml", "--auto-approve");
        assertThat(apply.exitCode()).as(apply.toString()).isZero();
        assertThat(apply.out()).contains("aws_image_import.app-02: Creation complete")
                .containsPattern("\nApply complete! Resources: [1-9]\\d* added, 0 changed, 0 destroyed\\.");

        Ferry.Result destroy = ferry.run("destroy", "-f", "plans/examples/vcenter-to-ec2.yaml", "--auto-approve");
        assertThat(destroy.exitCode()).as(destroy.toString()).isZero();
        assertThat(destroy.out()).containsPattern("\nDestroy complete! Resources: 0 added, 0 changed, [1-9]\\d* destroyed\\.");
    }

    /** The lines of the plan's closing "Warnings:" list, each as "ADDRESS: text". */
    private static List<String> warnings(String plan) {
        int start = plan.lastIndexOf("\nWarnings:\n");
        if (start < 0) {
            return List.of();
        }
        List<String> warnings = new ArrayList<>();
        for (String line : plan.substring(start + "\nWarnings:\n".length()).split("\n")) {
            if (line.startsWith("  - ")) {
                warnings.add(line.substring(4));
            } else if (!line.isBlank() && !warnings.isEmpty() && line.startsWith("    ")) {
                warnings.set(warnings.size() - 1, warnings.get(warnings.size() - 1) + " " + line.strip());
            } else {
                break;
            }
        }
        return warnings;
    }

    /** plans/examples (what is committed there, not files a run left behind) and schemas/, as in a clone. */
    private static void copyExamples(Path root) throws IOException {
        Path repository = Journeys.repositoryRoot();
        Path examples = Files.createDirectories(root.resolve(EXAMPLES));
        for (String name : examples().toList()) {
            Files.copy(repository.resolve(EXAMPLES).resolve(name), examples.resolve(name));
        }
        Path schemas = Files.createDirectories(root.resolve("schemas"));
        try (Stream<Path> files = Files.list(repository.resolve("schemas"))) {
            for (Path schema : files.filter(Files::isRegularFile).toList()) {
                Files.copy(schema, schemas.resolve(schema.getFileName()));
            }
        }
    }
}
