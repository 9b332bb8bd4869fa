package dev.ferry.provider.aws;

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
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Amazon Web Services: EC2 instances as sources (by export) and as targets (by import). */
public final class AwsProvider implements Provider {

    public static final String NAME = "aws";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public List<SourceKind> sources() {
        return List.of(new SourceKind(new SectionKind("ec2", Role.SOURCE, NAME, true, Set.of("raw"), true, AwsProvider::checkSource),
                context -> {
                    throw new FerryException("the ec2 source is not expanded yet (AWS provider issue)");
                }));
    }

    @Override
    public List<TargetKind> targets() {
        return List.of(new TargetKind(new SectionKind("ec2", Role.TARGET, NAME, true, Set.of("ova", "vmdk", "vhd", "vhdx", "raw"),
                false, AwsProvider::checkTarget), (context, source) -> {
                    throw new FerryException("the ec2 target is not expanded yet (journey B issue)");
                }));
    }

    @Override
    public ProviderSession open(ProviderContext context) {
        throw new FerryException("the AWS provider cannot connect yet (AWS provider issue)");
    }

    private static void checkSource(Migration migration, Section section, MigrationFile file, Diagnostics out) {
        section.bind(Ec2Source.class);
    }

    private static void checkTarget(Migration migration, Section section, MigrationFile file, Diagnostics out) {
        Ec2Target target = section.bind(Ec2Target.class);
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < target.securityGroups().size(); i++) {
            String group = target.securityGroups().get(i);
            if (!seen.add(group)) {
                out.error(section.locate("security_groups/" + i), "security group " + group + " is listed twice",
                        "list each security group once");
            }
        }
        target.tags().keySet().stream()
                .filter(key -> key.regionMatches(true, 0, "aws:", 0, 4))
                .forEach(key -> out.error(section.locate("tags/" + key), "tag key '" + key + "' uses the prefix 'aws:', which AWS reserves",
                        "choose a key without the 'aws:' prefix"));
        if (target.family().isPresent() && !target.instanceType().equals(Ec2Target.MATCH)) {
            out.warning(section.locate("family"), "family is used only with instance_type: match; it is ignored here",
                    "remove 'family', or set 'instance_type: match'");
        }
    }
}
