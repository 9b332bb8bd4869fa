package dev.ferry.sandbox;

import dev.ferry.sandbox.aws.EbsHandler;
import dev.ferry.sandbox.aws.Ec2Handler;
import dev.ferry.sandbox.aws.IamHandler;
import dev.ferry.sandbox.aws.PricingHandler;
import dev.ferry.sandbox.aws.RegionalHandler;
import dev.ferry.sandbox.aws.S3Handler;
import dev.ferry.sandbox.aws.StsHandler;
import dev.ferry.sandbox.aws.UnsignedRequestHandler;
import dev.ferry.sandbox.http.Faults;
import dev.ferry.sandbox.http.LinodeExchange;
import dev.ferry.sandbox.http.RequestLog;
import dev.ferry.sandbox.http.Router;
import dev.ferry.sandbox.http.SandboxHttpServer;
import dev.ferry.sandbox.http.Service;
import dev.ferry.sandbox.http.ServiceHandler;
import dev.ferry.sandbox.linode.ImageUploads;
import dev.ferry.sandbox.linode.LinodeApi;
import dev.ferry.sandbox.ssh.HelperSshServer;
import dev.ferry.sandbox.network.ProbeProxy;
import dev.ferry.sandbox.network.Reachability;
import dev.ferry.sandbox.vcenter.EsxiHost;
import dev.ferry.sandbox.vcenter.VcenterApi;
import dev.ferry.sandbox.world.BlobStore;
import dev.ferry.sandbox.world.DiskImages;
import dev.ferry.sandbox.world.SandboxWorld;
import dev.ferry.sandbox.world.World;
import dev.ferry.sandbox.world.WorldClock;
import dev.ferry.sandbox.world.WorldStateFile;
import dev.ferry.sandbox.world.WorldView;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

import static java.util.Objects.requireNonNull;

/**
 * ferry's local stand-in for AWS, Linode and vCenter: one HTTP server on a loopback port speaking the EC2,
 * IAM, STS, S3, EBS direct, Pricing, Linode API v4 and vCenter REST wire protocols, over a world that changes with time,
 * and an SSH server on another that plays the helper Linodes of the disk road.
 *
 * <pre>
 * try (Sandbox sandbox = Sandbox.start(SandboxOptions.builder().timeScale(0.01).build())) {
 *     Ec2Client ec2 = Ec2Client.builder().endpointOverride(sandbox.endpoint())
 *             .region(Region.of(sandbox.region()))
 *             .credentialsProvider(StaticCredentialsProvider.create(
 *                     AwsBasicCredentials.create(sandbox.accessKeyId(), sandbox.secretAccessKey())))
 *             .build();
 *     ...
 * }
 * </pre>
 */
public final class Sandbox implements AutoCloseable {

    private final SandboxHttpServer server;
    private final World world;
    private final WorldView view;
    private final Faults faults;
    private final RequestLog requests;
    private final Router router;
    private final BlobStore blobs;
    private final EsxiHost esxi;
    private final HelperSshServer ssh;
    private final ProbeProxy probes;

    private Sandbox(SandboxHttpServer server, World world, Faults faults, RequestLog requests, Router router,
                    BlobStore blobs, EsxiHost esxi, HelperSshServer ssh, ProbeProxy probes) {
        this.esxi = esxi;
        this.ssh = ssh;
        this.probes = probes;
        this.server = server;
        this.world = world;
        this.view = new WorldView(world);
        this.faults = faults;
        this.requests = requests;
        this.router = router;
        this.blobs = blobs;
    }

    /**
     * Starts a sandbox; the world's disk images are built later, on first use.
     *
     * @throws SandboxException when the world file is unreadable or wrong, the state directory holds another
     *                          account's state, or the port is taken
     */
    public static Sandbox start(SandboxOptions options) {
        requireNonNull(options, "options is null");
        SandboxWorld seed;
        try {
            seed = options.worldFile().map(SandboxWorld::load)
                    .orElseGet(() -> options.world().orElseGet(SandboxWorld::defaults));
        } catch (IllegalArgumentException e) {
            throw new SandboxException("cannot load the sandbox world: " + e.getMessage(), e);
        }
        BlobStore blobs;
        try {
            blobs = options.stateDirectory().isPresent()
                    ? new BlobStore(options.stateDirectory().get().resolve("blobs"), false)
                    : new BlobStore(Files.createTempDirectory("ferry-sandbox-"), true);
        } catch (IOException e) {
            throw new SandboxException("cannot create the sandbox's storage directory: " + e.getMessage(), e);
        } catch (UncheckedIOException e) {
            throw new SandboxException(e.getMessage(), e);
        }
        World world;
        try {
            world = new World(seed, new WorldClock(Clock.systemUTC(), options.timeScale()),
                    new DiskImages(options.cacheDirectory()), blobs, options.diskImageBytes());
        } catch (IllegalArgumentException e) {
            blobs.close();
            throw new SandboxException("the sandbox world is inconsistent: " + e.getMessage(), e);
        }
        if (options.stateDirectory().isPresent()) {
            WorldStateFile state = new WorldStateFile(options.stateDirectory().get());
            try {
                state.load(seed.account()).ifPresent(world::restore);
            } catch (RuntimeException e) {
                blobs.close();
                throw new SandboxException(e.getMessage(), e);
            }
            world.afterWrite(w -> state.save(w.account(), w.persisted()));
        }
        Faults faults = new Faults(options.faults());
        RequestLog requests = new RequestLog();
        AtomicReference<URI> endpoint = new AtomicReference<>();
        Map<Service, ServiceHandler> handlers = new EnumMap<>(Service.class);
        handlers.put(Service.EC2, new RegionalHandler(world, Ec2Handler::new));
        handlers.put(Service.IAM, new IamHandler(world));
        handlers.put(Service.STS, new StsHandler(world));
        handlers.put(Service.S3, new S3Handler(world));
        handlers.put(Service.PRICING, new PricingHandler(world));
        handlers.put(Service.EBS, new RegionalHandler(world, EbsHandler::new));
        handlers.put(Service.LINODE, new LinodeApi(world, endpoint::get));
        handlers.put(Service.LINODE_UPLOAD, new ImageUploads(world, options.linodeLimits()));
        EsxiHost esxi = EsxiHost.start(options.cacheDirectory().resolve("esxi-tls"));
        handlers.put(Service.VCENTER, new VcenterApi(world, esxi, blobs.directory().resolve("content-library")));
        Router router = new Router(handlers, new UnsignedRequestHandler(), faults, requests);
        SandboxHttpServer server;
        try {
            server = SandboxHttpServer.start(options.port(), router);
        } catch (UncheckedIOException e) {
            esxi.close();
            blobs.close();
            throw new SandboxException(e.getMessage() + " (choose another port, or 0 for any free one)", e);
        }
        endpoint.set(server.baseUri());
        HelperSshServer ssh;
        ProbeProxy probes;
        try {
            ssh = HelperSshServer.start(world, faults);
            try {
                probes = ProbeProxy.start(new Reachability(world, seed));
            } catch (UncheckedIOException e) {
                ssh.close();
                throw e;
            }
        } catch (UncheckedIOException e) {
            server.close();
            esxi.close();
            blobs.close();
            throw new SandboxException(e.getMessage(), e);
        }
        return new Sandbox(server, world, faults, requests, router, blobs, esxi, ssh, probes);
    }

    /** {@code http://127.0.0.1:PORT}: the endpoint of every AWS service ({@code AWS_ENDPOINT_URL}). */
    public URI endpoint() {
        return server.baseUri();
    }

    /** {@code http://127.0.0.1:PORT/v4}: the Linode API base URL. */
    public URI linodeApiUrl() {
        return URI.create(server.baseUri() + Router.LINODE_PREFIX);
    }

    /**
     * {@code 127.0.0.1:PORT}: the SSH server of the sandbox's helper Linodes ({@code FERRY_LINODE_SSH_ENDPOINT}),
     * which a running Linode's helper disk key logs in to as root; its host key is new at every start.
     */
    public String sshEndpoint() {
        return ssh.endpoint();
    }

    public String region() {
        return world.region();
    }

    public String accountId() {
        return world.account();
    }

    public String accessKeyId() {
        return world.accessKeyId();
    }

    public String secretAccessKey() {
        return world.secretAccessKey();
    }

    public String linodeToken() {
        return world.linodeToken();
    }

    /**
     * {@code http://127.0.0.1:PORT}: the vCenter Server whose REST API is at {@code /api} (what
     * {@code providers.vsphere.vcenter} names); the same server as {@link #endpoint()}.
     */
    public URI vcenterUrl() {
        return endpoint();
    }

    /** The vCenter single sign-on user, {@code administrator@vsphere.local} in the default world. */
    public String vcenterUsername() {
        return world.vcenterUsername();
    }

    public String vcenterPassword() {
        return world.vcenterPassword();
    }

    /** The ESXi host that serves the files of vCenter's download sessions over HTTPS with its own certificate. */
    public EsxiHost esxi() {
        return esxi;
    }

    /**
     * {@code socks5://127.0.0.1:PORT}: the proxy through which the machines' services answer ({@code FERRY_PROBE_PROXY}),
     * as they would answer the operator at {@link Reachability#OPERATOR}.
     */
    public URI probeProxy() {
        return probes.uri();
    }

    /** Switches faults on and off. */
    public Faults faults() {
        return faults;
    }

    /** Every request served, with counters per action. */
    public RequestLog requests() {
        return requests;
    }

    /** The clouds' resources as they are now, and a few mutators for tests. */
    public WorldView world() {
        return view;
    }

    /** Calls {@code listener} with every Linode API request and the response given, before the client gets it. */
    public void onLinodeExchange(Consumer<LinodeExchange> listener) {
        router.onLinodeExchange(listener);
    }

    /**
     * The environment a user sets to point the AWS CLI, the AWS SDK, linode-cli and ferry at this sandbox:
     * AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION, LINODE_API_URL, LINODE_TOKEN,
     * VSPHERE_USER, VSPHERE_PASSWORD (what a migration file's {@code providers.vsphere} refers to as
     * {@code ${env:VSPHERE_USER}} and {@code ${env:VSPHERE_PASSWORD}}), VSPHERE_CA_BUNDLE (the PEM of the sandbox
     * ESXi host's self-signed certificate, which ferry trusts besides the system's CAs), FERRY_LINODE_SSH_ENDPOINT
     * (where ferry reaches a helper Linode over SSH instead of its public address, port 22), FERRY_PROBE_PROXY (the
     * SOCKS5 proxy through which ferry's verification reaches the machines' services).
     */
    public Map<String, String> environment() {
        Map<String, String> environment = new LinkedHashMap<>();
        environment.put("AWS_ENDPOINT_URL", endpoint().toString());
        environment.put("AWS_ACCESS_KEY_ID", accessKeyId());
        environment.put("AWS_SECRET_ACCESS_KEY", secretAccessKey());
        environment.put("AWS_REGION", region());
        environment.put("LINODE_API_URL", linodeApiUrl().toString());
        environment.put("LINODE_TOKEN", linodeToken());
        environment.put("VSPHERE_USER", vcenterUsername());
        environment.put("VSPHERE_PASSWORD", vcenterPassword());
        // what ferry trusts, besides the system's CAs, for vCenter and the ESXi hosts of its download URLs
        environment.put("VSPHERE_CA_BUNDLE", esxi.caBundle().toString());
        environment.put("FERRY_LINODE_SSH_ENDPOINT", sshEndpoint());
        environment.put("FERRY_PROBE_PROXY", probeProxy().toString());
        return environment;
    }

    /** {@link #environment()} as shell {@code export} lines, one per variable. */
    public String exportLines() {
        return exportLines(environment());
    }

    /** Formats variables as POSIX shell {@code export NAME='value'} lines. */
    public static String exportLines(Map<String, String> environment) {
        StringBuilder lines = new StringBuilder();
        environment.forEach((name, value) -> lines.append("export ").append(name).append("='")
                .append(value.replace("'", "'\\''")).append("'\n"));
        return lines.toString();
    }

    @Override
    public void close() {
        ssh.close();
        probes.close();
        server.close();
        esxi.close();
        blobs.close();
    }

    /** Without the secret key or the token. */
    @Override
    public String toString() {
        return "Sandbox[endpoint=" + endpoint() + ", region=" + region() + ", account=" + accountId()
                + ", accessKeyId=" + accessKeyId() + "]";
    }
}
