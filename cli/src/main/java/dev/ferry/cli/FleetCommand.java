package dev.ferry.cli;

import static java.util.Objects.requireNonNull;

import dev.ferry.cli.fleet.Fleet;
import dev.ferry.cli.fleet.FleetSecrets;
import dev.ferry.cli.fleet.GitHubActionsWorkflow;
import dev.ferry.cli.fleet.KubernetesManifest;
import dev.ferry.engine.FerryException;
import dev.ferry.engine.FerryVersion;
import dev.ferry.engine.provider.Provider;
import dev.ferry.engine.spec.Migration;
import dev.ferry.engine.spec.MigrationFile;
import dev.ferry.engine.spec.SectionKind;
import dev.ferry.engine.state.RemoteStateLocation;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code ferry fleet kubernetes|github-actions -f FILE --shards N}: prints a manifest that runs the file's
 * migrations as N {@code ferry apply --shard I/N} processes on an engine that already schedules work (a
 * Kubernetes Indexed Job, a GitHub Actions matrix), with the file's secrets from that engine's secrets.
 */
@Command(name = "fleet", mixinStandardHelpOptions = true,
        description = {
            "Prints a manifest that applies the file as N shards at once: a Kubernetes Indexed Job or a GitHub Actions workflow.",
            "",
            "Each shard runs 'ferry apply --shard I/N --auto-approve' on the migrations whose names hash to it. The state must be"
                + " in S3 (state: {s3: ...} in the file, or --state s3://BUCKET/KEY) so that the shards share it. Credentials come"
                + " from the platform's secrets, by the names the file's providers and $${env:...} and $${file:...} references read."
        })
final class FleetCommand implements Callable<Integer> {

    static final List<String> KINDS = List.of("kubernetes", "github-actions");

    @Parameters(index = "0", paramLabel = "KIND", completionCandidates = Kinds.class,
            description = "What to print: ${COMPLETION-CANDIDATES}.")
    String kind;

    @Mixin
    FileOption file = new FileOption();

    @Option(names = "--shards", paramLabel = "N", required = true,
            description = "How many processes the migrations are split over (pods, or matrix jobs).")
    int shards;

    @Option(names = "--parallelism", paramLabel = "P",
            description = "How many shards run at once (default: all of them).")
    Integer parallelism;

    @Option(names = "--state", paramLabel = "s3://BUCKET/KEY",
            description = "Remote state for a file without 'state: {s3: ...}'. All shards keep this one state, each under its"
                    + " own shard lock (KEY.lock.d/shard-I-of-N).")
    String state;

    @Option(names = "--image", paramLabel = "IMAGE",
            description = "kubernetes: the image with ferry on its PATH (default: ghcr.io/ferry/ferry:VERSION, this ferry's version).")
    String image;

    @Option(names = "--namespace", paramLabel = "NAMESPACE", description = "kubernetes: the namespace of the Job and ConfigMap.")
    String namespace;

    @Option(names = "--secret", paramLabel = "NAME",
            description = "kubernetes: the Secret the pods read their credentials from (default: ferry-NAME-secrets).")
    String secret;

    @Option(names = "--archive-url", paramLabel = "URL",
            description = "github-actions: where the runner downloads ferry-VERSION.tar.gz (what 'mvn package' makes in cli/target).")
    String archive;

    @Option(names = "--runs-on", paramLabel = "LABEL", defaultValue = "ubuntu-latest",
            description = "github-actions: the runner label (default: ${DEFAULT-VALUE}).")
    String runner = "ubuntu-latest";

    @Spec
    CommandSpec spec;

    private final CliEnvironment environment;
    private final MigrationFileReader reader;
    private final Map<String, Provider> providers;

    @Inject
    FleetCommand(CliEnvironment environment, MigrationFileReader reader, Map<String, Provider> providers) {
        this.environment = requireNonNull(environment, "environment is null");
        this.reader = requireNonNull(reader, "reader is null");
        this.providers = requireNonNull(providers, "providers is null");
    }

    @Override
    public Integer call() {
        if (!KINDS.contains(kind)) {
            throw new FerryException("ferry fleet does not know '" + kind + "'; it prints a manifest for " + String.join(" or ", KINDS)
                    + ", such as: ferry fleet kubernetes -f " + file.file + " --shards 4");
        }
        if (shards < 1) {
            throw new FerryException("--shards must be at least 1 (the number of processes the migrations are split over), not " + shards);
        }
        if (parallelism != null && parallelism < 1) {
            throw new FerryException("--parallelism must be at least 1 (how many shards run at once), not " + parallelism);
        }
        PrintWriter err = spec.commandLine().getErr();
        MigrationFile migrationFile = reader.read(file.file, err);
        RemoteStateLocation remoteState = remoteState(migrationFile);
        String content;
        try {
            content = Files.readString(environment.resolve(file.file), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new FerryException("cannot read " + file.file + ": " + e.getMessage());
        }
        FleetSecrets secrets = FleetSecrets.of(withState(migrationFile, remoteState), providerOfKind());
        List<String> names = migrationFile.migrations().stream().map(Migration::name).toList();
        Fleet fleet = new Fleet(migrationFile.name(), file.file, content, shards, Optional.ofNullable(parallelism), remoteState,
                FerryVersion.get(), secrets.variables(), secrets.optionalVariables(), secrets.files(), Fleet.assign(names, shards));
        if (shards > names.size()) {
            err.println("Warning: " + shards + " shards for " + names.size() + (names.size() == 1 ? " migration" : " migrations")
                    + ": " + fleet.emptyShards().size() + " of them will have nothing to do.");
        }
        migrationFile.provider("aws").map(section -> section.body().path("profile")).filter(profile -> profile.isTextual())
                .ifPresent(profile -> err.println("Warning: providers.aws.profile names '" + profile.asText() + "', so every shard"
                        + " would look for that profile in ~/.aws and not use AWS_ACCESS_KEY_ID; a pod or runner has no such profile."
                        + " Remove 'profile' from " + file.file + " for a fleet, so the shards use the keys from their secrets."));
        String manifest = kind.equals("kubernetes")
                ? new KubernetesManifest(fleet, Optional.ofNullable(image).orElse(KubernetesManifest.defaultImage(fleet.version())),
                        Optional.ofNullable(namespace), Optional.ofNullable(secret)).render()
                : new GitHubActionsWorkflow(fleet, Optional.ofNullable(archive).orElse(GitHubActionsWorkflow.defaultArchive(fleet.version())),
                        runner).render();
        spec.commandLine().getOut().print(manifest);
        return Commands.OK;
    }

    /**
     * Shards share one state only when it is remote: with the default .ferry/ beside the file, each pod or runner
     * would keep its own, make the shared resources again and never see the others' work.
     */
    private RemoteStateLocation remoteState(MigrationFile migrationFile) {
        if (state != null) {
            if (!RemoteStateLocation.isRemote(state)) {
                throw new FerryException("--state " + state + " is a local file, which each shard would keep apart; give the state in S3,"
                        + " such as --state s3://team-ferry-state/" + migrationFile.name() + "/state.json");
            }
            return RemoteStateLocation.parse(state); // a malformed location is refused here, not in every pod
        }
        if (migrationFile.remoteState().isPresent()) {
            return migrationFile.remoteState().get();
        }
        throw new FerryException(file.file + " keeps its state on the local disk (.ferry/" + migrationFile.name() + "/), so each of the "
                + shards + " shards would keep its own and make the shared resources again. Keep it in S3, where the shards share it"
                + " under a lock: add to " + file.file + "\n\n  state:\n    s3: { bucket: BUCKET, key: ferry/" + migrationFile.name()
                + "/state.json, region: REGION }\n\nor give --state s3://BUCKET/KEY here."
                + " The bucket must exist; turn on its versioning to keep the state's history.");
    }

    /** The file, with the state the shards keep, so the credentials that state needs are counted. */
    private static MigrationFile withState(MigrationFile file, RemoteStateLocation state) {
        return new MigrationFile(file.displayName(), file.directory(), file.name(), file.providers(), file.staging(), file.migrations(),
                file.document(), Optional.of(state));
    }

    private Map<String, String> providerOfKind() {
        Map<String, String> owners = new HashMap<>();
        for (Provider provider : providers.values()) {
            for (SectionKind section : provider.sectionKinds()) {
                owners.put(section.name(), section.provider());
            }
        }
        return owners;
    }

    static final class Kinds implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return KINDS.iterator();
        }
    }
}
