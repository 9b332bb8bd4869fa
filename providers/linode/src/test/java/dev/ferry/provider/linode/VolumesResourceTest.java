package dev.ferry.provider.linode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.engine.FerryException;
import dev.ferry.engine.machine.MachineFacts;
import dev.ferry.engine.provider.ManagedResourceType;
import dev.ferry.engine.provider.Note;
import dev.ferry.engine.provider.Outcome;
import dev.ferry.engine.provider.PlanRequest;
import dev.ferry.engine.provider.PlanResult;
import dev.ferry.engine.provider.PriorState;
import dev.ferry.engine.resource.Attributes;
import dev.ferry.engine.resource.ResourceAddress;
import dev.ferry.sandbox.Sandbox;
import dev.ferry.sandbox.world.LinodeVolume;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code linode_volumes} against the sandbox: what the plan lists and costs, creation found again by label, destroy. */
class VolumesResourceTest {

    private static final long GIB = 1024L * 1024 * 1024;

    private final Sandbox sandbox = LinodeSandbox.start();

    @RegisterExtension
    final OpenApiCheck openApi = OpenApiCheck.attachTo(sandbox);

    private final LinodeClient client = LinodeSandbox.client(sandbox);
    private final ManagedResourceType volumes = new VolumesResource(client, new LinodeCatalog(client), LinodeSandbox.TIMING);

    @AfterEach
    void stop() {
        sandbox.close();
    }

    private static MachineFacts machine(MachineFacts.Disk... others) {
        List<MachineFacts.Disk> disks = new ArrayList<>();
        disks.add(new MachineFacts.Disk("vol-0root", 8 * GIB, true, Optional.of("gp3"), false));
        disks.addAll(List.of(others));
        return new MachineFacts("ec2", "files-01", 2, 4096, null, null, Optional.empty(), disks, List.of(), List.of(), Map.of(),
                Optional.of("t3.medium"), Optional.empty(), Optional.empty());
    }

    private static MachineFacts.Disk data(String name, long bytes) {
        return new MachineFacts.Disk(name, bytes, false, Optional.of("gp3"), false);
    }

    private static Attributes desired(String region, String label, MachineFacts machine) {
        return Attributes.builder()
                .known("linode_id", JsonNodeFactory.instance.textNode("4001"))
                .known("label", JsonNodeFactory.instance.textNode(label))
                .known("region", JsonNodeFactory.instance.textNode(region))
                .known("tags", JsonNodeFactory.instance.arrayNode().add("migrated"))
                .known("machine", machine.toJson())
                .build();
    }

    private PlanResult plan(Attributes desired) {
        return volumes.plan(new PlanRequest(ResourceAddress.parse("linode_volumes.files-01"), desired, Optional.empty()));
    }

    private static List<String> texts(PlanResult plan) {
        return plan.notes().stream().map(Note::text).toList();
    }

    @Test
    void thePlanListsEachVolumeBesidesTheRootWithItsSizeMonthlyPriceAndDevice() {
        PlanResult plan = plan(desired("us-lax", "files-01", machine(data("vol-0data1", 20 * GIB), data("vol-0data2", 3 * GIB / 2))));

        assertThat(plan.errors()).isEmpty();
        assertThat(texts(plan)).contains(
                "volume vol-0data1 (20 GiB) becomes the Block Storage volume files-01-data-1 of 20 GB in us-lax, $2.00/month;"
                        + " written through the helper from its own snapshot, each chunk's SHA-256 checked, then attached as /dev/sdb",
                "volume vol-0data2 (1.5 GiB) becomes the Block Storage volume files-01-data-2 of 10 GB in us-lax, $1.00/month;"
                        + " written through the helper from its own snapshot, each chunk's SHA-256 checked, then attached as /dev/sdc",
                "Block Storage in all: $3.00/month");
        JsonNode planned = plan.planned().get("volumes");
        assertThat(planned).hasSize(2);
        assertThat(planned.get(0).path("size_gb").asInt()).isEqualTo(20);
        assertThat(planned.get(1).path("size_gb").asInt()).as("Linode's smallest volume").isEqualTo(10);
        assertThat(plan.planned().isKnown("machine")).as("the facts are replaced by the volumes they call for").isFalse();
    }

    @Test
    void aVolumeIsRoundedUpToWholeGbAndPricedAtItsRegionsRate() {
        PlanResult plan = plan(desired("id-cgk", "files-01", machine(data("vol-0data1", 16 * GIB + 1))));

        assertThat(plan.planned().get("volumes").get(0).path("size_gb").asInt()).isEqualTo(17);
        assertThat(texts(plan)).anySatisfy(text -> assertThat(text).contains("of 17 GB in id-cgk, $2.04/month"));
    }

    @Test
    void aSourceWithOnlyItsRootGetsNoVolumeAndSaysSo() {
        PlanResult plan = plan(desired("us-lax", "files-01", machine()));

        assertThat(plan.planned().get("volumes")).isEmpty();
        assertThat(texts(plan)).containsExactly("files-01 has no volume besides its root: no Block Storage volume is made");
        assertThat(plan.knownOutputs().get("volume_ids")).as("known before apply, so what depends on it plans at once").isEmpty();
    }

    @Test
    void withNoVolumeTheWriteAndTheConfigPlanAsTheyDidBeforeVolumesWereMoved() {
        LinodeSession session = new LinodeSession(client, reference -> {
            throw new FerryException("no secrets");
        }, LinodeSandbox.TIMING);
        Attributes none = Attributes.builder()
                .known("linode_id", JsonNodeFactory.instance.textNode("4001"))
                .known("disk_id", JsonNodeFactory.instance.textNode("5001"))
                .known("volume_ids", JsonNodeFactory.instance.arrayNode())
                .known("data_disks", JsonNodeFactory.instance.arrayNode())
                .build();
        for (String type : List.of(DiskWriteResource.TYPE, ConfigResource.TYPE)) {
            ManagedResourceType resource = (ManagedResourceType) session.resourceTypes().stream()
                    .filter(t -> t.name().equals(type)).findFirst().orElseThrow();
            Attributes planned = resource.plan(new PlanRequest(ResourceAddress.managed(type, "files-01"), none, Optional.empty()))
                    .planned();
            assertThat(planned.isKnown("volume_ids")).as(type).isFalse();
            assertThat(planned.isKnown("disk_id")).as(type).isTrue();
        }
    }

    @Test
    void theVolumesAreUnknownUntilTheSourceIsRead() {
        Attributes desired = Attributes.builder()
                .known("label", JsonNodeFactory.instance.textNode("files-01"))
                .known("region", JsonNodeFactory.instance.textNode("us-lax"))
                .unknown("machine")
                .build();

        PlanResult plan = plan(desired);

        assertThat(plan.planned().isKnown("volumes")).isFalse();
        assertThat(sandbox.requests().all()).as("nothing asked of Linode yet").isEmpty();
    }

    @Test
    void eightVolumesBesidesTheRootDoNotFitAConfigAndThePlanSaysSo() {
        MachineFacts.Disk[] eight = new MachineFacts.Disk[8];
        for (int i = 0; i < eight.length; i++) {
            eight[i] = data("vol-0data" + i, GIB);
        }

        assertThat(plan(desired("us-lax", "files-01", machine(eight))).errors()).singleElement()
                .satisfies(error -> assertThat(error).contains("room for 7"));
    }

    @Test
    void labelsStayWithinLinodesLimitAndDifferByPlace() {
        String label = VolumesResource.label("a-very-long-linode-label-that-goes-on-and-on", 3);

        assertThat(label).hasSizeLessThanOrEqualTo(VolumesResource.LABEL_MAX).endsWith("-data-3");
        assertThat(LinodeLabels.problem(label, VolumesResource.LABEL_MAX)).isEmpty();
    }

    @Test
    void aCreateRunAgainAfterALostStateFindsItsVolumesByLabelInsteadOfMakingTwins() {
        Attributes planned = plan(desired("us-lax", "files-01", machine(data("vol-0data1", 20 * GIB)))).planned();
        FakeApplyContext first = new FakeApplyContext(FakeApplyContext.identity("linode_volumes.files-01"), planned,
                Optional.empty(), Map.of());
        Outcome.Done made = (Outcome.Done) ImageResourceTest.drive(volumes, first, volumes.create(first));

        FakeApplyContext again = new FakeApplyContext(FakeApplyContext.identity("linode_volumes.files-01"), planned,
                Optional.empty(), Map.of());
        Outcome.Done found = (Outcome.Done) ImageResourceTest.drive(volumes, again, volumes.create(again));

        assertThat(found.id()).isEqualTo(made.id());
        assertThat(sandbox.requests().count("linode:POST /volumes")).isEqualTo(1);
        assertThat(sandbox.world().linode().volumes()).singleElement().satisfies(volume -> {
            assertThat(volume.label()).isEqualTo("files-01-data-1");
            assertThat(volume.sizeGb()).isEqualTo(20);
            assertThat(volume.status()).isEqualTo("active");
            assertThat(volume.tags()).contains("migrated", "ferry:linode_volumes.files-01");
        });
        assertThat(made.outputs().get("volume_ids").get(0).asLong()).isEqualTo(sandbox.world().linode().volumes().get(0).id());
    }

    @Test
    void aVolumeUnderTheLabelThatFerryDidNotMakeIsNotAdopted() {
        ObjectNode body = Args.object();
        body.put("label", "files-01-data-1");
        body.put("size", 20);
        body.put("region", "us-lax");
        client.post("/volumes", body, LinodeClient.Replay.ONCE);
        Attributes planned = plan(desired("us-lax", "files-01", machine(data("vol-0data1", 20 * GIB)))).planned();
        FakeApplyContext context = new FakeApplyContext(FakeApplyContext.identity("linode_volumes.files-01"), planned,
                Optional.empty(), Map.of());

        assertThatThrownBy(() -> volumes.create(context)).isInstanceOf(FerryException.class)
                .hasMessageContaining("files-01-data-1");
        assertThat(sandbox.world().linode().volumes()).hasSize(1);
    }

    @Test
    void destroyRemovesEveryVolume() {
        Attributes planned = plan(desired("us-lax", "files-01", machine(data("vol-0data1", GIB), data("vol-0data2", GIB))))
                .planned();
        FakeApplyContext create = new FakeApplyContext(FakeApplyContext.identity("linode_volumes.files-01"), planned,
                Optional.empty(), Map.of());
        Outcome.Done made = (Outcome.Done) ImageResourceTest.drive(volumes, create, volumes.create(create));
        assertThat(sandbox.world().linode().volumes()).extracting(LinodeVolume::label)
                .containsExactly("files-01-data-1", "files-01-data-2");

        FakeApplyContext destroy = new FakeApplyContext(FakeApplyContext.identity("linode_volumes.files-01"), planned,
                Optional.of(new PriorState(made.id(), Args.object(), made.outputs())), Map.of());
        assertThat(ImageResourceTest.drive(volumes, destroy, volumes.delete(destroy))).isInstanceOf(Outcome.Deleted.class);

        assertThat(sandbox.world().linode().volumes()).isEmpty();
    }

    @Test
    void destroyDetachesAnAttachedVolumeOnceAndThenDeletesIt() {
        ObjectNode linode = Args.object();
        linode.put("region", "us-lax");
        linode.put("type", "g6-standard-1");
        linode.put("label", "files-01");
        linode.put("booted", false);
        long linodeId = client.post("/linode/instances", linode, LinodeClient.Replay.ONCE).path("id").asLong();
        Attributes planned = plan(desired("us-lax", "files-01", machine(data("vol-0data1", GIB)))).planned();
        FakeApplyContext create = new FakeApplyContext(FakeApplyContext.identity("linode_volumes.files-01"), planned,
                Optional.empty(), Map.of());
        Outcome.Done made = (Outcome.Done) ImageResourceTest.drive(volumes, create, volumes.create(create));
        long volumeId = made.outputs().get("volume_ids").get(0).asLong();
        VolumesResource.attach(client, volumeId, linodeId);
        VolumesResource.attach(client, volumeId, linodeId);
        assertThat(sandbox.world().linode().volumes().get(0).linodeId()).isEqualTo(linodeId);
        assertThat(sandbox.requests().count("linode:POST /volumes/{volumeId}/attach")).as("attached once").isEqualTo(1);

        FakeApplyContext destroy = new FakeApplyContext(FakeApplyContext.identity("linode_volumes.files-01"), planned,
                Optional.of(new PriorState(made.id(), Args.object(), made.outputs())), Map.of());
        Outcome first = volumes.delete(destroy);
        assertThat(first).isInstanceOf(Outcome.InProgress.class);
        assertThat(ImageResourceTest.drive(volumes, destroy, first)).isInstanceOf(Outcome.Deleted.class);

        assertThat(sandbox.requests().count("linode:POST /volumes/{volumeId}/detach")).isEqualTo(1);
        assertThat(sandbox.world().linode().volumes()).isEmpty();
    }
}
