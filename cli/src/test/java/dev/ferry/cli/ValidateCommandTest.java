package dev.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ValidateCommandTest {

    @ParameterizedTest
    @ValueSource(strings = {"ec2-to-linode.yaml", "vcenter-to-ec2.yaml", "fleet.yaml"})
    void examplesAreValid(String example) {
        Path examples = CliRunner.repositoryRoot().resolve("plans/examples");

        CliRunner.Result result = CliRunner.run(examples, "validate", "-f", example);

        assertThat(result.exitCode()).as(result.all()).isZero();
        assertThat(result.out()).startsWith(example + " is valid: ");
        assertThat(result.err()).isEmpty();
    }

    @Test
    void defaultFileIsMigrationYamlInTheWorkingDirectory(@TempDir Path dir) throws IOException {
        Files.copy(CliRunner.repositoryRoot().resolve("plans/examples/ec2-to-linode.yaml"), dir.resolve("migration.yaml"));

        CliRunner.Result result = CliRunner.run(dir, "validate");

        assertThat(result.exitCode()).isZero();
        assertThat(result.out()).isEqualTo("migration.yaml is valid: 1 migration (web-01: ec2 → linode)." + System.lineSeparator());
    }

    @Test
    void reportsEveryProblemInTheFileAtOnce(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("migration.yaml"), """
                apiVersion: ferry/v1
                kind: Migration
                metadata: { name: many-problems }
                providers:
                  aws: { regoin: us-west-1 }
                migrations:
                  - name: web-01
                    source: { ec2: { instance: i-0e1dc0292b0ae7293, reboot: maybe } }
                    target:
                      linode: { region: us-lax, root_pass: "${env:ROOT_PASSWORD}", typ: match }
                """);

        CliRunner.Result result = CliRunner.run(dir, "validate");

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.err()).contains(
                "migration.yaml:5:10: unknown key 'regoin' in providers.aws",
                "migration.yaml:5:8: providers.aws: missing required key 'region'",
                "migration.yaml:8:61: migrations[0].source.ec2.reboot: must be a boolean",
                "migration.yaml:10:68: unknown key 'typ' in migrations[0].target.linode",
                "Error: migration.yaml has 4 errors; nothing was changed.");
    }

    @Test
    void semanticProblemsAreAllReportedToo(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("migration.yaml"), """
                apiVersion: ferry/v1
                kind: Migration
                metadata: { name: semantics }
                providers:
                  aws: { region: us-west-1 }
                migrations:
                  - name: web-01
                    source: { ec2: { instance: i-0e1dc0292b0ae7293, via: export } }
                    target: { linode: { region: us-lax, root_pass: "${env:ROOT_PASSWORD}" } }
                  - name: web-01
                    source: { ec2: { instance: i-0a1b2c3d4e5f67890 } }
                    target: { linode: { region: us-lax, root_pass: "${env:ROOT_PASSWORD}" } }
                """);

        CliRunner.Result result = CliRunner.run(dir, "validate");

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.err()).contains(
                "migration.yaml:8:15: source.ec2 with 'via: export' moves disk images through an S3 bucket",
                "migration.yaml:9:15: target.linode needs the linode provider",
                "migration.yaml:10:11: migration name 'web-01' is used twice (first at line 7)");
    }

    @Test
    void aLaunchTemplateWithoutABackupImageAMalformedNameAndANameUsedTwiceAreRefusedWhereWritten(@TempDir Path dir) throws IOException {
        String file = """
                apiVersion: ferry/v1
                kind: Migration
                metadata: { name: templates }
                providers: { aws: { region: us-west-1 }, vsphere: {} }
                staging: { bucket: ferry-templates, create: true }
                migrations:
                  - name: app-01
                    source: { vsphere: { disk_image: app-01.raw } }
                    target: { ec2: { subnet: subnet-0abc1234, %slaunch_template: { name: app-replacement } } }
                  - name: app-02
                    source: { vsphere: { disk_image: app-02.raw } }
                    target: { ec2: { subnet: subnet-0abc1234, backup_ami: true, launch_template: { name: %s } } }
                """;
        Files.writeString(dir.resolve("migration.yaml"), file.formatted("backup_ami: true, ", "\"app 02!\""));
        CliRunner.Result malformed = CliRunner.run(dir, "validate");
        assertThat(malformed.exitCode()).isEqualTo(1);
        assertThat(malformed.err()).contains("migration.yaml:12:90: migrations[1].target.ec2.launch_template.name: 'app 02!' may hold"
                + " only letters, digits and ( ) . - / _").doesNotContain("Exception");

        Files.writeString(dir.resolve("migration.yaml"), file.formatted("", "app-replacement"));
        CliRunner.Result semantic = CliRunner.run(dir, "validate");
        assertThat(semantic.exitCode()).isEqualTo(1);
        assertThat(semantic.err()).contains(
                "migration.yaml:9:64: launch_template launches the backup image of the new instance, but backup_ami is not set",
                "add 'backup_ami: true' (or '{reboot: true}') under target.ec2, or remove 'launch_template'",
                "migration.yaml:12:90: launch template name app-replacement is already used by migration app-01")
                .doesNotContain("Exception");

        Files.writeString(dir.resolve("migration.yaml"), file.formatted("backup_ami: true, ", "app-02/replacement_(v1)"));
        CliRunner.Result valid = CliRunner.run(dir, "validate");
        assertThat(valid.exitCode()).as(valid.all()).isZero();
    }

    @Test
    void aStagingBlockWithoutABucketServesTheSnapshotRoadAndIsNamedWhereABucketIsNeeded(@TempDir Path dir) throws IOException {
        String file = """
                apiVersion: ferry/v1
                kind: Migration
                metadata: { name: no-bucket }
                providers: { aws: { region: us-west-1 }, linode: {} }
                staging: { cleanup: delete-after-import%s }
                migrations:
                  - name: web-01
                    source: { ec2: { instance: i-0e1dc0292b0ae7293%s } }
                    target: { linode: { region: us-lax, root_pass: "${env:ROOT_PASSWORD}" } }
                """;
        Files.writeString(dir.resolve("migration.yaml"), file.formatted("", ""));
        CliRunner.Result valid = CliRunner.run(dir, "validate");
        assertThat(valid.exitCode()).as(valid.toString()).isZero();

        Files.writeString(dir.resolve("migration.yaml"), file.formatted(", create: true", ", via: export"));
        CliRunner.Result invalid = CliRunner.run(dir, "validate");
        assertThat(invalid.exitCode()).isEqualTo(1);
        assertThat(invalid.err()).contains("migration.yaml:5:")
                .contains("source.ec2 with 'via: export' moves disk images through an S3 bucket, and the file's 'staging:' names no bucket")
                .contains("add 'bucket: NAME'")
                .contains("staging.create asks for a bucket, and 'staging:' names none")
                .doesNotContain("Exception");
    }

    @Test
    void warningsAreShownButTheFileIsValid(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("migration.yaml"), """
                apiVersion: ferry/v1
                kind: Migration
                metadata: { name: warnings }
                providers: { aws: { region: us-west-1 }, linode: {} }
                staging: { bucket: ec2-backup-images-for-migration }
                migrations:
                  - name: web-01
                    source: { ec2: { instance: i-0e1dc0292b0ae7293 } }
                    target: { linode: { region: us-lax, root_pass: "${env:ROOT_PASSWORD}" } }
                    firewall:
                      rules: [ { direction: inbound, action: ACCEPT, protocol: TCP, ports: "22" } ]
                """);

        CliRunner.Result result = CliRunner.run(dir, "validate");

        assertThat(result.exitCode()).isZero();
        assertThat(result.err()).contains("migration.yaml:11:16: warning: this rule has no addresses");
        assertThat(result.out()).contains("is valid");
    }

    @Test
    void neverResolvesNorPrintsSecrets(@TempDir Path dir) throws IOException {
        Files.copy(CliRunner.repositoryRoot().resolve("plans/examples/ec2-to-linode.yaml"), dir.resolve("migration.yaml"));
        String password = "s3cr3t-Root-Pa55word";

        CliRunner.Result result = CliRunner.run(dir, Map.of("ROOT_PASSWORD", password, "LINODE_TOKEN", "tok-abcdef"), "validate");

        assertThat(result.exitCode()).isZero();
        assertThat(result.all()).doesNotContain(password).doesNotContain("tok-abcdef");
    }

    @Test
    void aPasswordWrittenInClearIsRefusedWithoutBeingEchoed(@TempDir Path dir) throws IOException {
        String file = Files.readString(CliRunner.repositoryRoot().resolve("plans/examples/ec2-to-linode.yaml"))
                .replace("${env:ROOT_PASSWORD}", "Tr0ub4dor&3-horse");
        Files.writeString(dir.resolve("migration.yaml"), file);

        CliRunner.Result result = CliRunner.run(dir, "validate");

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.err()).contains("root_pass: must be a secret reference").doesNotContain("Tr0ub4dor");
    }

    @Test
    void versionAndHelp() {
        Path dir = CliRunner.repositoryRoot();
        CliRunner.Result version = CliRunner.run(dir, "--version");
        CliRunner.Result help = CliRunner.run(dir, "--help");

        assertThat(version.exitCode()).isZero();
        assertThat(version.out()).containsPattern("^ferry 0\\.1\\.0 \\(commit ([0-9a-f]{4,40}|unknown)\\)\n");
        assertThat(help.exitCode()).isZero();
        assertThat(help.out()).contains("Usage: ferry", "validate");
    }

    @Test
    void unknownOptionIsAnErrorWithExitCodeOne() {
        CliRunner.Result result = CliRunner.run(CliRunner.repositoryRoot(), "validate", "--bogus");

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.err()).contains("Unknown option: '--bogus'", "ferry validate --help");
    }

    @Test
    void acceptedLossesWithoutTranslatedRulesAreWarnedAndAMistypedIdIsRefused(@TempDir Path dir) throws IOException {
        String file = """
                apiVersion: ferry/v1
                kind: Migration
                metadata: { name: losses }
                providers:
                  aws: { region: us-west-1 }
                  linode: {}
                migrations:
                  - name: web-01
                    source: { ec2: { instance: i-0e1dc0292b0ae7293 } }
                    target: { linode: { region: us-lax, root_pass: "${env:ROOT_PASSWORD}" } }
                    firewall:
                      from: none
                      accept_losses: [sgr-0f51b6a2de125edd5]
                """;
        Files.writeString(dir.resolve("migration.yaml"), file);

        CliRunner.Result none = CliRunner.run(dir, "validate");

        assertThat(none.exitCode()).as(none.all()).isZero();
        assertThat(none.err()).contains("migration.yaml:13:7: warning: firewall.accept_losses names security-group rules, but"
                + " firewall.from is none, so no rule is translated and none is lost",
                "hint: remove accept_losses, or write 'from: security-groups'");

        Files.writeString(dir.resolve("migration.yaml"), file.replace("from: none", "from: security-groups").replace("sgr-0f51", "sg-0f51"));
        CliRunner.Result mistyped = CliRunner.run(dir, "validate");
        assertThat(mistyped.exitCode()).isEqualTo(1);
        assertThat(mistyped.err()).contains("must be a security group rule id such as sgr-0123456789abcdef0");
    }
}
