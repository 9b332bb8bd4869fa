package dev.ferry.provider.linode;

import static dev.ferry.provider.linode.LinodeJourneyTest.change;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.engine.apply.ApplyResult;
import dev.ferry.engine.apply.Cancellation;
import dev.ferry.engine.event.Event;
import dev.ferry.engine.machine.MachineFacts;
import dev.ferry.engine.plan.Action;
import dev.ferry.engine.plan.Plan;
import dev.ferry.engine.provider.Note;
import dev.ferry.engine.resource.ResourceAddress;
import dev.ferry.engine.spec.MigrationFile;
import dev.ferry.sandbox.Sandbox;
import dev.ferry.sandbox.world.Firewall;
import dev.ferry.sandbox.world.LinodeInstance;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The disk road of journey A through the real engine against the sandbox: the Linode made empty, the raw disk
 * written through the helper over the sandbox's SSH stand-in in several chunks, the final config booting it with
 * linode/direct-disk behind the firewall; then no changes, a resume after a cut that lost the helper's key, and
 * destroy.
 */
class DiskRoadJourneyTest {

    private static final long MIB = 1024L * 1024;
    private static final long CHUNK = 4 * MIB;
    private static final String PASSWORD = "Tr0ub4dor&3-horse-staple";
    private static final LinodeSession.Timing TIMING = LinodeSandbox.TIMING.withDiskChunks(CHUNK);

    private final Sandbox sandbox = LinodeSandbox.start();

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
                    via: disk
                    tags: [migrated]
                firewall:
                  rules:
                    - { direction: inbound, action: ACCEPT, protocol: TCP, ports: "8080", addresses: ["203.0.113.0/24"], label: app-from-office }
            """;

    /** A sparse raw disk with a BIOS boot sector, written regions and holes, not a whole number of chunks. */
    static Path bootableDisk(Path folder, long bytes) {
        Path file = folder.resolve("root.img");
        Random random = new Random(7);
        try (RandomAccessFile disk = new RandomAccessFile(file.toFile(), "rw")) {
            disk.setLength(bytes);
            byte[] sector = new byte[512];
            random.nextBytes(sector);
            sector[446 + 4] = (byte) 0x83;
            sector[510] = 0x55;
            sector[511] = (byte) 0xAA;
            disk.write(sector);
            byte[] block = new byte[(int) MIB];
            for (long at : new long[] {MIB, 9 * MIB + 4096, bytes - MIB / 2}) {
                random.nextBytes(block);
                disk.seek(at);
                disk.write(block, 0, (int) Math.min(block.length, bytes - at));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }

    private static MachineFacts machine(long rootBytes) {
        return new MachineFacts("ec2", "i-0e1dc0292b0ae7293", 1, 1024, null, null, Optional.of("Ubuntu 24.04"),
                List.of(new MachineFacts.Disk("/dev/xvda", rootBytes, true, Optional.of("gp3"), false)), List.of("198.51.100.7"),
                List.of("10.0.1.7"), Map.of("Name", "web-01"), Optional.of("t3.micro"), Optional.empty(), Optional.of("running"));
    }

    private JourneyRun run(FakeSourceProvider source, MigrationFile file) {
        return new JourneyRun(sandbox, folder, store, events::add, source, file, PASSWORD, TIMING);
    }

    @Test
    void writesTheDiskThroughTheHelperBootsItByDirectDiskThenPlansNoChangesAndDestroysAll() {
        long size = 26 * MIB + 4096;
        Path disk = bootableDisk(folder, size);
        FakeSourceProvider source = new FakeSourceProvider(machine(size), FirewallResourceTest.webServer(), disk);
        MigrationFile file = TestFiles.load(FILE, folder);

        try (JourneyRun run = run(source, file)) {
            Plan plan = run.plan(false);
            assertThat(plan.change(ResourceAddress.parse("linode_image.web-01"))).as("no image on the disk road").isEmpty();
            for (String address : List.of("linode_instance.web-01", "linode_disk.web-01", "linode_disk_write.web-01",
                    "linode_config.web-01", "linode_firewall.web-01")) {
                assertThat(change(plan, address).action()).as(address).isEqualTo(Action.CREATE);
            }
            assertThat(change(plan, "linode_disk.web-01").after().get("size_mb").asLong()).isEqualTo(27);
            assertThat(change(plan, "linode_disk_write.web-01").notes()).extracting(Note::text)
                    .anySatisfy(text -> assertThat(text).contains("temporary helper").contains("linode/debian12"));

            ApplyResult applied = run.apply(plan);

            assertThat(applied.failures()).isEmpty();
            LinodeInstance linode = sandbox.world().linode().instances().get(0);
            assertThat(linode.status()).isEqualTo("running");
            assertThat(linode.image()).as("made with no image").isNull();
            var disks = sandbox.world().linode().disks(linode.id());
            assertThat(disks).as("the helper disk is gone").singleElement()
                    .satisfies(d -> assertThat(d.filesystem()).isEqualTo("raw"));
            assertThat(sandbox.world().linode().diskSha256(disks.get(0).id(), size))
                    .as("the Linode disk holds the source's bytes").isEqualTo(TestDisks.sha256(disk));
            var configs = sandbox.world().linode().configs(linode.id());
            assertThat(configs).as("the helper config is gone").singleElement().satisfies(config -> {
                assertThat(config.kernel()).isEqualTo("linode/direct-disk");
                assertThat(config.rootDevice()).isEqualTo("/dev/sda");
            });
            Firewall firewall = sandbox.world().linode().firewalls().get(0);
            assertThat(firewall.devices()).extracting(device -> device.entityId()).containsExactly(linode.id());
            assertThat(sandbox.requests().count("linode:POST /linode/instances/{linodeId}/disks"))
                    .as("the raw disk and one helper disk").isEqualTo(2);

            Plan second = run.plan(false);
            assertThat(second.changes()).filteredOn(c -> c.action().isChange()).as("a second plan has no changes").isEmpty();

            ApplyResult destroyed = run.apply(run.plan(true));
            assertThat(destroyed.failures()).isEmpty();
            assertThat(sandbox.world().linode().instances()).isEmpty();
            assertThat(sandbox.world().linode().firewalls()).isEmpty();
        }
    }

    @Test
    void whereTheSourceNeverWroteButTheLinodeDiskIsNotZerosTheZerosAreWrittenToo() {
        long size = 26 * MIB + 4096;
        Path disk = bootableDisk(folder, size);
        // the source lists what it wrote, as a snapshot does: the rest is holes that the helper checks for zeros
        try {
            java.nio.file.Files.writeString(disk.resolveSibling("root.img.extents"), "0 512\n" + MIB + " " + MIB + "\n"
                    + (9 * MIB + 4096) + " " + MIB + "\n" + (size - MIB / 2) + " " + MIB / 2 + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        FakeSourceProvider source = new FakeSourceProvider(machine(size), FirewallResourceTest.webServer(), disk);
        MigrationFile file = TestFiles.load(FILE, folder);
        byte[] old = new byte[4096];
        Arrays.fill(old, (byte) 0x5a);
        ResourceAddress write = ResourceAddress.parse("linode_disk_write.web-01");

        try (JourneyRun run = new JourneyRun(sandbox, folder, store, event -> {
            events.add(event);
            if (event instanceof Event.StepStarted started && started.address().equals(write)) {
                // old bytes in a hole of the source (between 10 MiB and the last half MiB), before the helper looks
                LinodeInstance linode = sandbox.world().linode().instances().get(0);
                sandbox.world().linode().scribble(sandbox.world().linode().disks(linode.id()).get(0).id(), 17 * MIB, old);
                    }
        }, source, file, PASSWORD, TIMING)) {
            ApplyResult applied = run.apply(run.plan(false));

            assertThat(applied.failures()).isEmpty();
            LinodeInstance linode = sandbox.world().linode().instances().get(0);
            var disks = sandbox.world().linode().disks(linode.id());
            assertThat(sandbox.world().linode().diskSha256(disks.get(0).id(), size))
                    .as("the old bytes where the source has zeros were overwritten").isEqualTo(TestDisks.sha256(disk));
        }
    }

    @Test
    void anSshSessionCutInTheMiddleOfAChunkStartsThatChunkOverAndTheDiskStillMatches() {
        long size = 14 * MIB;
        Path disk = bootableDisk(folder, size);
        sandbox.faults().set("services=linode-ssh,actions=W,cut=1,cut-after=256KiB,count=2");
        FakeSourceProvider source = new FakeSourceProvider(machine(size), FirewallResourceTest.webServer(), disk);

        try (JourneyRun run = run(source, TestFiles.load(FILE, folder))) {
            ApplyResult applied = run.apply(run.plan(false));

            assertThat(applied.failures()).isEmpty();
            LinodeInstance linode = sandbox.world().linode().instances().get(0);
            var raw = sandbox.world().linode().disks(linode.id()).get(0);
            assertThat(sandbox.world().linode().diskSha256(raw.id(), size)).isEqualTo(TestDisks.sha256(disk));
            assertThat(events).filteredOn(e -> e instanceof Event.StepProgress p && p.status().contains("starts over"))
                    .as("the cut chunks were said to start over").hasSizeGreaterThanOrEqualTo(1);
        }
    }

    @Test
    void anApplyStoppedMidWriteGoesOnNextRunAfterTheVerifiedChunksWithAHelperBuiltAgain() {
        long size = 26 * MIB + 4096;
        Path disk = bootableDisk(folder, size);
        FakeSourceProvider source = new FakeSourceProvider(machine(size), FirewallResourceTest.webServer(), disk);
        MigrationFile file = TestFiles.load(FILE, folder);
        Cancellation stop = new Cancellation();
        events.clear();

        try (JourneyRun first = new JourneyRun(sandbox, folder, store, event -> {
            events.add(event);
            if (event instanceof Event.BytesProgress bytes && bytes.bytes() >= 4 * CHUNK && !stop.isRequested()) {
                stop.request();
            }
        }, source, file, PASSWORD, TIMING)) {
            ApplyResult stopped = first.apply(first.plan(false), stop);
            assertThat(stopped.succeeded()).isFalse();
        }
        LinodeInstance linode = sandbox.world().linode().instances().get(0);
        assertThat(sandbox.world().linode().configs(linode.id())).as("stopped with the helper in place")
                .extracting(c -> c.label()).containsExactly(LinodeMachine.HELPER_LABEL);
        events.clear();

        try (JourneyRun second = run(source, file)) {
            ApplyResult applied = second.apply(second.plan(false));

            assertThat(applied.failures()).isEmpty();
            assertThat(sandbox.world().linode().instances()).as("no twin Linode").hasSize(1);
            var disks = sandbox.world().linode().disks(linode.id());
            assertThat(disks).as("one raw disk, the helpers gone").singleElement();
            assertThat(sandbox.world().linode().diskSha256(disks.get(0).id(), size)).isEqualTo(TestDisks.sha256(disk));
            assertThat(sandbox.requests().count("linode:POST /linode/instances/{linodeId}/disks"))
                    .as("the raw disk once, the helper twice (its key died with the first run)").isEqualTo(3);
            String resumed = events.stream().filter(e -> e instanceof Event.StepProgress)
                    .map(e -> ((Event.StepProgress) e).status()).filter(text -> text.contains("were written and verified by an earlier run"))
                    .findFirst().orElseThrow(() -> new AssertionError("no word of the chunks kept from the first run"));
            int kept = Integer.parseInt(resumed.substring(0, resumed.indexOf(' ')));
            assertThat(kept).as(resumed).isBetween(1, 6);
            long resent = events.stream().filter(e -> e instanceof Event.BytesProgress).map(e -> (Event.BytesProgress) e)
                    .mapToLong(Event.BytesProgress::bytes).min().orElseThrow();
            assertThat(resent).as("the second run starts past the chunks verified before the stop").isGreaterThanOrEqualTo(kept * CHUNK);
        }
    }

    private static MachineFacts withDataVolume(MachineFacts base, Optional<String> bootMode) {
        return new MachineFacts(base.source(), base.name(), base.vcpus(), base.memoryMib(), base.architecture(),
                base.platform(), base.osName(), List.of(base.disks().get(0), new MachineFacts.Disk("/dev/sdf", 100L << 30, false,
                        Optional.of("gp3"), false)), base.publicAddresses(), base.privateAddresses(), base.tags(), base.sizeName(),
                base.price(), base.powerState(), bootMode);
    }

    @Test
    void aDataVolumeIsWrittenOntoABlockStorageVolumeThroughTheHelperAndAttachedAfterTheRawDisk() {
        long size = 14 * MIB;
        Path disk = bootableDisk(folder, size);
        Path data = TestDisks.raw(folder, "data", 9 * MIB + 512, 11);
        FakeSourceProvider source = new FakeSourceProvider(withDataVolume(machine(size), Optional.empty()),
                FirewallResourceTest.webServer(), disk, Optional.of(List.of(data)));
        OpenApiCheck openApi = OpenApiCheck.attachTo(sandbox);

        try (JourneyRun run = run(source, TestFiles.load(FILE, folder))) {
            Plan plan = run.plan(false);
            assertThat(change(plan, "linode_volumes.web-01").action()).isEqualTo(Action.CREATE);
            assertThat(change(plan, "linode_instance.web-01").notes()).extracting(Note::text)
                    .noneSatisfy(text -> assertThat(text).contains("does not move"));

            ApplyResult applied = run.apply(plan);

            assertThat(applied.failures()).isEmpty();
            LinodeInstance linode = sandbox.world().linode().instances().get(0);
            var volumes = sandbox.world().linode().volumes();
            assertThat(volumes).singleElement().satisfies(volume -> {
                assertThat(volume.sizeGb()).isEqualTo(100);
                assertThat(volume.linodeId()).isEqualTo(linode.id());
            });
            assertThat(sandbox.world().linode().volumeSha256(volumes.get(0).id(), 9 * MIB + 512)).isEqualTo(TestDisks.sha256(data));
            assertThat(sandbox.world().linode().configs(linode.id())).singleElement()
                    .satisfies(config -> assertThat(config.devices().get("sdb").volumeId()).isEqualTo(volumes.get(0).id()));
            assertThat(run.plan(false).changes()).filteredOn(c -> c.action().isChange()).as("no changes after").isEmpty();

            ApplyResult destroyed = run.apply(run.plan(true));
            assertThat(destroyed.failures()).isEmpty();
            assertThat(sandbox.world().linode().volumes()).isEmpty();
        }
        openApi.assertNoViolations();
    }

    @Test
    void aDataVolumeIsNamedInThePlanAsNotMoved() {
        long size = 14 * MIB;
        Path disk = bootableDisk(folder, size);
        FakeSourceProvider source = new FakeSourceProvider(withDataVolume(machine(size), Optional.of("uefi-preferred")),
                FirewallResourceTest.webServer(), disk);

        try (JourneyRun run = run(source, TestFiles.load(FILE, folder))) {
            Plan plan = run.plan(false);
            assertThat(change(plan, "linode_instance.web-01").notes()).filteredOn(n -> n.level() == Note.Level.WARNING)
                    .extracting(Note::text).anySatisfy(text -> assertThat(text).contains("/dev/sdf (100 GiB)")
                            .contains("does not move"));
        }
    }

    @Test
    void aUefiOnlySourceIsRefusedBeforeAnythingIsMade() {
        long size = 14 * MIB;
        Path disk = bootableDisk(folder, size);
        FakeSourceProvider source = new FakeSourceProvider(withDataVolume(machine(size), Optional.of(MachineFacts.UEFI)),
                FirewallResourceTest.webServer(), disk);

        try (JourneyRun run = run(source, TestFiles.load(FILE, folder))) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> run.plan(false))
                    .hasMessageContaining("boots with UEFI only")
                    .hasMessageContaining("target.linode.via: image");
        }
        assertThat(sandbox.requests().count("linode:POST /linode/instances")).as("nothing made").isZero();
    }

    @Test
    void aUefiOnlySourceTooLargeForAnImageIsRefusedSayingWhyTheDiskRoadWasTaken() {
        Path disk = bootableDisk(folder, 14 * MIB);
        FakeSourceProvider source = new FakeSourceProvider(withDataVolume(machine(8L << 30), Optional.of(MachineFacts.UEFI)),
                FirewallResourceTest.webServer(), disk);
        String withoutVia = FILE.replace("        via: disk\n", "        root_pass: ${env:ROOT_PASSWORD}\n");

        try (JourneyRun run = run(source, TestFiles.load(withoutVia, folder))) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> run.plan(false))
                    .hasMessageContaining("boots with UEFI only")
                    .hasMessageContaining("so the disk road (the 8 GiB root volume of i-0e1dc0292b0ae7293 (/dev/xvda) is over Linode's"
                            + " 6 GiB image limit) would leave it unbootable");
        }
        assertThat(sandbox.requests().count("linode:POST /linode/instances")).as("nothing made").isZero();
    }

    @Test
    void aTenthOfTheLinodeApiCallsFailingAndAnSshCutAreSurvived() {
        long size = 14 * MIB;
        Path disk = bootableDisk(folder, size);
        sandbox.faults().set("services=linode,rate=0.1,statuses=500,503,429,cut=0.03,seed=14;"
                + " services=linode-ssh,actions=W,cut=1,cut-after=1MiB,count=1");
        FakeSourceProvider source = new FakeSourceProvider(machine(size), FirewallResourceTest.webServer(), disk);

        try (JourneyRun run = run(source, TestFiles.load(FILE, folder))) {
            ApplyResult applied = run.apply(run.plan(false));

            assertThat(applied.failures()).isEmpty();
            assertThat(sandbox.world().linode().instances()).as("no twin Linode").hasSize(1);
            LinodeInstance linode = sandbox.world().linode().instances().get(0);
            var disks = sandbox.world().linode().disks(linode.id());
            assertThat(disks).as("one raw disk, no twin, no helper").singleElement();
            assertThat(sandbox.world().linode().diskSha256(disks.get(0).id(), size)).isEqualTo(TestDisks.sha256(disk));
            assertThat(sandbox.world().linode().configs(linode.id())).singleElement();
            assertThat(sandbox.requests().all().stream().filter(r -> r.service().equals("linode") && r.status() >= 500))
                    .as("faults were injected").isNotEmpty();
        }
    }
}
