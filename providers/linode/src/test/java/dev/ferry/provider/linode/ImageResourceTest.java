package dev.ferry.provider.linode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.engine.FerryException;
import dev.ferry.engine.machine.DiskImage;
import dev.ferry.engine.machine.MachineFacts;
import dev.ferry.engine.provider.ManagedResourceType;
import dev.ferry.engine.provider.Note;
import dev.ferry.engine.provider.Observation;
import dev.ferry.engine.provider.Operation;
import dev.ferry.engine.provider.Outcome;
import dev.ferry.engine.provider.PlanRequest;
import dev.ferry.engine.provider.PlanResult;
import dev.ferry.engine.provider.PriorState;
import dev.ferry.engine.provider.RefreshRequest;
import dev.ferry.engine.resource.Attributes;
import dev.ferry.engine.resource.Identity;
import dev.ferry.engine.resource.ResourceAddress;
import dev.ferry.sandbox.Sandbox;
import dev.ferry.sandbox.linode.LinodeLimits;
import dev.ferry.sandbox.world.LinodeImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@code linode_image} against the sandbox: plan checks, the upload, its retries and resumption, and the rest of its life. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ImageResourceTest {

    private final Sandbox sandbox = LinodeSandbox.start();

    @RegisterExtension
    final OpenApiCheck openApi = OpenApiCheck.attachTo(sandbox);

    @TempDir
    Path folder;

    private final LinodeSession session = new LinodeSession(LinodeSandbox.client(sandbox), reference -> {
        throw new FerryException("no secrets here");
    }, LinodeSandbox.TIMING);
    private final ManagedResourceType images = (ManagedResourceType) session.resourceTypes().get(0);

    @AfterEach
    void clearFaults() {
        sandbox.faults().clear();
    }

    @AfterAll
    void stop() {
        sandbox.close();
    }

    static Attributes arguments(JsonNode source) {
        return Attributes.builder()
                .known("source", source)
                .known("label", JsonNodeFactory.instance.textNode("web-01"))
                .known("region", JsonNodeFactory.instance.textNode("us-lax"))
                .known("description", JsonNodeFactory.instance.textNode("Disk of web-01, uploaded by ferry"))
                .known("tags", JsonNodeFactory.instance.arrayNode().add("migrated"))
                .known("cloud_init", JsonNodeFactory.instance.booleanNode(false))
                .build();
    }

    static MachineFacts machine(long rootBytes) {
        return new MachineFacts("ec2", "i-0123456789abcdef0", 2, 4096, null, null, Optional.empty(),
                List.of(new MachineFacts.Disk("/dev/xvda", rootBytes, true, Optional.of("gp3"), false)), List.of(), List.of(),
                Map.of(), Optional.of("t3.medium"), Optional.of(new MachineFacts.Price(30.37, "On-Demand Linux, us-west-1")),
                Optional.empty());
    }

    /** Follows an operation until it ends, as the engine does. */
    static Outcome drive(ManagedResourceType type, FakeApplyContext context, Outcome outcome) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (outcome instanceof Outcome.InProgress progress) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("still " + progress.status() + " after 30 s");
            }
            try {
                Thread.sleep(Math.max(5, progress.pollAfter().toMillis()));
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
            outcome = type.poll(context, progress.operation());
        }
        return outcome;
    }

    private FakeApplyContext context(String name, Attributes arguments) {
        return new FakeApplyContext(FakeApplyContext.identity("linode_image." + name), arguments, Optional.empty(), Map.of());
    }

    private Path disk(String name, long bytes) {
        return TestDisks.raw(folder, name, bytes, name.hashCode());
    }

    private Outcome.Done upload(FakeApplyContext context) {
        return (Outcome.Done) drive(images, context, images.create(context));
    }

    @Test
    void uploadsTheDiskGzippedAndWaitsUntilTheImageIsAvailable() {
        Path disk = disk("upload", 6 * 1024 * 1024 + 4321);
        FakeApplyContext context = context("upload", arguments(TestDisks.diskImage(disk)));
        long puts = sandbox.requests().count("linode-upload:PUT /linode-uploads/{id}");

        Outcome.Done done = upload(context);

        ObjectNode outputs = done.outputs();
        assertThat(done.id()).startsWith("private/");
        assertThat(outputs.get("status").asText()).isEqualTo("available");
        assertThat(outputs.get("raw_bytes").asLong()).isEqualTo(6 * 1024 * 1024 + 4321);
        assertThat(outputs.get("raw_sha256").asText()).isEqualTo(TestDisks.sha256(disk));
        LinodeImage image = sandbox.world().linode().image(done.id()).orElseThrow();
        assertThat(image.upload().rawSha256()).as("what Linode inflated").isEqualTo(TestDisks.sha256(disk));
        assertThat(image.upload().gzipSha256()).isEqualTo(outputs.get("gzip_sha256").asText());
        assertThat(image.upload().gzipBytes()).isEqualTo(outputs.get("gzip_bytes").asLong());
        assertThat(image.tags()).contains("migrated", "ferry-id:" + context.identity().token(), "ferry:linode_image.upload");
        assertThat(image.label()).isEqualTo("web-01");
        assertThat(sandbox.requests().count("linode-upload:PUT /linode-uploads/{id}")).isEqualTo(puts + 1);
        assertThat(context.checkpoints).extracting(Operation::phase).containsExactly("upload", "processing");
        assertThat(context.checkpoints.get(0).resourceId()).contains(done.id());
        assertThat(context.transferred).last().satisfies(last -> assertThat(last[0]).isEqualTo(last[1]));
    }

    @Test
    void aBrokenUploadStartsAgainOnAFreshUploadAndTheDeadImageIsDeleted() {
        sandbox.faults().set("services=linode-upload,cut=1,cut-direction=request,count=1");
        Path disk = disk("broken", 3 * 1024 * 1024);
        FakeApplyContext context = context("broken", arguments(TestDisks.diskImage(disk)));

        Outcome.Done done = upload(context);

        List<Operation> uploads = context.checkpoints.stream().filter(op -> op.phase().equals("upload")).toList();
        assertThat(uploads).hasSize(2);
        String dead = uploads.get(0).id();
        assertThat(dead).isNotEqualTo(done.id());
        assertThat(uploads.get(1).id()).isEqualTo(done.id());
        assertThat(sandbox.world().linode().image(dead)).as("the dead upload").isEmpty();
        assertThat(done.outputs().get("raw_sha256").asText()).isEqualTo(TestDisks.sha256(disk));
        assertThat(context.progress).anySatisfy(line -> assertThat(line).contains("upload attempt 2 starts over on a fresh upload"));
        assertThat(images.findExisting(context.identity(), context.arguments())).map(ManagedResourceType.Found::id).contains(done.id());
    }

    @Test
    void anUploadWhoseOpeningAnswerWasLostLeavesNoOrphan() {
        sandbox.faults().set("services=linode,actions=POST /images/upload,cut=1,cut-direction=response,count=1");
        FakeApplyContext context = context("lost-answer", arguments(TestDisks.diskImage(disk("lost-answer", 1024 * 1024))));

        Outcome.Done done = upload(context);

        assertThat(sandbox.world().linode().images()).filteredOn(i -> i.tags().contains("ferry:linode_image.lost-answer"))
                .singleElement().satisfies(image -> assertThat(image.id()).isEqualTo(done.id()));
    }

    @Test
    void anUploadInterruptedBeforeItsBodyArrivedIsUploadedAfreshOnResume() {
        Path disk = disk("resume", 16 * 1024 * 1024);
        FakeApplyContext first = context("resume", arguments(TestDisks.diskImage(disk)));
        // The user stops ferry as soon as the upload is open (and recorded).
        first.cancelWhen(() -> !first.checkpoints.isEmpty());

        Outcome stopped = images.create(first);

        assertThat(stopped).isInstanceOfSatisfying(Outcome.InProgress.class,
                progress -> assertThat(progress.operation().phase()).isEqualTo("upload"));
        Operation recorded = ((Outcome.InProgress) stopped).operation();
        assertThat(sandbox.world().linode().image(recorded.id()).orElseThrow().status()).isEqualTo("pending_upload");

        FakeApplyContext resumed = context("resume", arguments(TestDisks.diskImage(disk)));
        Outcome.Done done = (Outcome.Done) drive(images, resumed, images.poll(resumed, recorded));

        assertThat(done.id()).isNotEqualTo(recorded.id());
        assertThat(sandbox.world().linode().image(recorded.id())).isEmpty();
        assertThat(done.outputs().get("raw_sha256").asText()).isEqualTo(TestDisks.sha256(disk));
        assertThat(sandbox.world().linode().images()).filteredOn(i -> i.tags().contains("ferry:linode_image.resume")).hasSize(1);
    }

    @Test
    void anUploadWhoseBodyHadArrivedIsOnlyWaitedForOnResume() {
        Path disk = disk("arrived", 2 * 1024 * 1024);
        FakeApplyContext first = context("arrived", arguments(TestDisks.diskImage(disk)));
        Outcome afterUpload = images.create(first);
        Operation uploadPhase = first.checkpoints.get(0);
        long posts = sandbox.requests().count("linode:POST /images/upload");

        // The run died after the body went out but before "processing" was recorded.
        FakeApplyContext resumed = context("arrived", arguments(TestDisks.diskImage(disk)));
        Outcome.Done done = (Outcome.Done) drive(images, resumed, images.poll(resumed, uploadPhase));

        assertThat(afterUpload).isInstanceOf(Outcome.InProgress.class);
        assertThat(done.id()).isEqualTo(uploadPhase.id());
        assertThat(sandbox.requests().count("linode:POST /images/upload")).isEqualTo(posts);
        assertThat(done.outputs().get("raw_sha256").isNull()).as("the digests were lost with the run").isTrue();
    }

    @Test
    void anImageLinodeRefusesIsReportedWithTheReasonFromTheEvents() {
        try (Sandbox strict = LinodeSandbox.start(new LinodeLimits(LinodeLimits.GIB, 1024 * 1024))) {
            OpenApiCheck validator = OpenApiCheck.attachTo(strict);
            LinodeSession strictSession = new LinodeSession(LinodeSandbox.client(strict), reference -> {
                throw new FerryException("no secrets");
            }, LinodeSandbox.TIMING);
            ManagedResourceType strictImages = (ManagedResourceType) strictSession.resourceTypes().get(0);
            FakeApplyContext context = context("refused", arguments(TestDisks.diskImage(disk("refused", 2 * 1024 * 1024))));

            assertThatThrownBy(() -> drive(strictImages, context, strictImages.create(context)))
                    .isInstanceOf(FerryException.class)
                    .hasMessageStartingWith("the Linode image private/")
                    .hasMessageContaining("is gone: its upload failed: Image upload failed: the uncompressed image is larger than the"
                            + " 1048576 bytes allowed");
            validator.assertNoViolations();
        }
    }

    @Test
    void findsAnImageWhoseCreateWasNeverRecordedAndNothingOfAnotherIdentity() {
        FakeApplyContext context = context("lost", arguments(TestDisks.diskImage(disk("lost", 1024 * 1024))));
        Outcome.Done done = upload(context);

        assertThat(images.findExisting(context.identity(), context.arguments()))
                .hasValueSatisfying(found -> {
                    assertThat(found.id()).isEqualTo(done.id());
                    assertThat(found.pending()).isEmpty();
                });
        Identity other = new Identity(ResourceAddress.parse("linode_image.lost"), "another-lineage", 1);
        assertThat(images.findExisting(other, context.arguments())).isEmpty();
    }

    @Test
    void refreshShowsWhatCanChangeAndKeepsTheDigestsAndUpdateChangesLabelAndTagsInPlace() {
        FakeApplyContext context = context("kept", arguments(TestDisks.diskImage(disk("kept", 1024 * 1024))));
        Outcome.Done done = upload(context);
        ResourceAddress address = context.identity().address();
        ObjectNode recorded = context.arguments().knownValues();

        Observation observed = images.refresh(List.of(new RefreshRequest(address, done.id(), recorded, done.outputs()))).get(address);

        assertThat(observed).isInstanceOfSatisfying(Observation.Exists.class, exists -> {
            assertThat(exists.arguments().get("label").asText()).isEqualTo("web-01");
            assertThat(exists.arguments().get("tags")).containsExactly(JsonNodeFactory.instance.textNode("migrated"));
            assertThat(exists.arguments().get("cloud_init").asBoolean()).isFalse();
            exists.arguments().properties().forEach(field -> assertThat(field.getValue())
                    .as("no drift in " + field.getKey()).isEqualTo(recorded.get(field.getKey())));
            assertThat(exists.outputs().get("raw_sha256")).isEqualTo(done.outputs().get("raw_sha256"));
        });

        Attributes changed = context.arguments().with("label", JsonNodeFactory.instance.textNode("web-01-disk"))
                .with("tags", JsonNodeFactory.instance.arrayNode().add("migrated").add("prod"));
        FakeApplyContext update = new FakeApplyContext(context.identity(), changed,
                Optional.of(new PriorState(done.id(), recorded, done.outputs())), Map.of());
        Outcome.Done updated = (Outcome.Done) images.update(update);

        LinodeImage image = sandbox.world().linode().image(done.id()).orElseThrow();
        assertThat(image.label()).isEqualTo("web-01-disk");
        assertThat(image.tags()).contains("migrated", "prod", "ferry-id:" + context.identity().token());
        assertThat(updated.outputs().get("raw_sha256")).isEqualTo(done.outputs().get("raw_sha256"));
    }

    @Test
    void refreshesManyImagesWithOneListing() throws InterruptedException {
        Outcome.Done a = upload(context("many-a", arguments(TestDisks.diskImage(disk("many-a", 1024 * 1024)))));
        Outcome.Done b = upload(context("many-b", arguments(TestDisks.diskImage(disk("many-b", 1024 * 1024)))));
        ObjectNode none = JsonNodeFactory.instance.objectNode();
        Thread.sleep(200); // the request log is written as each exchange ends
        long lists = sandbox.requests().count("linode:GET /images");
        long reads = sandbox.requests().count("linode:GET /images/{imageId}");

        Map<ResourceAddress, Observation> observed = images.refresh(List.of(
                new RefreshRequest(ResourceAddress.parse("linode_image.a"), a.id(), none, a.outputs()),
                new RefreshRequest(ResourceAddress.parse("linode_image.b"), b.id(), none, b.outputs()),
                new RefreshRequest(ResourceAddress.parse("linode_image.c"), "private/99999999", none, none)));

        assertThat(observed.get(ResourceAddress.parse("linode_image.a"))).isInstanceOf(Observation.Exists.class);
        assertThat(observed.get(ResourceAddress.parse("linode_image.b"))).isInstanceOfSatisfying(Observation.Exists.class,
                exists -> assertThat(exists.outputs().get("raw_sha256")).isEqualTo(b.outputs().get("raw_sha256")));
        assertThat(observed.get(ResourceAddress.parse("linode_image.c"))).isInstanceOf(Observation.Gone.class);
        dev.ferry.sandbox.TestSandboxes.waitUntil("the listing logged", Duration.ofSeconds(5),
                () -> sandbox.requests().count("linode:GET /images") == lists + 1);
        assertThat(sandbox.requests().count("linode:GET /images/{imageId}")).isEqualTo(reads);
    }

    @Test
    void deleteRefusesAnImageWithoutTheIdentityAndRemovesItsOwn() {
        FakeApplyContext context = context("deleted", arguments(TestDisks.diskImage(disk("deleted", 1024 * 1024))));
        Outcome.Done done = upload(context);
        PriorState prior = new PriorState(done.id(), context.arguments().knownValues(), done.outputs());
        FakeApplyContext stranger = new FakeApplyContext(FakeApplyContext.identity("linode_image.someone-else"),
                context.arguments(), Optional.of(prior), Map.of());
        FakeApplyContext owner = new FakeApplyContext(context.identity(), context.arguments(), Optional.of(prior), Map.of());

        assertThatThrownBy(() -> images.delete(stranger))
                .isInstanceOf(FerryException.class)
                .hasMessageContaining("does not carry ferry's tag ferry-id:")
                .hasMessageContaining("so ferry will not delete it");
        assertThat(sandbox.world().linode().image(done.id())).isPresent();

        assertThat(images.delete(owner)).isInstanceOf(Outcome.Deleted.class);
        assertThat(sandbox.world().linode().image(done.id())).isEmpty();
        assertThat(images.delete(owner)).as("deleting again").isInstanceOf(Outcome.Deleted.class);
        ResourceAddress address = context.identity().address();
        assertThat(images.refresh(List.of(new RefreshRequest(address, done.id(), prior.arguments(), prior.outputs()))).get(address))
                .isInstanceOf(Observation.Gone.class);
    }

    // ---- plan ----

    private PlanResult plan(Attributes desired) {
        return images.plan(new PlanRequest(ResourceAddress.parse("linode_image.plan"), desired, Optional.empty()));
    }

    private static Attributes withMachine(Attributes arguments, MachineFacts machine) {
        return arguments.with("machine", machine.toJson());
    }

    @Test
    void whileTheExportIsUnknownTheRootVolumeIsCheckedAgainstSixGib() {
        Attributes desired = arguments(JsonNodeFactory.instance.nullNode()).toBuilder().unknown("source").build();

        PlanResult tooBig = plan(withMachine(desired, machine(8L * 1024 * 1024 * 1024)));
        PlanResult fits = plan(withMachine(desired, machine(4L * 1024 * 1024 * 1024)));

        assertThat(tooBig.errors()).singleElement().asString()
                .contains("the root volume of i-0123456789abcdef0 (/dev/xvda) is 8 GiB")
                .contains("at most 6 GiB uncompressed (5 GiB gzipped)")
                .contains("Take the disk road (target.linode.via: disk)")
                .contains("an EBS volume cannot be shrunk")
                .doesNotContain("Shrink the root file system");
        assertThat(fits.errors()).isEmpty();
        assertThat(fits.notes()).extracting(Note::text).anySatisfy(text -> assertThat(text).contains("the image is 4 GiB raw"));
        assertThat(fits.planned().has("machine")).as("machine is consumed by the plan").isFalse();
        assertThat(fits.planned().isUnknown("raw_size_bytes")).isTrue();
    }

    @Test
    void onceTheExportIsKnownItsSizeAndFormatAreChecked() {
        ObjectNode location = JsonNodeFactory.instance.objectNode().put("bucket", "b").put("key", "exports/x.raw").put("region", "us-west-1");
        JsonNode big = new DiskImage("s3", "raw", 7L * 1024 * 1024 * 1024, location, "s3://b/exports/x.raw").toJson();
        JsonNode vmdk = new DiskImage("s3", "vmdk", 1024L * 1024 * 1024, location, "s3://b/exports/x.vmdk").toJson();
        JsonNode good = new DiskImage("s3", "raw", 2L * 1024 * 1024 * 1024, location, "s3://b/exports/x.raw").toJson();

        assertThat(plan(arguments(big)).errors()).singleElement().asString()
                .contains("the exported disk image s3://b/exports/x.raw is 7 GiB");
        assertThat(plan(arguments(vmdk)).errors()).singleElement().asString()
                .contains("Linode imports only raw disk images").contains("is vmdk");
        PlanResult ok = plan(withMachine(arguments(good), machine(8L * 1024 * 1024 * 1024)));
        assertThat(ok.errors()).as("the export, not the volume, decides once known").isEmpty();
        assertThat(ok.planned().get("raw_size_bytes").asLong()).isEqualTo(2L * 1024 * 1024 * 1024);
    }

    @Test
    void aMisspeltRegionIsCaughtAtPlanTime() {
        Path disk = disk("region", 1024 * 1024);
        Attributes desired = arguments(TestDisks.diskImage(disk)).with("region", JsonNodeFactory.instance.textNode("us-laxx"));

        assertThat(plan(desired).errors()).singleElement().asString()
                .contains("region 'us-laxx' is not a Linode region; did you mean us-lax?");
    }

    @Test
    void uploadedBytesAreNeverOnDiskAndTheFileIsUntouched() throws Exception {
        Path disk = disk("untouched", 1024 * 1024);
        String before = TestDisks.sha256(disk);
        long files;
        try (var listing = Files.list(folder)) {
            files = listing.count();
        }

        upload(context("untouched", arguments(TestDisks.diskImage(disk))));

        assertThat(TestDisks.sha256(disk)).isEqualTo(before);
        try (var listing = Files.list(folder)) {
            assertThat(listing.count()).isEqualTo(files);
        }
    }
}
