package dev.ferry.provider.linode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.engine.FerryException;
import dev.ferry.engine.spec.MigrationFile;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LinodeCredentialsTest {

    @TempDir
    Path home;

    private MigrationFile withoutBlock() {
        return TestFiles.withLinodeBlock("  linode: {}\n", home);
    }

    private static LinodeConfig config(MigrationFile file) {
        return file.provider("linode").orElseThrow().bind(LinodeConfig.class);
    }

    private ApiToken token(MigrationFile file, Map<String, String> environment) {
        return LinodeCredentials.token(config(file), TestFiles.context(file, environment, home));
    }

    private void cliConfig(Path file, String text) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
    }

    @Test
    void theFilesTokenReferenceComesFirst() {
        MigrationFile file = TestFiles.withLinodeBlock("  linode: { token: \"${env:MY_LINODE_TOKEN}\" }\n", home);

        ApiToken token = token(file, Map.of("MY_LINODE_TOKEN", "from-the-file-reference", "LINODE_TOKEN", "from-the-environment"));

        assertThat(token.authorization()).isEqualTo("Bearer from-the-file-reference");
        assertThat(token.source()).isEqualTo("providers.linode.token (${env:MY_LINODE_TOKEN})");
    }

    @Test
    void aTokenTheFileNamesMustBeThereInsteadOfFallingBack() {
        MigrationFile file = TestFiles.withLinodeBlock("  linode: { token: \"${env:MY_LINODE_TOKEN}\" }\n", home);

        assertThatThrownBy(() -> token(file, Map.of("LINODE_TOKEN", "from-the-environment")))
                .isInstanceOf(FerryException.class)
                .hasMessageContaining("MY_LINODE_TOKEN is not set");
    }

    @Test
    void aTokenFromAFileReferenceIsReadRelativeToTheMigrationFile() throws IOException {
        Files.writeString(home.resolve("linode.token"), "token-in-a-file\n");
        MigrationFile file = TestFiles.withLinodeBlock("  linode: { token: \"${file:linode.token}\" }\n", home);

        assertThat(token(file, Map.of()).authorization()).isEqualTo("Bearer token-in-a-file");
    }

    @Test
    void linodeTokenFromTheEnvironmentComesNext() throws IOException {
        cliConfig(home.resolve(".config/linode-cli"), "[DEFAULT]\ndefault-user = ops\n[ops]\ntoken = from-the-cli-config\n");

        ApiToken token = token(withoutBlock(), Map.of("LINODE_TOKEN", "from-the-environment"));

        assertThat(token.authorization()).isEqualTo("Bearer from-the-environment");
        assertThat(token.source()).isEqualTo("LINODE_TOKEN");
    }

    @Test
    void theLinodeCliConfigOfTheDefaultUserComesLast() throws IOException {
        Path file = home.resolve(".config/linode-cli");
        cliConfig(file, """
                [DEFAULT]
                default-user = ops

                [dev]
                token = the-dev-token

                [ops]
                token = the-ops-token
                region = us-lax
                """);

        ApiToken token = token(withoutBlock(), Map.of());

        assertThat(token.authorization()).isEqualTo("Bearer the-ops-token");
        assertThat(token.source()).isEqualTo("the linode-cli config file " + file + " (user ops)");
    }

    @Test
    void xdgConfigHomeIsWhereLinodeCliLooksFirst() throws IOException {
        Path xdg = home.resolve("xdg");
        cliConfig(xdg.resolve("linode-cli"), "[DEFAULT]\ndefault-user = me\n[me]\ntoken = xdg-token\n");
        cliConfig(home.resolve(".config/linode-cli"), "[DEFAULT]\ndefault-user = me\n[me]\ntoken = home-token\n");

        assertThat(token(withoutBlock(), Map.of("XDG_CONFIG_HOME", xdg.toString())).authorization()).isEqualTo("Bearer xdg-token");
    }

    @Test
    void noTokenAnywhereNamesTheThreePlacesLookedAt() {
        assertThatThrownBy(() -> token(withoutBlock(), Map.of("LINODE_TOKEN", "  ")))
                .isInstanceOf(FerryException.class)
                .hasMessageContaining("no Linode API token")
                .hasMessageContaining("providers.linode.token")
                .hasMessageContaining("LINODE_TOKEN is not set")
                .hasMessageContaining(home.resolve(".config/linode-cli").toString())
                .hasMessageContaining("linode-cli configure");
    }

    @Test
    void theTokenNeverPrints() {
        ApiToken token = new ApiToken("s3cr3t-token-value", "LINODE_TOKEN");

        assertThat(token.toString()).isEqualTo("(sensitive)");
        assertThat(token.redact("echo s3cr3t-token-value back")).isEqualTo("echo (sensitive) back");
    }

    @Test
    void theEndpointComesFromTheFileThenLinodeApiUrlThenTheDefault() {
        MigrationFile explicit = TestFiles.withLinodeBlock("  linode: { endpoint: \"http://127.0.0.1:9/v4\" }\n", home);
        MigrationFile plain = withoutBlock();

        assertThat(LinodeCredentials.baseUrl(config(explicit), TestFiles.context(explicit,
                Map.of("LINODE_API_URL", "http://127.0.0.1:8/v4"), home))).isEqualTo(URI.create("http://127.0.0.1:9/v4"));
        assertThat(LinodeCredentials.baseUrl(config(plain), TestFiles.context(plain,
                Map.of("LINODE_API_URL", "http://127.0.0.1:8/v4"), home))).isEqualTo(URI.create("http://127.0.0.1:8/v4"));
        assertThat(LinodeCredentials.baseUrl(config(plain), TestFiles.context(plain, Map.of(), home)))
                .isEqualTo(URI.create("https://api.linode.com/v4"));
    }

    @Test
    void anEndpointThatIsNotAUrlSaysWhereItCameFrom() {
        MigrationFile plain = withoutBlock();

        assertThatThrownBy(() -> LinodeCredentials.baseUrl(config(plain), TestFiles.context(plain,
                Map.of("LINODE_API_URL", "api.linode.com/v4"), home)))
                .hasMessageContaining("LINODE_API_URL is 'api.linode.com/v4', which is not an http(s) URL");
    }

    @Test
    void openingTheProviderNeedsNoNetworkAndKeepsTheTokenOutOfSight() {
        MigrationFile file = withoutBlock();

        try (var session = new LinodeProvider().open(TestFiles.context(file, Map.of("LINODE_TOKEN", "tok-123456789",
                "LINODE_API_URL", "http://127.0.0.1:9/v4"), home))) {
            assertThat(session.resourceTypes()).extracting(type -> type.name())
                    .containsExactly("linode_image", "linode_instance", "linode_firewall", "linode_disk",
                    "linode_disk_write", "linode_config", "linode_volumes");
            assertThat(session.toString()).doesNotContain("tok-123456789").contains("127.0.0.1:9");
        }
    }
}
