package dev.ferry.engine.verify;

import static java.nio.charset.StandardCharsets.US_ASCII;

import dev.ferry.engine.FerryException;
import dev.ferry.engine.FerryVersion;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Probes one check against one address, for real: a TCP connection, or an HTTP/1.1 GET over one. Connections go
 * straight to the machine, or through the SOCKS5 proxy {@code FERRY_PROBE_PROXY} names ({@code socks5://HOST:PORT}:
 * a bastion host into the machines' network, or {@code ferry sandbox}, whose machines answer through it).
 */
final class Prober {

    /** The variable that names the SOCKS5 proxy probes go through. */
    static final String PROXY_VARIABLE = "FERRY_PROBE_PROXY";

    /** What one probe found: whether the check passed, and what was seen, in a few words. */
    record Answer(boolean answered, String detail) {
    }

    /** Probes wait on the network, not the CPU: a thread each, reused, never keeping the JVM alive. */
    private static final ExecutorService PROBES = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "ferry-probe");
        thread.setDaemon(true);
        return thread;
    });

    private final Optional<InetSocketAddress> proxy;
    private final Duration timeout;

    Prober(Optional<InetSocketAddress> proxy, Duration timeout) {
        this.proxy = proxy;
        this.timeout = timeout;
    }

    /** The prober the environment asks for; a malformed {@code FERRY_PROBE_PROXY} is an error that says so. */
    static Prober from(Map<String, String> environment, Duration timeout) {
        String value = environment.get(PROXY_VARIABLE);
        if (value == null || value.isBlank()) {
            return new Prober(Optional.empty(), timeout);
        }
        URI uri;
        try {
            uri = URI.create(value.trim());
        } catch (IllegalArgumentException e) {
            uri = null;
        }
        if (uri == null || !"socks5".equals(uri.getScheme()) || uri.getHost() == null || uri.getPort() == -1) {
            throw new FerryException(PROXY_VARIABLE + " is '" + value + "', which is not a SOCKS5 proxy URL;"
                    + " write it as socks5://HOST:PORT, or unset it to probe the machines directly");
        }
        return new Prober(Optional.of(InetSocketAddress.createUnresolved(uri.getHost(), uri.getPort())), timeout);
    }

    /** Where probes go, for messages: {@code directly} or {@code through the SOCKS5 proxy HOST:PORT}. */
    String route() {
        return proxy.map(p -> "through the SOCKS5 proxy " + p.getHostString() + ":" + p.getPort()).orElse("directly");
    }

    /**
     * Probes every check against {@code address} at once, so that a machine that drops what it does not serve costs
     * one timeout, not one per check. Answers in the order of {@code checks}.
     */
    Map<Check, Answer> probeAll(List<Check> checks, String address) {
        List<CompletableFuture<Answer>> answers = checks.stream()
                .map(check -> CompletableFuture.supplyAsync(() -> probe(check, address), PROBES)).toList();
        Map<Check, Answer> byCheck = new LinkedHashMap<>();
        for (int i = 0; i < checks.size(); i++) {
            byCheck.put(checks.get(i), answers.get(i).join());
        }
        return byCheck;
    }

    Answer probe(Check check, String address) {
        try (Socket socket = connect(address, check.port())) {
            return check instanceof Check.Http http ? get(socket, http, address) : new Answer(true, "accepted a connection");
        } catch (SocketTimeoutException e) {
            return new Answer(false, "no answer in " + timeout.toSeconds() + "s");
        } catch (IOException e) {
            return new Answer(false, describe(e));
        }
    }

    private Socket connect(String address, int port) throws IOException {
        Socket socket = proxy.map(p -> new Socket(new Proxy(Proxy.Type.SOCKS, resolved(p)))).orElseGet(Socket::new);
        try {
            // an address literal needs no lookup; a proxy resolves names itself
            InetSocketAddress target = proxy.isPresent() && !isLiteral(address)
                    ? InetSocketAddress.createUnresolved(address, port)
                    : new InetSocketAddress(InetAddress.getByName(address), port);
            socket.connect(target, (int) timeout.toMillis());
            socket.setSoTimeout((int) timeout.toMillis());
            return socket;
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    private static InetSocketAddress resolved(InetSocketAddress proxy) {
        return new InetSocketAddress(proxy.getHostString(), proxy.getPort());
    }

    private static boolean isLiteral(String address) {
        return address.matches("[0-9.]+") || address.contains(":");
    }

    private Answer get(Socket socket, Check.Http http, String address) throws IOException {
        URI uri = http.uri(address);
        String path = (uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath())
                + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
        String request = "GET " + path + " HTTP/1.1\r\nHost: " + uri.getRawAuthority() + "\r\nUser-Agent: ferry/" + FerryVersion.get()
                + "\r\nAccept: */*\r\nConnection: close\r\n\r\n";
        OutputStream out = socket.getOutputStream();
        out.write(request.getBytes(US_ASCII));
        out.flush();
        String statusLine = readLine(socket.getInputStream());
        String[] parts = statusLine.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/") || !parts[1].matches("[0-9]{3}")) {
            return new Answer(false, statusLine.isEmpty() ? "closed the connection without an HTTP answer"
                    : "answered something that is not HTTP");
        }
        int status = Integer.parseInt(parts[1]);
        return status == http.status()
                ? new Answer(true, "answered " + status)
                : new Answer(false, "answered " + status + ", expected " + http.status());
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != -1 && b != '\n' && line.size() < 1024) {
            if (b != '\r') {
                line.write(b);
            }
        }
        return line.toString(US_ASCII);
    }

    private static String describe(IOException e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        String lower = message.toLowerCase(java.util.Locale.ROOT);
        if (lower.contains("refused")) {
            return "connection refused";
        }
        if (lower.contains("not allowed")) {
            return "blocked (connection not allowed by ruleset)";
        }
        if (lower.contains("unreachable")) {
            return "unreachable";
        }
        if (lower.contains("timed out")) {
            return "no answer (timed out)";
        }
        if (lower.contains("reset")) {
            return "connection reset";
        }
        return message;
    }
}
