package dev.ferry.provider.linode;

import dev.ferry.provider.linode.ssh.HelperShell;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

import dev.ferry.engine.provider.ArtifactOpener;
import dev.ferry.engine.provider.ProviderSession;
import dev.ferry.engine.provider.ResourceType;
import dev.ferry.engine.resource.SecretResolver;
import dev.ferry.engine.transfer.TransferOptions;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** The Linode provider connected for one command: one client, the account's catalog, the three resource types. */
final class LinodeSession implements ProviderSession {

    /**
     * How often to look at things that take time, how long an uploaded image may wait before Linode starts
     * processing it, how many times an upload starts over, and the first pause before a read or an upload is tried again.
     */
    record Timing(Duration imagePoll, Duration instancePoll, Duration pendingUploadGrace, int uploadAttempts, Duration readRetryPause,
                  long diskChunkBytes, Duration sshWithin) {
        static final Timing DEFAULT = new Timing(Duration.ofSeconds(10), Duration.ofSeconds(5), Duration.ofMinutes(15), 3,
                Duration.ofMillis(500));

        /** With the disk road's defaults: 128 MiB chunks, and a booting helper given 5 minutes to accept SSH. */
        Timing(Duration imagePoll, Duration instancePoll, Duration pendingUploadGrace, int uploadAttempts, Duration readRetryPause) {
            this(imagePoll, instancePoll, pendingUploadGrace, uploadAttempts, readRetryPause, DiskRoad.DEFAULT_CHUNK_BYTES,
                    Duration.ofMinutes(5));
        }

        Timing withDiskChunks(long bytes) {
            return new Timing(imagePoll, instancePoll, pendingUploadGrace, uploadAttempts, readRetryPause, bytes, sshWithin);
        }

        Timing {
            requireNonNull(sshWithin, "sshWithin is null");
            requireNonNull(imagePoll, "imagePoll is null");
            requireNonNull(instancePoll, "instancePoll is null");
            requireNonNull(pendingUploadGrace, "pendingUploadGrace is null");
            requireNonNull(readRetryPause, "readRetryPause is null");
        }
    }

    private final LinodeClient client;
    private final List<ResourceType> types;

    LinodeSession(LinodeClient client, SecretResolver secrets, Timing timing, ImageTransfer transfer, DiskRoad road) {
        this.client = requireNonNull(client, "client is null");
        LinodeCatalog catalog = new LinodeCatalog(client);
        this.types = List.of(
                RateLimitWaits.reporting(new ImageResource(client, catalog, timing, transfer)),
                RateLimitWaits.reporting(new InstanceResource(client, catalog, secrets, timing)),
                RateLimitWaits.reporting(new FirewallResource(client)),
                RateLimitWaits.reporting(new DiskResource(client, timing)),
                RateLimitWaits.reporting(new DiskWriteResource(client, timing, road)),
                RateLimitWaits.reporting(new ConfigResource(client, timing)),
                RateLimitWaits.reporting(new VolumesResource(client, catalog, timing)));
    }

    LinodeSession(LinodeClient client, SecretResolver secrets, Timing timing, ImageTransfer transfer) {
        this(client, secrets, timing, transfer, road(transfer, timing, Optional.empty()));
    }

    /** {@code sshEndpoint}: where every helper's SSH server answers instead of its address (the sandbox's). */
    LinodeSession(LinodeClient client, SecretResolver secrets, Timing timing, Optional<HelperShell.Endpoint> sshEndpoint) {
        this(client, secrets, timing, pipeline(timing, IMAGE_LEVEL), road(pipeline(timing, WIRE_LEVEL), timing, sshEndpoint));
    }

    LinodeSession(LinodeClient client, SecretResolver secrets, Timing timing) {
        this(client, secrets, timing, Optional.empty());
    }

    /**
     * An uploaded image is stored as sent and Linode limits its gzipped size (5 GB): level 6, like {@code gzip}. On the
     * disk road gzip only carries the bytes to {@code gunzip | dd} on the helper and nothing compressed is kept, so the
     * fastest level: about twice the throughput per core for 7% more bytes on the wire (gzip -1 against -6 over a tar
     * of /usr/share), and the step is bound by CPU on small runners (see {@code bench/linode-disk}).
     */
    static final int IMAGE_LEVEL = 6;
    static final int WIRE_LEVEL = 1;

    private static ImageTransfer pipeline(Timing timing, int level) {
        return new PipelineTransfer(TransferOptions.defaults().withCompressionLevel(level)
                .withRetries(TransferOptions.defaults().maxReadRetries(), timing.uploadAttempts(), timing.readRetryPause()));
    }

    private static DiskRoad road(ImageTransfer transfer, Timing timing, Optional<HelperShell.Endpoint> sshEndpoint) {
        return new DiskRoad(transfer, sshEndpoint, timing.diskChunkBytes(), timing.sshWithin(), timing.instancePoll());
    }

    LinodeClient client() {
        return client;
    }

    @Override
    public List<ResourceType> resourceTypes() {
        return types;
    }

    /** Linode queues nothing ferry must know of: uploads and creates run as the engine's parallelism allows. */
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
        // java.net.http.HttpClient holds no resources that need closing on Java 17.
    }

    @Override
    public String toString() {
        return "LinodeSession[" + client + "]";
    }
}
