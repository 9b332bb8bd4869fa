package dev.ferry.provider.aws;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.engine.FerryException;
import dev.ferry.engine.machine.DiskImage;
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
import dev.ferry.engine.provider.TargetHalf;
import dev.ferry.engine.provider.TargetKind;
import dev.ferry.engine.resource.Attributes;
import dev.ferry.engine.resource.Expression;
import dev.ferry.engine.resource.Identity;
import dev.ferry.engine.resource.ResourceAddress;
import dev.ferry.engine.resource.ResourceDeclaration;
import dev.ferry.engine.spec.SectionKind;
import dev.ferry.engine.spec.SectionKind.Role;
import dev.ferry.engine.transfer.RangedByteSource;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntPredicate;

/**
 * Hand-written stand-ins for the providers on the other side of the AWS halves, with the section
 * names the schema knows ({@code target.linode}, {@code source.vsphere}), so journey files are real
 * files: a target that "imports" by reading the whole disk image through the engine (and so through
 * ferry's s3 opener) and hashing it, and a source that offers a local file as a {@code file} disk image
 * with machine facts, through an opener that can be told to die after some reads.
 */
public final class FakeNeighbours {

    /** What the fake target read, by address: the SHA-256 of every byte of the image. */
    public final Map<String, String> imported = new ConcurrentHashMap<>();
    /** Machine facts and disk files the fake source offers, by migration name. */
    final Map<String, Path> diskFiles = new ConcurrentHashMap<>();
    final Map<String, MachineFacts> machines = new ConcurrentHashMap<>();
    /** Called with the number of each range opened on a file image; false makes the read fail (a "kill"). */
    volatile IntPredicate fileReads = n -> true;
    /** Ranges (by the number they were opened with) whose stream breaks halfway, as a cut connection does. */
    volatile IntPredicate cutReads = n -> false;
    final AtomicInteger rangesOpened = new AtomicInteger();

    List<Provider> providers() {
        return List.of(new FakeLinode(), new FakeVsphere());
    }

    ProviderSession session() {
        return new ProviderSession() {
            @Override
            public List<ResourceType> resourceTypes() {
                return List.of(new FakeImage(), new FakeVm());
            }

            @Override
            public Map<String, Integer> limits() {
                return Map.of();
            }

            @Override
            public List<ArtifactOpener> artifactOpeners() {
                return List.of(new FileOpener());
            }

            @Override
            public void close() {
            }
        };
    }

    /** {@code target.linode}: one {@code fake_image.NAME} that reads the source's disk image. */
    private final class FakeLinode implements Provider {
        @Override
        public String name() {
            return "linode";
        }

        @Override
        public List<SourceKind> sources() {
            return List.of();
        }

        @Override
        public List<TargetKind> targets() {
            return List.of(new TargetKind(new SectionKind("linode", Role.TARGET, "linode", false, Set.of("raw"), true,
                    SectionKind.SectionCheck.NONE), this::expand));
        }

        private TargetHalf expand(dev.ferry.engine.provider.ExpansionContext context, SourceHalf source) {
            ResourceAddress image = ResourceAddress.managed("fake_image", context.name());
            ResourceDeclaration.Builder builder = ResourceDeclaration.builder(image, context.targetLocation())
                    .argument("source", source.diskImage())
                    .argument("machine", source.machine());
            source.firewall().ifPresent(firewall -> builder.argument("firewall", firewall));
            return new TargetHalf(List.of(builder.build()), image, Set.of());
        }

        @Override
        public ProviderSession open(ProviderContext context) {
            return session();
        }
    }

    /** {@code source.vsphere}: {@code data.fake_vm.NAME} offering a local file. */
    private final class FakeVsphere implements Provider {
        @Override
        public String name() {
            return "vsphere";
        }

        @Override
        public List<SourceKind> sources() {
            return List.of(new SourceKind(new SectionKind("vsphere", Role.SOURCE, "vsphere", false,
                    Set.of("ova", "vmdk", "vhd", "vhdx", "raw"), false, SectionKind.SectionCheck.NONE), this::expand));
        }

        private SourceHalf expand(dev.ferry.engine.provider.ExpansionContext context) {
            ResourceAddress vm = ResourceAddress.data("fake_vm", context.name());
            ResourceDeclaration declaration = ResourceDeclaration.builder(vm, context.sourceLocation())
                    .argument("name", context.name()).build();
            return new SourceHalf(List.of(declaration), new Expression.Reference(vm, "machine"), Optional.empty(),
                    new Expression.Reference(vm, "disk_image"), Set.of());
        }

        @Override
        public List<TargetKind> targets() {
            return List.of();
        }

        @Override
        public ProviderSession open(ProviderContext context) {
            return session();
        }
    }

    private final class FakeVm implements DataSourceType {
        @Override
        public String name() {
            return "fake_vm";
        }

        @Override
        public Map<ResourceAddress, DataResult> read(List<DataRequest> requests) {
            Map<ResourceAddress, DataResult> results = new HashMap<>();
            for (DataRequest request : requests) {
                String name = request.arguments().text("name");
                Path file = diskFiles.get(name);
                if (file == null) {
                    results.put(request.address(), new DataResult.Failed("no disk file for " + name));
                    continue;
                }
                try {
                    ObjectNode location = JsonNodeFactory.instance.objectNode().put("path", file.toString());
                    DiskImage image = new DiskImage("file", formatOf(file), Files.size(file), location, file.toString());
                    ObjectNode outputs = JsonNodeFactory.instance.objectNode();
                    outputs.set("disk_image", image.toJson());
                    outputs.set("machine", machines.get(name).toJson());
                    results.put(request.address(), new DataResult.Found(outputs, List.of()));
                } catch (IOException e) {
                    results.put(request.address(), new DataResult.Failed(e.getMessage()));
                }
            }
            return results;
        }

        private String formatOf(Path file) {
            String name = file.getFileName().toString();
            return name.substring(name.lastIndexOf('.') + 1);
        }
    }

    private final class FileOpener implements ArtifactOpener {
        @Override
        public String kind() {
            return "file";
        }

        @Override
        public RangedByteSource open(DiskImage image) {
            Path path = Path.of(image.location().path("path").asText());
            long size;
            try {
                size = Files.size(path);
            } catch (IOException e) {
                throw new FerryException("cannot read " + path);
            }
            return new RangedByteSource() {
                @Override
                public long size() {
                    return size;
                }

                @Override
                public InputStream openRange(long offset, long length) throws IOException {
                    int number = rangesOpened.incrementAndGet();
                    if (!fileReads.test(number)) {
                        throw new FerryException("the test killed ferry while it read range " + number);
                    }
                    FileChannel channel = FileChannel.open(path);
                    channel.position(offset);
                    long cutAt = cutReads.test(number) ? length / 2 : -1;
                    return new java.io.FilterInputStream(Channels.newInputStream(channel)) {
                        private long left = length;

                        private void cutHere() throws IOException {
                            if (cutAt >= 0 && length - left >= cutAt) {
                                throw new IOException("the test cut range " + number + " after " + cutAt + " bytes");
                            }
                        }

                        @Override
                        public int read() throws IOException {
                            if (left <= 0) {
                                return -1;
                            }
                            cutHere();
                            int b = super.read();
                            if (b >= 0) {
                                left--;
                            }
                            return b;
                        }

                        @Override
                        public int read(byte[] buffer, int off, int len) throws IOException {
                            if (left <= 0) {
                                return -1;
                            }
                            cutHere();
                            long before = cutAt >= 0 ? Math.max(1, cutAt - (length - left)) : left;
                            int n = super.read(buffer, off, (int) Math.min(len, Math.min(left, before)));
                            if (n > 0) {
                                left -= n;
                            }
                            return n;
                        }
                    };
                }

                @Override
                public String description() {
                    return path.toString();
                }
            };
        }
    }

    /** Reads the whole source image in 1 MiB ranges and keeps its SHA-256; the staging copies may go after it. */
    private final class FakeImage implements ManagedResourceType {
        @Override
        public String name() {
            return "fake_image";
        }

        @Override
        public ResourceSchema schema() {
            return ResourceSchema.IMMUTABLE;
        }

        @Override
        public Map<ResourceAddress, Observation> refresh(List<RefreshRequest> requests) {
            Map<ResourceAddress, Observation> observed = new HashMap<>();
            requests.forEach(request -> observed.put(request.address(), imported.containsKey(request.id())
                    ? new Observation.Exists(JsonNodeFactory.instance.objectNode(), request.outputs())
                    : new Observation.Gone()));
            return observed;
        }

        @Override
        public PlanResult plan(PlanRequest request) {
            return PlanResult.unchanged(request.desired());
        }

        @Override
        public Optional<Found> findExisting(Identity identity, Attributes arguments) {
            return imported.containsKey(identity.address().toString()) ? Optional.of(new Found(identity.address().toString(), Optional.empty()))
                    : Optional.empty();
        }

        @Override
        public Outcome create(ApplyContext context) {
            RangedByteSource source = context.openDiskImage(context.arguments().get("source"));
            try {
                MessageDigest sha = MessageDigest.getInstance("SHA-256");
                byte[] buffer = new byte[64 * 1024];
                long chunk = 1024 * 1024;
                // As the engine's transfer does: a range cut short is opened again from the byte it reached.
                for (long offset = 0; offset < source.size(); offset += chunk) {
                    long end = Math.min(source.size(), offset + chunk);
                    long position = offset;
                    int failures = 0;
                    while (position < end) {
                        try (InputStream in = source.openRange(position, end - position)) {
                            int n;
                            while (position < end && (n = in.read(buffer, 0, (int) Math.min(buffer.length, end - position))) >= 0) {
                                sha.update(buffer, 0, n);
                                position += n;
                            }
                            if (position < end) {
                                throw new IOException("the range ended early");
                            }
                        } catch (IOException e) {
                            if (++failures > 8) {
                                throw e;
                            }
                        }
                    }
                }
                String digest = HexFormat.of().formatHex(sha.digest());
                String id = context.identity().address().toString();
                imported.put(id, digest);
                ObjectNode outputs = JsonNodeFactory.instance.objectNode().put("id", id).put("sha256", digest).put("size_bytes", source.size());
                JsonNode firewall = context.arguments().find("firewall").orElse(null);
                if (firewall != null) {
                    outputs.set("firewall", firewall);
                }
                return new Outcome.Done(id, outputs);
            } catch (IOException | java.security.NoSuchAlgorithmException e) {
                throw new FerryException("reading " + source.description() + " failed: " + e.getMessage());
            }
        }

        @Override
        public Outcome update(ApplyContext context) {
            throw new IllegalStateException();
        }

        @Override
        public Outcome delete(ApplyContext context) {
            imported.remove(context.prior().orElseThrow().id());
            return new Outcome.Deleted();
        }

        @Override
        public Outcome poll(ApplyContext context, Operation operation) {
            throw new IllegalStateException();
        }

        @Override
        public Set<String> limits(Attributes arguments) {
            return Set.of();
        }
    }
}
