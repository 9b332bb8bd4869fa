package dev.ferry.provider.vsphere;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.engine.provider.ExpansionContext;
import dev.ferry.engine.provider.ProviderContext;
import dev.ferry.engine.provider.ProviderSession;
import dev.ferry.engine.provider.SourceHalf;
import dev.ferry.engine.resource.EnvironmentSecretResolver;
import dev.ferry.engine.resource.Expression;
import dev.ferry.engine.resource.ResourceAddress;
import dev.ferry.engine.resource.ResourceDeclaration;
import dev.ferry.engine.spec.Diagnostic;
import dev.ferry.engine.spec.MigrationFile;
import dev.ferry.engine.spec.MigrationFiles;
import dev.ferry.engine.spec.SectionKind;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VsphereProviderTest {

    @TempDir
    Path dir;

    @Test
    void expandsToOneDataSourceWhoseOutputsAreTheSourceHalf() {
        MigrationFile file = load("""
                  vsphere: { vcenter: "https://vc.example.com", username: admin, password: "${env:VSPHERE_PASSWORD}" }
                """, "vm: app-02, disk_image: exports/../exports/app-02.ova");

        SourceHalf half = VsphereProvider.expand(new ExpansionContext(file, file.migrations().get(0)));

        ResourceAddress data = ResourceAddress.data("vsphere_vm", "app-02");
        assertThat(half.declarations()).singleElement().satisfies(declaration -> {
            assertThat(declaration.address()).isEqualTo(data);
            assertThat(literal(declaration, "disk_image")).isEqualTo(dir.resolve("exports/app-02.ova").toAbsolutePath().toString());
            assertThat(literal(declaration, "vm")).isEqualTo("app-02");
            assertThat(literal(declaration, "vcenter")).isEqualTo("https://vc.example.com");
            assertThat(declaration.origin().file()).isEqualTo("migration.yaml");
        });
        assertThat(half.machine()).isEqualTo(new Expression.Reference(data, "machine"));
        assertThat(half.diskImage()).isEqualTo(new Expression.Reference(data, "disk_image"));
        assertThat(half.firewall()).isEmpty();
        assertThat(half.stagingCopies()).isEmpty();
    }

    @Test
    void withoutAVmNameVcenterIsNotAsked() {
        MigrationFile file = load("""
                  vsphere: { vcenter: "https://vc.example.com", username: admin, password: "${env:VSPHERE_PASSWORD}" }
                """, "disk_image: /srv/exports/disk.vmdk");

        ResourceDeclaration declaration = VsphereProvider.expand(new ExpansionContext(file, file.migrations().get(0))).declarations().get(0);

        assertThat(declaration.arguments()).containsOnlyKeys("disk_image");
        assertThat(literal(declaration, "disk_image")).isEqualTo("/srv/exports/disk.vmdk");
    }

    @Test
    void theSessionReadsVmsAndOpensFilesWithoutTouchingVcenterUntilAsked() {
        MigrationFile file = load("""
                  vsphere: { vcenter: "https://vc.example.com", username: admin, password: "${env:VSPHERE_PASSWORD}" }
                """, "vm: app-02, disk_image: app-02.ova");

        // no VSPHERE_PASSWORD in the environment: opening must not need it
        try (ProviderSession session = new VsphereProvider().open(new ProviderContext(file.provider("vsphere"), file, Map.of(), dir,
                new EnvironmentSecretResolver(Map.of(), dir)))) {
            assertThat(session.resourceTypes()).extracting(type -> type.name()).containsExactly("vsphere_vm", "vsphere_content_library", "vsphere_ovf_export");
            assertThat(session.artifactOpeners()).extracting(opener -> opener.kind()).containsExactly("file", "vcenter-ovf");
            assertThat(session.limits()).isEmpty();
        }
    }

    @Test
    void warnsAboutInsecureTlsAndAVcenterWithoutVm() {
        MigrationFiles files = new MigrationFiles(kinds());
        MigrationFiles.Loaded loaded = files.parse(yaml("""
                  vsphere: { vcenter: "https://vc.example.com", username: admin, password: "${env:VSPHERE_PASSWORD}", insecure: true }
                """, "disk_image: app-02.ova").getBytes(StandardCharsets.UTF_8), "migration.yaml", dir);

        assertThat(loaded.diagnostics()).extracting(Diagnostic::toString)
                .anySatisfy(text -> assertThat(text).contains("insecure: true turns off TLS certificate checks"))
                .anySatisfy(text -> assertThat(text).contains("names no vm"));
    }

    private MigrationFile load(String providerBlock, String source) {
        MigrationFiles.Loaded loaded = new MigrationFiles(kinds()).parse(yaml(providerBlock, source).getBytes(StandardCharsets.UTF_8),
                "migration.yaml", dir);
        assertThat(loaded.hasErrors()).as(loaded.diagnostics().toString()).isFalse();
        return loaded.file().orElseThrow();
    }

    private static String yaml(String providerBlock, String source) {
        return """
                apiVersion: ferry/v1
                kind: Migration
                metadata: { name: b }
                providers:
                  aws: { region: us-west-1 }
                %s
                staging: { bucket: ec2-backup-images-for-migration }
                migrations:
                  - name: app-02
                    source: { vsphere: { %s } }
                    target: { ec2: { subnet: subnet-0abc1234 } }
                """.formatted(providerBlock.stripTrailing(), source);
    }

    private static List<SectionKind> kinds() {
        SectionKind ec2 = new SectionKind("ec2", SectionKind.Role.TARGET, "aws", true, Set.of("ova", "vmdk", "vhd", "vhdx", "raw"), true,
                SectionKind.SectionCheck.NONE);
        return List.of(new VsphereProvider().sectionKinds().get(0), ec2);
    }

    private static String literal(ResourceDeclaration declaration, String name) {
        return ((Expression.Literal) declaration.arguments().get(name)).value().asText();
    }
}
