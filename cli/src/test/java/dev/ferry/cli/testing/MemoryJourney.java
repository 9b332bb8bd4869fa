package dev.ferry.cli.testing;

import com.google.inject.AbstractModule;
import com.google.inject.Module;
import com.google.inject.multibindings.MapBinder;
import dev.ferry.engine.provider.ArtifactOpener;
import dev.ferry.engine.provider.Provider;
import dev.ferry.engine.provider.ProviderContext;
import dev.ferry.engine.provider.ProviderSession;
import dev.ferry.engine.provider.ResourceType;
import dev.ferry.engine.provider.SourceHalf;
import dev.ferry.engine.provider.SourceKind;
import dev.ferry.engine.provider.TargetHalf;
import dev.ferry.engine.provider.TargetKind;
import dev.ferry.engine.resource.Expression;
import dev.ferry.engine.resource.ResourceAddress;
import dev.ferry.engine.resource.ResourceDeclaration;
import dev.ferry.engine.spec.SecretReference;
import dev.ferry.engine.spec.SectionKind;
import dev.ferry.engine.spec.Staging;
import dev.ferry.engine.testing.MemoryCloud;
import dev.ferry.engine.testing.MemoryProvider;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A journey in memory, for testing the command line without any cloud: the file's {@code ec2}
 * source and {@code linode} target expand into the engine's test resources over a {@link MemoryCloud}
 * (a data read, a slow snapshot and export as staging copies, a shared staging "bucket", an image and a
 * slow instance taking a secret), wired the way the real providers wire theirs.
 */
public final class MemoryJourney {

    private MemoryJourney() {
    }

    public static List<Module> modules(MemoryCloud cloud) {
        return modules(cloud, 1);
    }

    /** With {@code slowness} n, every long operation takes n times as many polls. */
    public static List<Module> modules(MemoryCloud cloud, int slowness) {
        return List.of(new AbstractModule() {
            @Override
            protected void configure() {
                MapBinder<String, Provider> providers = MapBinder.newMapBinder(binder(), String.class, Provider.class);
                providers.addBinding("aws").toInstance(new SourceSide(cloud, slowness));
                providers.addBinding("linode").toInstance(new TargetSide(slowness));
            }
        });
    }

    static final class SourceSide implements Provider {
        private final MemoryCloud cloud;
        private final int slowness;

        SourceSide(MemoryCloud cloud, int slowness) {
            this.cloud = cloud;
            this.slowness = slowness;
        }

        @Override
        public String name() {
            return "aws";
        }

        @Override
        public List<SourceKind> sources() {
            SectionKind section = new SectionKind("ec2", SectionKind.Role.SOURCE, "aws", true, Set.of("raw"), true, SectionKind.SectionCheck.NONE);
            return List.of(new SourceKind(section, context -> {
                String m = context.name();
                var origin = context.sourceLocation();
                ResourceAddress read = ResourceAddress.data("test_data", m);
                ResourceAddress snapshot = ResourceAddress.managed("test_slow", m + "-snapshot");
                ResourceAddress staging = ResourceAddress.managed("test_thing", "staging");
                ResourceAddress export = ResourceAddress.managed("test_slow", m + "-export");
                String bucket = context.staging().map(Staging::bucket).orElse("none");
                List<ResourceDeclaration> declarations = List.of(
                        ResourceDeclaration.builder(read, origin).argument("key", context.source().body().get("instance").asText()).build(),
                        ResourceDeclaration.builder(snapshot, origin).reference("of", read, "value").argument("polls", 2 * slowness).build(),
                        ResourceDeclaration.builder(staging, origin).argument("value", bucket).build(),
                        ResourceDeclaration.builder(export, origin).reference("from", snapshot, "id").reference("bucket", staging, "id")
                                .argument("limited", true).argument("polls", 3 * slowness).build());
                return new SourceHalf(declarations, new Expression.Reference(read, "value"), Optional.empty(),
                        new Expression.Reference(export, "id"), Set.of(snapshot, export));
            }));
        }

        @Override
        public List<TargetKind> targets() {
            return List.of();
        }

        @Override
        public ProviderSession open(ProviderContext context) {
            return new MemoryProvider(cloud, 2).pollAfter(java.time.Duration.ofMillis(20L * slowness)).session();
        }
    }

    static final class TargetSide implements Provider {
        private final int slowness;

        TargetSide(int slowness) {
            this.slowness = slowness;
        }

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
            SectionKind section = new SectionKind("linode", SectionKind.Role.TARGET, "linode", false, Set.of("raw"), true,
                    SectionKind.SectionCheck.NONE);
            return List.of(new TargetKind(section, (context, source) -> {
                String m = context.name();
                var origin = context.targetLocation();
                ResourceAddress image = ResourceAddress.managed("test_thing", m + "-image");
                ResourceAddress instance = ResourceAddress.managed("test_slow", m + "-instance");
                var body = context.target().body();
                List<ResourceDeclaration> declarations = List.of(
                        ResourceDeclaration.builder(image, origin).argument("value", body.path("label").asText(m))
                                .argument("source", source.diskImage()).build(),
                        ResourceDeclaration.builder(instance, origin).argument("region", body.get("region").asText())
                                .argument("type", body.path("type").asText("match"))
                                .reference("image", image, "id")
                                .argument("root_pass", new Expression.Secret(SecretReference.of(body.get("root_pass").asText())))
                                .argument("polls", 2 * slowness).build());
                return new TargetHalf(declarations, image, Set.of());
            }));
        }

        @Override
        public ProviderSession open(ProviderContext context) {
            return new ProviderSession() {
                @Override
                public List<ResourceType> resourceTypes() {
                    return List.of();
                }

                @Override
                public Map<String, Integer> limits() {
                    return Map.of();
                }

                @Override
                public List<ArtifactOpener> artifactOpeners() {
                    return List.of();
                }

                @Override
                public void close() {
                }
            };
        }
    }
}
