package dev.ferry.provider.vsphere;

import dev.ferry.engine.FerryException;
import dev.ferry.engine.provider.Provider;
import dev.ferry.engine.provider.ProviderContext;
import dev.ferry.engine.provider.ProviderSession;
import dev.ferry.engine.provider.SourceKind;
import dev.ferry.engine.provider.TargetKind;
import dev.ferry.engine.spec.Diagnostics;
import dev.ferry.engine.spec.Migration;
import dev.ferry.engine.spec.MigrationFile;
import dev.ferry.engine.spec.Section;
import dev.ferry.engine.spec.SectionKind;
import dev.ferry.engine.spec.SectionKind.Role;
import java.util.List;
import java.util.Set;

/** VMware vSphere: VMs exported from vCenter as disk image files, with their vCenter inventory. */
public final class VsphereProvider implements Provider {

    public static final String NAME = "vsphere";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public List<SourceKind> sources() {
        return List.of(new SourceKind(new SectionKind("vsphere", Role.SOURCE, NAME, false, Set.of("ova", "vmdk", "vhd", "vhdx", "raw"),
                false, VsphereProvider::checkSource), context -> {
                    throw new FerryException("the vsphere source is not expanded yet (journey B issue)");
                }));
    }

    @Override
    public List<TargetKind> targets() {
        return List.of();
    }

    @Override
    public ProviderSession open(ProviderContext context) {
        throw new FerryException("the vSphere provider cannot connect yet (journey B issue)");
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
        });
    }
}
