package dev.ferry.cli.e2e;

import dev.ferry.sandbox.Sandbox;
import dev.ferry.sandbox.SandboxOptions;
import dev.ferry.sandbox.world.LinodeDisk;
import dev.ferry.sandbox.world.LinodeInstance;
import dev.ferry.sandbox.world.SandboxWorld;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * The figures of bench/linode-disk/run.sh (see its header): the realistic 8 GiB Ubuntu instance moved on the disk
 * road — read from the sandbox's EBS direct endpoint, written onto a sandbox Linode disk through the helper over
 * SSH — by {@code java @jvm.options -jar ferry.jar apply} (as bin/ferry runs it) in a fresh JVM (its wall time and peak RSS from /usr/bin/time), next to
 * {@code pigz -p 2 -6} of the same raw disk file. The sandbox runs in this JVM with its clock at 0 (no cloud
 * waits), so the apply's time is ferry's and the transfer's; the Linode disk's SHA-256 is checked after the first
 * run (untimed). Each run is destroyed before the next.
 *
 * <p>Usage: {@code DiskRoadBench FERRY_JAR WORK_DIR RUNS}
 */
public final class DiskRoadBench {

    private DiskRoadBench() {
    }

    public static void main(String[] args) throws Exception {
        Path jar = Path.of(args[0]).toAbsolutePath();
        Path work = Files.createDirectories(Path.of(args[1]).toAbsolutePath());
        int runs = Integer.parseInt(args[2]);
        SandboxWorld world = SandboxWorld.defaults().withInstance(SandboxWorld.ubuntuInstance());
        String instance = SandboxWorld.ubuntuInstance().id();
        SandboxOptions options = SandboxOptions.builder().world(world).timeScale(0.0)
                .cacheDirectory(work.resolve("sandbox-cache")).build();
        try (Sandbox sandbox = Sandbox.start(options)) {
            Path raw = sandbox.world().ec2().rootDiskImage(instance);
            Files.writeString(work.resolve("migration.yaml"), """
                    apiVersion: ferry/v1
                    kind: Migration
                    metadata: {name: disk-road-bench}
                    providers:
                      aws: {region: us-west-1}
                      linode: {token: "${env:LINODE_TOKEN}"}
                    migrations:
                      - name: ubuntu-01
                        source: {ec2: {instance: %s}}
                        target: {linode: {region: us-lax, type: match, via: disk}}
                    """.formatted(instance));
            System.out.println("ferry's JVM options: " + BenchJvm.describe());
            List<double[]> ferry = new ArrayList<>();
            List<double[]> pigz = new ArrayList<>();
            for (int run = 1; run <= runs; run++) {
                double sandboxCpu = cpuSeconds();
                long blockReads = sandbox.requests().count("ebs:GetSnapshotBlock");
                double[] apply = timed(work, sandbox, java(jar, "apply", "--auto-approve"));
                sandboxCpu = cpuSeconds() - sandboxCpu;
                blockReads = sandbox.requests().count("ebs:GetSnapshotBlock") - blockReads;
                ferry.add(apply);
                Files.copy(work.resolve("out.log"), work.resolve("apply-" + run + ".log"),
                        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                System.out.printf("run %d: ferry apply (disk road, 8 GiB): %.1f s wall, %.1f s CPU, peak RSS %.0f MiB"
                        + " (the sandbox, playing both clouds and the helper: %.1f s CPU)%n", run, apply[0], apply[1], apply[2],
                        sandboxCpu);
                if (run == 1) {
                    check(sandbox, raw);
                }
                long written = sandbox.world().ec2().snapshots().stream()
                        .mapToLong(snapshot -> sandbox.world().ebs().writtenBlocks(snapshot.id()).length).sum();
                System.out.printf("        EBS direct: %d GetSnapshotBlock requests for the snapshot's %d written blocks (%.2fx;"
                        + " goal <= 1.05x)%n", blockReads, written, blockReads / (double) Math.max(1, written));
                double[] destroy = timed(work, sandbox, java(jar, "destroy", "--auto-approve"));
                System.out.printf("        ferry destroy: %.1f s wall%n", destroy[0]);
                double[] compress = timed(work, sandbox, List.of("sh", "-c", "pigz -p 2 -6 -c '" + raw + "' > /dev/null"));
                pigz.add(compress);
                System.out.printf("        pigz -p 2 -6 of the raw file: %.1f s wall, %.1f s CPU, peak RSS %.0f MiB%n",
                        compress[0], compress[1], compress[2]);
            }
            double f = median(ferry, 0);
            double p = median(pigz, 0);
            System.out.printf("median of %d: ferry %.1f s wall, %.1f s CPU, %.0f MiB peak; pigz %.1f s wall; ratio %.2f (goal <= 0.35)%n",
                    runs, f, median(ferry, 1), median(ferry, 2), p, f / p);
        }
    }

    /** The CPU time of this JVM (the sandbox) so far. */
    private static double cpuSeconds() {
        return ProcessHandle.current().info().totalCpuDuration().map(d -> d.toNanos() / 1e9).orElse(Double.NaN);
    }

    /** {@code java [the launchers' options] [BENCH_JAVA_OPTS] -jar JAR ARGS...}, as {@code bin/ferry} runs it. */
    private static List<String> java(Path jar, String... args) {
        List<String> command = new ArrayList<>(List.of("java"));
        command.addAll(BenchJvm.options());
        command.addAll(List.of("-jar", jar.toString()));
        command.addAll(List.of(args));
        return command;
    }

    /** Wall seconds, CPU seconds and peak RSS (MiB) of one command, from /usr/bin/time. */
    private static double[] timed(Path work, Sandbox sandbox, List<String> command) throws Exception {
        Path times = work.resolve("time.txt");
        List<String> full = new ArrayList<>(List.of("/usr/bin/time", "-o", times.toString(), "-f", "%e %U %S %M"));
        full.addAll(command);
        ProcessBuilder builder = new ProcessBuilder(full).directory(work.toFile()).redirectErrorStream(true);
        Map<String, String> environment = builder.environment();
        environment.putAll(sandbox.environment());
        environment.put("FERRY_POLL_INTERVAL", "100ms");
        environment.put("NO_COLOR", "1");
        long start = System.nanoTime();
        Process process = builder.start();
        // each line of the output with the seconds since the start, so the log shows where the time went
        try (var lines = new java.io.BufferedReader(new java.io.InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8)); var log = Files.newBufferedWriter(work.resolve("out.log"))) {
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                log.write(String.format("[%6.2f s] %s%n", (System.nanoTime() - start) / 1e9, line));
            }
        }
        int exit = process.waitFor();
        if (exit != 0) {
            throw new IllegalStateException(String.join(" ", command) + " exited " + exit + ":\n"
                    + Files.readString(work.resolve("out.log"), StandardCharsets.UTF_8));
        }
        String[] f = Files.readString(times).strip().lines().reduce((a, b) -> b).orElseThrow().split(" ");
        return new double[] {Double.parseDouble(f[0]), Double.parseDouble(f[1]) + Double.parseDouble(f[2]),
            Double.parseDouble(f[3]) / 1024};
    }

    private static void check(Sandbox sandbox, Path raw) throws Exception {
        LinodeInstance linode = sandbox.world().linode().instances().get(0);
        LinodeDisk disk = sandbox.world().linode().disks(linode.id()).get(0);
        long volume = 8L << 30;
        String written = sandbox.world().linode().diskSha256(disk.id(), volume);
        String source = JourneyATest.sha256(raw, volume);
        System.out.println("        the Linode disk's SHA-256 " + (written.equals(source) ? "equals" : "DIFFERS FROM")
                + " the source volume's (" + source.substring(0, 16) + "...)");
        if (!written.equals(source)) {
            throw new IllegalStateException("the disk road wrote other bytes than the source's");
        }
    }

    private static double median(List<double[]> runs, int field) {
        List<Double> values = new ArrayList<>();
        runs.forEach(r -> values.add(r[field]));
        Collections.sort(values);
        int n = values.size();
        return n % 2 == 1 ? values.get(n / 2) : (values.get(n / 2 - 1) + values.get(n / 2)) / 2;
    }
}
