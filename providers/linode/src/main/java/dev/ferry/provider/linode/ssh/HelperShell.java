package dev.ferry.provider.linode.ssh;

import static java.util.Objects.requireNonNull;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.channel.ChannelExec;
import org.apache.sshd.client.channel.ClientChannelEvent;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.NamedFactory;
import org.apache.sshd.common.cipher.BuiltinCiphers;
import org.apache.sshd.common.cipher.Cipher;
import org.apache.sshd.common.keyprovider.KeyIdentityProvider;

/**
 * One SSH connection to the helper as {@code root}, authenticated by the run's {@link EphemeralKey} only, the
 * host key checked against the run's {@link HostKeyPin}. Commands run one channel each; a command's stdin can be
 * a stream of any length. Reconnects when the connection was cut. Messages never hold the key.
 */
public final class HelperShell implements AutoCloseable {

    /**
     * The ciphers offered, AES-GCM first: the whole disk goes through the cipher, and Java's AES-GCM runs on the CPU's
     * AES and carry-less multiply instructions where MINA's ChaCha20-Poly1305 (its default first choice) is plain
     * Java, several times slower per byte. OpenSSH servers offer both; the CTR modes stay as fallbacks.
     */
    static final List<BuiltinCiphers> CIPHERS = List.of(BuiltinCiphers.aes128gcm, BuiltinCiphers.aes256gcm,
            BuiltinCiphers.cc20p1305_openssh, BuiltinCiphers.aes128ctr, BuiltinCiphers.aes256ctr);

    /** What is copied into a command's stdin at a time: a few SSH packets, not Java's 8 KiB default. */
    private static final int STDIN_BUFFER = 256 * 1024;

    /** Where the helper answers: its public address, or the sandbox's stand-in. */
    public record Endpoint(String host, int port) {
        public Endpoint {
            requireNonNull(host, "host is null");
        }

        /** {@code HOST:PORT}, as {@code FERRY_LINODE_SSH_ENDPOINT} gives it. */
        public static Endpoint parse(String text) {
            int colon = text.lastIndexOf(':');
            if (colon <= 0) {
                throw new IllegalArgumentException("expected HOST:PORT, not '" + text + "'");
            }
            return new Endpoint(text.substring(0, colon), Integer.parseInt(text.substring(colon + 1)));
        }

        @Override
        public String toString() {
            return host + ":" + port;
        }
    }

    /** What a command did: its exit status and what it printed. */
    public record Result(int exit, String stdout, String stderr) {
        public boolean ok() {
            return exit == 0;
        }

        /** The first line of stderr, or the exit status, for messages. */
        public String reason() {
            String first = stderr.strip().lines().findFirst().orElse("");
            return first.isEmpty() ? "exit status " + exit : first + " (exit status " + exit + ")";
        }
    }

    private final SshClient client;
    private final Endpoint endpoint;
    private final EphemeralKey key;
    private final Duration timeout;
    private ClientSession session;

    private HelperShell(SshClient client, Endpoint endpoint, EphemeralKey key, Duration timeout) {
        this.client = client;
        this.endpoint = endpoint;
        this.key = key;
        this.timeout = timeout;
    }

    /**
     * Connects, trying again while the helper is still booting (connection refused, reset, or the SSH server not
     * yet answering) until {@code within} has passed.
     */
    public static HelperShell connect(Endpoint endpoint, EphemeralKey key, HostKeyPin pin, Duration within,
                                      Duration retryPause) throws IOException {
        SshClient client = SshClient.setUpDefaultClient();
        client.setCipherFactories(List.<NamedFactory<Cipher>>copyOf(CIPHERS));
        client.setServerKeyVerifier((s, address, offered) -> pin.accept(offered));
        client.setKeyIdentityProvider(KeyIdentityProvider.wrapKeyPairs(key.pair()));
        client.start();
        HelperShell shell = new HelperShell(client, endpoint, key, Duration.ofMinutes(2));
        Instant deadline = Instant.now().plus(within);
        try {
            while (true) {
                try {
                    shell.session();
                    return shell;
                } catch (IOException e) {
                    if (Instant.now().plus(retryPause).isAfter(deadline)) {
                        throw new IOException("the helper at " + endpoint + " did not accept SSH within " + within.toSeconds()
                                + " s: " + reason(e), e);
                    }
                    sleep(retryPause);
                }
            }
        } catch (IOException | RuntimeException e) {
            shell.close();
            throw e;
        }
    }

    private synchronized ClientSession session() throws IOException {
        if (session != null && session.isOpen() && session.isAuthenticated()) {
            return session;
        }
        if (session != null) {
            session.close(true);
            session = null;
        }
        ClientSession fresh = client.connect("root", endpoint.host(), endpoint.port()).verify(timeout).getSession();
        try {
            fresh.auth().verify(timeout);
        } catch (IOException | RuntimeException e) {
            fresh.close(true);
            throw e;
        }
        session = fresh;
        return fresh;
    }

    /** Runs {@code command} with nothing on stdin. */
    public Result run(String command) throws IOException {
        return run(command, InputStream.nullInputStream());
    }

    /** Runs {@code command} with {@code stdin} copied into it to its end, then waits for the command to exit. */
    public Result run(String command, InputStream stdin) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try (ChannelExec channel = session().createExecChannel(command)) {
            channel.setOut(out);
            channel.setErr(err);
            channel.open().verify(timeout);
            try (OutputStream in = channel.getInvertedIn()) {
                byte[] buffer = new byte[STDIN_BUFFER];
                for (int n = stdin.read(buffer); n >= 0; n = stdin.read(buffer)) {
                    in.write(buffer, 0, n);
                }
            }
            Set<ClientChannelEvent> events = channel.waitFor(EnumSet.of(ClientChannelEvent.CLOSED,
                    ClientChannelEvent.EXIT_STATUS), Duration.ofHours(1));
            Integer exit = channel.getExitStatus();
            if (exit == null) {
                throw new IOException("the helper's connection closed before '" + firstWord(command) + "' finished"
                        + (events.contains(ClientChannelEvent.TIMEOUT) ? " (timed out)" : ""));
            }
            channel.waitFor(EnumSet.of(ClientChannelEvent.CLOSED), timeout);
            return new Result(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        }
    }

    private static String firstWord(String command) {
        int space = command.indexOf(' ');
        return space < 0 ? command : command.substring(0, space);
    }

    private static String reason(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage();
        return message == null || message.isBlank() ? root.getClass().getSimpleName() : message;
    }

    private static void sleep(Duration pause) throws IOException {
        try {
            Thread.sleep(pause.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for the helper's SSH server", e);
        }
    }

    public Endpoint endpoint() {
        return endpoint;
    }

    @Override
    public synchronized void close() {
        if (session != null) {
            session.close(true);
            session = null;
        }
        client.stop();
    }

    @Override
    public String toString() {
        return "HelperShell[root@" + endpoint + ", " + key + "]";
    }
}
