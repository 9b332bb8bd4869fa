package dev.ferry.provider.vsphere;

import dev.ferry.engine.provider.ExpansionContext;
import dev.ferry.engine.provider.Provider;
import dev.ferry.engine.provider.ProviderContext;
import dev.ferry.engine.provider.ProviderSession;
import dev.ferry.engine.provider.SourceHalf;
import dev.ferry.engine.provider.SourceKind;
import dev.ferry.engine.provider.TargetKind;
import dev.ferry.engine.resource.Expression.Reference;
import dev.ferry.engine.resource.ResourceAddress;
import dev.ferry.engine.resource.ResourceDeclaration;
import dev.ferry.engine.spec.Diagnostics;
import dev.ferry.engine.spec.Migration;
import dev.ferry.engine.spec.MigrationFile;
import dev.ferry.engine.spec.Section;
import dev.ferry.engine.spec.SectionKind;
import dev.ferry.engine.spec.SectionKind.Role;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * VMware vSphere: VMs exported from vCenter as disk image files, with their vCenter inventory. A
 * {@code source.vsphere} migration expands to one data source, {@code data.vsphere_vm.<name>}, whose
 * {@code machine} and {@code disk_image} outputs the target consumes; the image file is read where
 * it lies (kind {@code file}), so there is no staging copy on this side.
 */
public final class VsphereProvider implements Provider {

    public static final String NAME = "vsphere";

    /** Where to send vCenter requests instead of {@code providers.vsphere.vcenter} (a proxy, {@code ferry sandbox}). */
    public static final String ENDPOINT_VARIABLE = "VSPHERE_ENDPOINT_URL";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public List<SourceKind> sources() {
        return List.of(new SourceKind(new SectionKind("vsphere", Role.SOURCE, NAME, false, Set.of("ova", "vmdk", "vhd", "vhdx", "raw"),
                false, VsphereProvider::checkSource), VsphereProvider::expand));
    }

    @Override
    public List<TargetKind> targets() {
        return List.of();
    }

    @Override
    public ProviderSession open(ProviderContext context) {
        VsphereConfig config = config(context.block());
        // like AWS_ENDPOINT_URL: the file's endpoint first, then the environment's
        Optional<String> endpoint = config.endpoint().or(() -> context.variable(ENDPOINT_VARIABLE));
        Optional<VcenterConnection> vcenter = config.vcenter().map(url -> new VcenterConnection(url, endpoint, config.username(),
                config.password(), config.insecure(), context.secrets()));
        return new VsphereSession(vcenter);
    }

    /**
     * {@code data.vsphere_vm.<name>} with the image's absolute path (relative paths are relative to the
     * migration file), the VM's name and, when both a VM and a vCenter are given, the vCenter to ask.
     */
    static SourceHalf expand(ExpansionContext context) {
        VsphereSource source = context.source().bind(VsphereSource.class);
        VsphereConfig config = config(context.file().provider(NAME));
        Path image = context.file().directory().resolve(source.diskImage()).toAbsolutePath().normalize();
        ResourceAddress vm = ResourceAddress.data(VsphereVmDataSource.TYPE, context.name());
        ResourceDeclaration.Builder declaration = ResourceDeclaration.builder(vm, context.sourceLocation())
                .argument("disk_image", image.toString());
        source.vm().ifPresent(name -> declaration.argument("vm", name));
        if (source.vm().isPresent()) {
            config.vcenter().ifPresent(url -> declaration.argument("vcenter", url));
        }
        return new SourceHalf(List.of(declaration.build()), new Reference(vm, "machine"), Optional.empty(), new Reference(vm, "disk_image"),
                Set.of());
    }

    private static VsphereConfig config(Optional<Section> block) {
        return block.map(section -> section.bind(VsphereConfig.class))
                .orElse(new VsphereConfig(Optional.empty(), Optional.empty(), Optional.empty(), false, Optional.empty()));
    }

    private static void checkSource(Migration migration, Section section, MigrationFile file, Diagnostics out) {
        VsphereSource source = section.bind(VsphereSource.class);
        file.provider(NAME).map(block -> block.bind(VsphereConfig.class)).ifPresent(config -> {
            Section block = file.provider(NAME).get();
            if (config.vcenter().isPresent() && (config.username().isEmpty() || config.password().isEmpty())) {
                out.error(block.keyLocation(), "providers.vsphere.vcenter is set, so ferry logs in to read inventory: it needs username and password",
                        "add 'username:' and 'password: ${env:VSPHERE_PASSWORD}'");
            }
            if (source.vm().isPresent() && config.vcenter().isEmpty()) {
                out.warning(section.locate("vm"), "vm '" + source.vm().get() + "' names a vCenter VM, but providers.vsphere has no vcenter: only the disk image will be read",
                        "set providers.vsphere.vcenter to read its CPU, memory and power state");
            }
            if (config.vcenter().isPresent() && source.vm().isEmpty()) {
                out.warning(section.locate("disk_image"), "providers.vsphere.vcenter is set but this migration names no vm: vCenter will not be asked about it",
                        "add 'vm: <name in vCenter>' to read its CPU, memory and power state");
            }
            if (config.insecure()) {
                out.warning(block.locate("insecure"), "insecure: true turns off TLS certificate checks for vCenter, so the password could be intercepted",
                        "add vCenter's CA certificate to Java's trust store instead");
            }
        });
    }
}
