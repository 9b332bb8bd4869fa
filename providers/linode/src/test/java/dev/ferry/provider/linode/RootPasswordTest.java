package dev.ferry.provider.linode;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RootPasswordTest {

    @Test
    void lengthIsSevenTo128Characters() {
        assertThat(RootPassword.problem("Ab1$xy")).hasValueSatisfying(p -> assertThat(p)
                .isEqualTo("the root password is 6 characters long; Linode requires 7–128"));
        assertThat(RootPassword.problem("Ab1$" + "x".repeat(125))).hasValueSatisfying(p -> assertThat(p).contains("is 129 characters long"));
        assertThat(RootPassword.problem("Ab1$xyZ9q")).isEmpty();
    }

    @Test
    void commonPasswordsRunsAndRepetitionsFail() {
        assertThat(RootPassword.problem("password1")).hasValueSatisfying(p -> assertThat(p).contains("strength check"));
        assertThat(RootPassword.problem("P@ssw0rd!")).isPresent();
        assertThat(RootPassword.problem("qwertyuiop")).isPresent();
        assertThat(RootPassword.problem("aaaaaaaaaaaaaaaaaa")).isPresent();
        assertThat(RootPassword.problem("abcdefghij")).isPresent();
    }

    @Test
    void strongPasswordsPass() {
        assertThat(RootPassword.problem("Correct-Horse-Battery-42!")).isEmpty();
        assertThat(RootPassword.problem("correcthorsebatterystaple")).isEmpty();
        assertThat(RootPassword.problem("Tr0ub4dor&3")).isEmpty();
    }

    @Test
    void theMessageNeverHoldsThePassword() {
        assertThat(RootPassword.problem("hunter2")).hasValueSatisfying(p -> assertThat(p).doesNotContain("hunter2"));
        assertThat(RootPassword.problem("x9")).hasValueSatisfying(p -> assertThat(p).doesNotContain("x9"));
    }
}
