package dev.ferry.sandbox.vcenter;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

import static java.util.Objects.requireNonNull;

/**
 * The ESXi host behind the sandbox vCenter's download sessions: an HTTPS server on a loopback port with its own
 * self-signed certificate (subject {@value #SUBJECT}, valid for 127.0.0.1 and localhost), serving the files of
 * prepared download sessions at {@code /nfc/{token}/{file}} with ranged GETs, as the {@code download_endpoint}
 * URIs of a real download session point at the host that holds the library's datastore. The certificate's PEM
 * is written next to its key store ({@link #caBundle()}), which is what a client needs to trust it.
 */
public final class EsxiHost implements AutoCloseable {

    public static final String SUBJECT = "CN=esxi-01.sandbox.invalid, OU=ferry sandbox";
    private static final String ALIAS = "esxi";
    private static final char[] STORE_PASSWORD = "sandbox".toCharArray();
    private static final Pattern FILE = Pattern.compile("/nfc/([0-9a-f]{32})/([^/]+)");
    private static final Pattern RANGE = Pattern.compile("bytes=(\\d+)-(\\d*)");

    /** A file as the host serves it: {@code length} bytes of {@code path} from {@code offset}. */
    record Served(Path path, long offset, long length) {
    }

    private final HttpsServer server;
    private final ExecutorService executor;
    private final Path caBundle;
    private final Map<String, Map<String, Served>> files = new ConcurrentHashMap<>();
    private final AtomicLong bytesServed = new AtomicLong();
    private final AtomicLong requests = new AtomicLong();

    private EsxiHost(HttpsServer server, ExecutorService executor, Path caBundle) {
        this.server = server;
        this.executor = executor;
        this.caBundle = caBundle;
    }

    /**
     * Starts the host on an ephemeral loopback port. Its key and certificate are made once with the JDK's
     * keytool and kept in {@code directory}, so later sandboxes reuse them (and a CA bundle pasted into a file
     * stays valid).
     */
    public static EsxiHost start(Path directory) {
        requireNonNull(directory, "directory is null");
        try {
            Path keystore = directory.resolve("esxi.p12");
            Path pem = directory.resolve("esxi-ca.pem");
            if (!usable(keystore) || !Files.isRegularFile(pem)) {
                generate(directory, keystore, pem);
            }
            SSLContext context = serverContext(keystore);
            HttpsServer server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
            server.setHttpsConfigurator(new HttpsConfigurator(context));
            ExecutorService executor = Executors.newFixedThreadPool(8, runnable -> {
                Thread thread = new Thread(runnable, "sandbox-esxi");
                thread.setDaemon(true);
                return thread;
            });
            EsxiHost host = new EsxiHost(server, executor, pem);
            server.createContext("/", host::serve);
            server.setExecutor(executor);
            server.start();
            return host;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the sandbox's ESXi host: " + e.getMessage(), e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot load the sandbox's ESXi certificate: " + e.getMessage(), e);
        }
    }

    /** {@code https://127.0.0.1:PORT} */
    public URI baseUri() {
        return URI.create("https://127.0.0.1:" + server.getAddress().getPort());
    }

    /** The PEM file holding the host's certificate: what {@code providers.vsphere.ca_bundle} names to trust it. */
    public Path caBundle() {
        return caBundle;
    }

    /** Bytes served by ranged GETs so far (tests: a resumed apply reads less). */
    public long bytesServed() {
        return bytesServed.get();
    }

    public long requestCount() {
        return requests.get();
    }

    /** Publishes {@code file} under the session's {@code token}; returns its URI. */
    URI publish(String token, String name, Served file) {
        files.computeIfAbsent(token, k -> new ConcurrentHashMap<>()).put(name, file);
        return URI.create(baseUri() + "/nfc/" + token + "/" + name);
    }

    /** Stops serving the session's files (the session ended, the item was deleted). */
    void withdraw(String token) {
        files.remove(token);
    }

    private void serve(HttpExchange exchange) throws IOException {
        requests.incrementAndGet();
        try (exchange) {
            Matcher path = FILE.matcher(exchange.getRequestURI().getRawPath());
            Served file = path.matches() ? files.getOrDefault(path.group(1), Map.of()).get(path.group(2)) : null;
            if (file == null) {
                empty(exchange, 404);
                return;
            }
            if (!exchange.getRequestMethod().equals("GET") && !exchange.getRequestMethod().equals("HEAD")) {
                empty(exchange, 405);
                return;
            }
            long from = 0;
            long to = file.length() - 1;
            int status = 200;
            String range = exchange.getRequestHeaders().getFirst("Range");
            if (range != null) {
                Matcher bytes = RANGE.matcher(range.trim());
                if (!bytes.matches() || Long.parseLong(bytes.group(1)) >= file.length()) {
                    exchange.getResponseHeaders().set("Content-Range", "bytes */" + file.length());
                    empty(exchange, 416);
                    return;
                }
                from = Long.parseLong(bytes.group(1));
                to = bytes.group(2).isEmpty() ? to : Math.min(to, Long.parseLong(bytes.group(2)));
                if (to < from) {
                    exchange.getResponseHeaders().set("Content-Range", "bytes */" + file.length());
                    empty(exchange, 416);
                    return;
                }
                status = 206;
                exchange.getResponseHeaders().set("Content-Range", "bytes " + from + "-" + to + "/" + file.length());
            }
            long length = to - from + 1;
            exchange.getResponseHeaders().set("Accept-Ranges", "bytes");
            exchange.getResponseHeaders().set("Content-Type", "application/octet-stream");
            if (exchange.getRequestMethod().equals("HEAD")) {
                exchange.getResponseHeaders().set("Content-Length", Long.toString(length));
                exchange.sendResponseHeaders(status, -1);
                return;
            }
            exchange.sendResponseHeaders(status, length);
            try (FileChannel channel = FileChannel.open(file.path(), StandardOpenOption.READ);
                 InputStream in = Channels.newInputStream(channel.position(file.offset() + from));
                 OutputStream out = exchange.getResponseBody()) {
                byte[] buffer = new byte[64 * 1024];
                long remaining = length;
                while (remaining > 0) {
                    int n = in.read(buffer, 0, (int) Math.min(buffer.length, remaining));
                    if (n < 0) {
                        break;
                    }
                    out.write(buffer, 0, n);
                    remaining -= n;
                    bytesServed.addAndGet(n);
                }
            }
        } catch (IOException e) {
            // the client went away mid-body; nothing to answer
        }
    }

    private static void empty(HttpExchange exchange, int status) throws IOException {
        exchange.sendResponseHeaders(status, -1);
    }

    private static boolean usable(Path keystore) {
        if (!Files.isRegularFile(keystore)) {
            return false;
        }
        try (InputStream in = Files.newInputStream(keystore)) {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(in, STORE_PASSWORD);
            X509Certificate certificate = (X509Certificate) store.getCertificate(ALIAS);
            return certificate != null && certificate.getNotAfter().toInstant().isAfter(Instant.now().plus(1, ChronoUnit.DAYS));
        } catch (IOException | GeneralSecurityException e) {
            return false;
        }
    }

    /** A fresh key pair and self-signed certificate, written to a temporary folder and moved into place. */
    private static void generate(Path directory, Path keystore, Path pem) throws IOException {
        Files.createDirectories(directory);
        Path work = Files.createTempDirectory(directory, ".esxi-tls-");
        try {
            Path store = work.resolve("esxi.p12");
            Path certificate = work.resolve("esxi-ca.pem");
            keytool("-genkeypair", "-alias", ALIAS, "-keyalg", "RSA", "-keysize", "2048", "-dname", SUBJECT,
                    "-ext", "san=ip:127.0.0.1,dns:localhost", "-validity", "3650", "-storetype", "PKCS12",
                    "-keystore", store.toString(), "-storepass", new String(STORE_PASSWORD));
            keytool("-exportcert", "-rfc", "-alias", ALIAS, "-keystore", store.toString(), "-storepass",
                    new String(STORE_PASSWORD), "-file", certificate.toString());
            move(store, keystore);
            move(certificate, pem);
        } finally {
            try (var leftovers = Files.list(work)) {
                for (Path leftover : leftovers.toList()) {
                    Files.deleteIfExists(leftover);
                }
            }
            Files.deleteIfExists(work);
        }
    }

    private static void keytool(String... arguments) throws IOException {
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        String[] command = new String[arguments.length + 1];
        command[0] = keytool.toString();
        System.arraycopy(arguments, 0, command, 1, arguments.length);
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        try {
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                process.destroy();
                throw new IOException("keytool failed: " + output.trim());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while keytool made the ESXi certificate", e);
        }
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static SSLContext serverContext(Path keystore) throws IOException, GeneralSecurityException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            store.load(in, STORE_PASSWORD);
        }
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(store, STORE_PASSWORD);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keys.getKeyManagers(), null, null);
        return context;
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
