package dev.ferry.cli.e2e;

import dev.ferry.sandbox.SandboxOptions;
import dev.ferry.sandbox.world.SandboxWorld;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;

/** What the journey tests share: the example file, sandbox options, distinctive secrets. */
final class Journeys {

    /** The Linode in the example file; the instance it names is web-01 of the sandbox's default world. */
    static final String INSTANCE = "i-0e1dc0292b0ae7293";
    static final String BUCKET = "ec2-backup-images-for-migration";
    static final String MIGRATION = "web-01";

    /** Disk images are built once per content and kept across test runs (the module's target folder). */
    static final Path CACHE = Path.of("target", "sandbox-cache");

    private Journeys() {
    }

    /** A fiftieth of real time: an apply of one migration takes a second or so. */
    static SandboxOptions.Builder sandbox() {
        return SandboxOptions.builder().timeScale(0.02).cacheDirectory(CACHE).diskImageBytes(8L * 1024 * 1024);
    }

    /**
     * The default world with web-01's root volume at 1 GiB, the smallest EBS allows: the snapshot road reads
     * (and the Linode side checks) the whole volume, zeros included, so a test that applies the journey
     * many times keeps its CPU to a fifth of the 5 GiB default.
     */
    static SandboxWorld smallRootWorld() {
        SandboxWorld world = SandboxWorld.defaults();
        return world.withInstances(world.instances().stream().map(i -> !i.id().equals(INSTANCE) ? i
                : new SandboxWorld.InstanceSpec(i.id(), i.name(), i.type(), i.architecture(), i.platform(), i.imageId(), i.subnet(),
                        i.privateIp(), i.publicIp(), i.securityGroups(), i.keyName(), i.launchTime(), i.rootDevice(), i.productCodes(),
                        i.tags(), i.volumes().stream().map(v -> !v.device().equals(i.rootDevice()) ? v
                                : new SandboxWorld.VolumeSpec(v.id(), v.device(), 1, v.type(), v.iops(), v.throughput(), v.encrypted(),
                                        v.kmsKeyId(), v.deleteOnTermination(), v.diskImage(), v.imageSize(), v.layout())).toList(), i.services()))
                .toList());
    }

    /** plans/examples/ec2-to-linode.yaml, as the repository has it. */
    static String exampleFile() throws IOException {
        return Files.readString(repositoryRoot().resolve("plans/examples/ec2-to-linode.yaml"));
    }

    /** Copies the example into {@code folder} as migration.yaml, the file ferry reads by default. */
    /** The example taking the ExportImage road ({@code via: export}) instead of the snapshot road. */
    static Path copyExampleViaExport(Path folder) throws IOException {
        String file = exampleFile();
        String road = "via: snapshot ";
        if (!file.contains(road)) {
            throw new IllegalStateException("the example no longer names 'via: snapshot'");
        }
        return Files.writeString(folder.resolve("migration.yaml"), file.replace(road, "via: export   "));
    }

    /** The example with {@code verify} (YAML indented as a key of the migration) added to its migration. */
    static Path copyExampleWithVerify(Path folder, String verify) throws IOException {
        return Files.writeString(folder.resolve("migration.yaml"), exampleFile().stripTrailing() + "\n" + verify);
    }

    static Path copyExample(Path folder) throws IOException {
        return Files.writeString(folder.resolve("migration.yaml"), exampleFile());
    }

    /** The repository's root, where plans/ and schemas/ are (tests run in the cli module's folder). */
    static Path repositoryRoot() {
        Path here = Path.of("").toAbsolutePath();
        return here.getFileName().toString().equals("cli") ? here.getParent() : here;
    }

    /** A password no test could print by accident: random, and recognisable when it leaks. */
    static String distinctiveSecret(String prefix) {
        String letters = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
        SecureRandom random = new SecureRandom();
        StringBuilder secret = new StringBuilder(prefix);
        for (int i = 0; i < 24; i++) {
            secret.append(letters.charAt(random.nextInt(letters.length())));
        }
        return secret.append("-7!").toString();
    }
}
