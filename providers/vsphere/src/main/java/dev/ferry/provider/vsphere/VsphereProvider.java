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
 * VMware vSphere: VMs exported from vCenter by ferry, or as disk image files exported by hand, with their
 * vCenter inventory. With {@code disk_image}, a {@code source.vsphere} migration expands to one data source,
 * {@code data.vsphere_vm.<name>}, whose {@code machine} and {@code disk_image} outputs the target consumes; the
 * image file is read where it lies (kind {@code file}). Without it, ferry captures the VM as an OVF template into a
 * content library ({@code vsphere_ovf_export.<name>}, and {@code vsphere_content_library.<name>} when the library is
 * a temporary one) and the target streams the OVA from the download session (kind {@code vcenter-ovf}).
 */
public final class VsphereProvider implements Provider {

    public static final String NAME = "vsphere";

    /** Where to send vCenter requests instead of {@code providers.vsphere.vcenter} (a proxy, {@code ferry sandbox}). */
    public static final String ENDPOINT_VARIABLE = "VSPHERE_ENDPOINT_URL";

    /** A PEM file of CAs to trust for vCenter and its ESXi hosts when {@code providers.vsphere.ca_bundle} names none. */
    public static final String CA_BUNDLE_VARIABLE = "VSPHERE_CA_BUNDLE";

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
        Optional<Path> caBundle = config.caBundle().map(file -> context.file().directory().resolve(file).toAbsolutePath().normalize())
                .or(() -> context.variable(CA_BUNDLE_VARIABLE).map(Path::of));
        Optional<VcenterConnection> vcenter = config.vcenter().map(url -> new VcenterConnection(url, endpoint, config.username(),
                config.password(), config.insecure(), caBundle, context.secrets()));
        return new VsphereSession(vcenter);
    }

    /**
     * {@code data.vsphere_vm.<name>} with the image's absolute path (relative paths are relative to the
     * migration file), the VM's name and, when both a VM and a vCenter are given, the vCenter to ask.
     */
    static SourceHalf expand(ExpansionContext context) {
        VsphereSource source = context.source().bind(VsphereSource.class);
        VsphereConfig config = config(context.file().provider(NAME));
        if (source.exported()) {
            return expandExport(context, source, config);
        }
        Path image = context.file().directory().resolve(source.diskImage().get()).toAbsolutePath().normalize();
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

    /**
     * Without {@code disk_image}: {@code data.vsphere_vm.<name>} reads the VM from vCenter, {@code vsphere_content_library.<name>}
     * (only with {@code datastore}) is the temporary library, and {@code vsphere_ovf_export.<name>} captures the VM into it and
     * offers the OVA its download session serves. The export and the temporary library are staging copies: the file's
     * {@code staging.cleanup} decides whether they outlive the import.
     */
    private static SourceHalf expandExport(ExpansionContext context, VsphereSource source, VsphereConfig config) {
        String name = context.name();
        String vmName = source.vm().orElseThrow();
        ResourceAddress vm = ResourceAddress.data(VsphereVmDataSource.TYPE, name);
        ResourceDeclaration.Builder reading = ResourceDeclaration.builder(vm, context.sourceLocation())
                .argument("vm", vmName)
                .argument("export", true)
                .argument("shutdown", source.shutdown());
        config.vcenter().ifPresent(url -> reading.argument("vcenter", url));
        List<ResourceDeclaration> declarations = new java.util.ArrayList<>();
        declarations.add(reading.build());
        Set<ResourceAddress> staging = new java.util.LinkedHashSet<>();
        ResourceAddress export = ResourceAddress.managed(OvfExportResource.TYPE, name);
        ResourceDeclaration.Builder exporting = ResourceDeclaration.builder(export, context.sourceLocation())
                .argument("vm", vmName)
                .reference("vm_id", vm, "vm_id")
                .argument("item_name", (vmName + "-ferry-" + name).replaceAll("[^A-Za-z0-9._-]", "-"))
                .argument("shutdown", source.shutdown());
        config.vcenter().ifPresent(url -> exporting.argument("vcenter", url));
        if (source.library().isPresent()) {
            exporting.argument("library", source.library().get());
        } else {
            ResourceAddress library = ResourceAddress.managed(ContentLibraryResource.TYPE, name);
            ResourceDeclaration.Builder creating = ResourceDeclaration.builder(library, context.sourceLocation())
                    .argument("name", "ferry-" + context.file().name() + "-" + name)
                    .argument("datastore", source.datastore().orElse(""));
            config.vcenter().ifPresent(url -> creating.argument("vcenter", url));
            declarations.add(creating.build());
            exporting.reference("library_id", library, "id");
            staging.add(library);
        }
        declarations.add(exporting.build());
        staging.add(export);
        return new SourceHalf(declarations, new Reference(vm, "machine"), Optional.empty(), new Reference(export, "disk_image"), staging);
    }

    private static VsphereConfig config(Optional<Section> block) {
        return block.map(section -> section.bind(VsphereConfig.class))
                .orElse(new VsphereConfig(Optional.empty(), Optional.empty(), Optional.empty(), false, Optional.empty(), Optional.empty()));
    }

    private static void checkSource(Migration migration, Section section, MigrationFile file, Diagnostics out) {
        VsphereSource source = section.bind(VsphereSource.class);
        Optional<VsphereConfig> configured = file.provider(NAME).map(block -> block.bind(VsphereConfig.class));
        if (source.exported()) {
            checkExport(section, source, file, configured, out);
        } else {
            for (String key : List.of("library", "datastore", "shutdown")) {
                if (section.body().has(key)) {
                    out.error(section.locate(key), "'" + key + "' is for a VM that ferry exports from vCenter, but this migration gives a disk_image",
                            "remove '" + key + "', or remove 'disk_image' so that ferry exports the VM itself");
                }
            }
        }
        configured.ifPresent(config -> {
            Section block = file.provider(NAME).get();
            if (config.vcenter().isPresent() && (config.username().isEmpty() || config.password().isEmpty())) {
                out.error(block.keyLocation(), "providers.vsphere.vcenter is set, so ferry logs in to read inventory: it needs username and password",
                        "add 'username:' and 'password: ${env:VSPHERE_PASSWORD}'");
            }
            if (!source.exported() && source.vm().isPresent() && config.vcenter().isEmpty()) {
                out.warning(section.locate("vm"), "vm '" + source.vm().get() + "' names a vCenter VM, but providers.vsphere has no vcenter: only the disk image will be read",
                        "set providers.vsphere.vcenter to read its CPU, memory and power state");
            }
            if (config.vcenter().isPresent() && source.vm().isEmpty()) {
                out.warning(section.locate("disk_image"), "providers.vsphere.vcenter is set but this migration names no vm: vCenter will not be asked about it",
                        "add 'vm: <name in vCenter>' to read its CPU, memory and power state");
            }
            if (config.insecure()) {
                out.warning(block.locate("insecure"), "insecure: true turns off TLS certificate checks for vCenter and the ESXi hosts behind its "
                        + "download URLs, so the password and the disks could be intercepted; it is meant only for old lab hosts that cannot get a certificate",
                        "remove it and name the CA certificate that signed them in providers.vsphere.ca_bundle (PEM)");
                if (config.caBundle().isPresent()) {
                    out.warning(block.locate("ca_bundle"), "ca_bundle is ignored while insecure: true accepts every certificate", "remove 'insecure: true'");
                }
            }
            config.caBundle().ifPresent(bundle -> {
                Path path = file.directory().resolve(bundle);
                if (!java.nio.file.Files.isRegularFile(path)) {
                    out.error(block.locate("ca_bundle"), "ca_bundle names " + path + ", which is not a file",
                            "give the path (relative to this file) of a PEM file of CA certificates");
                }
            });
        });
    }

    private static void checkExport(Section section, VsphereSource source, MigrationFile file, Optional<VsphereConfig> config, Diagnostics out) {
        if (source.vm().isEmpty()) {
            out.error(section.location(), "source.vsphere needs 'vm' (ferry exports it from vCenter) or 'disk_image' (a file exported by hand)",
                    "add 'vm: <name in vCenter>' with 'datastore:' or 'library:', or 'disk_image: exports/<vm>.ova'");
            return;
        }
        if (config.flatMap(VsphereConfig::vcenter).isEmpty()) {
            out.error(section.locate("vm"), "vm '" + source.vm().get() + "' has no disk_image, so ferry exports it from vCenter: providers.vsphere.vcenter must be set",
                    "add providers.vsphere.vcenter, username and password, or give 'disk_image:' exported by hand");
        }
        if (source.library().isPresent() && source.datastore().isPresent()) {
            out.error(section.locate("datastore"), "give either 'library' (an existing content library) or 'datastore' (for a temporary one), not both",
                    "remove one of them");
        } else if (source.library().isEmpty() && source.datastore().isEmpty()) {
            out.error(section.locate("vm"), "ferry captures vm '" + source.vm().get() + "' into a content library: name one with 'library:', or a datastore "
                    + "for a temporary one with 'datastore:'", "add 'datastore: <datastore name>' (the library is deleted per staging.cleanup)");
        }
    }
}
