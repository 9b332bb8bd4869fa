package dev.ferry.provider.linode;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The linode-cli config file as Python's configparser reads it. */
class LinodeCliConfigTest {

    @Test
    void readsTheDefaultUsersToken() {
        LinodeCliConfig config = LinodeCliConfig.parse("""
                [DEFAULT]
                default-user = alice

                [alice]
                token = aaaa1111
                region = us-east
                type = g6-nanode-1

                [bob]
                token = bbbb2222
                """);

        assertThat(config.defaultUser()).contains("alice");
        assertThat(config.token()).contains("aaaa1111");
    }

    @Test
    void acceptsColonsCommentsCaseAndSpaces() {
        LinodeCliConfig config = LinodeCliConfig.parse("""
                # written by linode-cli configure
                ; another comment
                [DEFAULT]
                Default-User: carol
                [carol]
                  TOKEN   =   cccc3333\s\s
                """);

        assertThat(config.token()).contains("cccc3333");
    }

    @Test
    void theOnlyUserIsTheDefaultWhenNoneIsNamed() {
        assertThat(LinodeCliConfig.parse("[dave]\ntoken = dddd4444\n").token()).contains("dddd4444");
    }

    @Test
    void aUserWithoutATokenInheritsTheDefaultSectionsOne() {
        LinodeCliConfig config = LinodeCliConfig.parse("[DEFAULT]\ndefault-user = erin\ntoken = shared-token\n[erin]\nregion = eu-west\n");

        assertThat(config.token()).contains("shared-token");
    }

    @Test
    void noTokenWhenTheDefaultUserHasNoSectionOrSeveralUsersAndNoneNamed() {
        assertThat(LinodeCliConfig.parse("[DEFAULT]\ndefault-user = frank\n[gina]\ntoken = g\n").token()).isEmpty();
        assertThat(LinodeCliConfig.parse("[a]\ntoken = 1\n[b]\ntoken = 2\n").token()).isEmpty();
        assertThat(LinodeCliConfig.parse("").token()).isEmpty();
        assertThat(LinodeCliConfig.parse("token = before any section\n").token()).isEmpty();
    }

    @Test
    void valuesMayContainEqualsSigns() {
        assertThat(LinodeCliConfig.parse("[DEFAULT]\ndefault-user = h\n[h]\ntoken = abc=def==\n").token()).contains("abc=def==");
    }
}
