package dev.ferry.cli.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.sandbox.Sandbox;
import dev.ferry.sandbox.world.LinodeInstance;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Journey A with {@code verify:}: the plan probes the source (web-01 serves 22, 80, 443 and 8080, and its security
 * group lets the operator reach all but 8080), the last step probes the Linode through its Cloud Firewall, and a
 * port the firewall drops fails the migration with what to look at, leaving the Linode in place.
 */
class VerifyTest {

    private static final String CHECKS = """
                verify:
                  tcp: [22, 443, 8080]
                  http: [{url: "http://{address}/health"}]
                  timeout: 3s
            """;

    @TempDir
    Path dir;

    Sandbox sandbox;
    Ferry ferry;

    @BeforeEach
    void start() {
        sandbox = Sandbox.start(Journeys.sandbox().world(Journeys.smallRootWorld()).build());
        ferry = Ferry.in(dir, sandbox, Journeys.distinctiveSecret("Root-"));
    }

    @AfterEach
    void stop() {
        sandbox.close();
    }

    private void writeFile(String firewall) throws IOException {
        String example = Journeys.exampleFile();
        int at = example.indexOf("    firewall:\n");
        Files.writeString(dir.resolve("migration.yaml"), example.substring(0, at) + firewall + CHECKS);
    }

    private static final String TRANSLATED = """
                firewall:
                  from: security-groups
                  rules:
                    - { direction: inbound, action: ACCEPT, protocol: TCP, ports: "8080", addresses: ["203.0.113.0/24"] }
            """;

    @Test
    void thePlanShowsWhatAnswersOnTheSource_andTheApplyEndsWithTheLinodeAnsweringTheSame() throws IOException {
        writeFile(TRANSLATED);

        Ferry.Result plan = ferry.run("plan");
        assertThat(plan.exitCode()).as(plan.toString()).isZero();
        assertThat(plan.out()).contains("verify.web-01")
                .contains("probed on the source 54.183.22.10 through the SOCKS5 proxy")
                .contains("tcp/22, tcp/443, GET http://{address}/health answered")
                .contains("tcp/8080 did not answer on the source (blocked");
        assertThat(sandbox.world().linode().instances()).as("plan makes nothing").isEmpty();

        Ferry.Result apply = ferry.run("apply", "--auto-approve");
        assertThat(apply.exitCode()).as(apply.toString()).isZero();
        assertThat(apply.out()).contains("Verified verify.web-01: the Linode " + theLinode().ipv4().get(0) + " answers as the source did.")
                .contains("tcp/443 answered on the source and answers on the Linode")
                .contains("GET http://{address}/health answered on the source and answers on the Linode")
                .contains("tcp/8080 did not answer on the source but answers on the Linode")
                .contains("Apply complete! Resources: 6 added");

        Ferry.Result show = ferry.run("show");
        assertThat(show.out()).contains("verify.web-01").contains("answered 200");

        Ferry.Result again = ferry.run("plan", "--detailed-exitcode");
        assertThat(again.exitCode()).as("verified once, nothing to do: " + again).isZero();
        assertThat(again.out()).contains("No changes.");
    }

    @Test
    void aPortTheFirewallDropsFailsTheLastStepNamingItAndWhatToLookAt_andFixingTheFileVerifiesWithoutMigratingAgain() throws IOException {
        writeFile("""
                    firewall:
                      from: none
                      rules:
                        - { direction: inbound, action: ACCEPT, protocol: TCP, ports: "22,8080", addresses: ["203.0.113.0/24"] }
                """);

        Ferry.Result failed = ferry.run("apply", "--auto-approve");
        assertThat(failed.exitCode()).as(failed.toString()).isEqualTo(1);
        LinodeInstance linode = theLinode();
        assertThat(failed.err()).contains("verify.web-01: 2 checks that answered on the source 54.183.22.10 do not answer on the Linode "
                        + linode.ipv4().get(0) + " after 3s: tcp/443 (blocked (connection not allowed by ruleset)), GET http://{address}/health")
                .contains("the firewall: does the Linode's Cloud Firewall accept TCP 443, TCP 80 inbound?")
                .containsPattern("on the source, TCP 443 came in by sg-0a1b2c3d4e5f60789 \\(web\\) inbound sgr-[0-9a-f, sgr-]+ from 0\\.0\\.0\\.0/0")
                .contains("the service: is what listens on TCP 443, TCP 80")
                .contains("Nothing was removed")
                .doesNotContain("the boot:");
        assertThat(linode.status()).as("the Linode stays, running").isEqualTo("running");
        assertThat(ferry.run("state", "list").out()).contains("linode_instance.web-01").contains("verify.web-01");

        writeFile("""
                    firewall:
                      from: none
                      rules:
                        - { direction: inbound, action: ACCEPT, protocol: TCP, ports: "22,80,443,8080", addresses: ["0.0.0.0/0"] }
                """);
        Ferry.Result fixed = ferry.run("apply", "--auto-approve");
        assertThat(fixed.exitCode()).as(fixed.toString()).isZero();
        assertThat(fixed.out()).contains("verify.web-01 will be created (the last attempt failed: 2 checks")
                .contains("tcp/443 answered on the source and answers on the Linode")
                .as("the firewall updated in place, the checks run again; nothing else").contains("Resources: 1 added, 1 changed, 0 destroyed.");
        assertThat(theLinode().id()).as("the same Linode, not made again").isEqualTo(linode.id());
        assertThat(sandbox.world().linode().images()).as("the disk was not moved again").hasSize(1);
    }

    private LinodeInstance theLinode() {
        assertThat(sandbox.world().linode().instances()).hasSize(1);
        return sandbox.world().linode().instances().get(0);
    }
}
