package dev.ferry.cli.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.cli.JsonEvents;
import dev.ferry.provider.vsphere.VsphereProvider;
import dev.ferry.sandbox.Sandbox;
import dev.ferry.sandbox.http.LoggedRequest;
import dev.ferry.sandbox.world.VmImageFormat;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ferry permissions} prints what the journey will need, and no call the journey then makes falls outside it:
 * each journey the sandbox carries is planned, applied and destroyed, and every request ferry sent to AWS (its IAM
 * action and, for S3, the bucket or object it names) must be allowed by a statement of the printed policy, every
 * Linode endpoint it called must fall under a printed token scope. Printing the permissions itself calls nothing.
 */
class PermissionsCoverEveryCallTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * The OAuth scope each Linode endpoint the sandbox serves requires, as linode-api-v4.189.0.openapi.yaml (the
     * reference the sandbox follows) gives it in the operation's {@code security}; "" where it gives none (the public
     * catalogue). An endpoint not listed fails the test, so a new one is looked up rather than passed.
     */
    private static final Map<String, String> LINODE_SCOPES = Map.ofEntries(
            Map.entry("GET /linode/types", ""),
            Map.entry("GET /linode/types/{typeId}", ""),
            Map.entry("GET /regions", ""),
            Map.entry("GET /regions/{regionId}", ""),
            Map.entry("POST /images/upload", "images:read_write"),
            Map.entry("GET /images", "images:read_only"),
            Map.entry("GET /images/{imageId}", "images:read_only"),
            Map.entry("PUT /images/{imageId}", "images:read_write"),
            Map.entry("DELETE /images/{imageId}", "images:read_write"),
            Map.entry("GET /linode/instances", "linodes:read_only"),
            Map.entry("POST /linode/instances", "linodes:read_write"),
            Map.entry("GET /linode/instances/{linodeId}", "linodes:read_only"),
            Map.entry("PUT /linode/instances/{linodeId}", "linodes:read_write"),
            Map.entry("DELETE /linode/instances/{linodeId}", "linodes:read_write"),
            Map.entry("GET /linode/instances/{linodeId}/disks", "linodes:read_only"),
            Map.entry("POST /linode/instances/{linodeId}/disks", "linodes:read_write"),
            Map.entry("GET /linode/instances/{linodeId}/disks/{diskId}", "linodes:read_only"),
            Map.entry("DELETE /linode/instances/{linodeId}/disks/{diskId}", "linodes:read_write"),
            Map.entry("GET /linode/instances/{linodeId}/configs", "linodes:read_only"),
            Map.entry("POST /linode/instances/{linodeId}/configs", "linodes:read_write"),
            Map.entry("GET /linode/instances/{linodeId}/configs/{configId}", "linodes:read_only"),
            Map.entry("PUT /linode/instances/{linodeId}/configs/{configId}", "linodes:read_write"),
            Map.entry("DELETE /linode/instances/{linodeId}/configs/{configId}", "linodes:read_write"),
            Map.entry("POST /linode/instances/{linodeId}/boot", "linodes:read_write"),
            Map.entry("POST /linode/instances/{linodeId}/reboot", "linodes:read_write"),
            Map.entry("POST /linode/instances/{linodeId}/shutdown", "linodes:read_write"),
            Map.entry("GET /linode/instances/{linodeId}/firewalls", "linodes:read_only"),
            Map.entry("GET /volumes", "volumes:read_only"),
            Map.entry("POST /volumes", "volumes:read_write"),
            Map.entry("GET /volumes/{volumeId}", "volumes:read_only"),
            Map.entry("PUT /volumes/{volumeId}", "volumes:read_write"),
            Map.entry("GET /volumes/types", ""),
            Map.entry("DELETE /volumes/{volumeId}", "volumes:read_write"),
            Map.entry("POST /volumes/{volumeId}/attach", "volumes:read_write"),
            Map.entry("POST /volumes/{volumeId}/detach", "volumes:read_write"),
            Map.entry("GET /networking/firewalls", "firewall:read_only"),
            Map.entry("POST /networking/firewalls", "firewall:read_write"),
            Map.entry("GET /networking/firewalls/{firewallId}", "firewall:read_only"),
            Map.entry("PUT /networking/firewalls/{firewallId}", "firewall:read_write"),
            Map.entry("DELETE /networking/firewalls/{firewallId}", "firewall:read_write"),
            Map.entry("GET /networking/firewalls/{firewallId}/rules", "firewall:read_only"),
            Map.entry("PUT /networking/firewalls/{firewallId}/rules", "firewall:read_write"),
            Map.entry("GET /networking/firewalls/{firewallId}/devices", "firewall:read_only"),
            Map.entry("POST /networking/firewalls/{firewallId}/devices", "firewall:read_write"),
            Map.entry("GET /networking/firewalls/{firewallId}/devices/{deviceId}", "firewall:read_only"),
            Map.entry("DELETE /networking/firewalls/{firewallId}/devices/{deviceId}", "firewall:read_write"),
            Map.entry("GET /account/events", "events:read_only"),
            Map.entry("GET /account/events/{eventId}", "events:read_only"));

    /** The IAM action of each S3 REST operation the sandbox names, and whether it acts on the bucket or an object. */
    private static final Map<String, String> S3_ACTIONS = Map.ofEntries(
            Map.entry("ListBuckets", "s3:ListAllMyBuckets"),
            Map.entry("CreateBucket", "s3:CreateBucket"),
            Map.entry("DeleteBucket", "s3:DeleteBucket"),
            Map.entry("HeadBucket", "s3:ListBucket"),
            Map.entry("ListObjects", "s3:ListBucket"),
            Map.entry("ListObjectsV2", "s3:ListBucket"),
            Map.entry("ListMultipartUploads", "s3:ListBucketMultipartUploads"),
            Map.entry("GetBucketLocation", "s3:GetBucketLocation"),
            Map.entry("GetBucketPolicy", "s3:GetBucketPolicy"),
            Map.entry("PutBucketPolicy", "s3:PutBucketPolicy"),
            Map.entry("DeleteBucketPolicy", "s3:DeleteBucketPolicy"),
            Map.entry("GetBucketAcl", "s3:GetBucketAcl"),
            Map.entry("PutBucketAcl", "s3:PutBucketAcl"),
            Map.entry("GetBucketOwnershipControls", "s3:GetBucketOwnershipControls"),
            Map.entry("PutBucketOwnershipControls", "s3:PutBucketOwnershipControls"),
            Map.entry("GetBucketVersioning", "s3:GetBucketVersioning"),
            Map.entry("PutBucketVersioning", "s3:PutBucketVersioning"),
            Map.entry("PutObject", "s3:PutObject"),
            Map.entry("CopyObject", "s3:PutObject"),
            Map.entry("CreateMultipartUpload", "s3:PutObject"),
            Map.entry("UploadPart", "s3:PutObject"),
            Map.entry("CompleteMultipartUpload", "s3:PutObject"),
            Map.entry("AbortMultipartUpload", "s3:AbortMultipartUpload"),
            Map.entry("ListParts", "s3:ListMultipartUploadParts"),
            Map.entry("GetObject", "s3:GetObject"),
            Map.entry("HeadObject", "s3:GetObject"),
            Map.entry("DeleteObject", "s3:DeleteObject"));

    @TempDir
    Path dir;

    Sandbox sandbox;

    @AfterEach
    void stop() {
        if (sandbox != null) {
            sandbox.close();
        }
    }

    @Test
    void journeyAOnTheSnapshotRoad() throws IOException {
        sandbox = Sandbox.start(Journeys.sandbox().world(Journeys.smallRootWorld()).build());
        Journeys.copyExample(dir);
        Printed printed = journey(Ferry.in(dir, sandbox, Journeys.distinctiveSecret("Root-")));

        assertThat(printed.actions()).contains("ec2:CreateImage", "ebs:ListSnapshotBlocks", "ebs:GetSnapshotBlock")
                .as("the snapshot road needs no bucket, no role, no export").noneMatch(a -> a.startsWith("s3:") || a.startsWith("iam:"))
                .doesNotContain("ec2:ExportImage");
        assertThat(printed.scopes()).containsExactly("events:read_only", "firewall:read_write", "images:read_write", "linodes:read_write");
    }

    @Test
    void journeyAOnTheExportRoad() throws IOException {
        sandbox = Sandbox.start(Journeys.sandbox().world(Journeys.smallRootWorld()).build());
        Journeys.copyExampleViaExport(dir);
        Printed printed = journey(Ferry.in(dir, sandbox, Journeys.distinctiveSecret("Root-")));

        assertThat(printed.actions()).contains("ec2:ExportImage", "ec2:DescribeExportImageTasks", "iam:CreateRole", "iam:PassRole")
                .doesNotContain("ebs:GetSnapshotBlock", "ec2:RunInstances");
        assertThat(printed.resourcesOf("s3:GetObject")).as("objects of the staging bucket only")
                .containsExactly("arn:aws:s3:::" + Journeys.BUCKET + "/exports/*");
        assertThat(printed.resourcesOf("iam:PassRole")).containsExactly("arn:aws:iam::*:role/vmimport");
    }

    @Test
    void theDiskRoadToLinode() throws IOException {
        sandbox = Sandbox.start(Journeys.sandbox().world(DataVolumeOnTheDiskRoadTest.world()).build());
        Files.writeString(dir.resolve("migration.yaml"), """
                apiVersion: ferry/v1
                kind: Migration
                metadata: {name: disk-road}
                providers:
                  aws: {region: us-west-1}
                  linode: {token: "${env:LINODE_TOKEN}"}
                migrations:
                  - name: disk-01
                    source: {ec2: {instance: %s}}
                    target: {linode: {region: us-lax, type: match, via: disk}}
                    firewall: {from: security-groups, inbound_policy: DROP, outbound_policy: ACCEPT}
                """.formatted(DataVolumeOnTheDiskRoadTest.INSTANCE));
        Printed printed = journey(Ferry.in(dir, sandbox, Journeys.distinctiveSecret("Root-")));

        assertThat(printed.scopes()).as("no custom image on the disk road; Block Storage for the data volume")
                .containsExactly("events:read_only", "firewall:read_write", "linodes:read_write", "volumes:read_write");
    }

    @Test
    void journeyBFromVsphereToEc2WithBackupLaunchTemplateAndExportBack() throws IOException {
        sandbox = Sandbox.start(Journeys.sandbox().build());
        Files.writeString(dir.resolve("migration.yaml"), Files.readString(Journeys.repositoryRoot().resolve("plans/examples/vcenter-to-ec2.yaml")));
        sandbox.world().vcenter().exportVmImage("app-02", dir.resolve("exports/app-02.ova"), VmImageFormat.OVA);
        Ferry ferry = Ferry.in(dir, sandbox, Journeys.distinctiveSecret("Root-"))
                .with(VsphereProvider.ENDPOINT_VARIABLE, sandbox.vcenterUrl().toString());
        Printed printed = journey(ferry);

        assertThat(printed.actions()).contains("ec2:ImportImage", "ec2:RunInstances", "ec2:CreateImage", "ec2:CreateInstanceExportTask",
                "ec2:CreateLaunchTemplate", "s3:PutObject", "iam:PassRole").doesNotContain("ebs:GetSnapshotBlock", "ec2:ExportImage");
        assertThat(printed.scopes()).as("no Linode in this file").isEmpty();
        assertThat(printed.resourcesOf("s3:PutObject")).containsExactly("arn:aws:s3:::ec2-backup-images-for-migration/imports/*");
    }

    @Test
    void remoteStateInS3() throws IOException {
        sandbox = Sandbox.start(Journeys.sandbox().world(Journeys.smallRootWorld()).build());
        sandbox.world().s3().createBucket(RemoteStateTest.STATE_BUCKET, "BucketOwnerEnforced");
        Files.writeString(dir.resolve("migration.yaml"), Journeys.exampleFile() + "\nstate:\n  s3: {bucket: " + RemoteStateTest.STATE_BUCKET
                + ", key: " + RemoteStateTest.KEY + "}\n");
        Printed printed = journey(Ferry.in(dir, sandbox, Journeys.distinctiveSecret("Root-")));

        String state = "arn:aws:s3:::" + RemoteStateTest.STATE_BUCKET + "/" + RemoteStateTest.KEY;
        String parts = "arn:aws:s3:::" + RemoteStateTest.STATE_BUCKET + "/" + RemoteStateTest.KEY.replaceAll("\\.json$", "") + ".d/*";
        assertThat(printed.resourcesOf("s3:PutObject")).as("the state object, its parts, its lock and its shard locks, nothing else")
                .containsExactlyInAnyOrder(state, parts, state + ".lock", state + ".lock.d/*");
    }

    /**
     * Prints the permissions (which must call nothing), then plans, applies and destroys the file, and checks every
     * request the sandbox logged against them.
     */
    private Printed journey(Ferry ferry) throws IOException {
        Ferry.Result permissions = ferry.run("permissions", "--json");
        assertThat(permissions.exitCode()).as(permissions.toString()).isZero();
        assertThat(sandbox.requests().all()).as("ferry permissions reads the file only").isEmpty();
        JsonNode printedJson = JSON.readTree(permissions.out());
        assertThat(JsonEvents.schema("permissions.schema.json").validate(printedJson)).as(permissions.out()).isEmpty();
        Printed printed = new Printed(printedJson);

        for (String[] command : List.of(new String[] {"plan"}, new String[] {"apply", "--auto-approve"},
                new String[] {"destroy", "--auto-approve"})) {
            Ferry.Result result = ferry.run(command);
            assertThat(result.exitCode()).as(String.join(" ", command) + "\n" + result).isZero();
        }

        List<String> refused = new ArrayList<>();
        List<LoggedRequest> requests = sandbox.requests().all();
        for (LoggedRequest request : requests) {
            switch (request.service()) {
                case "ec2", "ebs", "iam", "sts", "pricing" -> {
                    String action = request.service() + ":" + request.action();
                    // IAM calls name their role in the form body; ferry's only role is the vmimport role
                    String resource = request.service().equals("iam") ? "arn:aws:iam::123456789012:role/vmimport" : "*";
                    if (!printed.allows(action, resource)) {
                        refused.add(action + " on " + resource + " (" + request.method() + " " + request.path() + ")");
                    }
                }
                case "s3" -> {
                    String action = S3_ACTIONS.get(request.action());
                    String resource = s3Resource(request);
                    if (action == null || !printed.allows(action, resource)) {
                        refused.add((action == null ? "s3 operation " + request.action() + " (no IAM action known to this test)" : action)
                                + " on " + resource);
                    }
                }
                case "linode" -> {
                    String scope = LINODE_SCOPES.get(request.action());
                    if (scope == null || (!scope.isEmpty() && !printed.grants(scope))) {
                        refused.add("Linode " + request.action() + (scope == null ? " (not in this test's table)" : " needs " + scope));
                    }
                }
                case "linode-upload", "linode-ssh", "vcenter" -> {
                    // the pre-signed upload URL, the helper's SSH session and vCenter need no AWS or Linode permission
                }
                default -> refused.add("a request to an unknown service: " + request);
            }
        }
        assertThat(requests).as("the journey called the clouds").isNotEmpty();
        assertThat(refused).as("calls the printed permissions do not allow:\n" + permissions.out()).isEmpty();
        return printed;
    }

    /** The ARN an S3 request acts on: the bucket, or the object its path names. */
    private static String s3Resource(LoggedRequest request) {
        String path = request.path().replaceFirst("\\?.*$", "");
        if (path.equals("/") || path.isEmpty()) {
            return "*";
        }
        String rest = java.net.URLDecoder.decode(path.substring(1).replace("+", "%2B"), java.nio.charset.StandardCharsets.UTF_8);
        int slash = rest.indexOf('/');
        return slash < 0 || slash == rest.length() - 1 ? "arn:aws:s3:::" + (slash < 0 ? rest : rest.substring(0, slash))
                : "arn:aws:s3:::" + rest;
    }

    /** The printed permissions, parsed back from {@code --json}. */
    private record Printed(JsonNode root) {

        Printed {
            assertThat(root.path("format_version").asInt()).isEqualTo(1);
            Optional.ofNullable(root.path("providers").get("aws")).ifPresent(aws -> {
                JsonNode policy = aws.path("document");
                assertThat(policy.path("Version").asText()).isEqualTo("2012-10-17");
                assertThat(policy.path("Statement").isArray()).isTrue();
                policy.path("Statement").forEach(statement -> {
                    assertThat(statement.path("Effect").asText()).isEqualTo("Allow");
                    assertThat(statement.path("Sid").asText()).matches("[A-Za-z0-9]+");
                    assertThat(statement.path("Action").isArray()).isTrue();
                    assertThat(statement.has("Resource")).isTrue();
                });
            });
        }

        Iterable<JsonNode> statements() {
            return root.path("providers").path("aws").path("document").path("Statement");
        }

        Set<String> actions() {
            Set<String> actions = new TreeSet<>();
            statements().forEach(statement -> statement.path("Action").forEach(action -> actions.add(action.asText())));
            return actions;
        }

        Set<String> resourcesOf(String action) {
            Set<String> resources = new TreeSet<>();
            for (JsonNode statement : statements()) {
                if (has(statement.path("Action"), action)) {
                    resources.addAll(texts(statement.path("Resource")));
                }
            }
            return resources;
        }

        /** Whether an unconditioned statement allows {@code action} on {@code resource} (IAM's {@code *} wildcards). */
        boolean allows(String action, String resource) {
            for (JsonNode statement : statements()) {
                if (statement.has("Condition")) {
                    continue;
                }
                boolean actionMatches = texts(statement.path("Action")).stream().anyMatch(a -> glob(a).matcher(action).matches());
                boolean resourceMatches = texts(statement.path("Resource")).stream().anyMatch(r -> glob(r).matcher(resource).matches());
                if (actionMatches && resourceMatches) {
                    return true;
                }
            }
            return false;
        }

        List<String> scopes() {
            String scopes = root.path("providers").path("linode").path("document").path("scopes").asText("");
            return scopes.isEmpty() ? List.of() : List.of(scopes.split(" "));
        }

        /** Whether the printed scopes grant {@code scope}: the same, or read_write of the same area for read_only. */
        boolean grants(String scope) {
            String area = scope.substring(0, scope.indexOf(':'));
            return scopes().contains(scope) || (scope.endsWith(":read_only") && scopes().contains(area + ":read_write"));
        }

        private static boolean has(JsonNode list, String value) {
            return texts(list).contains(value);
        }

        private static List<String> texts(JsonNode node) {
            List<String> values = new ArrayList<>();
            if (node.isArray()) {
                node.forEach(value -> values.add(value.asText()));
            } else if (node.isTextual()) {
                values.add(node.asText());
            }
            return values;
        }

        private static Pattern glob(String pattern) {
            return Pattern.compile(String.join(".*", java.util.Arrays.stream(pattern.split("\\*", -1)).map(Pattern::quote).toList()));
        }
    }
}
