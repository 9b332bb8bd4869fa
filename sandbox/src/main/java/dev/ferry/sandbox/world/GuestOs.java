package dev.ferry.sandbox.world;

import java.util.List;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * A guest operating system as vSphere names it in its three vocabularies: the vCenter REST enum
 * ({@code guest_OS}: {@code UBUNTU_64}), the VMX guest id an OVF's {@code vmw:osType} carries
 * ({@code ubuntu64Guest}), and the DMTF CIM code of the OVF's {@code ovf:id} (94, "Ubuntu 64-Bit"; VMware
 * writes 101 or 1 for systems CIM has no code for). The sandbox knows the guests listed here.
 *
 * @param distribution the {@code /etc/os-release} the sandbox writes on the VM's generated boot disk
 *                     ({@code amzn}, {@code ubuntu}, ...); Windows and other guests get a Debian disk all the same
 */
public record GuestOs(String id, String vmxOsType, int cimId, String description, Family family, boolean sixtyFourBit,
                      String distribution) {

    /** What VM Import/Export cares about: Windows, Linux, or neither. */
    public enum Family { LINUX, WINDOWS, OTHER }

    private static final List<GuestOs> KNOWN = List.of(
            linux("UBUNTU_64", "ubuntu64Guest", 94, "Ubuntu Linux (64-bit)", true, "ubuntu"),
            linux("UBUNTU", "ubuntuGuest", 93, "Ubuntu Linux (32-bit)", false, "ubuntu"),
            linux("DEBIAN_10_64", "debian10_64Guest", 96, "Debian GNU/Linux 10 (64-bit)", true, "debian"),
            linux("DEBIAN_11_64", "debian11_64Guest", 96, "Debian GNU/Linux 11 (64-bit)", true, "debian"),
            linux("DEBIAN_12_64", "debian12_64Guest", 96, "Debian GNU/Linux 12 (64-bit)", true, "debian"),
            linux("DEBIAN_10", "debian10Guest", 95, "Debian GNU/Linux 10 (32-bit)", false, "debian"),
            linux("RHEL_7_64", "rhel7_64Guest", 80, "Red Hat Enterprise Linux 7 (64-bit)", true, "rhel"),
            linux("RHEL_8_64", "rhel8_64Guest", 80, "Red Hat Enterprise Linux 8 (64-bit)", true, "rhel"),
            linux("RHEL_9_64", "rhel9_64Guest", 80, "Red Hat Enterprise Linux 9 (64-bit)", true, "rhel"),
            linux("CENTOS_7_64", "centos7_64Guest", 107, "CentOS 7 (64-bit)", true, "centos"),
            linux("CENTOS_8_64", "centos8_64Guest", 107, "CentOS 8 (64-bit)", true, "centos"),
            linux("ORACLE_LINUX_8_64", "oracleLinux8_64Guest", 109, "Oracle Linux 8 (64-bit)", true, "ol"),
            linux("SLES_15_64", "sles15_64Guest", 85, "SUSE Linux Enterprise 15 (64-bit)", true, "sles"),
            linux("AMAZONLINUX2_64", "amazonlinux2_64Guest", 101, "Amazon Linux 2 (64-bit)", true, "amzn"),
            linux("AMAZONLINUX3_64", "amazonlinux3_64Guest", 101, "Amazon Linux 2023 (64-bit)", true, "amzn2023"),
            linux("OTHER_5X_LINUX_64", "other5xLinux64Guest", 101, "Other 5.x Linux (64-bit)", true, "debian"),
            linux("OTHER_4X_LINUX_64", "other4xLinux64Guest", 101, "Other 4.x Linux (64-bit)", true, "debian"),
            linux("OTHER_3X_LINUX_64", "other3xLinux64Guest", 101, "Other 3.x Linux (64-bit)", true, "debian"),
            linux("OTHER_LINUX_64", "otherLinux64Guest", 101, "Other Linux (64-bit)", true, "debian"),
            linux("OTHER_LINUX", "otherLinuxGuest", 36, "Other Linux (32-bit)", false, "debian"),
            windows("WINDOWS_9_SERVER_64", "windows9Server64Guest", 112, "Microsoft Windows Server 2016 (64-bit)"),
            windows("WINDOWS_2019SERVER_64", "windows2019srv_64Guest", 112, "Microsoft Windows Server 2019 (64-bit)"),
            windows("WINDOWS_2019SERVER_NEXT_64", "windows2019srvNext_64Guest", 112,
                    "Microsoft Windows Server 2022 (64-bit)"),
            windows("WINDOWS_9_64", "windows9_64Guest", 103, "Microsoft Windows 10 (64-bit)"),
            windows("WINDOWS_11_64", "windows11_64Guest", 103, "Microsoft Windows 11 (64-bit)"),
            new GuestOs("FREEBSD_13_64", "freebsd13_64Guest", 78, "FreeBSD 13 (64-bit)", Family.OTHER, true, "debian"),
            new GuestOs("OTHER_64", "other64Guest", 102, "Other (64-bit)", Family.OTHER, true, "debian"));

    public GuestOs {
        requireNonNull(id, "id is null");
        requireNonNull(vmxOsType, "vmxOsType is null");
        requireNonNull(description, "description is null");
        requireNonNull(family, "family is null");
        requireNonNull(distribution, "distribution is null");
    }

    private static GuestOs linux(String id, String vmx, int cim, String description, boolean wide, String distribution) {
        return new GuestOs(id, vmx, cim, description, Family.LINUX, wide, distribution);
    }

    private static GuestOs windows(String id, String vmx, int cim, String description) {
        return new GuestOs(id, vmx, cim, description, Family.WINDOWS, true, "debian");
    }

    /** By vCenter's {@code guest_OS} value ({@code UBUNTU_64}). */
    public static Optional<GuestOs> byId(String id) {
        return KNOWN.stream().filter(g -> g.id.equalsIgnoreCase(id)).findFirst();
    }

    /** By the VMX guest id of an OVF's {@code vmw:osType} ({@code ubuntu64Guest}), case-insensitively. */
    public static Optional<GuestOs> byVmxOsType(String osType) {
        return KNOWN.stream().filter(g -> g.vmxOsType.equalsIgnoreCase(osType)).findFirst();
    }

    /** By an OVF's CIM code, when it names one system family only (94: Ubuntu 64-bit). */
    public static Optional<GuestOs> byCimId(int cim) {
        return KNOWN.stream().filter(g -> g.cimId == cim).findFirst();
    }

    /** The ids the sandbox knows, for messages. */
    public static List<String> ids() {
        return KNOWN.stream().map(GuestOs::id).toList();
    }

    /** The architecture VM Import/Export gives an image of this guest: {@code x86_64} or {@code i386}. */
    public String architecture() {
        return sixtyFourBit ? "x86_64" : "i386";
    }

    /** The platform as ImportImage reports it: {@code Windows} or {@code Linux}. */
    public String importPlatform() {
        return family == Family.WINDOWS ? "Windows" : "Linux";
    }
}
