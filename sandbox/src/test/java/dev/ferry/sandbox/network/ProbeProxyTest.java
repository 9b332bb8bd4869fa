package dev.ferry.sandbox.network;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.sandbox.Sandbox;
import dev.ferry.sandbox.TestSandboxes;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The machines' services answer through the SOCKS5 proxy as their security groups let the operator in. */
class ProbeProxyTest {

    private static final Sandbox sandbox = TestSandboxes.start(0.01);

    @AfterAll
    static void stop() {
        sandbox.close();
    }

    private static Socket through(Sandbox box, String address, int port) throws IOException {
        Proxy proxy = new Proxy(Proxy.Type.SOCKS, new InetSocketAddress("127.0.0.1", box.probeProxy().getPort()));
        Socket socket = new Socket(proxy);
        socket.setSoTimeout(5000);
        socket.connect(InetSocketAddress.createUnresolved(address, port), 5000);
        return socket;
    }

    private static String get(Socket socket, String path) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write(("GET " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        InputStream in = socket.getInputStream();
        return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
    }

    @Test
    void aServedPortTheSecurityGroupOpensAnswersHttpOnEitherAddress() throws IOException {
        try (Socket socket = through(sandbox, "54.183.22.10", 443)) {
            assertThat(get(socket, "/health")).startsWith("HTTP/1.1 200 OK");
        }
        try (Socket socket = through(sandbox, "10.0.1.15", 80)) {
            assertThat(get(socket, "/nothing-here")).startsWith("HTTP/1.1 404");
        }
        // 22 is open to 203.0.113.0/24, where the operator is
        through(sandbox, "54.183.22.10", 22).close();
    }

    @Test
    void aPortTheSecurityGroupOpensOnlyToAnotherGroupIsNotAllowed() {
        // web-01 serves 8080, but only the load balancer's group may reach it
        assertThatThrownBy(() -> through(sandbox, "54.183.22.10", 8080)).isInstanceOf(SocketException.class)
                .hasMessageContaining("not allowed");
    }

    @Test
    void aPortNothingServesIsRefusedAndAnUnknownAddressIsUnreachable() {
        // web-02 serves 22, 80 and 443, not 8443
        assertThatThrownBy(() -> through(sandbox, "10.0.1.16", 8443)).isInstanceOf(SocketException.class);
        assertThatThrownBy(() -> through(sandbox, "198.51.100.77", 22)).isInstanceOf(SocketException.class)
                .hasMessageContaining("unreachable");
    }

    @Test
    void servicesComeFromTheWorldFile(@TempDir Path directory) throws IOException {
        Path world = directory.resolve("world.yaml");
        Files.writeString(world, """
                vpcs: [{id: vpc-0a1b2c3d, cidr: 10.0.0.0/16}]
                subnets: [{id: subnet-0abc1234, vpc: vpc-0a1b2c3d, cidr: 10.0.1.0/24, availability_zone: us-west-1a}]
                security_groups:
                  - id: sg-0a1b2c3d4e5f60789
                    name: open
                    vpc: vpc-0a1b2c3d
                    ingress: [{protocol: tcp, from_port: 0, to_port: 65535, cidrs: [0.0.0.0/0]}]
                instances:
                  - id: i-0e1dc0292b0ae7293
                    type: t3.medium
                    subnet: subnet-0abc1234
                    private_ip: 10.0.1.15
                    security_groups: [sg-0a1b2c3d4e5f60789]
                    services: [2222]
                    volumes: [{id: vol-0a1b2c3d4e5f60001, device: /dev/xvda, size_gib: 1}]
                """);
        try (Sandbox own = Sandbox.start(TestSandboxes.options(0.01).worldFile(world).build())) {
            through(own, "10.0.1.15", 2222).close();
            assertThatThrownBy(() -> through(own, "10.0.1.15", 22)).isInstanceOf(SocketException.class)
                    .hasMessageContaining("refused");
            assertThat(own.environment()).containsEntry("FERRY_PROBE_PROXY", own.probeProxy().toString());
        }
    }
}
