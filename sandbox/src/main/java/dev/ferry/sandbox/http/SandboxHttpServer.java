package dev.ferry.sandbox.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.HexFormat;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static java.util.Objects.requireNonNull;

/**
 * The one HTTP/1.1 server behind every sandbox endpoint, on the JDK's built-in server: it already
 * answers {@code Expect: 100-continue}, decodes chunked request bodies and streams bodies both ways,
 * which is all the AWS SDK and the Linode client need.
 */
public final class SandboxHttpServer implements AutoCloseable {

    private static final int THREADS = 32;

    private final HttpServer server;
    private final ExecutorService executor;
    private final Router router;

    private SandboxHttpServer(HttpServer server, ExecutorService executor, Router router) {
        this.server = server;
        this.executor = executor;
        this.router = router;
    }

    /** Binds loopback on {@code port} (0 for an ephemeral port) and starts serving. */
    public static SandboxHttpServer start(int port, Router router) {
        requireNonNull(router, "router is null");
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 128);
            ExecutorService executor = new ThreadPoolExecutor(THREADS, THREADS, 60, TimeUnit.SECONDS,
                    new LinkedBlockingQueue<>(), new DaemonThreads());
            SandboxHttpServer sandboxServer = new SandboxHttpServer(server, executor, router);
            server.createContext("/", sandboxServer::serve);
            server.setExecutor(executor);
            server.start();
            return sandboxServer;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on 127.0.0.1:" + port + ": " + e.getMessage(), e);
        }
    }

    /** {@code http://127.0.0.1:PORT} */
    public URI baseUri() {
        InetSocketAddress address = server.getAddress();
        return URI.create("http://" + address.getAddress().getHostAddress() + ":" + address.getPort());
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private void serve(HttpExchange exchange) throws IOException {
        HttpCall call = new HttpCall(exchange, newRequestId());
        // An exception (a cut on purpose, or a client that went away) propagates so that the JDK
        // server closes the connection instead of finishing the exchange.
        router.route(call);
        exchange.close();
    }

    private static String newRequestId() {
        byte[] bytes = new byte[16];
        ThreadLocalRandom.current().nextBytes(bytes);
        String hex = HexFormat.of().formatHex(bytes);
        return hex.substring(0, 8) + "-" + hex.substring(8, 12) + "-" + hex.substring(12, 16) + "-"
                + hex.substring(16, 20) + "-" + hex.substring(20);
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    private static final class DaemonThreads implements ThreadFactory {
        private final AtomicInteger count = new AtomicInteger();

        @Override
        public Thread newThread(Runnable r) {
            Thread thread = new Thread(r, "sandbox-http-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        }
    }
}
