package dev.ferry.provider.aws;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** {@code target.ec2}: the instance to launch from an imported image, and what to do after. */
public record Ec2Target(
        String subnet,
        String instanceType,
        Optional<String> family,
        List<String> securityGroups,
        Optional<String> privateIp,
        Optional<String> platform,
        String architecture,
        Optional<String> bootMode,
        Optional<String> licenseType,
        Map<String, String> tags,
        BackupAmi backupAmi,
        Optional<ExportBack> exportBack,
        Optional<LaunchTemplate> launchTemplate) {

    public static final String MATCH = "match";

    /** {@code export_back}: CreateInstanceExportTask of the new instance into the staging bucket. */
    public record ExportBack(Format format, String prefix) {
        public enum Format {
            @JsonProperty("ova") OVA,
            @JsonProperty("vmdk") VMDK,
            @JsonProperty("vhd") VHD
        }

        public ExportBack {
            format = format == null ? Format.OVA : format;
            prefix = prefix == null ? "exports-back/" : prefix;
        }
    }

    /**
     * {@code launch_template}: a launch template named {@code name} whose latest version launches the backup image
     * with the instance's type, subnet, security groups and tags, to replace the instance should it be terminated.
     */
    public record LaunchTemplate(String name) {
        public LaunchTemplate {
            requireNonNull(name, "name is null");
        }
    }

    /**
     * {@code backup_ami}: {@code true} for an image of the new instance taken without rebooting it, or
     * {@code {reboot: true}} for one taken after a reboot (consistent on disk; the instance restarts once).
     */
    public record BackupAmi(boolean enabled, boolean reboot) {
        public static final BackupAmi NONE = new BackupAmi(false, false);

        /** {@code backup_ami: true} or {@code false}. */
        @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
        static BackupAmi of(boolean enabled) {
            return new BackupAmi(enabled, false);
        }

        /** {@code backup_ami: {reboot: true}}. */
        @JsonCreator(mode = JsonCreator.Mode.PROPERTIES)
        static BackupAmi withOptions(@JsonProperty("reboot") Boolean reboot) {
            return new BackupAmi(true, reboot != null && reboot);
        }
    }

    public Ec2Target {
        requireNonNull(subnet, "subnet is null");
        instanceType = instanceType == null ? MATCH : instanceType;
        family = family == null ? Optional.empty() : family;
        securityGroups = securityGroups == null ? List.of() : List.copyOf(securityGroups);
        privateIp = privateIp == null ? Optional.empty() : privateIp;
        platform = platform == null ? Optional.empty() : platform;
        architecture = architecture == null ? "x86_64" : architecture;
        bootMode = bootMode == null ? Optional.empty() : bootMode;
        licenseType = licenseType == null ? Optional.empty() : licenseType;
        tags = tags == null ? Map.of() : Map.copyOf(tags);
        backupAmi = backupAmi == null ? BackupAmi.NONE : backupAmi;
        exportBack = exportBack == null ? Optional.empty() : exportBack;
        launchTemplate = launchTemplate == null ? Optional.empty() : launchTemplate;
    }
}
