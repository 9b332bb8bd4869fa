package dev.ferry.provider.linode;

import dev.ferry.engine.FerryException;
import dev.ferry.provider.linode.ssh.HelperShell;
import java.util.Optional;

import dev.ferry.engine.machine.Cidr;
import dev.ferry.engine.permission.Permission;
import dev.ferry.engine.permission.PermissionDocument;
import dev.ferry.engine.provider.Provider;
import dev.ferry.engine.provider.ProviderContext;
import dev.ferry.engine.provider.ProviderSession;
import dev.ferry.engine.provider.SourceKind;
import dev.ferry.engine.provider.TargetKind;
import dev.ferry.engine.resource.Attributes;
import dev.ferry.engine.resource.ResourceAddress;
import dev.ferry.engine.spec.Diagnostics;
import dev.ferry.engine.spec.FirewallSpec;
import dev.ferry.engine.spec.Migration;
import dev.ferry.engine.spec.MigrationFile;
import dev.ferry.engine.spec.Section;
import dev.ferry.engine.spec.SectionKind;
import dev.ferry.engine.spec.SectionKind.Role;
import dev.ferry.engine.spec.SourceLocation;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/** Akamai Cloud (Linode): new Linodes from uploaded custom images, behind a Cloud Firewall. */
public final class LinodeProvider implements Provider {

    public static final String NAME = "linode";

    private final LinodeSession.Timing timing;

    public LinodeProvider() {
        this(LinodeSession.Timing.DEFAULT);
    }

    /** With other poll intervals and retry pauses, for tests against the sandbox. */
    LinodeProvider(LinodeSession.Timing timing) {
        this.timing = timing;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public List<SourceKind> sources() {
        return List.of();
    }

    @Override
    public List<TargetKind> targets() {
        return List.of(new TargetKind(new SectionKind("linode", Role.TARGET, NAME, false, Set.of("raw"), true, LinodeProvider::checkTarget,
                Map.of("root_pass", RootPassword::refusal)), new LinodeTargetExpander()));
    }

    /**
     * Connects: the token from {@code providers.linode.token}, {@code LINODE_TOKEN} or the linode-cli config
     * file; the API at {@code providers.linode.endpoint}, {@code LINODE_API_URL} or api.linode.com. Nothing is
     * called yet: the first plan or apply step does that.
     */
    @Override
    public ProviderSession open(ProviderContext context) {
        LinodeConfig config = context.block().map(block -> block.bind(LinodeConfig.class)).orElse(new LinodeConfig(null, null));
        LinodeClient client = LinodeClient.create(LinodeCredentials.baseUrl(config, context), LinodeCredentials.token(config, context));
        Optional<HelperShell.Endpoint> ssh = context.variable(DiskRoad.ENDPOINT_VARIABLE).map(value -> {
            try {
                return HelperShell.Endpoint.parse(value);
            } catch (IllegalArgumentException e) {
                throw new FerryException(DiskRoad.ENDPOINT_VARIABLE + " must be HOST:PORT, such as 127.0.0.1:2222 ("
                        + e.getMessage() + ")");
            }
        });
        return new LinodeSession(client, context.secrets(), timing, ssh);
    }

    /** Each resource type's own answer to what it calls, by type. */
    private static final Map<String, Function<String, List<Permission>>> PERMISSIONS = Map.of(
            ImageResource.TYPE, ImageResource::permissions,
            InstanceResource.TYPE, InstanceResource::permissions,
            FirewallResource.TYPE, FirewallResource::permissions,
            DiskResource.TYPE, DiskResource::permissions,
            DiskWriteResource.TYPE, DiskWriteResource::permissions,
            ConfigResource.TYPE, ConfigResource::permissions,
            VolumesResource.TYPE, VolumesResource::permissions);

    @Override
    public List<Permission> permissions(MigrationFile file, ResourceAddress address, Attributes arguments) {
        Function<String, List<Permission>> type = PERMISSIONS.get(address.type());
        return type == null ? List.of() : type.apply(address.toString());
    }

    @Override
    public Optional<PermissionDocument> permissionDocument(List<Permission> permissions) {
        return Optional.of(LinodeScopes.document(permissions));
    }

    private static void checkTarget(Migration migration, Section section, MigrationFile file, Diagnostics out) {
        LinodeTarget target = section.bind(LinodeTarget.class);
        target.label().ifPresent(label -> LinodeLabels.problem(label, LinodeLabels.INSTANCE_MAX).ifPresent(problem ->
                out.error(section.locate("label"), "label '" + label + "' is not a valid Linode label: " + problem,
                        "Linode labels start with a letter; leave label out to have one made from the migration name")));
        for (int i = 0; i < target.authorizedKeys().size(); i++) {
            int index = i;
            OpenSshKey.problem(target.authorizedKeys().get(i)).ifPresent(problem -> out.error(section.locate("authorized_keys/" + index),
                    "authorized_keys[" + index + "] is not a well-formed OpenSSH public key, so Linode would refuse it when"
                            + " creating the Linode, after the disk has moved: " + problem,
                    "paste the whole line of the public key file (~/.ssh/id_ed25519.pub; ssh-keygen -y -f KEY prints it again)"));
        }
        migration.firewall().ifPresent(firewall -> checkRules(migration, firewall, file, out));
    }

    /** The file's own rules, checked against the Cloud Firewall's limits before any call is made. */
    private static void checkRules(Migration migration, FirewallSpec firewall, MigrationFile file, Diagnostics out) {
        for (int i = 0; i < firewall.rules().size(); i++) {
            FirewallSpec.Rule rule = firewall.rules().get(i);
            String pointer = migration.pointer() + "/firewall/rules/" + i;
            SourceLocation at = file.document().locate(pointer);
            boolean portsAllowed = rule.protocol() == FirewallSpec.Protocol.TCP || rule.protocol() == FirewallSpec.Protocol.UDP;
            if (rule.ports().isPresent()) {
                SourceLocation portsAt = file.document().locate(pointer + "/ports");
                if (!portsAllowed) {
                    out.error(portsAt, "ports apply only to TCP and UDP rules, not " + rule.protocol(),
                            "remove 'ports' from this rule");
                } else {
                    FirewallPorts.parse(rule.ports().get()).error().ifPresent(reason ->
                            out.error(portsAt, "ports '" + rule.ports().get() + "': " + reason));
                }
            }
            for (int j = 0; j < rule.addresses().size(); j++) {
                String address = rule.addresses().get(j);
                if (Cidr.parse(address).isEmpty()) {
                    out.error(file.document().locate(pointer + "/addresses/" + j),
                            "'" + address + "' is not an IPv4 or IPv6 address or CIDR range",
                            "write addresses such as 203.0.113.0/24 or 2001:db8::/32");
                }
            }
            if (rule.addresses().isEmpty() && rule.direction() == FirewallSpec.Direction.INBOUND) {
                out.warning(at, "this rule has no addresses, so it applies to everyone (0.0.0.0/0 and ::/0)",
                        "list the addresses it is meant for");
            }
        }
    }
}
