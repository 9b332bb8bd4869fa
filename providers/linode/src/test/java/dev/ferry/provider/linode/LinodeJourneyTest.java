package dev.ferry.provider.linode;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.engine.apply.ApplyResult;
import dev.ferry.engine.diff.Planner;
import dev.ferry.engine.event.Event;
import dev.ferry.engine.machine.FirewallIntent;
import dev.ferry.engine.machine.MachineFacts;
import dev.ferry.engine.plan.Action;
import dev.ferry.engine.plan.Change;
import dev.ferry.engine.plan.Plan;
import dev.ferry.engine.provider.Note;
import dev.ferry.engine.render.MarkdownRenderer;
import dev.ferry.engine.resource.Expression;
import dev.ferry.engine.resource.ResourceAddress;
import dev.ferry.engine.resource.ResourceDeclaration;
import dev.ferry.engine.spec.MigrationFile;
import dev.ferry.engine.plan.PlanCodec;
import java.nio.charset.StandardCharsets;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import dev.ferry.sandbox.Sandbox;
import dev.ferry.sandbox.world.Firewall;
import dev.ferry.sandbox.world.LinodeImage;
import dev.ferry.sandbox.world.LinodeInstance;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Linode half of journey A through the real engine: the file is expanded by the real expander, planned and
 * applied against the sandbox, planned again (no changes), and destroyed. The source half is a stand-in that
 * offers what the AWS provider offers: machine facts, a firewall intent, and a staging copy with a disk image.
 */
class LinodeJourneyTest {

    private static final long MIB = 1024L * 1024;
    private static final String PASSWORD = "Tr0ub4dor&3-horse-staple";

    private final Sandbox sandbox = LinodeSandbox.start();

    @RegisterExtension
    final OpenApiCheck openApi = OpenApiCheck.attachTo(sandbox);

    @TempDir
    Path folder;

    private final List<Event> events = Collections.synchronizedList(new ArrayList<>());
    private final JourneyRun.RecordingStore store = new JourneyRun.RecordingStore();

    @AfterEach
    void stop() {
        sandbox.close();
    }

    private static final String FILE = TestFiles.HEADER + """
            providers:
              aws: { region: us-west-1 }
              linode: {}
            staging: { bucket: ferry-test-bucket, cleanup: delete-after-import }
            migrations:
              - name: web-01
                source:
                  ec2: { instance: i-0e1dc0292b0ae7293 }
                target:
                  linode:
                    region: us-lax
                    type: match
                    root_pass: ${env:ROOT_PASSWORD}
                    authorized_keys: ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDfA2JpVvzrxj7zU7hxaKSsRu8Ud1Ri3d0r4LEvTeDS2 ops@example.com"]
                    tags: [migrated]
                firewall:
                  rules:
                    - { direction: inbound, action: ACCEPT, protocol: TCP, ports: "8080", addresses: ["203.0.113.0/24"], label: app-from-office }
            """;

    private static MachineFacts machine(long rootBytes) {
        return new MachineFacts("ec2", "i-0e1dc0292b0ae7293", 2, 4096, null, null, Optional.of("Ubuntu 22.04"),
                List.of(new MachineFacts.Disk("/dev/xvda", rootBytes, true, Optional.of("gp3"), false)), List.of("198.51.100.7"),
                List.of("10.0.1.7"), Map.of("Name", "web-01"), Optional.of("t3.medium"),
                Optional.of(new MachineFacts.Price(30.37, "On-Demand Linux, us-west-1")), Optional.of("running"));
    }

    private JourneyRun run(FakeSourceProvider source, MigrationFile file) {
        return run(source, file, PASSWORD);
    }

    private JourneyRun run(FakeSourceProvider source, MigrationFile file, String password) {
        return new JourneyRun(sandbox, folder, store, events::add, source, file, password, LinodeSandbox.TIMING);
    }

    static Change change(Plan plan, String address) {
        return plan.change(ResourceAddress.parse(address)).orElseThrow(() -> new AssertionError(address + " is not in the plan"));
    }

    @Test
    void expandsAppliesPlansNoChangesAndDestroysEverythingItMade() {
        Path disk = TestDisks.raw(folder, "web-01", 5 * MIB + 777, 42);
        FirewallIntent intent = FirewallResourceTest.webServer();
        FakeSourceProvider source = new FakeSourceProvider(machine(4L * 1024 * MIB), intent, disk);
        MigrationFile file = TestFiles.load(FILE, folder);

        try (JourneyRun run = run(source, file)) {
            // The expansion, as journeys.md describes it.
            ResourceDeclaration image = run.configuration.get(ResourceAddress.parse("linode_image.web-01")).orElseThrow();
            ResourceDeclaration firewall = run.configuration.get(ResourceAddress.parse("linode_firewall.web-01")).orElseThrow();
            ResourceDeclaration instance = run.configuration.get(ResourceAddress.parse("linode_instance.web-01")).orElseThrow();
            assertThat(image.arguments().get("source")).isEqualTo(new Expression.Reference(ResourceAddress.parse("test_export.web-01"),
                    "disk_image"));
            assertThat(image.arguments().get("machine")).isEqualTo(new Expression.Reference(
                    ResourceAddress.parse("data.test_source.web-01"), "machine"));
            assertThat(firewall.arguments().get("intent")).isEqualTo(new Expression.Reference(
                    ResourceAddress.parse("data.test_source.web-01"), "firewall"));
            assertThat(instance.arguments().get("image")).isEqualTo(new Expression.Reference(image.address(), "id"));
            assertThat(instance.arguments().get("firewall_id")).isEqualTo(new Expression.Reference(firewall.address(), "id"));
            assertThat(instance.arguments().get("root_pass")).isInstanceOf(Expression.Secret.class);
            assertThat(run.configuration.get(ResourceAddress.parse("test_export.web-01")).orElseThrow().lifecycle().cleanupAfter())
                    .containsExactly(image.address());

            Plan first = run.plan(false);

            assertThat(change(first, "linode_image.web-01").action()).isEqualTo(Action.CREATE);
            assertThat(change(first, "linode_instance.web-01").after().get("type").asText()).isEqualTo("g6-standard-2");
            assertThat(change(first, "linode_instance.web-01").notes()).extracting(Note::text)
                    .anySatisfy(text -> assertThat(text).contains("$24.00/month in us-lax, against $30.37/month for t3.medium"));
            assertThat(new MarkdownRenderer().render(first)).as("the pull-request comment's cost table")
                    .contains("| `web-01` | t3.medium | $30.37 | g6-standard-2 | $24.00 | -$6.37 |\n")
                    .contains("| **Fleet total** | | **$30.37** | | **$24.00** | **-$6.37** |\n");
            assertThat(change(first, "linode_image.web-01").notes()).extracting(Note::text)
                    .anySatisfy(text -> assertThat(text).contains("the image is 4 GiB raw"));
            assertThat(change(first, "linode_firewall.web-01").after().get("inbound")).extracting(rule -> rule.get("label").asText())
                    .containsExactly("in-tcp-80_443", "SSH-from-the-office", "in-icmp", "app-from-office");
            assertThat(change(first, "linode_firewall.web-01").notes()).filteredOn(n -> n.level() == Note.Level.WARNING)
                    .extracting(Note::text).singleElement().asString().contains("sg-0mon");

            ApplyResult applied = run.apply(first);

            assertThat(applied.failures()).isEmpty();
            assertThat(applied.succeeded()).isTrue();
            LinodeImage uploaded = sandbox.world().linode().images().stream().filter(i -> i.status().equals("available")).findFirst()
                    .orElseThrow();
            assertThat(uploaded.upload().rawSha256()).isEqualTo(TestDisks.sha256(disk));
            LinodeInstance linode = sandbox.world().linode().instances().get(0);
            assertThat(linode.status()).isEqualTo("running");
            assertThat(linode.type()).isEqualTo("g6-standard-2");
            assertThat(linode.label()).isEqualTo("web-01");
            assertThat(linode.image()).isEqualTo(uploaded.id());
            Firewall made = sandbox.world().linode().firewalls().get(0);
            assertThat(made.label()).isEqualTo("ferry-web-01");
            assertThat(made.devices()).extracting(device -> device.entityId()).containsExactly(linode.id());
            assertThat(made.rules().inbound()).hasSize(4);
            assertThat(source.exports).as("the staging copy was cleaned up after the import").isEmpty();

            Plan second = run.plan(false);

            assertThat(second.changes()).filteredOn(c -> c.action().isChange())
                    .as("a second plan has no changes").isEmpty();
            assertThat(second.drift()).isEmpty();

            Plan destroy = run.plan(true);
            ApplyResult destroyed = run.apply(destroy);

            assertThat(destroyed.failures()).isEmpty();
            assertThat(sandbox.world().linode().instances()).isEmpty();
            assertThat(sandbox.world().linode().firewalls()).isEmpty();
            assertThat(sandbox.world().linode().images()).isEmpty();
        }
    }

    @Test
    void aRootVolumeOverSixGibStopsAPlanThatNamesTheImageRoadBeforeAnythingIsMade() {
        Path disk = TestDisks.raw(folder, "big", MIB, 1);
        FakeSourceProvider source = new FakeSourceProvider(machine(8L * 1024 * MIB), FirewallIntent.none(), disk);

        try (JourneyRun run = run(source, TestFiles.load(FILE.replace("region: us-lax", "region: us-lax\n        via: image"), folder))) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> run.plan(false))
                    .isInstanceOf(Planner.PlanFailedException.class)
                    .hasMessageContaining("linode_image.web-01: the root volume of i-0e1dc0292b0ae7293 (/dev/xvda) is 8 GiB, but Linode"
                            + " accepts custom images of at most 6 GiB uncompressed");
            assertThat(sandbox.requests().count("linode:POST /images/upload")).isZero();
        }
    }

    @Test
    void aRootVolumeOverSixGibWithoutViaIsPlannedOnTheDiskRoadSayingWhy() {
        Path disk = TestDisks.raw(folder, "big", MIB, 1);
        FakeSourceProvider source = new FakeSourceProvider(machine(8L * 1024 * MIB), FirewallIntent.none(), disk);

        try (JourneyRun run = run(source, TestFiles.load(FILE, folder))) {
            Plan plan = run.plan(false);

            assertThat(plan.changes()).extracting(c -> c.address().toString())
                    .contains("linode_disk.web-01", "linode_disk_write.web-01", "linode_config.web-01")
                    .doesNotContain("linode_image.web-01");
            assertThat(plan.changes()).filteredOn(c -> c.address().toString().equals("linode_instance.web-01")).singleElement()
                    .satisfies(instance -> assertThat(instance.notes()).extracting(Note::text).anySatisfy(text -> assertThat(text)
                            .startsWith("road: disk (the 8 GiB root volume of i-0e1dc0292b0ae7293 (/dev/xvda) is over Linode's"
                                    + " 6 GiB image limit)")));
            assertThat(sandbox.requests().count("linode:POST /images/upload")).isZero();
        }
    }

    @Test
    void theTokenThePasswordAndTheUploadUrlAppearInNoStatePlanEventLogOrMessage() {
        List<String> logs = Collections.synchronizedList(new ArrayList<>());
        Logger logger = Logger.getLogger("dev.ferry.provider.linode");
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord record) {
                logs.add(record.getMessage() + " " + record.getThrown());
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Level level = logger.getLevel();
        logger.setLevel(Level.ALL);
        logger.addHandler(capture);
        sandbox.faults().set("services=linode-upload,cut=1,cut-direction=request,count=1;"
                + " services=linode,actions=GET /images/{imageId},rate=1,statuses=429,retry-after=1s,count=2");
        Path disk = TestDisks.raw(folder, "secret", 2 * MIB, 3);
        FakeSourceProvider source = new FakeSourceProvider(machine(2L * 1024 * MIB), FirewallResourceTest.webServer(), disk);
        List<String> texts = new ArrayList<>();
        List<String> uploadTokens = new ArrayList<>();
        try (JourneyRun run = run(source, TestFiles.load(FILE, folder))) {
            Plan plan = run.plan(false);
            texts.add(new String(PlanCodec.encode(plan, PlanCodec.Flavour.SAVED), StandardCharsets.UTF_8));
            texts.add(plan.toString());
            ApplyResult applied = run.apply(plan);
            assertThat(applied.failures()).isEmpty();
            assertThat(sandbox.requests().count("linode:POST /images/upload")).as("the cut upload was redone").isEqualTo(2);
            sandbox.world().linode().images().forEach(image -> uploadTokens.add(image.uploadToken()));
            texts.add(applied.toString());
            run.sessions.forEach(session -> texts.add(session.toString()));
            ApplyResult destroyed = run.apply(run.plan(true));
            texts.add(destroyed.toString());
        } finally {
            logger.removeHandler(capture);
            logger.setLevel(level);
        }
        try (JourneyRun weak = run(source, TestFiles.load(FILE, folder), "password1")) {
            Planner.PlanFailedException refused = org.junit.jupiter.api.Assertions.assertThrows(Planner.PlanFailedException.class,
                    () -> weak.plan(false));
            texts.add(refused.getMessage());
            assertThat(refused.getMessage()).contains("strength check");
        }
        texts.addAll(store.writes);
        texts.addAll(logs);
        synchronized (events) {
            events.forEach(event -> texts.add(event.toString()));
        }
        List<String> secrets = new ArrayList<>(List.of(sandbox.linodeToken(), PASSWORD, "password1"));
        secrets.addAll(uploadTokens);
        secrets.add("X-Amz-Signature");

        assertThat(store.writes).isNotEmpty();
        assertThat(logs).as("the client logs its calls at debug level").isNotEmpty();
        for (String text : texts) {
            for (String secret : secrets) {
                assertThat(text).as("no secret in: " + text.substring(0, Math.min(120, text.length()))).doesNotContain(secret);
            }
        }
    }
}
