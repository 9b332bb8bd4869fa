package dev.ferry.cli.fleet;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.engine.FerryException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * {@code ferry fleet github-actions}: a workflow with one job per shard ({@code strategy.matrix.shard}), each
 * setting up Java 17, installing ferry from its release archive and running {@code ferry apply --shard I/N
 * --auto-approve} with the credentials from the repository's secrets. GitHub publishes no well-kept typed model of
 * workflows, so this is a Jackson tree.
 */
public final class GitHubActionsWorkflow {

    private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9_./:=@%+-]+");
    static final String SHARD_VARIABLE = "FERRY_SHARD";
    static final String SHARD = "${" + SHARD_VARIABLE + "}";
    /** GitHub runs at most 256 jobs from one matrix. */
    static final int MATRIX_LIMIT = 256;

    private final Fleet fleet;
    private final String archive;
    private final String runner;

    public GitHubActionsWorkflow(Fleet fleet, String archive, String runner) {
        this.fleet = requireNonNull(fleet, "fleet is null");
        this.archive = requireNonNull(archive, "archive is null");
        this.runner = requireNonNull(runner, "runner is null");
        if (fleet.shards() > MATRIX_LIMIT) {
            throw new FerryException("--shards " + fleet.shards() + ": a GitHub Actions matrix makes at most " + MATRIX_LIMIT
                    + " jobs per run; give --shards " + MATRIX_LIMIT + " or fewer (a shard applies all of its migrations), or run the fleet on Kubernetes");
        }
        if (Path.of(fleet.file()).isAbsolute() || Path.of(fleet.file()).normalize().startsWith("..")) {
            throw new FerryException("-f " + fleet.file() + ": a workflow runs in a checkout of the repository, so give the migration"
                    + " file's path relative to the repository's root (run ferry fleet from there), such as -f plans/fleet.yaml");
        }
    }

    /** Where the release archive {@code mvn package} makes ({@code cli/target/ferry-VERSION.tar.gz}) is published. */
    public static String defaultArchive(String version) {
        return "https://github.com/ferry/ferry/releases/download/v" + version + "/ferry-" + version + ".tar.gz";
    }

    public String workflowName() {
        return "ferry-" + fleet.name();
    }

    public ObjectNode workflow() {
        ObjectNode workflow = FleetYaml.MAPPER.createObjectNode();
        workflow.put("name", "ferry fleet " + fleet.name());
        // applied by hand, from the Actions tab or 'gh workflow run': a migration is not a side effect of a push
        workflow.putObject("on").putObject("workflow_dispatch");
        workflow.putObject("permissions").put("contents", "read");
        workflow.putObject("concurrency").put("group", workflowName()).put("cancel-in-progress", false);
        ObjectNode job = workflow.putObject("jobs").putObject("apply");
        job.put("name", "ferry apply shard ${{ matrix.shard }}/" + fleet.shards());
        job.put("runs-on", runner);
        job.put("timeout-minutes", 360);
        ObjectNode strategy = job.putObject("strategy");
        strategy.put("fail-fast", false);
        fleet.parallelism().ifPresent(value -> strategy.put("max-parallel", fleet.running()));
        ArrayNode shards = strategy.putObject("matrix").putArray("shard");
        for (int index = 0; index < fleet.shards(); index++) {
            shards.add(index);
        }
        ArrayNode steps = job.putArray("steps");
        steps.addObject().put("uses", "actions/checkout@v4").putObject("with").put("persist-credentials", false);
        steps.addObject().put("uses", "actions/setup-java@v4").putObject("with")
                .put("distribution", "temurin").put("java-version", "17");
        ObjectNode install = steps.addObject().put("name", "Install ferry " + fleet.version());
        install.putObject("env").put("FERRY_ARCHIVE", archive);
        install.put("run", String.join("\n",
                "curl --fail --silent --show-error --location \"$FERRY_ARCHIVE\" --output \"$RUNNER_TEMP/ferry.tar.gz\"",
                "tar -xzf \"$RUNNER_TEMP/ferry.tar.gz\" -C \"$RUNNER_TEMP\"",
                "echo \"$RUNNER_TEMP/ferry-" + fleet.version() + "/bin\" >> \"$GITHUB_PATH\"",
                "\"$RUNNER_TEMP/ferry-" + fleet.version() + "/bin/ferry\" --version") + "\n");
        if (!fleet.files().isEmpty()) {
            ObjectNode write = steps.addObject().put("name", "Write the secret files the migration file reads");
            ObjectNode environment = write.putObject("env");
            List<String> script = new ArrayList<>(List.of("umask 077"));
            Path folder = Path.of(fleet.file()).getParent();
            for (Fleet.SecretFile file : fleet.files()) {
                environment.put(file.variable(), "${{ secrets." + file.variable() + " }}");
                Path target = folder == null ? Path.of(file.path()) : folder.resolve(file.path());
                Path parent = target.getParent();
                if (parent != null) {
                    script.add("mkdir -p " + quote(parent.toString()));
                }
                script.add("printf '%s' \"$" + file.variable() + "\" > " + quote(target.toString()));
            }
            write.put("run", String.join("\n", script) + "\n");
        }
        ObjectNode apply = steps.addObject().put("name", "ferry apply shard ${{ matrix.shard }}/" + fleet.shards());
        ObjectNode environment = apply.putObject("env");
        environment.put(SHARD_VARIABLE, "${{ matrix.shard }}");
        for (String variable : fleet.variables()) {
            environment.put(variable, "${{ secrets." + variable + " }}");
        }
        for (String variable : fleet.optionalVariables()) {
            environment.put(variable, "${{ secrets." + variable + " }}");
        }
        apply.put("run", "ferry " + String.join(" ", fleet.applyArguments(fleet.file(), SHARD).stream()
                .map(GitHubActionsWorkflow::quote).toList()) + "\n");
        return workflow;
    }

    public String render() {
        return FleetYaml.documents(comments(), List.of(workflow()));
    }

    private List<String> comments() {
        List<String> lines = new ArrayList<>();
        lines.add("ferry fleet github-actions: " + fleet.file() + " (" + fleet.name() + ") as " + fleet.shards() + " shards, "
                + fleet.running() + " at once; made by ferry " + fleet.version() + ".");
        lines.add("Shards, by the hash of the migration's name that ferry apply --shard uses:");
        fleet.assignments().forEach((index, names) -> lines.add("  " + index + ": "
                + (names.isEmpty() ? "(no migration)" : String.join(", ", names))));
        lines.add("");
        lines.add("1. Save this as .github/workflows/" + workflowName() + ".yml in the repository that holds " + fleet.file() + ".");
        lines.add("2. Add the repository secrets it reads (Settings > Secrets and variables > Actions, or gh secret set):");
        List<String> names = new ArrayList<>(fleet.variables());
        fleet.files().forEach(file -> names.add(file.variable() + " (the content of " + file.path() + ")"));
        names.forEach(name -> lines.add("     " + name));
        fleet.optionalVariables().forEach(name -> lines.add("     " + name + " (only with temporary keys; leave it unset otherwise)"));
        lines.add("3. Run it: gh workflow run " + workflowName() + ".yml (or Actions > ferry fleet " + fleet.name() + " > Run workflow).");
        lines.add("A failed shard is run again with 'Re-run failed jobs' and resumes where it stopped. The shards share the state "
                + fleet.shardState("I") + ", each under its own shard lock, so keep --shards " + fleet.shards() + " while the fleet"
                + " runs; what shard I has left: ferry plan -f " + fleet.file() + " --shard I/" + fleet.shards() + " --state "
                + fleet.shardState("I") + "; a runner killed mid-apply leaves its lock: ferry force-unlock LOCK_ID (as the re-run"
                + " prints it) once it is gone.");
        return lines;
    }

    /** One shell word: as it is when plain, in double quotes when it holds the shard, anything else in single quotes. */
    static String quote(String word) {
        if (PLAIN.matcher(word).matches()) {
            return word;
        }
        if (word.contains(SHARD)) {
            StringBuilder quoted = new StringBuilder("\"");
            String[] parts = word.split(Pattern.quote(SHARD), -1);
            for (int i = 0; i < parts.length; i++) {
                quoted.append(i == 0 ? "" : SHARD).append(parts[i].replaceAll("([\"\\\\$`])", "\\\\$1"));
            }
            return quoted.append('"').toString();
        }
        return "'" + word.replace("'", "'\"'\"'") + "'";
    }
}
