package dev.ferry.cli.e2e;

import dev.ferry.sandbox.Sandbox;
import dev.ferry.sandbox.SandboxOptions;
import dev.ferry.sandbox.http.LoggedRequest;
import dev.ferry.sandbox.world.ConversionTaskSpan;
import dev.ferry.sandbox.world.World;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * The figures of bench/journey-a/run.sh (see its header): {@code plan} of N migrations, and the makespan of
 * an apply of N migrations against the lower bound AWS's five conversion tasks allow. The sandbox runs in this
 * JVM, from a generated world file, so that its request log can be read; ferry runs as a user runs it,
 * {@code java -jar ferry.jar} in a fresh JVM.
 *
 * <p>Usage: {@code JourneyABench plan|apply MIGRATIONS FERRY_JAR WORK_DIR [TIME_SCALE]}
 */
public final class JourneyABench {

    private JourneyABench() {
    }

    public static void main(String[] args) throws Exception {
        String mode = args[0];
        int migrations = Integer.parseInt(args[1]);
        Path jar = Path.of(args[2]).toAbsolutePath();
        Path work = Files.createDirectories(Path.of(args[3]).toAbsolutePath());
        double timeScale = args.length > 4 ? Double.parseDouble(args[4]) : 0.0;
        Path world = Files.writeString(work.resolve("world.yaml"), worldFile(migrations));
        Files.writeString(work.resolve("migration.yaml"), migrationFile(migrations));
        SandboxOptions options = SandboxOptions.builder().worldFile(world).timeScale(timeScale)
                .cacheDirectory(work.resolve("sandbox-cache")).diskImageBytes(4L * 1024 * 1024).build();
        try (Sandbox sandbox = Sandbox.start(options)) {
            switch (mode) {
                case "plan" -> plan(sandbox, jar, work, migrations);
                case "apply" -> apply(sandbox, jar, work, migrations, timeScale);
                default -> throw new IllegalArgumentException("mode is plan or apply, not " + mode);
            }
        }
    }

    private static void plan(Sandbox sandbox, Path jar, Path work, int migrations) throws Exception {
        for (int run = 1; run <= 3; run++) {
            sandbox.requests().clear();
            long started = System.nanoTime();
            int exit = ferry(sandbox, jar, work, "plan", "plan");
            double seconds = (System.nanoTime() - started) / 1e9;
            Map<String, Long> byService = new TreeMap<>();
            sandbox.requests().all().forEach(r -> byService.merge(r.service(), 1L, Long::sum));
            System.out.printf("plan of %d migrations, run %d: exit %d, %.2f s wall (JVM start included), %d API requests %s%n",
                    migrations, run, exit, seconds, sandbox.requests().all().size(), byService);
            if (run == 1) {
                System.out.println("  requests by action: " + sandbox.requests().counts());
            }
        }
    }

    private static void apply(Sandbox sandbox, Path jar, Path work, int migrations, double timeScale) throws Exception {
        long started = System.nanoTime();
        int shards = Integer.getInteger("ferry.bench.shards", 1);
        String parallelism = System.getProperty("ferry.bench.parallelism", "10");
        int exit;
        if (shards <= 1) {
            exit = ferry(sandbox, jar, work, "apply", "apply", "--auto-approve", "--parallelism", parallelism);
        } else {
            // one process per shard, all at once on the one state, as a fleet's Indexed Job or CI matrix runs them
            List<java.util.concurrent.CompletableFuture<Integer>> runs = new ArrayList<>();
            for (int i = 0; i < shards; i++) {
                String shard = i + "/" + shards;
                String name = "apply-shard-" + i;
                runs.add(java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                    try {
                        return ferry(sandbox, jar, work, name, "apply", "--auto-approve", "--parallelism", parallelism, "--shard", shard);
                    } catch (IOException | InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                }));
            }
            exit = runs.stream().mapToInt(java.util.concurrent.CompletableFuture::join).max().orElse(0);
        }
        double wall = (System.nanoTime() - started) / 1e9;
        List<LoggedRequest> requests = sandbox.requests().all();
        Instant first = requests.get(0).time();
        Instant last = requests.get(requests.size() - 1).time();
        double makespan = Duration.between(first, last).toNanos() / 1e9;
        int rounds = (migrations + 4) / 5;
        double export = World.EXPORT_IMAGE_DURATION.toNanos() / 1e9 * timeScale;
        double ami = World.AMI_DURATION.toNanos() / 1e9 * timeScale;
        double image = World.LINODE_IMAGE_CREATING_DURATION.toNanos() / 1e9 * timeScale;
        double linode = (World.LINODE_PROVISIONING_DURATION.plus(World.LINODE_BOOTING_DURATION)).toNanos() / 1e9 * timeScale;
        double bound = ami + rounds * export + image + linode;
        List<ConversionTaskSpan> exports = new ArrayList<>(sandbox.world().conversions().timeline());
        exports.sort((a, b) -> a.start().compareTo(b.start()));
        System.out.printf("apply of %d migrations at time scale %s in %d process%s: exit %d; %d Linodes, %d images%n", migrations,
                timeScale, shards, shards == 1 ? "" : "es (--shard I/" + shards + ")", exit,
                sandbox.world().linode().instances().size(), sandbox.world().linode().images().size());
        Instant firstCreate = requests.stream().filter(r -> r.key().equals("ec2:CreateImage")).map(LoggedRequest::time)
                .findFirst().orElse(first);
        System.out.printf("  makespan %.2f s (first to last API request; the plan's reads take the first %.2f s, until the first"
                + " CreateImage), %.2f s wall with JVM start%n", makespan, Duration.between(first, firstCreate).toNanos() / 1e9, wall);
        System.out.printf("  lower bound %.2f s = AMI %.2f + ceil(%d/5)=%d export rounds x %.2f + Linode image %.2f + Linode %.2f"
                + " (upload taken as 0); makespan / bound = %.2f%n", bound, ami, migrations, rounds, export, image, linode, makespan / bound);
        System.out.printf("  exports: %d, at most %d at once; started at (s after the first request):", exports.size(),
                sandbox.world().conversions().maxConcurrent());
        for (ConversionTaskSpan span : exports) {
            System.out.printf(" %.2f", Duration.between(first, span.start()).toNanos() / 1e9);
        }
        System.out.println();
        if (Boolean.getBoolean("ferry.bench.trace")) {
            for (LoggedRequest request : requests) {
                System.out.printf("    %6.2f %s%n", Duration.between(first, request.time()).toNanos() / 1e9, request.key());
            }
        }
    }

    /** Runs the jar with {@code args}, its output in {@code NAME.out} and {@code NAME.err}. */
    private static int ferry(Sandbox sandbox, Path jar, Path work, String name, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar",
                jar.toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).directory(work.toFile())
                .redirectOutput(work.resolve(name + ".out").toFile()).redirectError(work.resolve(name + ".err").toFile());
        builder.environment().remove("AWS_PROFILE");
        builder.environment().putAll(sandbox.environment());
        builder.environment().put("ROOT_PASSWORD", Journeys.distinctiveSecret("Bench-"));
        builder.environment().put("FERRY_POLL_INTERVAL", System.getProperty("ferry.bench.poll", "50ms"));
        builder.environment().put("NO_COLOR", "1");
        Process process = builder.start();
        if (!process.waitFor(30, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new IllegalStateException("ferry " + String.join(" ", args) + " did not finish in 30 minutes");
        }
        if (process.exitValue() != 0 && process.exitValue() != 2) {
            System.out.println(Files.readString(work.resolve(name + ".err")));
        }
        return process.exitValue();
    }

    /** A VPC, a subnet, a security group and {@code count} instances of 5 GiB behind it. */
    static String worldFile(int count) {
        StringBuilder world = new StringBuilder("""
                account: "123456789012"
                region: us-west-1
                vpcs: [{id: vpc-0be0c0000000000aa, cidr: 10.8.0.0/16}]
                subnets: [{id: subnet-0be0c0000000000aa, vpc: vpc-0be0c0000000000aa, cidr: 10.8.0.0/20, availability_zone: us-west-1a}]
                security_groups:
                  - id: sg-0be0c0000000000aa
                    name: web
                    vpc: vpc-0be0c0000000000aa
                    ingress:
                      - {protocol: tcp, port: 22, cidrs: [203.0.113.0/24], description: SSH from the office}
                      - {protocol: tcp, port: 443, cidrs: [0.0.0.0/0], ipv6_cidrs: ["::/0"], description: HTTPS}
                    egress: [{protocol: all, cidrs: [0.0.0.0/0]}]
                public_images: [{id: ami-0abcdef1234567890, name: amzn2-ami-kernel-5.10-hvm-x86_64-gp2}]
                instances:
                """);
        for (int i = 1; i <= count; i++) {
            world.append("""
                      - id: %s
                        name: app-%03d
                        type: %s
                        subnet: subnet-0be0c0000000000aa
                        private_ip: 10.8.%d.%d
                        security_groups: [sg-0be0c0000000000aa]
                        volumes: [{id: %s, device: /dev/xvda, size_gib: 5}]
                    """.formatted(instance(i), i, i % 3 == 0 ? "m5.large" : "t3.medium", i / 250, 10 + i % 240,
                    String.format("vol-0be0c00000000%04x", i)));
        }
        return world.toString();
    }

    /** The export road: the five conversion tasks per region are what the apply's bound is made of. */
    static String migrationFile(int count) {
        StringBuilder file = new StringBuilder("""
                apiVersion: ferry/v1
                kind: Migration
                metadata: {name: bench}
                providers:
                  aws: {region: us-west-1}
                  linode: {token: "${env:LINODE_TOKEN}"}
                staging: {bucket: ferry-bench-staging, prefix: exports/, create: true, cleanup: delete-after-import}
                migrations:
                """);
        for (int i = 1; i <= count; i++) {
            file.append("""
                      - name: app-%03d
                        source: {ec2: {instance: %s, via: export}}
                        target: {linode: {region: us-lax, type: match, label: app-%03d, root_pass: "${env:ROOT_PASSWORD}"}}
                        firewall: {from: security-groups, inbound_policy: DROP, outbound_policy: ACCEPT}
                    """.formatted(i, instance(i), i));
        }
        return file.toString();
    }

    private static String instance(int i) {
        return String.format("i-0be0c00000000%04x", i);
    }
}
