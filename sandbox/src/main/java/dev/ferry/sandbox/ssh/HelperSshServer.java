package dev.ferry.sandbox.ssh;

import dev.ferry.sandbox.http.Faults;
import dev.ferry.sandbox.world.LinodeInstance;
import dev.ferry.sandbox.world.World;
import org.apache.sshd.common.AttributeRepository;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.session.ServerSession;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import static java.util.Objects.requireNonNull;

/**
 * The helper Linodes' SSH server, on {@code 127.0.0.1} and an ephemeral port, with a host key made for this
 * start. A client logs in as {@code root} with a key that a disk of a running Linode was deployed with, in the
 * {@code sda} slot of the config it booted: that Linode is the machine the session's commands act on.
 */
public final class HelperSshServer implements AutoCloseable {

    static final AttributeRepository.AttributeKey<Long> LINODE = new AttributeRepository.AttributeKey<>();

    private final SshServer server;
    private final ExecutorService commands;

    private HelperSshServer(SshServer server, ExecutorService commands) {
        this.server = server;
        this.commands = commands;
    }

    /** Starts the server; faults may cut its sessions mid-stream ({@code services=linode-ssh}). */
    public static HelperSshServer start(World world, Faults faults) {
        requireNonNull(world, "world is null");
        requireNonNull(faults, "faults is null");
        AtomicInteger threads = new AtomicInteger();
        ExecutorService commands = Executors.newCachedThreadPool(r -> {
            Thread thread = new Thread(r, "sandbox-ssh-command-" + threads.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        SshServer server = SshServer.setUpDefaultServer();
        server.setHost("127.0.0.1");
        server.setPort(0);
        server.setKeyPairProvider(KeyPairProvider.wrap(hostKey()));
        server.setPasswordAuthenticator(null);
        server.setKeyboardInteractiveAuthenticator(null);
        server.setGSSAuthenticator(null);
        server.setPublickeyAuthenticator((user, key, session) -> admit(world, user, key, session));
        server.setCommandFactory((channel, command) -> new HelperCommand(world, faults, commands, command));
        try {
            server.start();
        } catch (IOException e) {
            commands.shutdownNow();
            throw new UncheckedIOException("cannot start the sandbox's SSH server: " + e.getMessage(), e);
        }
        return new HelperSshServer(server, commands);
    }

    private static boolean admit(World world, String user, PublicKey key, ServerSession session) {
        if (!"root".equals(user)) {
            return false;
        }
        String offered = PublicKeyEntry.toString(key);
        Optional<LinodeInstance> machine = world.read(w -> w.linode().machines().runningWithKey(line ->
                sameKey(line, offered)));
        machine.ifPresent(m -> session.setAttribute(LINODE, m.id()));
        return machine.isPresent();
    }

    /** Whether an authorized_keys line ({@code type base64 [comment]}) holds the offered key. */
    private static boolean sameKey(String line, String offered) {
        String[] parts = line.trim().split("\\s+");
        return parts.length >= 2 && offered.equals(parts[0] + " " + parts[1]);
    }

    private static KeyPair hostKey() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(256);
            return generator.generateKeyPair();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code 127.0.0.1:PORT}, as {@code FERRY_LINODE_SSH_ENDPOINT} gives it. */
    public String endpoint() {
        return "127.0.0.1:" + server.getPort();
    }

    public int port() {
        return server.getPort();
    }

    @Override
    public void close() {
        try {
            server.stop(true);
        } catch (IOException e) {
            // closing anyway
        }
        commands.shutdownNow();
    }
}
