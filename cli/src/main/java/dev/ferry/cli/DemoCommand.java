package dev.ferry.cli;

import static java.util.Objects.requireNonNull;

import dev.ferry.engine.FerryException;
import dev.ferry.sandbox.Sandbox;
import dev.ferry.sandbox.SandboxException;
import dev.ferry.sandbox.SandboxOptions;
import dev.ferry.sandbox.world.Firewall;
import dev.ferry.sandbox.world.LinodeInstance;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ferry demo}: the whole of journey A on the local sandbox — plan, apply with live progress,
 * a look at the new Linode and its firewall, then destroy — with no account, credentials or network.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {
            "Shows ferry at work on its local sandbox, with no account, credentials or network:",
            "plans and applies plans/examples/demo.yaml (an EC2 instance moved to Linode), shows",
            "the new Linode and its firewall, then destroys what it made."
        })
final class DemoCommand implements Callable<Integer> {

    static final String DEMO_FILE = "demo.yaml";

    @Option(names = "--keep", description = "Leave the sandbox running and skip destroy, to look around (Ctrl-C to stop).")
    boolean keep;

    @Option(names = "--time-scale", paramLabel = "X", defaultValue = "1.0",
            description = "Speed of the sandbox's clouds (default 1.0; smaller is faster).")
    double timeScale;

    @Spec
    CommandSpec spec;

    private final CliEnvironment environment;

    @Inject
    DemoCommand(CliEnvironment environment) {
        this.environment = requireNonNull(environment, "environment is null");
    }

    @Override
    public Integer call() throws IOException, InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Path folder = Files.createTempDirectory("ferry-demo");
        try (Sandbox sandbox = startSandbox()) {
            Files.writeString(folder.resolve(DEMO_FILE), demoFile());
            Map<String, String> variables = new HashMap<>(environment.variables());
            sandbox.environment().forEach(variables::put);
            variables.remove("AWS_PROFILE");
            variables.put("ROOT_PASSWORD", randomPassword());
            variables.putIfAbsent("FERRY_POLL_INTERVAL", "1s");
            CliEnvironment demo = new CliEnvironment(variables, folder, environment.home(), out, err,
                    new java.io.BufferedReader(new StringReader("")), environment.interactive(), environment.handleSignals());

            banner(out, "ferry demo: the local sandbox is running on " + sandbox.endpoint());
            out.println("It stands in for AWS (us-west-1) and Linode, with the EC2 instance i-0e1dc0292b0ae7293 (web-01).");
            out.println("The migration file is " + folder.resolve(DEMO_FILE) + " (a copy of plans/examples/demo.yaml).");
            if (!step(demo, out, "1. ferry plan: every step, before anything happens (saved for review as demo.plan)",
                    "plan", "-f", DEMO_FILE, "-out", "demo.plan")) {
                return Commands.ERROR;
            }
            if (!step(demo, out, "2. ferry apply demo.plan: exactly the reviewed plan, saving progress after every step",
                    "apply", "demo.plan")) {
                return Commands.ERROR;
            }
            banner(out, "3. The new Linode and its Cloud Firewall");
            Main.run(demo, "state", "show", "-f", DEMO_FILE, "linode_instance.web-01");
            Main.run(demo, "state", "show", "-f", DEMO_FILE, "linode_firewall.web-01");
            summary(out, sandbox);
            if (keep) {
                out.println();
                out.println("The sandbox stays up (--keep). In another shell:");
                out.print(sandbox.exportLines());
                out.println("cd " + folder + " && ferry show");
                out.println("Press Ctrl-C to stop.");
                out.flush();
                new java.util.concurrent.CountDownLatch(1).await();
            }
            if (!step(demo, out, "4. ferry destroy: removing what the demo made", "destroy", "-f", DEMO_FILE, "--auto-approve")) {
                return Commands.ERROR;
            }
            banner(out, "Done. Point ferry at real clouds with a file like plans/examples/ec2-to-linode.yaml.");
            return Commands.OK;
        } finally {
            deleteTree(folder);
        }
    }

    private Sandbox startSandbox() {
        try {
            return Sandbox.start(SandboxOptions.builder().timeScale(timeScale).build());
        } catch (SandboxException e) {
            throw new FerryException("the demo's sandbox cannot start: " + e.getMessage());
        }
    }

    private boolean step(CliEnvironment demo, PrintWriter out, String title, String... args) {
        banner(out, title);
        int code = Main.run(demo, args);
        if (code != Commands.OK) {
            demo.err().println("Error: the demo stopped because 'ferry " + String.join(" ", args) + "' failed (see above).");
            return false;
        }
        return true;
    }

    /**
     * What the state shows, told as the Linode account now holds it: where the new machine is, that the firewall
     * protects it, and what became of the staging copies and the root password (shown nowhere).
     */
    private static void summary(PrintWriter out, Sandbox sandbox) {
        out.println();
        for (LinodeInstance linode : sandbox.world().linodeInstances()) {
            out.println("In the sandbox's Linode account: Linode " + linode.id() + " \"" + linode.label() + "\" (" + linode.type() + ", "
                    + linode.region() + ") is " + linode.status() + " at " + String.join(", ", linode.ipv4())
                    + ", booted from the uploaded image " + linode.image() + ".");
            for (Firewall firewall : sandbox.world().firewalls()) {
                if (firewall.devices().stream().anyMatch(device -> device.entityId() == linode.id())) {
                    out.println("It is behind Cloud Firewall " + firewall.id() + " \"" + firewall.label() + "\": "
                            + firewall.rules().inbound().size() + " inbound rules translated from its security groups and the file, "
                            + "anything else inbound " + firewall.rules().inboundPolicy() + ", outbound "
                            + firewall.rules().outboundPolicy() + ".");
                }
            }
        }
        out.println("The staging AMI and exported disk image are gone: staging.cleanup is delete-after-import. The root password"
                + " came from ROOT_PASSWORD (random for the demo) and is shown nowhere, state included.");
        out.flush();
    }

    private static void banner(PrintWriter out, String title) {
        out.println();
        out.println("== " + title);
        out.println();
        out.flush();
    }

    static String demoFile() throws IOException {
        try (InputStream in = DemoCommand.class.getResourceAsStream("demo/" + DEMO_FILE)) {
            if (in == null) {
                throw new IllegalStateException("the demo file is missing from ferry's jar");
            }
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    /** A strong password for the demo's Linodes: it is used once and never shown. */
    static String randomPassword() {
        String letters = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
        SecureRandom random = new SecureRandom();
        StringBuilder password = new StringBuilder("Fy-");
        for (int i = 0; i < 24; i++) {
            password.append(letters.charAt(random.nextInt(letters.length())));
        }
        return password.append("-9!").toString();
    }

    private static void deleteTree(Path folder) {
        try (Stream<Path> paths = Files.walk(folder)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            // a temporary folder left behind is harmless
        }
    }
}
