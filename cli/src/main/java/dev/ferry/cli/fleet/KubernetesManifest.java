package dev.ferry.cli.fleet;

import static java.util.Objects.requireNonNull;

import dev.ferry.engine.FerryException;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.KeyToPath;
import io.fabric8.kubernetes.api.model.KeyToPathBuilder;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.VolumeProjection;
import io.fabric8.kubernetes.api.model.VolumeProjectionBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code ferry fleet kubernetes}: a ConfigMap holding the migration file and a batch/v1 Indexed Job of one pod
 * per shard, each running {@code ferry apply --shard $(JOB_COMPLETION_INDEX)/N --auto-approve}; credentials from
 * one Secret by key, no privileges, a read-only root filesystem with empty dirs for HOME and /tmp.
 */
public final class KubernetesManifest {

    /** Where the pod finds the migration file and the files it references (one projected volume). */
    static final String DIRECTORY = "/etc/ferry";
    static final String FILE_KEY = "migration.yaml";
    static final String HOME = "/home/ferry";
    /** The user the pod runs as: any non-root id, the image need not know it. */
    static final long USER = 10001;
    /** Retries of one shard: an interrupted apply resumes where it stopped, so a retry is cheap. */
    static final int RETRIES_PER_SHARD = 2;
    /** A week to read the pods' logs after the Job ends. */
    static final int KEEP_SECONDS = 7 * 24 * 3600;
    /** Kubernetes allows an Indexed Job at most 100,000 completions. */
    static final int COMPLETIONS_LIMIT = 100_000;
    /** A ConfigMap holds at most 1 MiB. */
    static final int CONFIG_MAP_LIMIT = 1024 * 1024 - 4096;

    /**
     * One transfer's measured pace: bench/transfer/run.sh streams a 2 GiB image (S3 ranged reads, gzip, upload) in
     * 19.3 s on 2 cores, as fast as {@code pigz -p 2} alone, in a flat peak RSS of 258 to 265 MiB (2 and 8 GiB) with a
     * 256 MiB heap. So a shard gets the 2 cores gzip keeps busy, and twice the measured memory, with the heap at half.
     */
    static final String CPU = "2";
    static final String MEMORY_REQUEST = "512Mi";
    static final String MEMORY_LIMIT = "1Gi";
    static final String JAVA_OPTIONS = "-XX:MaxRAMPercentage=50";
    static final String SIZING = "requests and limits from bench/transfer/run.sh (README, Benchmarks): one 2 GiB image streamed"
            + " S3 -> gzip -> upload in 19.3 s on 2 cores (pigz -p 2 pace), peak RSS 258-265 MiB with a 256 MiB heap";

    private final Fleet fleet;
    private final String image;
    private final Optional<String> namespace;
    private final String secret;

    public KubernetesManifest(Fleet fleet, String image, Optional<String> namespace, Optional<String> secret) {
        this.fleet = requireNonNull(fleet, "fleet is null");
        this.image = requireNonNull(image, "image is null");
        this.namespace = requireNonNull(namespace, "namespace is null");
        this.secret = secret.orElse(base() + "-secrets");
        if (fleet.shards() > COMPLETIONS_LIMIT) {
            throw new FerryException("--shards " + fleet.shards() + ": an Indexed Job has at most " + COMPLETIONS_LIMIT
                    + " completions; give --shards " + COMPLETIONS_LIMIT + " or fewer");
        }
        if (fleet.content().getBytes(StandardCharsets.UTF_8).length > CONFIG_MAP_LIMIT) {
            throw new FerryException(fleet.file() + " is larger than a ConfigMap can hold (1 MiB); split its migrations over"
                    + " several files, each with its own state key, and make a Job for each");
        }
    }

    /** The default image: ferry's own, at the version of this ferry. */
    public static String defaultImage(String version) {
        return "ghcr.io/ferry/ferry:" + version;
    }

    /** {@code ferry-NAME}, short enough for {@code NAME-INDEX} pod host names and a {@code -migration} suffix. */
    String base() {
        String base = "ferry-" + fleet.name();
        return base.length() <= 48 ? base : base.substring(0, 48).replaceAll("-+$", "");
    }

    public String jobName() {
        return base();
    }

    public String configMapName() {
        return base() + "-migration";
    }

    public String secretName() {
        return secret;
    }

    /** The two objects, ConfigMap first (the Job's pods mount it). */
    public List<Object> objects() {
        return List.of(configMap(), job());
    }

    /** The manifest: how to create the Secret and apply it, as comments, then the two documents. */
    public String render() {
        return FleetYaml.documents(comments(), objects());
    }

    ConfigMap configMap() {
        return new ConfigMapBuilder()
                .withMetadata(metadata(configMapName()))
                .addToData(FILE_KEY, fleet.content())
                .build();
    }

    Job job() {
        ObjectMeta metadata = metadata(jobName());
        Map<String, String> annotations = new LinkedHashMap<>(); // in this order, so that the same file prints the same manifest
        annotations.put("ferry.dev/migration-file", fleet.file());
        annotations.put("ferry.dev/migration-sha256", sha256(fleet.content()));
        annotations.put("ferry.dev/resources", SIZING);
        metadata.setAnnotations(annotations);
        return new JobBuilder()
                .withMetadata(metadata)
                .withNewSpec()
                    .withCompletionMode("Indexed")
                    .withCompletions(fleet.shards())
                    .withParallelism(fleet.running())
                    .withBackoffLimitPerIndex(RETRIES_PER_SHARD)
                    .withBackoffLimit((RETRIES_PER_SHARD + 1) * fleet.shards())
                    // a retry starts only once the failed pod is gone, so two applies of one shard never overlap
                    .withPodReplacementPolicy("Failed")
                    .withTtlSecondsAfterFinished(KEEP_SECONDS)
                    .withNewTemplate()
                        .withNewMetadata()
                            .withLabels(labels())
                            .addToAnnotations("kubectl.kubernetes.io/default-container", "ferry")
                        .endMetadata()
                        .withNewSpec()
                            .withRestartPolicy("Never")
                            .withAutomountServiceAccountToken(false)
                            .withEnableServiceLinks(false)
                            .withNewSecurityContext()
                                .withRunAsNonRoot(true)
                                .withRunAsUser(USER)
                                .withRunAsGroup(USER)
                                .withFsGroup(USER)
                                .withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile()
                            .endSecurityContext()
                            .addNewContainer()
                                .withName("ferry")
                                .withImage(image)
                                .withImagePullPolicy("IfNotPresent")
                                .withCommand("ferry")
                                .withArgs(fleet.applyArguments(DIRECTORY + "/" + FILE_KEY, "$(JOB_COMPLETION_INDEX)"))
                                .withWorkingDir(HOME)
                                .withEnv(environment())
                                .withResources(new ResourceRequirementsBuilder()
                                        .addToRequests("cpu", new Quantity(CPU))
                                        .addToRequests("memory", new Quantity(MEMORY_REQUEST))
                                        .addToLimits("cpu", new Quantity(CPU))
                                        .addToLimits("memory", new Quantity(MEMORY_LIMIT))
                                        .build())
                                .withNewSecurityContext()
                                    .withPrivileged(false)
                                    .withAllowPrivilegeEscalation(false)
                                    .withReadOnlyRootFilesystem(true)
                                    .withRunAsNonRoot(true)
                                    .withNewCapabilities().withDrop("ALL").endCapabilities()
                                    .withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile()
                                .endSecurityContext()
                                .addNewVolumeMount().withName("migration").withMountPath(DIRECTORY).withReadOnly(true).endVolumeMount()
                                .addNewVolumeMount().withName("home").withMountPath(HOME).endVolumeMount()
                                .addNewVolumeMount().withName("tmp").withMountPath("/tmp").endVolumeMount()
                            .endContainer()
                            .addNewVolume()
                                .withName("migration")
                                .withNewProjected().withSources(projections()).endProjected()
                            .endVolume()
                            .addNewVolume().withName("home").withNewEmptyDir().endEmptyDir().endVolume()
                            .addNewVolume().withName("tmp").withNewEmptyDir().endEmptyDir().endVolume()
                        .endSpec()
                    .endTemplate()
                .endSpec()
                .build();
    }

    private List<EnvVar> environment() {
        List<EnvVar> environment = new ArrayList<>();
        // Declared (the Job controller sets it too) so that $(JOB_COMPLETION_INDEX) in args is always expanded.
        environment.add(new EnvVarBuilder().withName("JOB_COMPLETION_INDEX").withNewValueFrom().withNewFieldRef()
                .withFieldPath("metadata.annotations['batch.kubernetes.io/job-completion-index']").endFieldRef().endValueFrom().build());
        environment.add(new EnvVarBuilder().withName("HOME").withValue(HOME).build());
        environment.add(new EnvVarBuilder().withName("FERRY_JAVA_OPTS").withValue(JAVA_OPTIONS).build());
        for (String variable : fleet.variables()) {
            environment.add(secretVariable(variable, false));
        }
        for (String variable : fleet.optionalVariables()) {
            environment.add(secretVariable(variable, true));
        }
        return environment;
    }

    private EnvVar secretVariable(String name, boolean optional) {
        return new EnvVarBuilder().withName(name).withNewValueFrom().withNewSecretKeyRef()
                .withName(secret).withKey(name).withOptional(optional ? true : null).endSecretKeyRef().endValueFrom().build();
    }

    private List<VolumeProjection> projections() {
        List<VolumeProjection> sources = new ArrayList<>();
        sources.add(new VolumeProjectionBuilder().withNewConfigMap().withName(configMapName())
                .withItems(path(FILE_KEY, FILE_KEY)).endConfigMap().build());
        if (!fleet.files().isEmpty()) {
            sources.add(new VolumeProjectionBuilder().withNewSecret().withName(secret)
                    .withItems(fleet.files().stream().map(file -> path(file.key(), file.path())).toList())
                    .endSecret().build());
        }
        return sources;
    }

    private static KeyToPath path(String key, String path) {
        return new KeyToPathBuilder().withKey(key).withPath(path).build();
    }

    private ObjectMeta metadata(String name) {
        ObjectMetaBuilder metadata = new ObjectMetaBuilder().withName(name).withLabels(labels());
        namespace.ifPresent(metadata::withNamespace);
        return metadata.build();
    }

    private Map<String, String> labels() {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("app.kubernetes.io/name", "ferry");
        labels.put("app.kubernetes.io/instance", base());
        labels.put("app.kubernetes.io/component", "fleet");
        labels.put("app.kubernetes.io/version", fleet.version());
        return labels;
    }

    private List<String> comments() {
        String kubectl = "kubectl" + namespace.map(value -> " -n " + value).orElse("");
        List<String> lines = new ArrayList<>();
        lines.add("ferry fleet kubernetes: " + fleet.file() + " (" + fleet.name() + ", " + count(fleet.assignments().values().stream()
                .mapToInt(List::size).sum(), "migration") + ") as " + count(fleet.shards(), "shard") + ", " + fleet.running()
                + " at once; made by ferry " + fleet.version() + ".");
        lines.add("Each pod runs: ferry " + String.join(" ", fleet.applyArguments(DIRECTORY + "/" + FILE_KEY, "$(JOB_COMPLETION_INDEX)")));
        lines.add("Shards, by the hash of the migration's name that ferry apply --shard uses:");
        fleet.assignments().forEach((index, names) -> lines.add("  " + index + ": "
                + (names.isEmpty() ? "(no migration)" : String.join(", ", names))));
        lines.add("");
        lines.add("1. Create the Secret the pods read (its values never go into this manifest), from your environment:");
        List<String> create = new ArrayList<>();
        create.add("  " + kubectl + " create secret generic " + secret);
        fleet.variables().forEach(variable -> create.add("    --from-literal=" + variable + "=\"$" + variable + "\""));
        fleet.files().forEach(file -> create.add("    --from-file=" + file.key() + "=" + file.path()));
        for (int i = 0; i < create.size(); i++) {
            lines.add(create.get(i) + (i < create.size() - 1 ? " \\" : ""));
        }
        fleet.optionalVariables().forEach(variable -> lines.add("   (with temporary keys, add --from-literal=" + variable + "=\"$"
                + variable + "\")"));
        lines.add("2. Apply this manifest: " + kubectl + " apply -f FILE (the image " + image + " must have ferry on its PATH)");
        lines.add("3. Follow it: " + kubectl + " get pods -l job-name=" + jobName() + "; " + kubectl + " logs -f -l job-name=" + jobName()
                + " --max-log-requests " + Math.max(5, fleet.running()));
        lines.add("A failed shard is retried up to " + RETRIES_PER_SHARD + " times and resumes where it stopped. The shards share"
                + " the state " + fleet.shardState("I") + ", each under its own shard lock, so keep --shards " + fleet.shards()
                + " while the fleet runs; what shard I has left: ferry plan -f " + fleet.file() + " --shard I/" + fleet.shards()
                + " --state " + fleet.shardState("I") + "; a pod killed mid-apply leaves its lock: ferry force-unlock LOCK_ID (as the"
                + " retry prints it) once it is gone.");
        return lines;
    }

    private static String count(int count, String noun) {
        return count + " " + noun + (count == 1 ? "" : "s");
    }

    static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
