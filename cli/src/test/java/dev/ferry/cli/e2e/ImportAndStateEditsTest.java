package dev.ferry.cli.e2e;

import dev.ferry.cli.StoredState;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.engine.state.StateLock;
import dev.ferry.sandbox.Sandbox;
import dev.ferry.sandbox.world.LinodeInstance;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ferry import}, {@code ferry state rm} and {@code ferry state mv} against the sandbox, as a user
 * runs them: adopting a bucket that exists, forgetting a Linode that stays in the cloud and adopting it
 * again, renaming a migration's resources, and the errors each gives.
 */
class ImportAndStateEditsTest {

    private static final String BUCKET = "aws_s3_bucket.staging";
    private static final String LINODE = "linode_instance.web-01";

    @TempDir
    Path dir;

    Sandbox sandbox;
    Ferry ferry;

    @BeforeEach
    void start() throws IOException {
        sandbox = Sandbox.start(Journeys.sandbox().build());
        // The export road: it plans the staging bucket and the vmimport role, the things an operator adopts most.
        Files.writeString(dir.resolve("migration.yaml"), exportRoad());
        ferry = Ferry.in(dir, sandbox, Journeys.distinctiveSecret("Root-"));
    }

    @AfterEach
    void stop() {
        sandbox.close();
    }

    private Ferry.Result ok(String... args) {
        Ferry.Result result = ferry.run(args);
        assertThat(result.exitCode()).as(result.toString()).isZero();
        return result;
    }

    private Ferry.Result fails(String... args) {
        Ferry.Result result = ferry.run(args);
        assertThat(result.exitCode()).as(result.toString()).isEqualTo(1);
        return result;
    }

    private Path stateFile() {
        return dir.resolve(".ferry/web-tier/state.json");
    }

    @Test
    void anExistingBucketImportedIsNotCreatedByTheNextPlan() throws IOException {
        sandbox.world().s3().createBucket(Journeys.BUCKET, "BucketOwnerEnforced");
        assertThat(ok("plan").out()).contains(BUCKET + " will be created");

        Ferry.Result imported = ok("import", BUCKET, Journeys.BUCKET);

        assertThat(imported.out()).isEqualTo("Imported " + BUCKET + " (id " + Journeys.BUCKET + ") into the state "
                + stateFile().toRealPath() + ".\nIt matches the file: the next plan has no changes for it.\n");
        assertThat(ok("state", "list").out()).contains(BUCKET);
        Ferry.Result plan = ok("plan");
        assertThat(plan.out()).as(plan.toString()).doesNotContain(BUCKET + " will be").contains("aws_ami.web-01 will be created")
                .contains("Plan: 7 to add, 0 to change, 0 to destroy.");

        Ferry.Result again = fails("import", BUCKET, Journeys.BUCKET);
        assertThat(again.err()).contains("Error: " + BUCKET + " is already in the state (id " + Journeys.BUCKET
                + "); nothing was imported. To adopt another object under this address, run 'ferry state rm " + BUCKET + "' first");
        assertThat(stateFile().resolveSibling("state.json.backup")).doesNotExist();
    }

    @Test
    void importRefusesAnAddressTheFileDoesNotDeclareAndAnIdTheCloudDoesNotHave() {
        Ferry.Result misspelt = fails("import", "aws_s3_bucket.stagin", Journeys.BUCKET);
        assertThat(misspelt.err()).isEqualTo("Error: migration.yaml declares no aws_s3_bucket.stagin, so there is nothing to import it"
                + " as; did you mean aws_s3_bucket.staging?\n");

        Ferry.Result data = fails("import", "data.aws_ec2_instance.web-01", Journeys.INSTANCE);
        assertThat(data.err()).contains("is a data source: ferry reads it on every plan, there is nothing to import");

        Ferry.Result missing = fails("import", BUCKET, "no-such-bucket-here");
        assertThat(missing.err()).contains("Error: " + BUCKET + ": no aws_s3_bucket with the id 'no-such-bucket-here' exists where the"
                + " file's provider looks (its account and region); nothing was imported");
        Ferry.Result noLinode = fails("import", LINODE, "424242");
        assertThat(noLinode.err()).contains("no linode_instance with the id '424242' exists");
        assertThat(stateFile()).doesNotExist();
    }

    @Test
    void aLinodeRemovedFromTheStateStaysInTheCloudThePlanCreatesOneAndImportAdoptsItAgain() throws IOException {
        ok("apply", "--auto-approve");
        List<LinodeInstance> linodes = sandbox.world().linode().instances();
        assertThat(linodes).hasSize(1);
        String id = String.valueOf(linodes.get(0).id());

        Ferry.Result removed = ok("state", "rm", LINODE);

        assertThat(removed.out()).isEqualTo("Removed " + LINODE + " (id " + id + ") from the state.\n"
                + "ferry no longer manages it, and nothing was deleted: it still exists in the cloud. If the file still declares it,"
                + " the next plan creates a new one; 'ferry import " + LINODE + " " + id + "' adopts this one again.\n"
                + "The previous state is kept as " + stateFile().toRealPath().resolveSibling("state.json.backup") + ".\n");
        assertThat(Files.readString(stateFile().resolveSibling("state.json.backup"))).contains(LINODE);
        assertThat(sandbox.world().linode().instances()).extracting(LinodeInstance::id).containsExactly(linodes.get(0).id());
        assertThat(ok("state", "list").out()).doesNotContain(LINODE);
        assertThat(ok("plan").out()).contains(LINODE + " will be created");
        assertThat(fails("state", "rm", LINODE).err()).isEqualTo("Error: no resource " + LINODE
                + " in the state; did you mean linode_image.web-01?\n");

        Ferry.Result imported = ok("import", LINODE, id);

        assertThat(imported.out()).contains("Imported " + LINODE + " (id " + id + ")",
                "It matches the file: the next plan has no changes for it.");
        Ferry.Result plan = ferry.run("plan", "--detailed-exitcode");
        assertThat(plan.exitCode()).as(plan.toString()).isZero();
        assertThat(plan.out()).contains("No changes.");
    }

    @Test
    void aMigrationRenamedWithStateMvIsNotMadeAgain() throws IOException {
        ok("apply", "--auto-approve");
        String before = ok("state", "list").out();
        Files.writeString(dir.resolve("migration.yaml"), exportRoad().replace("- name: web-01", "- name: web-02"));
        assertThat(ok("plan").out()).contains(LINODE + " will be destroyed", "linode_instance.web-02 will be created");

        Ferry.Result moved = ok("state", "mv", LINODE, "linode_instance.web-02");

        assertThat(moved.out()).startsWith("Moved " + LINODE + " to linode_instance.web-02 (id ")
                .endsWith(").\nThe previous state is kept as " + stateFile().toRealPath().resolveSibling("state.json.backup") + ".\n");
        for (String line : before.lines().toList()) {
            String address = line.split("\\s+")[0];
            if (address.endsWith(".web-01") && !address.equals(LINODE)) {
                ok("state", "mv", address, address.replace(".web-01", ".web-02"));
            }
        }
        assertThat(ok("state", "list").out()).doesNotContain("web-01").contains("linode_instance.web-02");
        Ferry.Result plan = ok("plan");
        assertThat(plan.out()).as(plan.toString())
                .doesNotContain("linode_instance.web-02 will be", "linode_instance.web-02 must be", "will be destroyed", "will be created")
                .contains("Plan: 0 to add, ", " to change, 0 to destroy.");
        assertThat(sandbox.world().linode().instances()).hasSize(1);
    }

    @Test
    void stateMvRefusesATakenAddressAnotherTypeAndAHeldLock() throws IOException {
        ok("apply", "--auto-approve");
        String id = String.valueOf(sandbox.world().linode().instances().get(0).id());
        ok("state", "mv", LINODE, "linode_instance.spare");
        ok("import", LINODE, id);

        Ferry.Result taken = fails("state", "mv", "linode_instance.spare", LINODE);
        assertThat(taken.err()).isEqualTo("Error: " + LINODE + " is already in the state (id " + id + "); nothing was moved. Remove it"
                + " first with 'ferry state rm " + LINODE + "' or choose another address\n");
        Ferry.Result otherType = fails("state", "mv", "linode_instance.spare", "linode_image.spare");
        assertThat(otherType.err()).contains("cannot move linode_instance.spare to linode_image.spare: an address keeps its type"
                + " (linode_instance.spare would do); nothing was moved");
        assertThat(fails("state", "mv", "linode_instance.sprae", "linode_instance.x").err())
                .contains("no resource linode_instance.sprae in the state; did you mean linode_instance.spare?");

        String state = StoredState.text(stateFile());
        try (StateLock held = StateLock.acquire(stateFile().resolveSibling("state.lock"), "apply")) {
            for (Ferry.Result locked : List.of(fails("state", "rm", "linode_instance.spare"),
                    fails("state", "mv", "linode_instance.spare", "linode_instance.other"), fails("import", LINODE, id))) {
                assertThat(locked.err()).startsWith("Error: the state is locked by ").contains("ferry force-unlock " + held.info().id());
            }
        }
        assertThat(StoredState.text(stateFile())).as("nothing changed while locked").isEqualTo(state);
    }

    private static String exportRoad() throws java.io.IOException {
        String example = Journeys.exampleFile();
        if (!example.contains("via: snapshot")) {
            throw new IllegalStateException("the example no longer names its road");
        }
        return example.replace("via: snapshot", "via: export");
    }
}
