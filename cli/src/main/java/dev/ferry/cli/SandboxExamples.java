package dev.ferry.cli;

import static java.util.Objects.requireNonNull;

import dev.ferry.engine.FerryException;
import dev.ferry.engine.spec.MigrationFile;
import dev.ferry.engine.spec.MigrationFiles;
import dev.ferry.engine.spec.Migration;
import dev.ferry.engine.spec.SecretReference;
import dev.ferry.engine.spec.SecretReferences;
import dev.ferry.engine.spec.YamlReader;
import dev.ferry.sandbox.world.VmImageFormat;
import dev.ferry.sandbox.world.WorldView;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * {@code ferry sandbox --examples DIR}: writes next to the migration files in DIR what they read from the
 * local disk rather than from a cloud, so that each of them plans and applies against the sandbox as it is:
 * the disk image a vSphere source's {@code disk_image} names, exported from the sandbox's vCenter VM of that
 * name, and a random root password for each {@code root_pass: ${file:PATH}} whose file is missing. It reads
 * the files as ferry does, so an example added later is prepared too.
 */
final class SandboxExamples {

    private final MigrationFiles files;

    SandboxExamples(MigrationFiles files) {
        this.files = requireNonNull(files, "files is null");
    }

    /** Fails before the sandbox starts when {@code directory} is not a folder. */
    static void check(Path directory, String shown) {
        if (!Files.isDirectory(directory)) {
            throw new FerryException("--examples " + shown + ": " + (Files.exists(directory) ? "it is not a folder" : "no such folder")
                    + "; give the folder of the migration files, such as plans/examples");
        }
    }

    /**
     * Prepares every migration file ({@code *.yaml}, {@code *.yml}) in {@code directory}; returns one line per file
     * written, kept or left out, paths shown as {@code shown} (what the user typed) joined with the file's place.
     */
    List<String> prepare(Path directory, String shown, WorldView world) {
        List<String> report = new ArrayList<>();
        for (Path path : migrationFiles(directory)) {
            String name = Path.of(shown).resolve(directory.relativize(path)).toString();
            MigrationFiles.Loaded loaded;
            try {
                loaded = files.load(path, name);
            } catch (YamlReader.UnreadableFileException e) {
                report.add("Skipped " + name + ": " + e.getMessage());
                continue;
            }
            if (loaded.file().isEmpty()) {
                report.add("Skipped " + name + ": it has errors ('ferry validate -f " + name + "' shows them).");
                continue;
            }
            MigrationFile file = loaded.file().get();
            for (Migration migration : file.migrations()) {
                diskImage(file, migration, directory, shown, world).ifPresent(report::add);
            }
            for (SecretReferences.Located secret : SecretReferences.of(file.document())) {
                rootPassword(file, secret, directory, shown).ifPresent(report::add);
            }
        }
        return report;
    }

    private static List<Path> migrationFiles(Path directory) {
        try (Stream<Path> listed = Files.list(directory)) {
            return listed.filter(p -> Files.isRegularFile(p) && (p.toString().endsWith(".yaml") || p.toString().endsWith(".yml")))
                    .sorted().toList();
        } catch (IOException e) {
            throw new FerryException("--examples: cannot list " + directory + ": " + e.getMessage());
        }
    }

    private static Optional<String> diskImage(MigrationFile file, Migration migration, Path directory, String shown, WorldView world) {
        if (!migration.source().kind().equals("vsphere") || !migration.source().body().hasNonNull("disk_image")) {
            return Optional.empty();
        }
        String vm = migration.source().body().path("vm").asText();
        String diskImage = migration.source().body().get("disk_image").asText();
        Path target = file.directory().resolve(diskImage).normalize();
        String where = file.displayName() + "'s " + migration.source().path() + ".disk_image";
        if (world.vcenter().vm(vm).isEmpty()) {
            return Optional.of("Left out " + show(target, directory, shown) + " (" + where + "): the sandbox's vCenter has no VM " + vm + ".");
        }
        Optional<VmImageFormat> format = format(diskImage);
        if (format.isEmpty()) {
            return Optional.of("Left out " + show(target, directory, shown) + " (" + where + "): the sandbox exports VMs as .ova, .vmdk"
                    + " or .raw files only.");
        }
        try {
            Files.createDirectories(target.getParent());
            world.vcenter().exportVmImage(vm, target, format.get());
            return Optional.of("Wrote " + show(target, directory, shown) + " (" + Files.size(target) / 1024 + " KiB): the "
                    + format.get() + " of the sandbox's vCenter VM " + vm + ", which " + where + " names.");
        } catch (IOException e) {
            throw new FerryException("--examples: cannot write " + target + ": " + e.getMessage());
        } catch (UncheckedIOException e) {
            throw new FerryException("--examples: cannot write " + target + ": " + e.getCause().getMessage());
        }
    }

    private static Optional<VmImageFormat> format(String diskImage) {
        String lower = diskImage.toLowerCase(Locale.ROOT);
        if (lower.endsWith(".ova")) {
            return Optional.of(VmImageFormat.OVA);
        }
        if (lower.endsWith(".vmdk")) {
            return Optional.of(VmImageFormat.VMDK);
        }
        if (lower.endsWith(".raw") || lower.endsWith(".img")) {
            return Optional.of(VmImageFormat.RAW);
        }
        return Optional.empty();
    }

    /** A root password file that is missing gets a random strong one; one that exists is never replaced. */
    private static Optional<String> rootPassword(MigrationFile file, SecretReferences.Located secret, Path directory, String shown) {
        if (secret.reference().kind() != SecretReference.Kind.FILE || !secret.pointer().endsWith("/root_pass")) {
            return Optional.empty();
        }
        Path target = file.directory().resolve(secret.reference().name()).normalize();
        String where = file.displayName() + "'s " + secret.path();
        if (Files.exists(target)) {
            return Optional.of("Kept " + show(target, directory, shown) + ", which " + where + " reads (a file there is never replaced).");
        }
        try {
            // a folder made for the password is the owner's alone, like the file
            Files.createDirectories(target.getParent(), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            Files.createFile(target, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(target, DemoCommand.randomPassword() + "\n");
        } catch (IOException e) {
            throw new FerryException("--examples: cannot write " + target + ": " + e.getMessage());
        }
        return Optional.of("Wrote " + show(target, directory, shown) + " (mode 0600): a random root password, which " + where + " reads.");
    }

    private static String show(Path target, Path directory, String shown) {
        return target.startsWith(directory) ? Path.of(shown).resolve(directory.relativize(target)).toString() : target.toString();
    }
}
