package dev.ferry.cli.fleet;

import dev.ferry.engine.FerryException;
import dev.ferry.engine.spec.Migration;
import dev.ferry.engine.spec.MigrationFile;
import dev.ferry.engine.spec.SecretReference;
import dev.ferry.engine.spec.SecretReferences;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The secrets a migration file needs where it runs unattended: the credentials its providers read from the
 * environment (AWS's default chain, {@code LINODE_TOKEN} when the file names no token) and every
 * {@code ${env:NAME}} and {@code ${file:PATH}} it references. Values are never read here, only names.
 */
public record FleetSecrets(List<String> variables, List<String> optionalVariables, List<Fleet.SecretFile> files,
                           Set<String> providers) {

    /** AWS's default chain reads these two (and a session token, when the keys are temporary). */
    static final List<String> AWS_KEYS = List.of("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY");
    static final String AWS_SESSION_TOKEN = "AWS_SESSION_TOKEN";
    /** The Linode provider's token when providers.linode.token is not set. */
    static final String LINODE_TOKEN = "LINODE_TOKEN";

    /**
     * The names {@code file} needs; {@code providerOfKind} maps a section kind ({@code ec2}, {@code linode}) to the
     * provider that owns it ({@code aws}, {@code linode}).
     */
    public static FleetSecrets of(MigrationFile file, Map<String, String> providerOfKind) {
        Set<String> providers = new TreeSet<>(file.providers().keySet());
        for (Migration migration : file.migrations()) {
            providers.add(providerOfKind.getOrDefault(migration.source().kind(), migration.source().kind()));
            providers.add(providerOfKind.getOrDefault(migration.target().kind(), migration.target().kind()));
        }
        file.remoteState().ifPresent(state -> providers.add("aws")); // s3 is the AWS provider's backend
        LinkedHashSet<String> variables = new LinkedHashSet<>();
        List<String> optional = new ArrayList<>();
        if (providers.contains("aws")) {
            variables.addAll(AWS_KEYS);
            optional.add(AWS_SESSION_TOKEN);
        }
        boolean linodeToken = file.provider("linode").map(section -> section.body().hasNonNull("token")).orElse(false);
        if (providers.contains("linode") && !linodeToken) {
            variables.add(LINODE_TOKEN);
        }
        LinkedHashSet<Fleet.SecretFile> files = new LinkedHashSet<>();
        for (SecretReferences.Located located : SecretReferences.of(file.document())) {
            SecretReference reference = located.reference();
            switch (reference.kind()) {
                case ENV -> variables.add(reference.name());
                case FILE -> files.add(new Fleet.SecretFile(relative(reference, located)));
            }
        }
        optional.removeAll(variables); // a file that references ${env:AWS_SESSION_TOKEN} needs it
        return new FleetSecrets(List.copyOf(variables), optional, List.copyOf(files), providers);
    }

    /** The path of a file reference, which must stay beside the migration file to be carried to a pod or runner. */
    private static String relative(SecretReference reference, SecretReferences.Located located) {
        Path path = Path.of(reference.name()).normalize();
        if (path.isAbsolute() || path.startsWith("..") || path.toString().isEmpty()) {
            throw new FerryException(located.location() + ": " + located.path() + " reads " + reference
                    + ", a file outside the migration file's folder, which a pod or CI runner does not have; write the"
                    + " path relative to the migration file (such as ${file:secrets/" + path.getFileName() + "}), so ferry fleet"
                    + " can carry it there from a secret");
        }
        return path.toString().replace('\\', '/');
    }
}
