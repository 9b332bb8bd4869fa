package dev.ferry.cli.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.sandbox.Sandbox;
import dev.ferry.sandbox.world.SandboxWorld;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The root password, the Linode token and the AWS secret key (all random and distinctive here) appear
 * nowhere ferry writes: not in what any command prints, with or without {@code FERRY_LOG=debug}, not
 * in an error's stack trace, not in the state, its backup, a saved plan or a JSON plan.
 */
class SecretsStayHiddenTest {

    @TempDir
    Path dir;

    @Test
    void noSecretAppearsInOutputStateSavedPlansOrDebugLogs() throws IOException {
        String rootPassword = Journeys.distinctiveSecret("Root-");
        String secretKey = Journeys.distinctiveSecret("AwsSecret/");
        String token = Journeys.distinctiveSecret("LinodeToken-").replace("!", "0");
        SandboxWorld d = SandboxWorld.defaults();
        SandboxWorld world = new SandboxWorld(d.account(), d.region(), d.accessKeyId(), secretKey, token,
                d.vcenterUsername(), d.vcenterPassword(), d.vpcs(), d.subnets(), d.securityGroups(), d.publicImages(),
                d.instances(), d.buckets(), d.vms());
        List<String> secrets = List.of(rootPassword, secretKey, token);
        List<Ferry.Result> results = new ArrayList<>();

        try (Sandbox sandbox = Sandbox.start(Journeys.sandbox().world(world).build())) {
            assertThat(sandbox.secretAccessKey()).isEqualTo(secretKey);
            assertThat(sandbox.linodeToken()).isEqualTo(token);
            Journeys.copyExample(dir);
            Ferry ferry = Ferry.in(dir, sandbox, rootPassword);
            Ferry debug = ferry.with("FERRY_LOG", "debug");

            results.add(ferry.run("plan"));
            results.add(ferry.run("plan", "-out", "reviewed.plan"));
            results.add(ferry.run("plan", "--json"));
            results.add(debug.run("plan", "--json", "-out", "debug.plan"));
            results.add(debug.run("plan", "--markdown"));

            // An apply that fails where the root password is sent: the error must not carry the request
            // that held it.
            sandbox.faults().set("services=linode,actions=POST /linode/instances,rate=1,statuses=500");
            Ferry.Result failed = debug.run("apply", "reviewed.plan");
            results.add(failed);
            assertThat(failed.exitCode()).as(failed.toString()).isEqualTo(1);
            assertThat(failed.err()).contains("linode_instance.web-01");
            sandbox.faults().clear();

            Ferry.Result apply = debug.run("apply", "--auto-approve");
            results.add(apply);
            assertThat(apply.exitCode()).as(apply.toString()).isZero();
            assertThat(sandbox.world().linode().instances()).hasSize(1);
            results.add(debug.run("show"));
            results.add(ferry.run("show", "--json"));
            results.add(debug.run("state", "show", "linode_instance.web-01"));
            results.add(debug.run("state", "list"));
            results.add(debug.run("plan", "--detailed-exitcode"));
            results.add(debug.run("destroy", "--auto-approve"));
            // a token the API rejects: the error, and its stack trace under FERRY_LOG=debug, must not show it
            Ferry.Result refused = debug.with("LINODE_TOKEN", token + "x").run("plan");
            results.add(refused);
            assertThat(refused.exitCode()).as(refused.toString()).isEqualTo(1);
            assertThat(refused.err()).as("a debug run shows the stack trace").contains("\tat ");
        }

        assertThat(Files.exists(dir.resolve(".ferry/web-tier/state.json"))).isTrue();
        assertThat(Files.exists(dir.resolve(".ferry/web-tier/state.json.backup"))).isTrue();
        assertThat(Files.exists(dir.resolve("reviewed.plan"))).isTrue();
        for (Ferry.Result result : results) {
            for (String secret : secrets) {
                assertThat(result.all()).as("output of a command").doesNotContain(secret);
            }
        }
        List<Path> files;
        try (Stream<Path> walk = Files.walk(dir)) {
            files = walk.filter(Files::isRegularFile).toList();
        }
        assertThat(files).hasSizeGreaterThanOrEqualTo(5);
        for (Path file : files) {
            String content = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
            for (String secret : secrets) {
                assertThat(content).as(dir.relativize(file).toString()).doesNotContain(secret);
            }
        }
    }
}
