package dev.ferry.provider.vsphere;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.engine.machine.MachineFacts;
import dev.ferry.provider.vsphere.image.OvfDescriptor;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class GuestOsTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        // vCenter REST enum and VMX guest id, folded alike
        "UBUNTU_64, linux, true, true",
        "ubuntu64Guest, linux, true, true",
        "RHEL_8_64, linux, true, true",
        "rhel8_64Guest, linux, true, true",
        "AMAZONLINUX2_64, linux, true, true",
        "DEBIAN_11_64, linux, true, true",
        "UBUNTU, linux, false, true",
        "OTHER_4X_LINUX_64, linux, true, false",
        "VMWARE_PHOTON_64, linux, true, false",
        "WINDOWS_9_SERVER_64, windows, true, true",
        "windows2019srv_64Guest, windows, true, true",
        "WINDOWS_SERVER_2021, windows, true, true",
        "WINDOWS_11_64, windows, true, true",
        "WIN_NET_STANDARD, windows, false, false",
        "winXPProGuest, windows, false, false",
        "FREEBSD_64, other, true, false",
        "solaris11_64Guest, other, true, false",
    })
    void foldsVsphereGuestIds(String id, String platform, boolean sixtyFourBit, boolean listed) {
        GuestOs guest = GuestOs.fromVsphere(id);

        assertThat(guest.platform()).isEqualTo(platform);
        assertThat(guest.sixtyFourBit()).hasValue(sixtyFourBit);
        assertThat(guest.listedByAws()).isEqualTo(listed);
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource({"OTHER", "otherGuest", "''"})
    void otherIsUnknown(String id) {
        assertThat(GuestOs.fromVsphere(id).known()).isFalse();
    }

    @ParameterizedTest(name = "CIM {0}")
    @CsvSource({"94, linux, true", "80, linux, true", "107, linux, true", "36, linux, false", "103, windows, true", "42, other, false"})
    void fallsBackToTheCimCodeWhenTheOvfHasNoVmwareId(int cim, String platform, boolean sixtyFourBit) {
        GuestOs guest = GuestOs.fromOvf(new OvfDescriptor.GuestOsHint(OptionalInt.of(cim), Optional.empty(), Optional.of("described")));

        assertThat(guest.platform()).isEqualTo(platform);
        assertThat(guest.sixtyFourBit()).hasValue(sixtyFourBit);
        assertThat(guest.description()).isEqualTo("described");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"arm-ubuntu64Guest", "ARM_UBUNTU_64"})
    void armGuestsAreArm64(String id) {
        assertThat(GuestOs.fromVsphere(id).architecture()).isEqualTo(MachineFacts.ARM64);
    }
}
