package dev.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.ferry.engine.FerryVersion;
import dev.ferry.engine.diff.Shard;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.KeyToPath;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeProjection;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code ferry fleet}: the manifests it prints, read back with the Kubernetes model and Jackson, and its refusals. */
class FleetCommandTest {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final String STATE = "s3://team-ferry-state/fleet/state.json";
    private static final List<String> FLEET = List.of("web-01", "web-02", "db-01");

    @TempDir
    Path dir;

    @Test
    void kubernetesIsAConfigMapWithTheFileAndAnIndexedJobOfOnePodPerShard() throws IOException {
        String file = copy("fleet.yaml");

        CliRunner.Result result = CliRunner.run(dir, "fleet", "kubernetes", "-f", "fleet.yaml", "--shards", "4", "--state", STATE);

        assertThat(result.exitCode()).as(result.all()).isZero();
        assertThat(result.err()).as("4 shards for 3 migrations leave one at least empty")
                .startsWith("Warning: 4 shards for 3 migrations: ").contains("will have nothing to do");
        List<JsonNode> documents = documents(result.out());
        assertThat(documents).extracting(document -> document.path("kind").asText()).containsExactly("ConfigMap", "Job");
        ConfigMap configMap = YAML.treeToValue(documents.get(0), ConfigMap.class);
        Job job = YAML.treeToValue(documents.get(1), Job.class);

        assertThat(configMap.getData()).containsExactly(Map.entry("migration.yaml", file));
        assertThat(job.getApiVersion()).isEqualTo("batch/v1");
        assertThat(job.getMetadata().getName()).isEqualTo("ferry-fleet");
        assertThat(job.getSpec().getCompletionMode()).isEqualTo("Indexed");
        assertThat(job.getSpec().getCompletions()).isEqualTo(4);
        assertThat(job.getSpec().getParallelism()).isEqualTo(4);
        assertThat(job.getSpec().getBackoffLimitPerIndex()).isEqualTo(2);
        assertThat(job.getSpec().getPodReplacementPolicy()).isEqualTo("Failed");
        PodSpec pod = job.getSpec().getTemplate().getSpec();
        assertThat(pod.getRestartPolicy()).isEqualTo("Never");
        assertThat(pod.getContainers()).hasSize(1);
        Container container = pod.getContainers().get(0);
        assertThat(container.getImage()).isEqualTo("ghcr.io/ferry/ferry:" + FerryVersion.get());
        assertThat(container.getCommand()).containsExactly("ferry");
        assertThat(container.getArgs()).as("every shard keeps the one state, each under its own shard lock")
                .containsExactly("apply", "-f", "/etc/ferry/migration.yaml",
                        "--state", "s3://team-ferry-state/fleet/state.json",
                        "--shard", "$(JOB_COMPLETION_INDEX)/4", "--auto-approve");
        assertThat(env(container, "JOB_COMPLETION_INDEX").getValueFrom().getFieldRef().getFieldPath())
                .isEqualTo("metadata.annotations['batch.kubernetes.io/job-completion-index']");

        // each index, as the Job controller fills it in, is a shard that ferry apply accepts, all on the one state,
        // and together they apply every migration exactly once
        List<String> applied = new ArrayList<>();
        java.util.Set<String> states = new java.util.HashSet<>();
        for (int index = 0; index < job.getSpec().getCompletions(); index++) {
            String value = Integer.toString(index);
            List<String> arguments = container.getArgs().stream().map(arg -> arg.replace("$(JOB_COMPLETION_INDEX)", value)).toList();
            Shard shard = Shard.parse(arguments.get(arguments.indexOf("--shard") + 1));
            FLEET.stream().filter(shard::contains).forEach(applied::add);
            String state = arguments.get(arguments.indexOf("--state") + 1);
            assertThat(dev.ferry.engine.state.RemoteStateLocation.parse(state).bucket()).isEqualTo("team-ferry-state");
            states.add(state);
        }
        assertThat(applied).containsExactlyInAnyOrderElementsOf(FLEET);
        assertThat(states).as("one state for the fleet, so an unsharded plan sees every shard")
                .containsExactly("s3://team-ferry-state/fleet/state.json");
        for (int index = 0; index < 4; index++) {
            int shard = index;
            String names = FLEET.stream().filter(name -> Shard.of(name, 4) == shard).collect(Collectors.joining(", "));
            assertThat(result.out()).as("the header names shard " + index + "'s migrations")
                    .contains("\n#   " + index + ": " + (names.isEmpty() ? "(no migration)" : names) + "\n");
        }

        // credentials: every secret the file's providers and references read, from the Secret, by name; no value
        Map<String, EnvVar> secrets = container.getEnv().stream()
                .filter(variable -> variable.getValueFrom() != null && variable.getValueFrom().getSecretKeyRef() != null)
                .collect(Collectors.toMap(EnvVar::getName, variable -> variable));
        assertThat(secrets).containsOnlyKeys("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "LINODE_TOKEN",
                "ROOT_PASSWORD");
        secrets.forEach((name, variable) -> {
            assertThat(variable.getValue()).isNull();
            assertThat(variable.getValueFrom().getSecretKeyRef().getName()).isEqualTo("ferry-fleet-secrets");
            assertThat(variable.getValueFrom().getSecretKeyRef().getKey()).isEqualTo(name);
        });
        assertThat(secrets.get("AWS_SESSION_TOKEN").getValueFrom().getSecretKeyRef().getOptional()).isTrue();
        assertThat(secrets.get("AWS_ACCESS_KEY_ID").getValueFrom().getSecretKeyRef().getOptional()).isNull();
        assertThat(container.getEnv()).filteredOn(variable -> variable.getValue() != null).extracting(EnvVar::getName)
                .containsExactly("HOME", "FERRY_JAVA_OPTS");

        // the file and the ${file:secrets/db-root-pass} it reads, in one read-only folder
        Volume migration = pod.getVolumes().stream().filter(volume -> volume.getName().equals("migration")).findFirst().orElseThrow();
        List<VolumeProjection> sources = migration.getProjected().getSources();
        assertThat(sources.get(0).getConfigMap().getName()).isEqualTo(configMap.getMetadata().getName());
        assertThat(sources.get(0).getConfigMap().getItems()).extracting(KeyToPath::getKey, KeyToPath::getPath)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("migration.yaml", "migration.yaml"));
        assertThat(sources.get(1).getSecret().getName()).isEqualTo("ferry-fleet-secrets");
        assertThat(sources.get(1).getSecret().getItems()).extracting(KeyToPath::getKey, KeyToPath::getPath)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("file-secrets-db-root-pass", "secrets/db-root-pass"));
        assertThat(container.getVolumeMounts()).anySatisfy(mount -> {
            assertThat(mount.getName()).isEqualTo("migration");
            assertThat(mount.getMountPath()).isEqualTo("/etc/ferry");
            assertThat(mount.getReadOnly()).isTrue();
        });
        assertThat(result.out()).contains("kubectl create secret generic ferry-fleet-secrets \\\n",
                "--from-literal=ROOT_PASSWORD=\"$ROOT_PASSWORD\" \\\n", "--from-file=file-secrets-db-root-pass=secrets/db-root-pass\n");

        // no privileges, and somewhere to write
        assertThat(container.getSecurityContext().getPrivileged()).isFalse();
        assertThat(container.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
        assertThat(container.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
        assertThat(container.getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(container.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
        assertThat(container.getSecurityContext().getCapabilities().getAdd()).isNullOrEmpty();
        assertThat(container.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
        assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(pod.getSecurityContext().getRunAsUser()).isPositive();
        assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
        assertThat(pod.getAutomountServiceAccountToken()).isFalse();
        assertThat(pod.getHostNetwork()).isNull();
        assertThat(pod.getHostPID()).isNull();
        assertThat(pod.getVolumes()).allSatisfy(volume -> assertThat(volume.getHostPath()).isNull());
        assertThat(container.getVolumeMounts()).filteredOn(mount -> !Objects.equals(mount.getReadOnly(), true))
                .allSatisfy(mount -> assertThat(pod.getVolumes()).anySatisfy(volume -> {
                    assertThat(volume.getName()).isEqualTo(mount.getName());
                    assertThat(volume.getEmptyDir()).isNotNull();
                })).extracting(mount -> mount.getMountPath()).contains("/tmp", env(container, "HOME").getValue());

        // sized from the transfer benchmark, which the Job names
        assertThat(container.getResources().getRequests()).containsEntry("cpu", new Quantity("2")).containsEntry("memory", new Quantity("512Mi"));
        assertThat(container.getResources().getLimits()).containsEntry("cpu", new Quantity("2")).containsEntry("memory", new Quantity("1Gi"));
        assertThat(job.getMetadata().getAnnotations().get("ferry.dev/resources")).contains("bench/transfer/run.sh");
        assertThat(result.out()).as("quantities as Kubernetes writes them").contains("\n              cpu: \"2\"\n",
                "\n              memory: 512Mi\n", "\n              memory: 1Gi\n").endsWith("\n");
    }

    @Test
    void kubernetesTakesTheStateFromTheFileAndOnlyTheCredentialsItsProvidersRead() throws IOException {
        copy("vcenter-to-ec2.yaml");
        Path file = dir.resolve("vcenter-to-ec2.yaml");
        Files.writeString(file, Files.readString(file) + "\nstate:\n  s3: { bucket: team-ferry-state, key: ferry/app/state.json }\n");

        CliRunner.Result result = CliRunner.run(dir, "fleet", "kubernetes", "-f", "vcenter-to-ec2.yaml", "--shards", "2",
                "--parallelism", "1", "--image", "registry.example.com/ops/ferry:0.1.0", "--namespace", "migrations",
                "--secret", "vcenter-and-aws");

        assertThat(result.exitCode()).as(result.all()).isZero();
        List<JsonNode> documents = documents(result.out());
        Job job = YAML.treeToValue(documents.get(1), Job.class);
        Container container = job.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(job.getSpec().getParallelism()).isEqualTo(1);
        assertThat(job.getMetadata().getNamespace()).isEqualTo("migrations");
        assertThat(documents.get(0).path("metadata").path("namespace").asText()).isEqualTo("migrations");
        assertThat(container.getImage()).isEqualTo("registry.example.com/ops/ferry:0.1.0");
        assertThat(container.getArgs()).as("the shards share the file's state").contains("$(JOB_COMPLETION_INDEX)/2",
                "s3://team-ferry-state/ferry/app/state.json");
        assertThat(container.getEnv()).filteredOn(variable -> variable.getValueFrom() != null
                        && variable.getValueFrom().getSecretKeyRef() != null)
                .allSatisfy(variable -> assertThat(variable.getValueFrom().getSecretKeyRef().getName()).isEqualTo("vcenter-and-aws"))
                .extracting(EnvVar::getName)
                .containsExactly("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "VSPHERE_USER", "VSPHERE_PASSWORD", "AWS_SESSION_TOKEN");
        assertThat(job.getSpec().getTemplate().getSpec().getVolumes()).filteredOn(volume -> volume.getProjected() != null)
                .singleElement().satisfies(volume -> assertThat(volume.getProjected().getSources()).as("no ${file:} to carry")
                        .hasSize(1));
        assertThat(result.out()).contains("kubectl -n migrations apply -f ");
    }

    @Test
    void githubActionsIsAMatrixOfOneJobPerShard(@TempDir Path bin) throws Exception {
        Files.createDirectories(dir.resolve("ops plans"));
        Files.copy(CliRunner.repositoryRoot().resolve("plans/examples/fleet.yaml"), dir.resolve("ops plans/fleet.yaml"));

        CliRunner.Result result = CliRunner.run(dir, "fleet", "github-actions", "-f", "ops plans/fleet.yaml", "--shards", "3",
                "--state", STATE);

        assertThat(result.exitCode()).as(result.all()).isZero();
        List<JsonNode> documents = documents(result.out());
        assertThat(documents).hasSize(1);
        JsonNode workflow = documents.get(0);
        assertThat(workflow.path("on").has("workflow_dispatch")).isTrue();
        assertThat(workflow.path("permissions")).hasToString("{\"contents\":\"read\"}");
        assertThat(workflow.path("concurrency").path("group").asText()).isEqualTo("ferry-fleet");
        assertThat(workflow.path("concurrency").path("cancel-in-progress").asBoolean(true)).isFalse();
        JsonNode job = workflow.path("jobs").path("apply");
        assertThat(job.path("strategy").path("fail-fast").isBoolean()).isTrue();
        assertThat(job.path("strategy").path("fail-fast").asBoolean(true)).isFalse();
        JsonNode matrix = job.path("strategy").path("matrix").path("shard");
        assertThat(matrix.size()).isEqualTo(3);
        assertThat(IntStream.range(0, 3).map(i -> matrix.get(i).asInt(-1)).boxed().toList()).containsExactly(0, 1, 2);
        assertThat(job.path("strategy").has("max-parallel")).isFalse();
        JsonNode steps = job.path("steps");
        assertThat(steps.get(0).path("uses").asText()).startsWith("actions/checkout@");
        assertThat(steps.get(1).path("uses").asText()).startsWith("actions/setup-java@");
        assertThat(steps.get(1).path("with").path("java-version").asText()).isEqualTo("17");
        assertThat(steps.get(2).path("env").path("FERRY_ARCHIVE").asText()).endsWith("/ferry-" + FerryVersion.get() + ".tar.gz");
        JsonNode files = steps.get(3);
        assertThat(files.path("env").path("FERRY_FILE_SECRETS_DB_ROOT_PASS").asText()).isEqualTo("${{ secrets.FERRY_FILE_SECRETS_DB_ROOT_PASS }}");
        JsonNode apply = steps.get(4);
        assertThat(apply.path("env").path("FERRY_SHARD").asText()).isEqualTo("${{ matrix.shard }}");
        for (String secret : List.of("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "LINODE_TOKEN", "ROOT_PASSWORD")) {
            assertThat(apply.path("env").path(secret).asText()).isEqualTo("${{ secrets." + secret + " }}");
        }
        assertThat(apply.path("run").asText()).contains("--shard").contains("--auto-approve");

        // the steps' scripts, run by bash with a stand-in ferry that records its arguments: the apply of shard 1 of 3
        // (the folder's space kept), and the secret file written where the migration file reads it
        Path ferry = bin.resolve("ferry");
        Files.writeString(ferry, "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\n' \"$a\"; done > \"$FERRY_ARGS\"\n");
        ferry.toFile().setExecutable(true);
        Path recorded = dir.resolve("args");
        ProcessBuilder shard = new ProcessBuilder("bash", "-eo", "pipefail", "-c", apply.path("run").asText()).directory(dir.toFile());
        shard.environment().put("PATH", bin + ":" + System.getenv("PATH"));
        shard.environment().put("FERRY_SHARD", "1");
        shard.environment().put("FERRY_ARGS", recorded.toString());
        assertThat(shard.start().waitFor()).isZero();
        assertThat(Files.readAllLines(recorded)).containsExactly("apply", "-f", "ops plans/fleet.yaml",
                "--state", "s3://team-ferry-state/fleet/state.json", "--shard", "1/3", "--auto-approve");
        ProcessBuilder secretFile = new ProcessBuilder("bash", "-eo", "pipefail", "-c", files.path("run").asText()).directory(dir.toFile());
        secretFile.environment().put("FERRY_FILE_SECRETS_DB_ROOT_PASS", "it's a $ecret");
        assertThat(secretFile.start().waitFor()).isZero();
        assertThat(Files.readString(dir.resolve("ops plans/secrets/db-root-pass"))).isEqualTo("it's a $ecret");

        assertThat(result.out()).contains("gh workflow run ferry-fleet.yml", "\n#      ROOT_PASSWORD\n",
                "\n#      FERRY_FILE_SECRETS_DB_ROOT_PASS (the content of secrets/db-root-pass)\n");
    }

    @Test
    void githubActionsRunsAtMostParallelismShardsAtOnce() throws IOException {
        copy("fleet.yaml");

        CliRunner.Result result = CliRunner.run(dir, "fleet", "github-actions", "-f", "fleet.yaml", "--shards", "8",
                "--parallelism", "2", "--state", STATE);

        assertThat(result.exitCode()).as(result.all()).isZero();
        JsonNode strategy = documents(result.out()).get(0).path("jobs").path("apply").path("strategy");
        assertThat(strategy.path("max-parallel").asInt()).isEqualTo(2);
        assertThat(strategy.path("matrix").path("shard").size()).isEqualTo(8);
    }

    @Test
    void warnsThatANamedAwsProfileIsNotWhereTheShardsRun() throws IOException {
        Path file = dir.resolve("fleet.yaml");
        Files.writeString(file, Files.readString(CliRunner.repositoryRoot().resolve("plans/examples/fleet.yaml"))
                .replace("aws: { region: us-west-1 }", "aws: { region: us-west-1, profile: production }"));

        CliRunner.Result result = CliRunner.run(dir, "fleet", "github-actions", "-f", "fleet.yaml", "--shards", "2", "--state", STATE);

        assertThat(result.exitCode()).as(result.all()).isZero();
        assertThat(result.err()).contains("Warning: providers.aws.profile names 'production', so every shard would look for that"
                + " profile in ~/.aws and not use AWS_ACCESS_KEY_ID;");
        assertThat(result.out()).startsWith("# ferry fleet github-actions: ");
    }

    @Test
    void helpNamesTheKindsAndTheReferencesAsWritten() {
        String help = CliRunner.run(dir, "fleet", "--help").out().replaceAll("\\s+", " ");

        assertThat(help).contains("What to print: kubernetes, github-actions.")
                .contains("by the names the file's providers and ${env:...} and ${file:...} references read.").doesNotContain("null");
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "-3"})
    void refusesFewerThanOneShard(String shards) throws IOException {
        copy("fleet.yaml");

        CliRunner.Result result = CliRunner.run(dir, "fleet", "kubernetes", "-f", "fleet.yaml", "--shards", shards, "--state", STATE);

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.out()).isEmpty();
        assertThat(result.err()).isEqualTo("Error: --shards must be at least 1 (the number of processes the migrations are split over),"
                + " not " + shards + "\n");
    }

    @Test
    void refusesAnUnknownKind() throws IOException {
        copy("fleet.yaml");

        CliRunner.Result result = CliRunner.run(dir, "fleet", "nomad", "-f", "fleet.yaml", "--shards", "2", "--state", STATE);

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.out()).isEmpty();
        assertThat(result.err()).startsWith("Error: ferry fleet does not know 'nomad'; it prints a manifest for kubernetes or"
                + " github-actions, such as: ferry fleet kubernetes -f fleet.yaml --shards 4\n");
    }

    @Test
    void refusesAMissingFile() {
        CliRunner.Result result = CliRunner.run(dir, "fleet", "kubernetes", "-f", "nowhere.yaml", "--shards", "2", "--state", STATE);

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.out()).isEmpty();
        assertThat(result.err()).startsWith("Error: ").contains("nowhere.yaml").doesNotContain("\tat ");
    }

    @Test
    void refusesAMissingShardCount() throws IOException {
        copy("fleet.yaml");

        CliRunner.Result result = CliRunner.run(dir, "fleet", "kubernetes", "-f", "fleet.yaml");

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.err()).startsWith("Error: Missing required option: '--shards=N'");
    }

    @ParameterizedTest
    @ValueSource(strings = {"kubernetes", "github-actions"})
    void refusesLocalStateAndSaysHowToKeepItInS3(String kind) throws IOException {
        copy("fleet.yaml");

        CliRunner.Result result = CliRunner.run(dir, "fleet", kind, "-f", "fleet.yaml", "--shards", "4");

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.out()).isEmpty();
        assertThat(result.err()).startsWith("Error: fleet.yaml keeps its state on the local disk (.ferry/fleet/), so each of the 4 shards"
                        + " would keep its own")
                .contains("\n  state:\n    s3: { bucket: BUCKET, key: ferry/fleet/state.json, region: REGION }\n")
                .contains("or give --state s3://BUCKET/KEY here");

        CliRunner.Result local = CliRunner.run(dir, "fleet", kind, "-f", "fleet.yaml", "--shards", "4", "--state", "shared.json");
        assertThat(local.exitCode()).isEqualTo(1);
        assertThat(local.err()).startsWith("Error: --state shared.json is a local file, which each shard would keep apart;");
    }

    @Test
    void refusesASecretFileOutsideTheMigrationFilesFolder() throws IOException {
        Path file = dir.resolve("fleet.yaml");
        String text = Files.readString(CliRunner.repositoryRoot().resolve("plans/examples/fleet.yaml"));
        Files.writeString(file, text.replace("${file:secrets/db-root-pass}", "${file:/etc/db-root-pass}"));
        int line = text.lines().takeWhile(l -> !l.contains("${file:secrets/db-root-pass}")).toList().size() + 1;

        CliRunner.Result result = CliRunner.run(dir, "fleet", "kubernetes", "-f", "fleet.yaml", "--shards", "2", "--state", STATE);

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.err()).startsWith("Error: fleet.yaml:" + line + ":")
                .contains("migrations[2].target.linode.root_pass reads ${file:/etc/db-root-pass}, a file outside the migration file's"
                        + " folder")
                .contains("${file:secrets/db-root-pass}");
    }

    @Test
    void refusesMoreShardsThanAGithubMatrixRuns() throws IOException {
        copy("fleet.yaml");

        CliRunner.Result result = CliRunner.run(dir, "fleet", "github-actions", "-f", "fleet.yaml", "--shards", "257", "--state", STATE);

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.out()).isEmpty();
        assertThat(result.err()).contains("Error: --shards 257: a GitHub Actions matrix makes at most 256 jobs per run;");
    }

    private String copy(String example) throws IOException {
        Path target = dir.resolve(example);
        Files.copy(CliRunner.repositoryRoot().resolve("plans/examples/" + example), target);
        return Files.readString(target, StandardCharsets.UTF_8);
    }

    private static List<JsonNode> documents(String yaml) throws IOException {
        try (MappingIterator<JsonNode> iterator = YAML.readerFor(JsonNode.class).readValues(yaml)) {
            return iterator.readAll().stream().filter(node -> !node.isMissingNode() && !node.isNull()).toList();
        }
    }

    private static EnvVar env(Container container, String name) {
        return container.getEnv().stream().filter(variable -> variable.getName().equals(name)).findFirst().orElseThrow();
    }
}
