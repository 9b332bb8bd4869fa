package dev.ferry.provider.linode;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LinodeLabelsTest {

    @Test
    void aMigrationNameIsUsedAsItIsWhenLinodeTakesIt() {
        assertThat(LinodeLabels.instance("web-01")).isEqualTo("web-01");
    }

    @Test
    void aNameStartingWithADigitGetsAPrefix() {
        assertThat(LinodeLabels.instance("01-db")).isEqualTo("linode-01-db");
    }

    @Test
    void aShortNameIsPadded() {
        assertThat(LinodeLabels.instance("a")).isEqualTo("a-linode");
        assertThat(LinodeLabels.instance("ab")).isEqualTo("ab-linode");
    }

    @Test
    void doubledSeparatorsShrinkAndEndsAreTrimmed() {
        assertThat(LinodeLabels.instance("web--01-")).isEqualTo("web-01");
        assertThat(LinodeLabels.derive("a__b..c", "x", "y", 64)).isEqualTo("a_b.c");
    }

    @Test
    void aLongNameIsCutWithoutATrailingSeparator() {
        String name = "a".repeat(62) + "-bcd";
        assertThat(LinodeLabels.instance(name)).hasSize(64).isEqualTo("a".repeat(62) + "-b");
        assertThat(LinodeLabels.firewall("x".repeat(40))).hasSize(32).startsWith("ferry-x");
    }

    @Test
    void everyDerivedLabelPassesTheApisRules() {
        for (String name : new String[] {"1", "9-9", "web-01", "x", "a-b-c-d-e", "0".repeat(63), "abc-" + "1".repeat(59)}) {
            assertThat(LinodeLabels.problem(LinodeLabels.instance(name), LinodeLabels.INSTANCE_MAX)).as(name).isEmpty();
            assertThat(LinodeLabels.problem(LinodeLabels.firewall(name), LinodeLabels.FIREWALL_MAX)).as(name).isEmpty();
        }
    }

    @Test
    void problemsAreNamed() {
        assertThat(LinodeLabels.problem("ab", 64)).contains("it is 2 characters long; Linode takes 3–64");
        assertThat(LinodeLabels.problem("web_01-", 64)).contains("it must end with a letter or a digit");
        assertThat(LinodeLabels.problem("web 01", 64)).contains("it may hold only letters, digits, '-', '_' and '.', never two of"
                + " '-', '_', '.' in a row");
        assertThat(LinodeLabels.problem("1web", 64)).contains("it must start with a letter (a–z or A–Z)");
        assertThat(LinodeLabels.problem("migrated-from-aws-ec2", 64)).isEmpty();
    }
}
