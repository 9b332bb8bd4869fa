package dev.ferry.provider.linode;

import dev.ferry.engine.provider.ProviderContext;
import dev.ferry.engine.resource.EnvironmentSecretResolver;
import dev.ferry.engine.spec.Diagnostic;
import dev.ferry.engine.spec.MigrationFile;
import dev.ferry.engine.spec.MigrationFiles;
import dev.ferry.engine.spec.SectionKind;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Migration files written in a test, read the way the CLI reads them (with an {@code ec2} source stand-in). */
final class TestFiles {

    static final SectionKind EC2 = new SectionKind("ec2", SectionKind.Role.SOURCE, "aws", true, Set.of("raw"), true,
            SectionKind.SectionCheck.NONE);

    static final String HEADER = """
            apiVersion: ferry/v1
            kind: Migration
            metadata:
              name: test
            """;

    private TestFiles() {
    }

    static MigrationFiles.Loaded read(String yaml, Path directory) {
        List<SectionKind> kinds = new ArrayList<>(new LinodeProvider().sectionKinds());
        kinds.add(EC2);
        return new MigrationFiles(kinds).parse(yaml.getBytes(StandardCharsets.UTF_8), "migration.yaml", directory);
    }

    static MigrationFile load(String yaml, Path directory) {
        MigrationFiles.Loaded loaded = read(yaml, directory);
        if (loaded.hasErrors()) {
            throw new AssertionError("the test file has errors: " + loaded.diagnostics().stream().map(Diagnostic::toString).toList());
        }
        return loaded.file().orElseThrow();
    }

    /** A file with one ec2 → linode migration and the given {@code providers:} block for linode. */
    static MigrationFile withLinodeBlock(String linodeBlock, Path directory) {
        return load(HEADER + """
                providers:
                  aws: { region: us-west-1 }
                """ + linodeBlock + """
                staging: { bucket: ferry-test-bucket }
                migrations:
                  - name: web-01
                    source: { ec2: { instance: i-0123456789abcdef0 } }
                    target: { linode: { region: us-lax, root_pass: "${env:ROOT_PASSWORD}" } }
                """, directory);
    }

    static ProviderContext context(MigrationFile file, Map<String, String> environment, Path home) {
        return new ProviderContext(file.provider("linode"), file, environment, home,
                new EnvironmentSecretResolver(environment, file.directory()));
    }
}
