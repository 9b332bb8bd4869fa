package dev.ferry.cli;

import static java.util.Objects.requireNonNull;

import dev.ferry.engine.FerryException;
import dev.ferry.provider.vsphere.VsphereProvider;
import dev.ferry.sandbox.Sandbox;
import dev.ferry.sandbox.SandboxException;
import dev.ferry.sandbox.SandboxOptions;
import dev.ferry.sandbox.world.Firewall;
import dev.ferry.sandbox.world.LinodeInstance;
import dev.ferry.sandbox.world.VmImageFormat;
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
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code ferry demo}: a whole journey on the local sandbox — plan, apply the saved plan with live
 * progress, a look at what it made, then destroy — with no account, credentials or network. Journey A
 * (an EC2 instance to Linode) by default; {@code --journey vcenter-to-ec2} runs journey B (a vCenter VM's
 * OVA imported into EC2).
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        header = "Shows ferry at work on its local sandbox, with no account or network.",
        description = {
            "Plans a migration, applies the saved plan, shows what it made, then destroys it.",
            "",
            "  ec2-to-linode (default)  plans/examples/demo.yaml: an EC2 instance moved to",
            "                           Linode; shows the new Linode and its firewall.",
            "  vcenter-to-ec2           plans/examples/vcenter-to-ec2.yaml: the OVA of the",
            "                           vCenter VM app-02 uploaded to S3, imported, launched,",
            "                           backed up and exported back; shows the new instance.",
            "",
            "Each takes under a minute at the default time scale."
        })
final class DemoCommand implements Callable<Integer> {

    static final String DEMO_FILE = "demo.yaml";
    static final String JOURNEY_B_FILE = "vcenter-to-ec2.yaml";

    /** The journeys the demo can show, by the name {@code --journey} takes. */
    enum Journey {
        EC2_TO_LINODE("ec2-to-linode", DEMO_FILE),
        VCENTER_TO_EC2("vcenter-to-ec2", JOURNEY_B_FILE);

        final String id;
        final String file;

        Journey(String id, String file) {
            this.id = id;
            this.file = file;
        }

        static Journey parse(String text) {
            for (Journey journey : values()) {
                if (journey.id.equals(text)) {
                    return journey;
                }
            }
            throw new TypeConversionException("'" + text + "' is not a journey the demo knows: use ec2-to-linode or vcenter-to-ec2");
        }

        @Override
        public String toString() {
            return id;
        }
    }

    @Option(names = "--journey", paramLabel = "NAME", defaultValue = "ec2-to-linode", converter = JourneyConverter.class,
            description = "Which journey to show: ec2-to-linode (default) or vcenter-to-ec2.")
    Journey journey;

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
            Files.writeString(folder.resolve(journey.file), demoFile(journey.file));
            Map<String, String> variables = new HashMap<>(environment.variables());
            sandbox.environment().forEach(variables::put);
            variables.remove("AWS_PROFILE");
            variables.put(VsphereProvider.ENDPOINT_VARIABLE, sandbox.vcenterUrl().toString());
            variables.put("ROOT_PASSWORD", randomPassword());
            variables.putIfAbsent("FERRY_POLL_INTERVAL", "1s");
            CliEnvironment demo = new CliEnvironment(variables, folder, environment.home(), out, err,
                    new java.io.BufferedReader(new StringReader("")), environment.interactive(), environment.handleSignals());

            banner(out, "ferry demo (" + journey + "): the local sandbox is running on " + sandbox.endpoint());
            String[] show = switch (journey) {
                case EC2_TO_LINODE -> {
                    out.println("It stands in for AWS (us-west-1) and Linode, with the EC2 instance i-0e1dc0292b0ae7293 (web-01).");
                    yield new String[] {"3. The new Linode and its Cloud Firewall", "linode_instance.web-01", "linode_firewall.web-01"};
                }
                case VCENTER_TO_EC2 -> {
                    out.println("It stands in for vCenter and AWS (us-west-1), with the vCenter VM app-02 (2 vCPUs, 4 GiB, Ubuntu).");
                    Path ova = sandbox.world().vcenter().exportVmImage("app-02", folder.resolve("exports/app-02.ova"), VmImageFormat.OVA);
                    out.println("app-02 was exported from vCenter as " + ova + " (" + Files.size(ova) / 1024 + " KiB).");
                    yield new String[] {"3. The new EC2 instance, launched from the imported image", "aws_instance.app-02"};
                }
            };
            out.println("The migration file is " + folder.resolve(journey.file) + " (a copy of plans/examples/" + journey.file + ").");
            if (!step(demo, out, "1. ferry plan: every step, before anything happens (saved for review as demo.plan)",
                    "plan", "-f", journey.file, "-out", "demo.plan")) {
                return Commands.ERROR;
            }
            if (!step(demo, out, "2. ferry apply demo.plan: exactly the reviewed plan, saving progress after every step",
                    "apply", "demo.plan")) {
                return Commands.ERROR;
            }
            banner(out, show[0]);
            for (int i = 1; i < show.length; i++) {
                Main.run(demo, "state", "show", "-f", journey.file, show[i]);
            }
            if (journey == Journey.EC2_TO_LINODE) {
                summary(out, sandbox);
            }
            if (keep) {
                out.println();
                out.println("The sandbox stays up (--keep). In another shell:");
                out.print(sandbox.exportLines());
                out.print(Sandbox.exportLines(Map.of(VsphereProvider.ENDPOINT_VARIABLE, sandbox.vcenterUrl().toString())));
                out.println("cd " + folder + " && ferry show -f " + journey.file);
                out.println("Press Ctrl-C to stop.");
                out.flush();
                new java.util.concurrent.CountDownLatch(1).await();
            }
            if (!step(demo, out, "4. ferry destroy: removing what the demo made", "destroy", "-f", journey.file, "--auto-approve")) {
                return Commands.ERROR;
            }
            banner(out, switch (journey) {
                case EC2_TO_LINODE -> "Done. Point ferry at real clouds with a file like plans/examples/ec2-to-linode.yaml.";
                case VCENTER_TO_EC2 -> "Done. Point ferry at your vCenter and AWS with a file like plans/examples/vcenter-to-ec2.yaml.";
            });
            return Commands.OK;
        } finally {
            deleteTree(folder);
        }
    }

    /** picocli's hook for {@code --journey}, so a wrong name is a usage error naming the right ones. */
    static final class JourneyConverter implements ITypeConverter<Journey> {
        @Override
        public Journey convert(String value) {
            return Journey.parse(value);
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
        for (LinodeInstance linode : sandbox.world().linode().instances()) {
            out.println("In the sandbox's Linode account: Linode " + linode.id() + " \"" + linode.label() + "\" (" + linode.type() + ", "
                    + linode.region() + ") is " + linode.status() + " at " + String.join(", ", linode.ipv4())
                    + ", booted from the uploaded image " + linode.image() + ".");
            for (Firewall firewall : sandbox.world().linode().firewalls()) {
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

    static String demoFile(String name) throws IOException {
        try (InputStream in = DemoCommand.class.getResourceAsStream("demo/" + name)) {
            if (in == null) {
                throw new IllegalStateException("the demo file " + name + " is missing from ferry's jar");
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
