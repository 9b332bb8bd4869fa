package dev.ferry.cli;

import static java.util.Objects.requireNonNull;

import dev.ferry.engine.FerryException;
import dev.ferry.engine.permission.PermissionDocument;
import dev.ferry.engine.render.PermissionsRenderer;
import dev.ferry.engine.spec.MigrationFile;
import jakarta.inject.Inject;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ferry permissions}: the least-privilege IAM policy and Linode token scopes a migration file needs. */
@Command(name = "permissions", mixinStandardHelpOptions = true,
        description = {
            "Prints the permissions applying the migration file needs, and nothing more.",
            "",
            "For AWS, an IAM policy (JSON) allowing exactly the calls of the file's roads, launches, backups, describes and "
                + "remote state, narrowed to the staging bucket, its objects, the vmimport role and the state object where the "
                + "file names them; for Linode, the API token's scopes. Reads only the file: no cloud is contacted and no "
                + "secret is read, so the role ferry will run as can be made first.",
            "",
            "  ferry permissions --provider aws > policy.json"
        })
final class PermissionsCommand implements Callable<Integer> {

    @Mixin
    FileOption file = new FileOption();

    @Mixin
    StateOption state = new StateOption();

    @Option(names = "--json", description = "Print every provider's document as JSON (schemas/permissions.schema.json).")
    boolean json;

    @Option(names = "--provider", paramLabel = "NAME",
            description = "Print only this provider's document itself (aws: the IAM policy; linode: the token's scopes), as JSON.")
    String provider;

    @Spec
    CommandSpec spec;

    private final MigrationFileReader reader;
    private final Workspace workspace;

    @Inject
    PermissionsCommand(MigrationFileReader reader, Workspace workspace) {
        this.reader = requireNonNull(reader, "reader is null");
        this.workspace = requireNonNull(workspace, "workspace is null");
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        MigrationFile migrationFile = reader.read(file.file, spec.commandLine().getErr());
        List<PermissionDocument> documents = workspace.permissions(migrationFile, state.value());
        if (provider != null) {
            PermissionDocument chosen = documents.stream().filter(d -> d.provider().equals(provider)).findFirst()
                    .orElseThrow(() -> new FerryException(file.file + " needs no permission of a provider '" + provider + "'"
                            + (documents.isEmpty() ? "; it needs none at all" : "; it needs permissions of: "
                            + documents.stream().map(PermissionDocument::provider).collect(Collectors.joining(", ")))));
            out.println(PermissionsRenderer.pretty(chosen.document()));
        } else if (json) {
            out.println(PermissionsRenderer.pretty(PermissionsRenderer.json(file.file, documents)));
        } else {
            out.print(PermissionsRenderer.text(file.file, documents));
        }
        out.flush();
        return Commands.OK;
    }
}
