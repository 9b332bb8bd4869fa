package dev.ferry.provider.vsphere;

import static dev.ferry.provider.vsphere.testing.ImageFixtures.rawDisk;
import static dev.ferry.provider.vsphere.testing.ImageFixtures.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.engine.diff.Planner;
import dev.ferry.engine.event.EventSink;
import dev.ferry.engine.expand.Configuration;
import dev.ferry.engine.expand.Expansion;
import dev.ferry.engine.machine.DiskImage;
import dev.ferry.engine.machine.MachineFacts;
import dev.ferry.engine.plan.Change;
import dev.ferry.engine.plan.Plan;
import dev.ferry.engine.provider.Provider;
import dev.ferry.engine.provider.ProviderContext;
import dev.ferry.engine.provider.ProviderSession;
import dev.ferry.engine.provider.ResourceTypes;
import dev.ferry.engine.provider.SourceKind;
import dev.ferry.engine.provider.TargetHalf;
import dev.ferry.engine.provider.TargetKind;
import dev.ferry.engine.render.PlanRenderer;
import dev.ferry.engine.render.Style;
import dev.ferry.engine.resource.EnvironmentSecretResolver;
import dev.ferry.engine.resource.ResourceAddress;
import dev.ferry.engine.resource.ResourceDeclaration;
import dev.ferry.engine.spec.MigrationFile;
import dev.ferry.engine.spec.MigrationFiles;
import dev.ferry.engine.spec.SectionKind;
import dev.ferry.engine.state.State;
import dev.ferry.engine.testing.MemoryCloud;
import dev.ferry.engine.testing.MemoryProvider;
import dev.ferry.engine.transfer.RangedByteSource;
import dev.ferry.provider.vsphere.testing.FakeVcenter;
import dev.ferry.provider.vsphere.testing.ImageFixtures;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Journey B's source half through the engine: a migration file is checked with the vSphere section
 * kind, expanded, planned with the real data source against a loopback vCenter, and its disk image
 * opened through the engine's opener registry, as the AWS target will when it uploads. The target
 * here is a stand-in that consumes the source's references the way {@code target.ec2} does.
 */
class JourneyBPlanTest {

    private static final String USER = "administrator@vsphere.local";
    private static final String PASSWORD = "journey-b-Passw0rd";

    @TempDir
    Path dir;

    private FakeVcenter vcenter;

    @BeforeEach
    void start() throws Exception {
        vcenter = FakeVcenter.http(USER, PASSWORD);
        vcenter.addVm("vm-42", "app-02", "UBUNTU_64", "POWERED_ON", 2, 4096, 1 << 20);
        Files.createDirectories(dir.resolve("exports"));
        write(dir.resolve("exports/app-02.ova"),
                ImageFixtures.ova("app-02", 2, 4096, "ubuntu64Guest", 94, "bios", List.of(rawDisk(1 << 20, false))));
    }

    @AfterEach
    void stop() {
        vcenter.close();
    }

    @Test
    void plansTheSourceHalfAndHandsTheTargetAFileItCanRead() throws Exception {
        Path file = migrationFile("exports/app-02.ova");
        Result result = plan(file);

        Change read = result.plan.change(ResourceAddress.data("vsphere_vm", "app-02")).orElseThrow();
        assertThat(read.after().text("disk_image")).isEqualTo(dir.resolve("exports/app-02.ova").toString());
        assertThat(read.after().text("vm")).isEqualTo("app-02");
        assertThat(read.after().text("vcenter")).isEqualTo(vcenter.endpoint().toString());
        assertThat(read.notes()).anySatisfy(note -> assertThat(note.text()).contains("is powered on"));

        Change target = result.plan.change(ResourceAddress.managed("test_thing", "app-02")).orElseThrow();
        JsonNode image = target.after().get("value");
        MachineFacts machine = MachineFacts.fromJson(target.after().get("machine"));
        assertThat(machine.vcpus()).isEqualTo(2);
        assertThat(machine.powerState()).hasValue("POWERED_ON");

        DiskImage diskImage = DiskImage.fromJson(image);
        assertThat(diskImage.kind()).isEqualTo("file");
        assertThat(diskImage.format()).isEqualTo("ova");
        try (InputStream in = result.types.open(diskImage).openRange(0, diskImage.sizeBytes())) {
            assertThat(in.readAllBytes()).isEqualTo(Files.readAllBytes(dir.resolve("exports/app-02.ova")));
        }
        assertThat(vcenter.log()).contains("POST /api/session", "GET /api/vcenter/vm?names=app-02", "GET /api/vcenter/vm/vm-42");
        result.close();
        assertThat(vcenter.log()).last().isEqualTo("DELETE /api/session");
        assertThat(new PlanRenderer(Style.PLAIN).render(result.plan)).contains("data.vsphere_vm.app-02: VM 'app-02' is powered on");
    }

    @Test
    void aCorruptImageStopsThePlanNamingTheFileLineAndResource() throws Exception {
        write(dir.resolve("exports/app-02.ova"), "garbage, not an OVA".repeat(64).getBytes(StandardCharsets.UTF_8));
        Path file = migrationFile("exports/app-02.ova");

        assertThatThrownBy(() -> plan(file)).isInstanceOf(Planner.PlanFailedException.class)
                .hasMessageContaining("migration.yaml:")
                .hasMessageContaining("data.vsphere_vm.app-02: ")
                .hasMessageContaining("app-02.ova is not a disk image ferry recognises");
    }

    @Test
    void theEnvironmentsEndpointCarriesTheRequestsWhileTheFileKeepsNamingItsVcenter() throws Exception {
        Path file = migrationFile("exports/app-02.ova", "https://vc.example.com", "");

        Result result = plan(file, Map.of(VsphereProvider.ENDPOINT_VARIABLE, vcenter.endpoint().toString()));

        Change read = result.plan.change(ResourceAddress.data("vsphere_vm", "app-02")).orElseThrow();
        assertThat(read.after().text("vcenter")).isEqualTo("https://vc.example.com");
        assertThat(vcenter.log()).contains("GET /api/vcenter/vm/vm-42");
        result.close();
    }

    @Test
    void theFilesEndpointComesBeforeTheEnvironments() throws Exception {
        Path file = migrationFile("exports/app-02.ova", "https://vc.example.com", "    endpoint: " + vcenter.endpoint() + "\n");

        Result result = plan(file, Map.of(VsphereProvider.ENDPOINT_VARIABLE, "http://127.0.0.1:9"));

        assertThat(vcenter.log()).contains("GET /api/vcenter/vm/vm-42");
        result.close();
    }

    private Path migrationFile(String image) throws Exception {
        return migrationFile(image, vcenter.endpoint().toString(), "");
    }

    private Path migrationFile(String image, String vcenterUrl, String endpointLine) throws Exception {
        String yaml = """
                apiVersion: ferry/v1
                kind: Migration
                metadata:
                  name: journey-b
                providers:
                  aws:
                    region: us-west-1
                  vsphere:
                    vcenter: %s
                    username: ${env:VSPHERE_USER}
                    password: ${env:VSPHERE_PASSWORD}
                %sstaging:
                  bucket: ec2-backup-images-for-migration
                  prefix: imports/
                migrations:
                  - name: app-02
                    source:
                      vsphere:
                        vm: app-02
                        disk_image: %s
                    target:
                      ec2:
                        subnet: subnet-0abc1234
                """.formatted(vcenterUrl, endpointLine, image);
        return write(dir.resolve("migration.yaml"), yaml.getBytes(StandardCharsets.UTF_8));
    }

    private Result plan(Path path) throws Exception {
        return plan(path, Map.of());
    }

    private Result plan(Path path, Map<String, String> more) throws Exception {
        List<Provider> providers = List.of(new VsphereProvider(), new StandInTarget());
        List<SectionKind> kinds = providers.stream().flatMap(provider -> provider.sectionKinds().stream()).toList();
        MigrationFiles.Loaded loaded = new MigrationFiles(kinds).load(path, "migration.yaml");
        assertThat(loaded.hasErrors()).as(loaded.diagnostics().toString()).isFalse();
        MigrationFile file = loaded.file().orElseThrow();
        Configuration configuration = new Expansion(providers).expand(file);
        Map<String, String> environment = new java.util.HashMap<>(Map.of("VSPHERE_USER", USER, "VSPHERE_PASSWORD", PASSWORD));
        environment.putAll(more);
        ProviderSession vsphere = new VsphereProvider().open(new ProviderContext(file.provider("vsphere"), file, environment, dir,
                new EnvironmentSecretResolver(environment, file.directory())));
        ProviderSession memory = new MemoryProvider(new MemoryCloud(), 1).session();
        ResourceTypes types = new ResourceTypes(List.of(vsphere, memory));
        try {
            Plan plan = new Planner(types, EventSink.NONE).plan(configuration, State.empty(), new Planner.Options(false, false,
                    "migration.yaml", "digest"));
            return new Result(plan, types, List.of(vsphere, memory));
        } catch (RuntimeException e) {
            vsphere.close();
            throw e;
        }
    }

    private record Result(Plan plan, ResourceTypes types, List<ProviderSession> sessions) {
        void close() {
            sessions.forEach(ProviderSession::close);
        }
    }

    /** Claims {@code target.ec2} and consumes the source half's references as the AWS provider's expander will. */
    private static final class StandInTarget implements Provider {
        @Override
        public String name() {
            return "aws";
        }

        @Override
        public List<SourceKind> sources() {
            return List.of();
        }

        @Override
        public List<TargetKind> targets() {
            SectionKind section = new SectionKind("ec2", SectionKind.Role.TARGET, "aws", true, Set.of("ova", "vmdk", "vhd", "vhdx", "raw"), true,
                    SectionKind.SectionCheck.NONE);
            return List.of(new TargetKind(section, (context, source) -> {
                ResourceAddress imported = ResourceAddress.managed("test_thing", context.name());
                List<ResourceDeclaration> declarations = new ArrayList<>(Stream.of(ResourceDeclaration.builder(imported, context.targetLocation())
                        .argument("value", source.diskImage())
                        .argument("machine", source.machine())
                        .build()).toList());
                return new TargetHalf(declarations, imported, Set.of());
            }));
        }

        @Override
        public ProviderSession open(ProviderContext context) {
            throw new UnsupportedOperationException("the stand-in target is planned through MemoryProvider's session");
        }
    }
}
