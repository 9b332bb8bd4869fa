package dev.ferry.provider.linode;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.engine.machine.DiskImage;
import dev.ferry.engine.machine.FirewallIntent;
import dev.ferry.engine.machine.MachineFacts;
import dev.ferry.engine.provider.ApplyContext;
import dev.ferry.engine.provider.ArtifactOpener;
import dev.ferry.engine.provider.DataRequest;
import dev.ferry.engine.provider.DataResult;
import dev.ferry.engine.provider.DataSourceType;
import dev.ferry.engine.provider.ManagedResourceType;
import dev.ferry.engine.provider.Observation;
import dev.ferry.engine.provider.Operation;
import dev.ferry.engine.provider.Outcome;
import dev.ferry.engine.provider.PlanRequest;
import dev.ferry.engine.provider.PlanResult;
import dev.ferry.engine.provider.Provider;
import dev.ferry.engine.provider.ProviderContext;
import dev.ferry.engine.provider.ProviderSession;
import dev.ferry.engine.provider.RefreshRequest;
import dev.ferry.engine.provider.ResourceSchema;
import dev.ferry.engine.provider.ResourceType;
import dev.ferry.engine.provider.SourceHalf;
import dev.ferry.engine.provider.SourceKind;
import dev.ferry.engine.provider.TargetKind;
import dev.ferry.engine.resource.Attributes;
import dev.ferry.engine.resource.Expression;
import dev.ferry.engine.resource.Identity;
import dev.ferry.engine.resource.ResourceAddress;
import dev.ferry.engine.resource.ResourceDeclaration;
import dev.ferry.engine.transfer.RangedByteSource;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The source half of journey A as the Linode provider sees it, without AWS: {@code data.test_source.<m>} gives
 * the machine and its firewall, {@code test_export.<m>} (a staging copy) gives a {@code file} disk image of a raw
 * disk made by the test, and the session opens such images. Wired exactly as journeys.md wires the AWS side.
 */
final class FakeSourceProvider implements Provider {

    private final MachineFacts machine;
    private final FirewallIntent firewall;
    private final Path disk;
    private final Optional<List<Path>> dataDisks;
    final Map<String, String> exports = new ConcurrentHashMap<>();

    FakeSourceProvider(MachineFacts machine, FirewallIntent firewall, Path disk) {
        this(machine, firewall, disk, Optional.empty());
    }

    /** A source that also hands on its other disks, one file each, in the order of the machine's other disks. */
    FakeSourceProvider(MachineFacts machine, FirewallIntent firewall, Path disk, Optional<List<Path>> dataDisks) {
        this.machine = requireNonNull(machine, "machine is null");
        this.firewall = requireNonNull(firewall, "firewall is null");
        this.disk = requireNonNull(disk, "disk is null");
        this.dataDisks = requireNonNull(dataDisks, "dataDisks is null").map(List::copyOf);
    }

    @Override
    public String name() {
        return "aws";
    }

    @Override
    public List<SourceKind> sources() {
        return List.of(new SourceKind(TestFiles.EC2, context -> {
            String name = context.name();
            ResourceAddress read = ResourceAddress.data("test_source", name);
            ResourceAddress export = ResourceAddress.managed("test_export", name);
            List<ResourceDeclaration> declarations = List.of(
                    ResourceDeclaration.builder(read, context.sourceLocation())
                            .argument("instance", context.source().body().get("instance").asText()).build(),
                    ResourceDeclaration.builder(export, context.sourceLocation())
                            .reference("instance", read, "instance_id").build());
            return new SourceHalf(declarations, new Expression.Reference(read, "machine"),
                    Optional.of(new Expression.Reference(read, "firewall")), new Expression.Reference(export, "disk_image"),
                    Set.of(export), dataDisks.map(disks -> new Expression.Reference(export, "data_disks")));
        }));
    }

    @Override
    public List<TargetKind> targets() {
        return List.of();
    }

    @Override
    public ProviderSession open(ProviderContext context) {
        return new ProviderSession() {
            @Override
            public List<ResourceType> resourceTypes() {
                return List.of(new Source(), new Export());
            }

            @Override
            public Map<String, Integer> limits() {
                return Map.of();
            }

            @Override
            public List<ArtifactOpener> artifactOpeners() {
                return List.of(new ArtifactOpener() {
                    @Override
                    public String kind() {
                        return "file";
                    }

                    @Override
                    public RangedByteSource open(DiskImage image) {
                        return TestDisks.source(Path.of(image.location().get("path").asText()), 1);
                    }
                });
            }

            @Override
            public void close() {
            }
        };
    }

    private final class Source implements DataSourceType {
        @Override
        public String name() {
            return "test_source";
        }

        @Override
        public Map<ResourceAddress, DataResult> read(List<DataRequest> requests) {
            Map<ResourceAddress, DataResult> results = new HashMap<>();
            for (DataRequest request : requests) {
                ObjectNode outputs = JsonNodeFactory.instance.objectNode();
                outputs.put("instance_id", request.arguments().text("instance"));
                outputs.set("machine", machine.toJson());
                outputs.set("firewall", firewall.toJson());
                results.put(request.address(), new DataResult.Found(outputs, List.of()));
            }
            return results;
        }
    }

    private final class Export implements ManagedResourceType {
        @Override
        public String name() {
            return "test_export";
        }

        @Override
        public ResourceSchema schema() {
            return ResourceSchema.IMMUTABLE;
        }

        @Override
        public Map<ResourceAddress, Observation> refresh(List<RefreshRequest> requests) {
            Map<ResourceAddress, Observation> observed = new HashMap<>();
            for (RefreshRequest request : requests) {
                observed.put(request.address(), exports.containsKey(request.id())
                        ? new Observation.Exists(request.arguments(), request.outputs())
                        : new Observation.Gone());
            }
            return observed;
        }

        @Override
        public PlanResult plan(PlanRequest request) {
            return PlanResult.unchanged(request.desired());
        }

        @Override
        public Optional<Found> findExisting(Identity identity, Attributes arguments) {
            return Optional.empty();
        }

        @Override
        public Outcome create(ApplyContext context) {
            String id = "export-" + context.identity().address().name();
            exports.put(id, disk.toString());
            ObjectNode outputs = JsonNodeFactory.instance.objectNode();
            outputs.set("disk_image", TestDisks.diskImage(disk));
            dataDisks.ifPresent(disks -> {
                var list = outputs.putArray("data_disks");
                List<MachineFacts.Disk> others = machine.disks().stream().filter(d -> !d.root()).toList();
                for (int i = 0; i < disks.size(); i++) {
                    list.addObject().put("name", others.get(i).name()).put("device", others.get(i).name())
                            .put("size_bytes", others.get(i).sizeBytes()).set("disk_image", TestDisks.diskImage(disks.get(i)));
                }
            });
            return new Outcome.Done(id, outputs);
        }

        @Override
        public Outcome update(ApplyContext context) {
            throw new UnsupportedOperationException("exports are immutable");
        }

        @Override
        public Outcome delete(ApplyContext context) {
            exports.remove(context.prior().orElseThrow().id());
            return new Outcome.Deleted();
        }

        @Override
        public Outcome poll(ApplyContext context, Operation operation) {
            throw new UnsupportedOperationException("exports are made at once here");
        }

        @Override
        public Set<String> limits(Attributes arguments) {
            return Set.of();
        }
    }
}
