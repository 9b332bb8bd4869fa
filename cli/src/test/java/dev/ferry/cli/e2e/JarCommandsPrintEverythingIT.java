package dev.ferry.cli.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.cli.JsonEvents;
import dev.ferry.sandbox.Sandbox;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every command that prints, run as the built jar in its own process against the sandbox: its whole
 * stdout reaches the shell. Each printed text is compared with what the same command prints in-process
 * (where nothing can be lost) and checked for its own ending, so output cut at a buffer's size or never
 * flushed at exit fails here.
 */
class JarCommandsPrintEverythingIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    Sandbox sandbox;
    Ferry inProcess;
    FerryJar jar;

    @BeforeEach
    void start() throws IOException {
        sandbox = Sandbox.start(Journeys.sandbox().build());
        Journeys.copyExample(dir);
        inProcess = Ferry.in(dir, sandbox, Journeys.distinctiveSecret("Root-"));
        jar = new FerryJar(dir, inProcess.variables());
    }

    @AfterEach
    void stop() {
        sandbox.close();
    }

    @Test
    void everyCommandPrintsAllOfItsOutputAsItsOwnProcess() throws Exception {
        Ferry.Result version = jar.run("--version");
        assertThat(version.out()).as(version.toString())
                .matches("ferry \\d+\\.\\d+\\.\\d+\\S* \\(commit ([0-9a-f]{4,40}|unknown)\\)\nJava \\S+\n");

        Ferry.Result validate = jar.run("validate");
        assertThat(validate.out()).as(validate.toString())
                .isEqualTo("migration.yaml is valid: 1 migration (web-01: ec2 → linode).\n");

        Ferry.Result saved = jar.run("plan", "-out", "saved.plan");
        assertThat(saved.exitCode()).as(saved.toString()).isZero();
        assertThat(saved.out()).contains("Plan: ")
                .contains("this rule appended under the migration's firewall.rules: {direction: inbound, action: ACCEPT, protocol: TCP,"
                        + " ports: \"8080\", addresses: [\"10.0.0.0/16\"]}")
                .contains("To let only that type through, filter ICMP on the Linode itself (nftables or iptables). If the Linode can do"
                        + " without it, accept the loss with firewall.accept_losses: [sgr-")
                .contains("set source.ec2.reboot: true for a consistent image")
                .endsWith("Saved the plan to: saved.plan\nTo perform exactly these actions, run: ferry apply saved.plan\n");

        Ferry.Result showPlan = printsAll("show", "saved.plan");
        assertThat(showPlan.out()).startsWith("ferry will perform the following actions:").contains("Plan: ");
        JsonNode planJson = JSON.readTree(printsAll("show", "saved.plan", "--json").out());
        assertThat(planJson.path("kind").asText()).isEqualTo("plan");
        assertThat(planJson.path("changes").size()).isPositive();
        Ferry.Result markdown = printsAll("plan", "--markdown");
        assertThat(markdown.out()).contains("```diff");
        assertThat(markdown.out().substring(markdown.out().lastIndexOf("</details>"))).as("the cost table comes last, whole")
                .contains("| Migration | Source (type) | Source $/month | Target (type) | Target $/month | Difference |\n")
                .containsPattern("\\| `web-01` \\| t3\\.medium \\| \\$\\d+\\.\\d\\d \\| g6-[a-z0-9-]+ \\| \\$\\d+\\.\\d\\d \\| [+-]\\$\\d+\\.\\d\\d \\|\n")
                .containsPattern("\n\\| \\*\\*Fleet total\\*\\* \\| \\| \\*\\*\\$[^|]+\\*\\* \\| \\| \\*\\*\\$[^|]+\\*\\* \\| \\*\\*[^|]+\\*\\* \\|\n(\n(<sup>\\d+</sup> [^\n]+  \n)+)?$");

        assertThat(markdown.out()).as("the permissions come before the cost table")
                .containsSubsequence("**Permissions**", "<details><summary>AWS IAM policy</summary>", "\"ebs:GetSnapshotBlock\"",
                        "<details><summary>Linode API token scopes</summary>", "linodes:read_write", "**Cost**");

        Ferry.Result permissions = printsAll("permissions");
        assertThat(permissions.out()).startsWith("AWS IAM policy for migration.yaml:\n\n{\n  \"Version\": \"2012-10-17\",")
                .contains("\n      \"Action\": [\n        \"ebs:GetSnapshotBlock\",\n")
                .contains("\nWhat each is for:\n  ebs:GetSnapshotBlock: aws_snapshot_read.web-01 reads the image's root snapshot block by block\n")
                .contains("\nLinode API token scopes for migration.yaml:\n\n{\n  \"scopes\": \"events:read_only firewall:read_write"
                        + " images:read_write linodes:read_write\"\n}\n")
                .endsWith("  linodes:read_write: linode_instance.web-01 creates the Linode and deletes it when it goes\n");
        JsonNode permissionsJson = JSON.readTree(printsAll("permissions", "--json").out());
        assertThat(permissionsJson.path("providers").path("aws").path("document").path("Version").asText()).isEqualTo("2012-10-17");
        JsonNode policy = JSON.readTree(printsAll("permissions", "--provider", "aws").out());
        assertThat(policy).as("--provider aws prints the policy document alone")
                .isEqualTo(permissionsJson.path("providers").path("aws").path("document"));
        Ferry.Result unknownProvider = jar.run("permissions", "--provider", "gcp");
        assertThat(unknownProvider.exitCode()).isEqualTo(1);
        assertThat(unknownProvider.err()).isEqualTo("Error: migration.yaml needs no permission of a provider 'gcp'; it needs permissions of:"
                + " aws, linode\n");

        assertThat(printsAll("graph").out()).startsWith("digraph ferry {").endsWith("}\n");
        assertThat(printsAll("graph", "--format", "mermaid").out()).startsWith("flowchart LR");
        assertThat(printsAll("graph", "--plan").out()).startsWith("digraph ferry {").endsWith("}\n");

        Ferry.Result apply = jar.run("apply", "saved.plan");
        assertThat(apply.exitCode()).as(apply.toString()).isZero();
        assertThat(apply.out()).containsPattern("\nApply complete! Resources: \\d+ added, 0 changed, 0 destroyed\\.[^\n]*\n$");

        Ferry.Result show = printsAll("show");
        assertThat(show.out().getBytes(java.nio.charset.StandardCharsets.UTF_8).length)
                .as("the state is larger than one 8 KiB buffer, where output used to be cut").isGreaterThan(8192);
        JsonNode state = JSON.readTree(printsAll("show", "--json").out());
        assertThat(state.isObject()).isTrue();

        Ferry.Result list = printsAll("state", "list");
        assertThat(list.out()).contains("linode_instance.web-01\n").endsWith("\n");
        String firstAddress = list.out().lines().findFirst().orElseThrow().split("\\s+")[0];
        assertThat(printsAll("state", "show", firstAddress).out()).contains(firstAddress);

        Ferry.Result nothing = jar.run("apply", "--auto-approve");
        assertThat(nothing.exitCode()).as(nothing.toString()).isZero();
        assertThat(nothing.out()).contains("No changes.").endsWith("Apply complete! Resources: 0 added, 0 changed, 0 destroyed.\n");

        Ferry.Result destroy = jar.run("destroy", "--auto-approve");
        assertThat(destroy.exitCode()).as(destroy.toString()).isZero();
        assertThat(destroy.out()).containsPattern("\nDestroy complete! Resources: 0 added, 0 changed, \\d+ destroyed\\.[^\n]*\n$");
    }

    @Test
    void aMalformedAuthorizedKeyFailsValidateAtItsPlaceInTheFile() throws Exception {
        String key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDfA2JpVvzrxj7zU7hxaKSsRu8Ud1Ri3d0r4LEvTeDS2";
        Path file = dir.resolve("migration.yaml");
        List<String> lines = java.nio.file.Files.readAllLines(file);
        int index = lines.indexOf("          - " + key + " ops@example.com");
        assertThat(index).as("the example lists its key on a line of its own").isNotNegative();
        java.nio.file.Files.writeString(file, Journeys.exampleFile().replace(key, "ssh-rsa" + key.substring("ssh-ed25519".length())));

        Ferry.Result validate = jar.run("validate");

        assertThat(validate.exitCode()).as(validate.toString()).isEqualTo(1);
        assertThat(validate.err()).as(validate.toString())
                .startsWith("migration.yaml:" + (index + 1) + ":13: authorized_keys[0] is not a well-formed OpenSSH public key,"
                        + " so Linode would refuse it when creating the Linode, after the disk has moved: the line says ssh-rsa, but its"
                        + " key data says ssh-ed25519\n  hint: paste the whole line of the public key file")
                .doesNotContain("\tat ");
        assertThat(sandbox.requests().all()).isEmpty();
    }

    @Test
    void aRegionAwsDoesNotHaveIsWarnedByValidateAtItsPlaceWithTheNearestName() throws Exception {
        Path file = dir.resolve("migration.yaml");
        List<String> lines = java.nio.file.Files.readAllLines(file);
        int index = -1;
        for (int i = 0; i < lines.size() && index < 0; i++) {
            if (lines.get(i).matches("\\s+region: us-west-1\\b.*")) {
                index = i;
            }
        }
        assertThat(index).as("the example names its AWS region on a line of its own").isNotNegative();
        int column = lines.get(index).indexOf("us-west-1") + 1;
        java.nio.file.Files.writeString(file, Journeys.exampleFile().replace("region: us-west-1", "region: us-wst-1"));

        Ferry.Result validate = jar.run("validate");

        assertThat(validate.exitCode()).as(validate.toString()).isZero();
        assertThat(validate.err()).as(validate.toString())
                .isEqualTo("migration.yaml:" + (index + 1) + ":" + column + ": warning: region 'us-wst-1' is not an AWS region\n"
                        + "  hint: did you mean 'us-west-1'?\n");
        assertThat(validate.out()).startsWith("migration.yaml is valid: ");
    }

    @Test
    void aWrongSecretKeyFailsPlanNamingTheCredentialsWithoutAStackTrace() throws Exception {
        String wrongSecret = Journeys.distinctiveSecret("Wrong/");
        Ferry.Result plan = new FerryJar(dir, inProcess.with("AWS_SECRET_ACCESS_KEY", wrongSecret).variables()).run("plan");

        assertThat(plan.exitCode()).as(plan.toString()).isEqualTo(1);
        assertThat(plan.err()).as(plan.toString())
                .contains("AWS did not accept the credentials from the environment (AWS_ACCESS_KEY_ID ****")
                .containsAnyOf("(AuthFailure: ", "(SignatureDoesNotMatch: ")
                .doesNotContain("\tat ")
                .doesNotContain(wrongSecret)
                .doesNotContain(sandbox.secretAccessKey());
    }

    @Test
    void aRootPasswordLinodeWouldRefuseFailsApplyBeforeAnythingIsMade() throws Exception {
        Ferry.Result apply = new FerryJar(dir, inProcess.with("ROOT_PASSWORD", "Password1!").variables()).run("apply", "--auto-approve");

        assertThat(apply.exitCode()).as(apply.toString()).isEqualTo(1);
        assertThat(apply.err()).as(apply.toString())
                .containsPattern("(?m)^migration.yaml:\\d+:20: migrations\\[0]\\.target\\.linode\\.root_pass \\(\\$\\{env:ROOT_PASSWORD}\\):"
                        + " the root password would fail Linode's strength check")
                .endsWith("Error: migration.yaml has a secret the cloud would refuse (see above); nothing was changed.\n")
                .doesNotContain("Password1!");
        assertThat(sandbox.requests().all()).isEmpty();
    }

    @Test
    void applyAndDestroyWithJsonStreamEveryEventAsALineOfJson() throws Exception {
        String password = inProcess.variables().get("ROOT_PASSWORD");

        Ferry.Result apply = jar.run("apply", "--json", "--auto-approve");

        assertThat(apply.exitCode()).as(apply.toString()).isZero();
        List<JsonNode> events = JsonEvents.parse(apply.out());
        assertThat(events).extracting(e -> e.path("type").asText())
                .startsWith("planned").contains("step_started", "step_progress", "bytes_progress", "step_finished").endsWith("summary");
        assertThat(events.get(events.size() - 1).path("succeeded").asBoolean()).isTrue();
        assertThat(apply.out() + apply.err()).doesNotContain(password);

        Ferry.Result destroy = jar.run("destroy", "--json", "--auto-approve");
        assertThat(destroy.exitCode()).as(destroy.toString()).isZero();
        List<JsonNode> destroyed = JsonEvents.parse(destroy.out());
        assertThat(destroyed.get(destroyed.size() - 1).path("operation").asText()).isEqualTo("destroy");
        assertThat(sandbox.world().linode().instances()).isEmpty();
    }

    @Test
    void importStateMvAndStateRmPrintWhatTheyDidAsTheirOwnProcess() throws Exception {
        sandbox.world().s3().createBucket(Journeys.BUCKET, "BucketOwnerEnforced");
        // The export road plans the staging bucket, which is what is imported here.
        java.nio.file.Files.writeString(dir.resolve("migration.yaml"), Journeys.exampleFile().replace("via: snapshot", "via: export"));
        Path state = dir.toRealPath().resolve(".ferry/web-tier/state.json");
        String backup = state.resolveSibling("state.json.backup").toString();

        Ferry.Result imported = jar.run("import", "aws_s3_bucket.staging", Journeys.BUCKET);
        assertThat(imported.exitCode()).as(imported.toString()).isZero();
        assertThat(imported.out()).isEqualTo("Imported aws_s3_bucket.staging (id " + Journeys.BUCKET + ") into the state " + state
                + ".\nIt matches the file: the next plan has no changes for it.\n");
        Ferry.Result unknown = jar.run("import", "aws_s3_bucket.stagign", Journeys.BUCKET);
        assertThat(unknown.exitCode()).isEqualTo(1);
        assertThat(unknown.err()).isEqualTo("Error: migration.yaml declares no aws_s3_bucket.stagign, so there is nothing to import it"
                + " as; did you mean aws_s3_bucket.staging?\n");

        Ferry.Result moved = jar.run("state", "mv", "aws_s3_bucket.staging", "aws_s3_bucket.kept");
        assertThat(moved.exitCode()).as(moved.toString()).isZero();
        assertThat(moved.out()).isEqualTo("Moved aws_s3_bucket.staging to aws_s3_bucket.kept (id " + Journeys.BUCKET + ").\n"
                + "The previous state is kept as " + backup + ".\n");

        Ferry.Result removed = jar.run("state", "rm", "aws_s3_bucket.kept");
        assertThat(removed.exitCode()).as(removed.toString()).isZero();
        assertThat(removed.out()).isEqualTo("Removed aws_s3_bucket.kept (id " + Journeys.BUCKET + ") from the state.\n"
                + "ferry no longer manages it, and nothing was deleted: it still exists in the cloud. If the file still declares it, the"
                + " next plan creates a new one; 'ferry import aws_s3_bucket.kept " + Journeys.BUCKET + "' adopts this one again.\n"
                + "The previous state is kept as " + backup + ".\n");
        assertThat(sandbox.world().s3().bucket(Journeys.BUCKET)).isPresent();

        Ferry.Result gone = jar.run("state", "rm", "aws_s3_bucket.kept");
        assertThat(gone.exitCode()).isEqualTo(1);
        assertThat(gone.err()).isEqualTo("Error: no resource aws_s3_bucket.kept in the state (ferry state list shows what there is)\n");
    }

    @Test
    void aPartialPlanSaysSoAsItsOwnProcess_andNamesThatMatchNothingAreRefused() throws Exception {
        Ferry.Result plan = printsAll("plan", "--migration", "web-01");
        assertThat(plan.out()).contains("Plan: ").contains("Warnings:\n  - Partial plan: it covers only the migration web-01 (1 of the 1"
                + " migration), with what they depend on, so other changes the file asks for may be pending. Run 'ferry plan' without"
                + " --migration, --target and --shard to see them all.\n");

        // web-01's name hashes to shard 1 of 2: shard 0 has nothing to do, and says why
        Ferry.Result empty = jar.run("apply", "--auto-approve", "--shard", "0/2");
        assertThat(empty.exitCode()).as(empty.toString()).isZero();
        assertThat(empty.out()).contains("No changes. The part of the migration file this plan covers matches the clouds.\n\nWarning:"
                + " Partial plan: it covers only shard 0/2, which holds none of the file's one migration, with what they depend on")
                .endsWith("Apply complete! Resources: 0 added, 0 changed, 0 destroyed.\n");

        Ferry.Result unknown = jar.run("plan", "--migration", "web-1");
        assertThat(unknown.exitCode()).isEqualTo(1);
        assertThat(unknown.err()).isEqualTo("Error: --migration web-1: migration.yaml has no migration of that name; did you mean web-01?"
                + " Its migrations: web-01.\n");
        Ferry.Result combined = jar.run("apply", "--auto-approve", "--shard", "0/2", "--target", "linode_instance.web-01");
        assertThat(combined.exitCode()).isEqualTo(1);
        assertThat(combined.err()).isEqualTo("Error: --shard picks its migrations by the hash of their names, so it cannot be combined"
                + " with --target; use --shard alone, or --migration and --target without it\n");
    }

    @Test
    void lockScopesRefuseWholefileAndOtherCountRunsWhileAShardRunsAndForceUnlockRemovesTheShardLock() throws Exception {
        // shard 0 of 2 holds no migration: its apply moves the state to parts (the whole lock for a moment) and ends
        Ferry.Result first = jar.run("apply", "--auto-approve", "--shard", "0/2");
        assertThat(first.exitCode()).as(first.toString()).isZero();
        // shard 1 of 2 applying, as another process on this machine leaves its lock while it runs
        long pid = ProcessHandle.current().pid();
        String host = dev.ferry.engine.state.StateLock.mine("apply").host();
        String id = "6f1c2a9e-0000-4000-8000-000000000002";
        Path lock = dir.resolve(".ferry/web-tier/state.lock.d/shard-1-of-2.lock");
        Files.createDirectories(lock.getParent());
        Files.writeString(lock, "{\"id\":\"" + id + "\",\"holder\":\"ci@runner-7\",\"pid\":" + pid + ",\"host\":\"" + host
                + "\",\"operation\":\"apply\",\"created\":\"2026-01-02T03:04:05Z\"}");
        String holder = "shard 1/2 by ci@runner-7 (pid " + pid + ", 'ferry apply' since 2026-01-02T03:04:05Z, lock id " + id + ")";

        Ferry.Result whole = jar.run("apply", "--auto-approve");
        assertThat(whole.exitCode()).as(whole.toString()).isEqualTo(1);
        assertThat(whole.err()).isEqualTo("Error: the state is locked by a shard run: " + holder + ". A run over the whole state"
                + " waits until no shard runs. If that process is gone, run: ferry force-unlock " + id + "\n");
        Ferry.Result otherCount = jar.run("apply", "--auto-approve", "--shard", "0/3");
        assertThat(otherCount.exitCode()).as(otherCount.toString()).isEqualTo(1);
        assertThat(otherCount.err()).isEqualTo("Error: the state is locked by shards of another count: " + holder + ". A migration's"
                + " shard depends on the number of shards, so shard 0/3 cannot run beside them; keep one N for the whole fleet. If that"
                + " process is gone, run: ferry force-unlock " + id + "\n");
        assertThat(dir.resolve(".ferry/web-tier/state.lock")).as("the refused runs leave no lock of their own").doesNotExist();

        Ferry.Result unlocked = jar.run("force-unlock", id);
        assertThat(unlocked.exitCode()).as(unlocked.toString()).isZero();
        assertThat(unlocked.out()).isEqualTo("Removed the lock held by ci@runner-7 (pid " + pid + ", 'ferry apply' since"
                + " 2026-01-02T03:04:05Z).\n");
        assertThat(lock).doesNotExist();
        assertThat(lock.getParent()).as("nothing else in the folder of shard locks").isEmptyDirectory();
    }

    @Test
    void verificationIsPrintedWholeByPlanApplyShowAndApplyJson() throws Exception {
        Journeys.copyExampleWithVerify(dir, "    verify: {tcp: [22, 443, 8080], http: [{url: \"http://{address}/health\"}], timeout: 30s}\n");

        Ferry.Result plan = printsAll("plan");
        assertThat(plan.out()).contains("verify.web-01")
                .containsPattern("probed on the source 54\\.183\\.22\\.10 through the SOCKS5 proxy 127\\.0\\.0\\.1:\\d+: tcp/22, tcp/443,"
                        + " GET http://\\{address\\}/health answered\n")
                .contains("tcp/8080 did not answer on the source (blocked (connection not allowed by ruleset))");
        // its lineage and time differ from an in-process plan's: only the jar's is read
        JsonNode planJson = JSON.readTree(jar.run("plan", "--json").out());
        assertThat(planJson.toString()).contains("\"source_results\"").contains("\"address\":\"verify.web-01\"");

        Ferry.Result apply = jar.run("apply", "--auto-approve");
        assertThat(apply.exitCode()).as(apply.toString()).isZero();
        assertThat(apply.out()).containsPattern("\nVerified verify\\.web-01: the Linode [0-9.]+ answers as the source did\\.\n"
                + "  tcp/22 answered on the source and answers on the Linode\n"
                + "  tcp/443 answered on the source and answers on the Linode\n"
                + "  tcp/8080 did not answer on the source but answers on the Linode\n"
                + "  GET http://\\{address\\}/health answered on the source and answers on the Linode\n\n"
                + "Apply complete! Resources: 6 added, 0 changed, 0 destroyed\\.[^\n]*\n$");
        assertThat(printsAll("show").out()).contains("# verify.web-01:").containsPattern("detail +=  *\"answered 200\"");

        assertThat(jar.run("destroy", "--auto-approve").exitCode()).isZero();
        Ferry.Result json = jar.run("apply", "--json", "--auto-approve");
        assertThat(json.exitCode()).as(json.toString()).isZero();
        List<JsonNode> events = JsonEvents.parse(json.out());
        JsonNode verified = events.get(events.size() - 1).path("verified");
        assertThat(verified).hasSize(1);
        assertThat(verified.get(0).path("address").asText()).isEqualTo("verify.web-01");
        assertThat(verified.get(0).path("results")).extracting(r -> r.path("check").asText() + " " + r.path("source").asText()
                + " " + r.path("target").asText()).containsExactly("tcp/22 answered answers", "tcp/443 answered answers",
                "tcp/8080 did not answer answers", "GET http://{address}/health answered answers");

        Ferry.Result ownSandbox = jar.run("sandbox", "--run-for", "500ms");
        assertThat(ownSandbox.exitCode()).as(ownSandbox.toString()).isZero();
        assertThat(ownSandbox.out()).as("the proxy the machines answer through is printed with the rest")
                .containsPattern("\nexport FERRY_PROBE_PROXY='socks5://127\\.0\\.0\\.1:\\d+'\n").endsWith("Press Ctrl-C to stop.\n");
    }

    @Test
    void anUnreachableAwsEndpointFailsNamingItInsteadOfRetryingForMinutes() throws Exception {
        int closed;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closed = socket.getLocalPort();
        }
        String endpoint = "http://127.0.0.1:" + closed;

        Ferry.Result plan = new FerryJar(dir, inProcess.with("AWS_ENDPOINT_URL", endpoint).variables()).run("plan");

        assertThat(plan.exitCode()).as(plan.toString()).isEqualTo(1);
        assertThat(plan.err()).contains("cannot reach the AWS endpoint " + endpoint + " (from AWS_ENDPOINT_URL)");
    }

    @Test
    void ferrySandboxPrintsItsWholeEnvironmentDownToTheHelperSshEndpoint() throws Exception {
        Ferry.Result sandboxRun = jar.run("sandbox", "--run-for", "300ms");

        assertThat(sandboxRun.exitCode()).as(sandboxRun.toString()).isZero();
        assertThat(sandboxRun.out()).containsPattern("export FERRY_LINODE_SSH_ENDPOINT='127\\.0\\.0\\.1:\\d+'\n")
                .contains("export VSPHERE_CA_BUNDLE='").endsWith("Press Ctrl-C to stop.\n");
    }

    @Test
    void aDebugTraceIsPrintedWhole() throws Exception {
        Ferry.Result failed = new FerryJar(dir, inProcess.with("FERRY_LOG", "debug").variables()).run("show", "no-such.plan");

        assertThat(failed.exitCode()).isEqualTo(1);
        assertThat(failed.err()).startsWith("Error: ").contains("\tat dev.ferry.").endsWith("\n");
    }

    @Test
    void fleetManifestsArePrintedWholeAsTheirOwnProcess() throws Exception {
        String state = "s3://team-ferry-state/ferry/web-tier/state.json";

        Ferry.Result kubernetes = printsAll("fleet", "kubernetes", "--shards", "3", "--state", state);

        com.fasterxml.jackson.databind.ObjectMapper yaml = new com.fasterxml.jackson.databind.ObjectMapper(
                new com.fasterxml.jackson.dataformat.yaml.YAMLFactory());
        List<JsonNode> documents;
        try (com.fasterxml.jackson.databind.MappingIterator<JsonNode> read = yaml.readerFor(JsonNode.class).readValues(kubernetes.out())) {
            documents = read.readAll();
        }
        assertThat(documents).extracting(document -> document.path("kind").asText()).containsExactly("ConfigMap", "Job");
        assertThat(documents.get(0).path("data").path("migration.yaml").asText())
                .isEqualTo(java.nio.file.Files.readString(dir.resolve("migration.yaml")));
        io.fabric8.kubernetes.api.model.batch.v1.Job job = yaml.treeToValue(documents.get(1), io.fabric8.kubernetes.api.model.batch.v1.Job.class);
        assertThat(job.getSpec().getCompletionMode()).isEqualTo("Indexed");
        assertThat(job.getSpec().getCompletions()).isEqualTo(3);
        assertThat(job.getSpec().getTemplate().getSpec().getContainers().get(0).getArgs()).containsSubsequence("--shard",
                "$(JOB_COMPLETION_INDEX)/3", "--auto-approve");
        assertThat(kubernetes.out()).as("the last document's last line, whole")
                .startsWith("# ferry fleet kubernetes: migration.yaml").endsWith("\n  ttlSecondsAfterFinished: 604800\n");

        Ferry.Result workflow = printsAll("fleet", "github-actions", "--shards", "3", "--state", state);
        JsonNode apply = yaml.readTree(workflow.out()).path("jobs").path("apply");
        assertThat(apply.path("strategy").path("matrix").path("shard")).hasToString("[0,1,2]");
        assertThat(workflow.out()).startsWith("# ferry fleet github-actions: migration.yaml")
                .endsWith(" --shard \"${FERRY_SHARD}/3\" --auto-approve\n");

        Ferry.Result none = jar.run("fleet", "kubernetes", "--shards", "0", "--state", state);
        assertThat(none.exitCode()).isEqualTo(1);
        assertThat(none.out()).isEmpty();
        assertThat(none.err()).isEqualTo("Error: --shards must be at least 1 (the number of processes the migrations are split over),"
                + " not 0\n");
        Ferry.Result local = jar.run("fleet", "github-actions", "--shards", "2");
        assertThat(local.exitCode()).isEqualTo(1);
        assertThat(local.err()).startsWith("Error: migration.yaml keeps its state on the local disk").contains("  state:\n    s3: {");
    }

    @Test
    void theBashCompletionScriptCompletesCommandsOptionsAndValuesInBash() throws Exception {
        Ferry.Result bash = printsAll("completion", "bash");
        java.nio.file.Files.writeString(dir.resolve("ferry.bash"), bash.out());

        assertThat(complete("ferry pl")).isEqualTo("plan");
        assertThat(complete("ferry plan --de")).isEqualTo("--detailed-exitcode --destroy");
        assertThat(complete("ferry completion ")).isEqualTo("bash zsh fish");
        assertThat(complete("ferry state ")).isEqualTo("list show rm mv");
        assertThat(complete("ferry im")).isEqualTo("import");
        assertThat(complete("ferry fleet ")).isEqualTo("kubernetes github-actions");
        assertThat(printsAll("completion", "zsh").out()).as("zsh runs the same script through bashcompinit")
                .isEqualTo(bash.out()).contains("bashcompinit");
    }

    @Test
    void theFishCompletionScriptNamesEveryCommandWhereItApplies() throws Exception {
        String fish = printsAll("completion", "fish").out();

        assertThat(fish).startsWith("# fish completion for ferry").contains(
                "complete -c ferry -n '__fish_use_subcommand' -a plan -d 'Shows every change \\'ferry apply\\' would make, without making any.'\n",
                "complete -c ferry -n '__fish_seen_subcommand_from plan' -o out -l out -r -F -d ",
                "complete -c ferry -n '__fish_seen_subcommand_from state; and not __fish_seen_subcommand_from list show rm mv' -a list -d ",
                "complete -c ferry -n '__fish_seen_subcommand_from state; and not __fish_seen_subcommand_from list show rm mv' -a mv -d ",
                "complete -c ferry -n '__fish_use_subcommand' -a import -d ",
                "complete -c ferry -n '__fish_seen_subcommand_from completion' -a 'bash zsh fish'\n");
    }

    /** What bash offers for {@code line} (a trailing space asks for the next word), through the script. */
    private String complete(String line) throws Exception {
        Process bash = new ProcessBuilder("bash", "-c", """
                source ferry.bash
                read -ra COMP_WORDS <<< "$1"
                [ "${1: -1}" = " " ] && COMP_WORDS+=("")
                COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); COMP_LINE="$1"; COMP_POINT=${#1}
                _complete_ferry 2>/dev/null
                echo "${COMPREPLY[*]}"
                """, "bash", line).directory(dir.toFile()).redirectErrorStream(true).start();
        String offered = new String(bash.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(bash.waitFor()).isZero();
        return offered.strip();
    }

    /** Runs one command both ways; the jar's output must be all of the in-process output. */
    private Ferry.Result printsAll(String... args) throws Exception {
        Ferry.Result expected = inProcess.run(args);
        Ferry.Result actual = jar.run(args);
        assertThat(actual.exitCode()).as(actual.toString()).isZero().isEqualTo(expected.exitCode());
        assertThat(actual.out()).as("ferry " + String.join(" ", args) + " as its own process").isNotEmpty().isEqualTo(expected.out());
        return actual;
    }
}
