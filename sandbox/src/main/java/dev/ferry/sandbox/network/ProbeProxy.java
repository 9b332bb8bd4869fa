package dev.ferry.sandbox.network;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A SOCKS5 proxy (RFC 1928, no authentication, CONNECT only) on a loopback port, through which the sandbox's machines
 * answer: a CONNECT to a machine's address and port is refused as {@link Reachability} says, or accepted, and then the
 * machine's service speaks on the same connection — a minimal HTTP/1.1 server answering 200 at {@code /} and
 * {@code /health}, 404 elsewhere (a TCP check only needs the connection).
 */
public final class ProbeProxy implements AutoCloseable {

    private static final int VERSION = 5;
    private static final int NO_AUTHENTICATION = 0;
    private static final int CONNECT = 1;

    private final ServerSocket server;
    private final Reachability reachability;
    private final ExecutorService connections = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "sandbox-probe-proxy");
        thread.setDaemon(true);
        return thread;
    });

    private ProbeProxy(ServerSocket server, Reachability reachability) {
        this.server = server;
        this.reachability = reachability;
    }

    /** Listens on an ephemeral port of 127.0.0.1. */
    public static ProbeProxy start(Reachability reachability) {
        try {
            ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            ProbeProxy proxy = new ProbeProxy(server, reachability);
            proxy.connections.execute(proxy::acceptLoop);
            return proxy;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the sandbox's probe proxy: " + e.getMessage(), e);
        }
    }

    /** {@code socks5://127.0.0.1:PORT}, what {@code FERRY_PROBE_PROXY} is set to. */
    public URI uri() {
        return URI.create("socks5://127.0.0.1:" + server.getLocalPort());
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                connections.execute(() -> serve(client));
            } catch (IOException e) {
                if (server.isClosed()) {
                    return;
                }
            }
        }
    }

    private void serve(Socket client) {
        try (client) {
            client.setSoTimeout(10_000);
            DataInputStream in = new DataInputStream(client.getInputStream());
            OutputStream out = client.getOutputStream();
            if (in.readUnsignedByte() != VERSION) {
                return;
            }
            in.skipNBytes(in.readUnsignedByte());
            out.write(new byte[] {VERSION, NO_AUTHENTICATION});
            out.flush();
            if (in.readUnsignedByte() != VERSION || in.readUnsignedByte() != CONNECT) {
                reply(out, 0x07);
                return;
            }
            in.readUnsignedByte();
            String address = readAddress(in);
            int port = in.readUnsignedShort();
            Optional<Reachability.Refusal> refusal = reachability.check(address, port);
            if (refusal.isPresent()) {
                reply(out, refusal.get().code);
                return;
            }
            reply(out, 0x00);
            answerHttp(in, out);
        } catch (IOException | RuntimeException e) {
            // the client went away, or spoke something else: nothing to tell anyone
        }
    }

    private static String readAddress(DataInputStream in) throws IOException {
        int type = in.readUnsignedByte();
        return switch (type) {
            case 0x01 -> InetAddress.getByAddress(in.readNBytes(4)).getHostAddress();
            case 0x03 -> new String(in.readNBytes(in.readUnsignedByte()), StandardCharsets.US_ASCII);
            case 0x04 -> InetAddress.getByAddress(in.readNBytes(16)).getHostAddress();
            default -> throw new IOException("address type " + type);
        };
    }

    private static void reply(OutputStream out, int code) throws IOException {
        out.write(new byte[] {VERSION, (byte) code, 0, 0x01, 0, 0, 0, 0, 0, 0});
        out.flush();
    }

    /** The machine's service: reads a request line and headers, answers once, closes. */
    private static void answerHttp(DataInputStream in, OutputStream out) throws IOException {
        String requestLine;
        try {
            requestLine = readLine(in);
        } catch (SocketException e) {
            return;
        }
        if (requestLine == null || !requestLine.startsWith("GET ")) {
            return;
        }
        String line;
        do {
            line = readLine(in);
        } while (line != null && !line.isEmpty());
        String path = requestLine.split(" ")[1];
        boolean found = path.equals("/") || path.equals("/health");
        String body = found ? "ok\n" : "not found\n";
        out.write(("HTTP/1.1 " + (found ? "200 OK" : "404 Not Found") + "\r\nContent-Type: text/plain\r\nContent-Length: "
                + body.length() + "\r\nConnection: close\r\n\r\n" + body).getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    private static String readLine(DataInputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != -1) {
            if (b == '\n') {
                return line.toString(StandardCharsets.US_ASCII);
            }
            if (b != '\r' && line.size() < 8192) {
                line.write(b);
            }
        }
        return line.size() == 0 ? null : line.toString(StandardCharsets.US_ASCII);
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException e) {
            // closing
        }
        connections.shutdownNow();
    }
}
