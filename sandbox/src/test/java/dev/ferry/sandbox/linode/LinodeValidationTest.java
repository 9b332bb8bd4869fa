package dev.ferry.sandbox.linode;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LinodeValidationTest {

    @Test
    void acceptsPortListsUpToFifteenPiecesWithRangesCountingTwo() {
        LinodeValidation.checkPorts("22", "ports");
        LinodeValidation.checkPorts("22-24, 80, 443", "ports");
        LinodeValidation.checkPorts("1,2,3,4,5,6,7,8,9,10,11,12,13,14,15", "ports");
        assertThatThrownBy(() -> LinodeValidation.checkPorts("1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16", "ports"))
                .hasMessageContaining("at most 15");
        assertThatThrownBy(() -> LinodeValidation.checkPorts("1-2,3-4,5-6,7-8,9-10,11-12,13-14,15-16", "ports"))
                .hasMessageContaining("at most 15");
        assertThatThrownBy(() -> LinodeValidation.checkPorts("0", "ports")).hasMessageContaining("1 and 65535");
        assertThatThrownBy(() -> LinodeValidation.checkPorts("70000", "ports")).hasMessageContaining("1 and 65535");
        assertThatThrownBy(() -> LinodeValidation.checkPorts("443-80", "ports")).hasMessageContaining("low to high");
        assertThatThrownBy(() -> LinodeValidation.checkPorts("http", "ports")).hasMessageContaining("'http'");
        assertThatThrownBy(() -> LinodeValidation.checkPorts("", "ports")).isInstanceOf(LinodeException.class);
    }

    @Test
    void judgesPasswordStrengthRoughlyAsLinodeDoes() {
        assertThat(LinodeValidation.strongEnough("Sandbox-Pass-2025!")).isTrue();
        assertThat(LinodeValidation.strongEnough("correct horse battery staple")).isTrue();
        assertThat(LinodeValidation.strongEnough("password1")).isFalse();
        assertThat(LinodeValidation.strongEnough("aaaaaaaaaaaa")).isFalse();
        assertThat(LinodeValidation.strongEnough("abcdefgh")).isFalse();
        assertThat(LinodeValidation.strongEnough("qwertyuiop")).isFalse();
        assertThat(LinodeValidation.strongEnough("abc1234")).isFalse();
    }

    @Test
    void checksAddressRanges() {
        assertThat(LinodeValidation.validIpv4("203.0.113.0/24")).isTrue();
        assertThat(LinodeValidation.validIpv4("0.0.0.0/0")).isTrue();
        assertThat(LinodeValidation.validIpv4("192.0.2.1")).isTrue();
        assertThat(LinodeValidation.validIpv4("256.0.0.0/8")).isFalse();
        assertThat(LinodeValidation.validIpv4("10.0.0.0/33")).isFalse();
        assertThat(LinodeValidation.validIpv6("::/0")).isTrue();
        assertThat(LinodeValidation.validIpv6("2001:db8::/32")).isTrue();
        assertThat(LinodeValidation.validIpv6("2001:db8::1::2")).isFalse();
        assertThat(LinodeValidation.validIpv6("10.0.0.0/8")).isFalse();
    }
}
