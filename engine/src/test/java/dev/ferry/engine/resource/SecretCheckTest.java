package dev.ferry.engine.resource;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.engine.spec.Diagnostic;
import dev.ferry.engine.spec.MigrationFile;
import dev.ferry.engine.spec.MigrationFiles;
import dev.ferry.engine.spec.SecretReference;
import dev.ferry.engine.spec.SectionKind;
import dev.ferry.engine.testing.MigrationYaml;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Every secret is resolved, and each value is checked by its section kind's check, before anything is done. */
class SecretCheckTest {

    private static final SectionKind.SecretValueCheck AT_LEAST_SEVEN = value -> value.length() >= 7 ? Optional.empty()
            : Optional.of(new SectionKind.Refusal("the root password is " + value.length() + " characters long", "choose a longer one"));
    private static final List<SectionKind> KINDS = List.of(
            new SectionKind("ec2", SectionKind.Role.SOURCE, "aws", false, Set.of("raw"), true, SectionKind.SectionCheck.NONE),
            new SectionKind("linode", SectionKind.Role.TARGET, "linode", false, Set.of("raw"), true, SectionKind.SectionCheck.NONE,
                    Map.of("root_pass", AT_LEAST_SEVEN)));

    private static MigrationFile file() {
        String yaml = MigrationYaml.named("secrets").provider("aws", "{region: us-west-1}").provider("linode", "{token: \"${env:TOKEN}\"}")
                .migration("web-01", "{ec2: {instance: i-0e1dc0292b0ae7293}}", MigrationYaml.LINODE_TARGET).yaml();
        MigrationFiles.Loaded loaded = new MigrationFiles(KINDS).parse(yaml.getBytes(StandardCharsets.UTF_8), "migration.yaml", Path.of("."));
        assertThat(loaded.hasErrors()).as(loaded.diagnostics().toString()).isFalse();
        return loaded.file().orElseThrow();
    }

    private static SecretResolver environment(Map<String, String> variables) {
        return new EnvironmentSecretResolver(variables, Path.of("."));
    }

    @Test
    void aValueTheSectionsProviderWouldRefuseIsAProblemAtItsReferenceWithWhatToDoAndWhereToPutIt() {
        SecretCheck check = SecretCheck.of(file(), environment(Map.of("ROOT_PASS", "short")), KINDS);

        assertThat(check.ok()).isFalse();
        Diagnostic refused = check.problems().stream().filter(p -> p.message().contains("characters long")).findFirst().orElseThrow();
        assertThat(refused.message()).isEqualTo("migrations[0].target.linode.root_pass (${env:ROOT_PASS}): the root password is 5 characters long");
        assertThat(refused.hint()).hasValue("choose a longer one, and set ROOT_PASS to it in the shell that runs ferry");
        assertThat(refused.location().line()).isPositive();
        assertThat(check.problems()).extracting(Diagnostic::render).noneMatch(text -> text.contains("short"));
        assertThat(check.summary("migration.yaml")).isEqualTo("migration.yaml refers to a secret that cannot be read and has a"
                + " secret the cloud would refuse (see above); nothing was changed.");
    }

    @Test
    void aValueTheCheckTakesPassesAndOnlyTheFieldItIsForIsChecked() {
        SecretCheck check = SecretCheck.of(file(), environment(Map.of("ROOT_PASS", "long enough", "TOKEN", "x")), KINDS);

        assertThat(check.ok()).as(check.problems().toString()).isTrue();
        assertThat(check.resolver(reference -> { throw new AssertionError("resolved already"); })
                .resolve(SecretReference.of("${env:ROOT_PASS}")).reveal()).isEqualTo("long enough");
        assertThat(SecretCheck.of(file(), environment(Map.of("ROOT_PASS", "short", "TOKEN", "x"))).ok())
                .as("without the kinds, only readability is checked").isTrue();
    }
}
