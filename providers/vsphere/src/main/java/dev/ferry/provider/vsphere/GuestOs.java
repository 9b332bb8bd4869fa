package dev.ferry.provider.vsphere;

import static java.util.Objects.requireNonNull;

import dev.ferry.engine.machine.MachineFacts;
import dev.ferry.provider.vsphere.image.OvfDescriptor;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A guest operating system as vSphere names it, sorted into what an import to EC2 cares about: the
 * platform (Linux or Windows), whether it is 64-bit, and whether AWS VM Import lists it as supported.
 * vCenter's REST enum ({@code UBUNTU_64}, {@code WINDOWS_9_SERVER_64}) and the VMX guest id an OVF
 * carries ({@code ubuntu64Guest}, {@code windows9Server64Guest}) spell the same names, so both are
 * folded to one form ({@code ubuntu64}, {@code windows9server64}) before they are read.
 */
record GuestOs(String id, Family family, Optional<Boolean> sixtyFourBit, boolean listedByAws, String architecture, String description) {

    enum Family { LINUX, WINDOWS, OTHER, UNKNOWN }

    /** Linux distributions on AWS VM Import's list of supported operating systems. */
    private static final List<String> AWS_LINUX = List.of("amazonlinux", "centos", "debian", "fedora", "oraclelinux", "oracle", "rhel",
            "redhat", "sles", "suse", "opensuse", "ubuntu");
    /** Windows releases older than anything VM Import still lists (XP, 2000, Server 2003, Vista, Server 2008). */
    private static final List<String> OLD_WINDOWS = List.of("win31", "win95", "win98", "winme", "winnt", "win2000", "winxp", "winnet",
            "winvista", "winlonghorn", "dos");
    private static final List<String> LINUX_WORDS = List.of("linux", "ubuntu", "rhel", "redhat", "centos", "debian", "sles", "suse",
            "fedora", "oracle", "photon", "rocky", "alma", "amazon", "mandr", "turbo", "asianux", "coreos", "crxpod", "miracle", "pardus");

    /** CIM operating system codes (CIM_OperatingSystem.OSType) an OVF's {@code ovf:id} may give, in the folded vSphere form. */
    private static final Map<Integer, String> CIM = Map.ofEntries(
            Map.entry(36, "otherlinux"), Map.entry(101, "otherlinux64"), Map.entry(97, "other24xlinux"), Map.entry(98, "other24xlinux64"),
            Map.entry(99, "other26xlinux"), Map.entry(100, "other26xlinux64"), Map.entry(79, "rhel"), Map.entry(80, "rhel64"),
            Map.entry(82, "suse"), Map.entry(83, "suse64"), Map.entry(84, "sles"), Map.entry(85, "sles64"), Map.entry(93, "ubuntu"),
            Map.entry(94, "ubuntu64"), Map.entry(95, "debian"), Map.entry(96, "debian64"), Map.entry(106, "centos"),
            Map.entry(107, "centos64"), Map.entry(108, "oraclelinux"), Map.entry(109, "oraclelinux64"), Map.entry(58, "win2000"),
            Map.entry(67, "winxppro"), Map.entry(71, "winxppro64"), Map.entry(69, "winnetstandard"), Map.entry(70, "winnetstandard64"),
            Map.entry(73, "winvista"), Map.entry(74, "winvista64"), Map.entry(76, "winlonghorn"), Map.entry(77, "winlonghorn64"),
            Map.entry(103, "windows7server64"), Map.entry(105, "windows7"), Map.entry(112, "windows8server64"), Map.entry(113, "windows8"),
            Map.entry(114, "windows864"), Map.entry(115, "windows8server64"), Map.entry(42, "freebsd"), Map.entry(78, "freebsd64"),
            Map.entry(29, "solaris"), Map.entry(81, "solaris64"), Map.entry(1, "other"), Map.entry(102, "other64"));

    GuestOs {
        requireNonNull(id, "id is null");
        requireNonNull(family, "family is null");
        requireNonNull(sixtyFourBit, "sixtyFourBit is null");
        requireNonNull(architecture, "architecture is null");
        requireNonNull(description, "description is null");
    }

    static GuestOs unknown() {
        return new GuestOs("unknown", Family.UNKNOWN, Optional.empty(), false, MachineFacts.X86_64, "unknown operating system");
    }

    /** From vCenter's {@code guest_OS} or a VMX {@code osType}; {@code OTHER} and blanks are unknown. */
    static GuestOs fromVsphere(String id) {
        String folded = fold(id);
        if (folded.isEmpty()) {
            return unknown();
        }
        return classify(id, folded, id);
    }

    /** From an OVF's OperatingSystemSection: VMware's guest id when present, else the CIM code. */
    static GuestOs fromOvf(OvfDescriptor.GuestOsHint hint) {
        String description = hint.description().orElse(null);
        if (hint.vmwareOsType().isPresent() && !fold(hint.vmwareOsType().get()).isEmpty()) {
            String id = hint.vmwareOsType().get();
            return classify(id, fold(id), description == null ? id : description);
        }
        if (hint.cimType().isPresent() && CIM.containsKey(hint.cimType().getAsInt())) {
            String folded = CIM.get(hint.cimType().getAsInt());
            String id = "CIM " + hint.cimType().getAsInt();
            return classify(id, folded, description == null ? id : description);
        }
        return description == null ? unknown()
                : new GuestOs("unknown", Family.UNKNOWN, Optional.empty(), false, MachineFacts.X86_64, description);
    }

    private static GuestOs classify(String id, String folded, String description) {
        Family family;
        if (folded.startsWith("win")) {
            family = Family.WINDOWS;
        } else if (LINUX_WORDS.stream().anyMatch(folded::contains)) {
            family = Family.LINUX;
        } else if (folded.equals("other") || folded.equals("other64")) {
            family = Family.UNKNOWN;
        } else {
            family = Family.OTHER;
        }
        boolean wide = folded.contains("64") || folded.matches("windows(server)?20\\d\\d.*") || folded.startsWith("windowshyperv")
                || folded.matches("windows1[1-9].*");
        boolean listed = switch (family) {
            case LINUX -> AWS_LINUX.stream().anyMatch(folded::startsWith);
            case WINDOWS -> OLD_WINDOWS.stream().noneMatch(folded::startsWith);
            case OTHER, UNKNOWN -> false;
        };
        String architecture = folded.startsWith("arm") ? MachineFacts.ARM64 : MachineFacts.X86_64;
        return new GuestOs(id, family, Optional.of(wide), listed, architecture, description);
    }

    /** {@code RHEL_8_64} and {@code rhel8_64Guest} both become {@code rhel864}. */
    static String fold(String id) {
        String folded = id.toLowerCase(Locale.ROOT).replace("guest", "").replaceAll("[^a-z0-9]", "");
        return folded.equals("unknown") ? "" : folded;
    }

    /** The neutral platform: {@code linux}, {@code windows}, {@code other} or {@code unknown}. */
    String platform() {
        return family.name().toLowerCase(Locale.ROOT);
    }

    boolean known() {
        return family != Family.UNKNOWN;
    }
}
