package dev.ferry.provider.linode;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.engine.FerryException;
import dev.ferry.engine.machine.FirewallIntent;
import dev.ferry.engine.machine.MachineFacts;
import dev.ferry.engine.machine.Neutral;
import dev.ferry.engine.provider.ManagedResourceType;
import dev.ferry.engine.provider.Outcome;
import dev.ferry.engine.provider.PlanRequest;
import dev.ferry.engine.provider.PlanResult;
import dev.ferry.engine.provider.RefreshRequest;
import dev.ferry.engine.resource.Attributes;
import dev.ferry.engine.resource.ResourceAddress;
import dev.ferry.engine.resource.Secret;
import dev.ferry.sandbox.Sandbox;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * Figures, not assertions: how many Linode API calls planning and refreshing many migrations costs, and how fast
 * an image goes through the upload against the sandbox on loopback. Run with
 * {@code mvn -pl providers/linode -am verify -Dtest=LinodeBench -Dferry.bench=true -Dsurefire.failIfNoSpecifiedTests=false}
 * (the figures are in {@code target/surefire-reports/dev.ferry.provider.linode.LinodeBench-output.txt}).
 */
@EnabledIfSystemProperty(named = "ferry.bench", matches = "true")
class LinodeBench {

    private static final int MIGRATIONS = 200;
    private static final int REFRESHED = 50;
    private static final long UPLOAD_BYTES = Long.getLong("ferry.bench.upload.mib", 256) * 1024 * 1024;

    @TempDir
    Path folder;

    private static long linodeCalls(Sandbox sandbox) {
        return sandbox.requests().counts().entrySet().stream().filter(e -> e.getKey().startsWith("linode:"))
                .mapToLong(Map.Entry::getValue).sum();
    }

    @Test
    void figures() throws Exception {
        try (Sandbox sandbox = LinodeSandbox.start()) {
            LinodeSession session = new LinodeSession(LinodeSandbox.client(sandbox),
                    reference -> new Secret("Correct-Horse-Battery-42!"), LinodeSandbox.TIMING);
            ManagedResourceType images = (ManagedResourceType) session.resourceTypes().get(0);
            ManagedResourceType instances = (ManagedResourceType) session.resourceTypes().get(1);
            ManagedResourceType firewalls = (ManagedResourceType) session.resourceTypes().get(2);
            MachineFacts machine = InstanceResourceTest.machine(2, 4096, 4L * 1024 * 1024 * 1024);
            FirewallIntent intent = FirewallResourceTest.webServer();

            // 1. Planning the Linode half of many migrations on an empty state: a cold run (as in a fresh JVM), then a warm one.
            List<Attributes> plannedInstances = new ArrayList<>();
            List<Attributes> plannedFirewalls = new ArrayList<>();
            for (String run : List.of("cold", "warm")) {
                plannedInstances.clear();
                plannedFirewalls.clear();
                long before = linodeCalls(sandbox);
                long started = System.nanoTime();
                for (int i = 0; i < MIGRATIONS; i++) {
                    String name = "bench-" + i;
                    images.plan(new PlanRequest(ResourceAddress.parse("linode_image." + name),
                            ImageResourceTest.arguments(JsonNodeFactory.instance.nullNode()).toBuilder().unknown("source").build()
                                    .with("machine", machine.toJson()), Optional.empty()));
                    PlanResult firewall = firewalls.plan(new PlanRequest(ResourceAddress.parse("linode_firewall." + name),
                            Attributes.builder().known("label", JsonNodeFactory.instance.textNode("ferry-" + name))
                                    .known("tags", JsonNodeFactory.instance.arrayNode())
                                    .known("from", JsonNodeFactory.instance.textNode("security-groups"))
                                    .known("intent", intent.toJson())
                                    .known("inbound_policy", JsonNodeFactory.instance.textNode("DROP"))
                                    .known("rules", Neutral.toJson(List.of())).build(), Optional.empty()));
                    PlanResult instance = instances.plan(new PlanRequest(ResourceAddress.parse("linode_instance." + name),
                            InstanceResourceTest.desired(name, "match"), Optional.empty()));
                    plannedFirewalls.add(firewall.planned());
                    plannedInstances.add(instance.planned());
                }
                double planMillis = (System.nanoTime() - started) / 1e6;
                Thread.sleep(200);
                System.out.printf("plan of %d migrations (image, firewall, instance each), %s: %d Linode API calls, %.0f ms%n",
                        MIGRATIONS, run, linodeCalls(sandbox) - before, planMillis);
            }

            // 2. Refreshing many firewalls and Linodes recorded in state.
            List<RefreshRequest> firewallRequests = new ArrayList<>();
            List<RefreshRequest> instanceRequests = new ArrayList<>();
            for (int i = 0; i < REFRESHED; i++) {
                String name = "bench-" + i;
                FakeApplyContext fw = new FakeApplyContext(FakeApplyContext.identity("linode_firewall." + name), plannedFirewalls.get(i),
                        Optional.empty(), Map.of());
                Outcome.Done firewall = (Outcome.Done) firewalls.create(fw);
                firewallRequests.add(new RefreshRequest(fw.identity().address(), firewall.id(), plannedFirewalls.get(i).knownValues(),
                        firewall.outputs()));
                Attributes args = plannedInstances.get(i).with("type", JsonNodeFactory.instance.textNode("g6-nanode-1"));
                FakeApplyContext in = new FakeApplyContext(FakeApplyContext.identity("linode_instance." + name), args, Optional.empty(),
                        Map.of("${env:ROOT_PASSWORD}", "Correct-Horse-Battery-42!"));
                Outcome.Done instance = (Outcome.Done) ImageResourceTest.drive(instances, in, instances.create(in));
                instanceRequests.add(new RefreshRequest(in.identity().address(), instance.id(), args.knownValues(), instance.outputs()));
            }
            Thread.sleep(200);
            long before = linodeCalls(sandbox);
            long started = System.nanoTime();
            firewalls.refresh(firewallRequests);
            instances.refresh(instanceRequests);
            double refreshMillis = (System.nanoTime() - started) / 1e6;
            Thread.sleep(200);
            System.out.printf("refresh of %d firewalls and %d Linodes: %d Linode API calls, %.0f ms%n", REFRESHED, REFRESHED,
                    linodeCalls(sandbox) - before, refreshMillis);

            // 3. One image through the whole upload: gzip, PUT, processing.
            Path disk = TestDisks.raw(folder, "bench", UPLOAD_BYTES, 11);
            FakeApplyContext upload = new FakeApplyContext(FakeApplyContext.identity("linode_image.bench"),
                    ImageResourceTest.arguments(TestDisks.diskImage(disk)), Optional.empty(), Map.of());
            started = System.nanoTime();
            Outcome outcome = images.create(upload);
            double uploadSeconds = (System.nanoTime() - started) / 1e9;
            Outcome.Done done = (Outcome.Done) ImageResourceTest.drive(images, upload, outcome);
            double availableSeconds = (System.nanoTime() - started) / 1e9;
            ObjectNode outputs = done.outputs();
            System.out.printf("upload of a %d MiB raw disk (%d MiB gzipped): %.2f s to send (%.0f MiB/s raw), %.2f s until available%n",
                    UPLOAD_BYTES >> 20, outputs.get("gzip_bytes").asLong() >> 20, uploadSeconds,
                    (UPLOAD_BYTES >> 20) / uploadSeconds, availableSeconds);
            Files.delete(disk);
        } catch (FerryException e) {
            throw new AssertionError(e.getMessage(), e);
        }
    }
}
