package dev.ferry.cli;

import static java.util.Objects.requireNonNull;

import dev.ferry.engine.FerryException;
import dev.ferry.engine.provider.Provider;
import dev.ferry.engine.spec.MigrationFiles;
import dev.ferry.provider.vsphere.VsphereProvider;
import dev.ferry.sandbox.Sandbox;
import dev.ferry.sandbox.SandboxException;
import dev.ferry.sandbox.SandboxOptions;
import jakarta.inject.Inject;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ferry sandbox}: the local stand-ins for AWS, Linode and vCenter, in the foreground. */
@Command(name = "sandbox", mixinStandardHelpOptions = true,
        header = "Runs ferry's local stand-ins for AWS, Linode and vCenter, in the foreground.",
        description = {
            "Stand-ins for AWS (EC2, S3, IAM, STS, Pricing), Linode API v4 and the vCenter REST API "
                + "that speak their real protocols on 127.0.0.1, seeded with a world that matches "
                + "plans/examples/. Prints the environment to point ferry (or the AWS CLI) at it. State is in "
                + "memory unless --state is given. Stop it with Ctrl-C.",
            "",
            "--examples DIR writes what the migration files in DIR read from the local disk: the disk image a "
                + "vsphere source's disk_image names (exported from the sandbox's VM of that name) and a random "
                + "password for each root_pass: $${file:PATH} that is missing. With --examples plans/examples, "
                + "every example there plans and applies against the sandbox."
        })
final class SandboxCommand implements Callable<Integer> {

    @Option(names = "--port", paramLabel = "PORT", defaultValue = "0", description = "Port on 127.0.0.1 (default: any free one).")
    int port;

    @Option(names = "--faults", paramLabel = "SPEC",
            description = "Inject faults: comma-separated key=value pairs, e.g. rate=0.1,statuses=500,503,429 or cut=0.05,latency=20ms or services=linode,s3,seed=7 (all in one SPEC).")
    String faults;

    @Option(names = "--state", paramLabel = "DIR", description = "Keep the sandbox's world in DIR between runs.")
    String state;

    @Option(names = "--world", paramLabel = "FILE", description = "Start from this world (YAML or JSON) instead of the default one.")
    String world;

    @Option(names = "--examples", paramLabel = "DIR",
            description = "Write what the migration files in DIR read from the local disk: vSphere disk images (such as"
                    + " exports/app-02.ova) and missing root_pass files.")
    String examples;

    @Option(names = "--time-scale", paramLabel = "X", defaultValue = "1.0",
            description = "Multiply every operation's duration by X (default 1.0: an AMI takes a few seconds).")
    double timeScale;

    @Option(names = "--run-for", paramLabel = "DURATION", hidden = true, description = "Stop after DURATION (for tests).")
    String runFor;

    @Spec
    CommandSpec spec;

    private final CliEnvironment environment;
    private final SandboxExamples examplesWriter;

    @Inject
    SandboxCommand(CliEnvironment environment, Map<String, Provider> providers) {
        this.environment = requireNonNull(environment, "environment is null");
        this.examplesWriter = new SandboxExamples(new MigrationFiles(
                providers.values().stream().flatMap(p -> p.sectionKinds().stream()).toList()));
    }

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        SandboxOptions.Builder options = SandboxOptions.builder().port(port);
        try {
            options.timeScale(timeScale);
        } catch (IllegalArgumentException e) {
            throw new FerryException("--time-scale " + spec.commandLine().getParseResult().matchedOption("--time-scale").stringValues().get(0)
                    + ": the time scale must be zero (instant) or positive, e.g. 0.1 for ten times faster");
        }
        try {
            if (faults != null) {
                options.faults(faults);
            }
            if (state != null) {
                options.stateDirectory(environment.resolve(state));
            }
            if (world != null) {
                Path worldFile = environment.resolve(world);
                if (!Files.exists(worldFile)) {
                    throw new FerryException("cannot read world file " + worldFile + ": no such file");
                }
                if (!Files.isRegularFile(worldFile) || !Files.isReadable(worldFile)) {
                    throw new FerryException("cannot read world file " + worldFile + ": "
                            + (Files.isDirectory(worldFile) ? "it is a directory" : "permission denied"));
                }
                options.worldFile(worldFile);
            }
        } catch (IllegalArgumentException e) {
            throw new FerryException(e.getMessage());
        }
        Path examplesDirectory = examples == null ? null : environment.resolve(examples);
        if (examplesDirectory != null) {
            SandboxExamples.check(examplesDirectory, examples);
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Sandbox sandbox;
        try {
            sandbox = Sandbox.start(options.build());
        } catch (SandboxException | IllegalArgumentException e) {
            throw new FerryException("the sandbox cannot start: " + e.getMessage());
        }
        Thread hook = new Thread(() -> {
            sandbox.close();
            stopped.countDown();
        }, "ferry-sandbox-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            List<String> prepared = examplesDirectory == null ? List.of()
                    : examplesWriter.prepare(examplesDirectory, examples, sandbox.world());
            out.println("ferry sandbox is running on " + sandbox.endpoint() + " (AWS: EC2, S3, IAM, STS, Pricing in "
                    + sandbox.region() + "; Linode API v4 at " + sandbox.linodeApiUrl() + "; vCenter REST API at "
                    + sandbox.vcenterUrl() + "/api).");
            out.println();
            if (examplesDirectory != null) {
                prepared.forEach(out::println);
                out.println();
            }
            out.println("Point ferry at it from another shell (these credentials work only here):");
            out.println();
            out.print(sandbox.exportLines());
            out.print(Sandbox.exportLines(Map.of(VsphereProvider.ENDPOINT_VARIABLE, sandbox.vcenterUrl().toString())));
            out.println("export ROOT_PASSWORD='" + DemoCommand.randomPassword() + "'   # any strong password for the new Linodes");
            out.println();
            out.println("Then try: ./ferry plan -f plans/examples/ec2-to-linode.yaml");
            out.println("For journey B (plans/examples/vcenter-to-ec2.yaml), " + VsphereProvider.ENDPOINT_VARIABLE
                    + " sends vCenter requests here, and VSPHERE_USER and VSPHERE_PASSWORD log in.");
            if (examplesDirectory == null) {
                out.println("Start it with --examples plans/examples to write the OVA and the password file that"
                        + " vcenter-to-ec2.yaml and fleet.yaml read from the disk.");
            }
            out.println(faults == null ? "No faults are injected." : "Injecting faults: " + faults);
            out.println("Press Ctrl-C to stop.");
            out.flush();
            if (runFor != null) {
                Duration duration = Operations.duration("--run-for", runFor);
                stopped.await(duration.toMillis(), TimeUnit.MILLISECONDS);
            } else {
                stopped.await();
            }
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running: it closes the sandbox
            }
            sandbox.close();
        }
        return Commands.OK;
    }
}
