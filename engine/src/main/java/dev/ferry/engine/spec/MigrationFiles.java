package dev.ferry.engine.spec;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.engine.spec.SectionKind.Role;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Reads a migration file in three passes, each reporting every problem it finds: YAML (syntax,
 * duplicate keys, limits), the JSON Schema (types, unknown keys, required keys, patterns), then the
 * checks a schema cannot express (unique names, providers and staging the sections need, secret
 * references, and each provider's own checks of its sections).
 */
public final class MigrationFiles {

    /** A file that was read: the model when it has no errors, and every diagnostic either way. */
    public record Loaded(Optional<MigrationFile> file, List<Diagnostic> diagnostics) {
        public Loaded {
            diagnostics = List.copyOf(diagnostics);
        }

        public boolean hasErrors() {
            return diagnostics.stream().anyMatch(Diagnostic::isError);
        }
    }

    private final Map<String, SectionKind> sources = new LinkedHashMap<>();
    private final Map<String, SectionKind> targets = new LinkedHashMap<>();

    public MigrationFiles(Collection<SectionKind> kinds) {
        for (SectionKind kind : kinds) {
            (kind.role() == Role.SOURCE ? sources : targets).put(kind.name(), kind);
        }
    }

    /**
     * Reads and checks {@code path}, named {@code displayName} in messages.
     *
     * @throws YamlReader.UnreadableFileException when there is no file to read (missing, a directory,
     *     unreadable, too large)
     */
    public Loaded load(Path path, String displayName) throws YamlReader.UnreadableFileException {
        YamlReader.Result yaml = YamlReader.read(path, displayName);
        Path directory = path.toAbsolutePath().normalize().getParent();
        return check(yaml, displayName, directory);
    }

    /** Checks text already in memory (tests, and files embedded in ferry such as the demo). */
    public Loaded parse(byte[] bytes, String displayName, Path directory) {
        return check(YamlReader.parse(bytes, displayName), displayName, directory);
    }

    private Loaded check(YamlReader.Result yaml, String displayName, Path directory) {
        Diagnostics diagnostics = yaml.diagnostics();
        if (yaml.document().isEmpty()) {
            return new Loaded(Optional.empty(), diagnostics.sorted());
        }
        LocatedDocument document = yaml.document().get();
        if (!document.root().isObject()) {
            diagnostics.error(document.locate(""), "the file must be a mapping of keys (apiVersion, kind, metadata, ...), not "
                    + describe(document.root()), "see plans/examples/ for complete files");
            return new Loaded(Optional.empty(), diagnostics.sorted());
        }
        MigrationSchema.get().validate(document, diagnostics);
        checkSecretReferences(document, diagnostics, !diagnostics.hasErrors());
        if (diagnostics.hasErrors()) {
            return new Loaded(Optional.empty(), diagnostics.sorted());
        }
        MigrationFile file = bind(document, displayName, directory);
        checkSemantics(file, diagnostics);
        return new Loaded(diagnostics.hasErrors() ? Optional.empty() : Optional.of(file), diagnostics.sorted());
    }

    private static MigrationFile bind(LocatedDocument document, String displayName, Path directory) {
        JsonNode root = document.root();
        Map<String, Section> providers = new LinkedHashMap<>();
        root.path("providers").fields().forEachRemaining(entry -> providers.put(entry.getKey(),
                new Section(entry.getKey(), entry.getValue(), "/providers/" + entry.getKey(), document)));
        Optional<Staging> staging = root.has("staging")
                ? Optional.of(bindValue(root.get("staging"), Staging.class))
                : Optional.empty();
        List<Migration> migrations = new ArrayList<>();
        JsonNode list = root.path("migrations");
        for (int i = 0; i < list.size(); i++) {
            JsonNode migration = list.get(i);
            String pointer = "/migrations/" + i;
            migrations.add(new Migration(
                    migration.get("name").asText(),
                    onlySection(migration.get("source"), pointer + "/source", document),
                    onlySection(migration.get("target"), pointer + "/target", document),
                    migration.has("firewall")
                            ? Optional.of(bindValue(migration.get("firewall"), FirewallSpec.class))
                            : Optional.empty(),
                    migration.has("verify")
                            ? Optional.of(bindValue(migration.get("verify"), VerifySpec.class))
                            : Optional.empty(),
                    pointer));
        }
        JsonNode s3 = root.path("state").path("s3");
        Optional<dev.ferry.engine.state.RemoteStateLocation> remoteState = s3.isObject()
                ? Optional.of(new dev.ferry.engine.state.RemoteStateLocation("s3", s3.path("bucket").asText(),
                        s3.path("key").asText(), s3.has("region") ? Optional.of(s3.get("region").asText()) : Optional.empty()))
                : Optional.empty();
        return new MigrationFile(displayName, directory, root.path("metadata").path("name").asText(),
                providers, staging, migrations, document, remoteState);
    }

    private static Section onlySection(JsonNode parent, String pointer, LocatedDocument document) {
        Map.Entry<String, JsonNode> only = parent.fields().next();
        return new Section(only.getKey(), only.getValue(), pointer + "/" + only.getKey(), document);
    }

    private static <T> T bindValue(JsonNode node, Class<T> type) {
        try {
            return SpecMapper.MAPPER.treeToValue(node, type);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("schema and " + type.getSimpleName() + " disagree: " + e.getOriginalMessage(), e);
        }
    }

    private void checkSemantics(MigrationFile file, Diagnostics out) {
        file.staging().filter(staging -> staging.bucketName().isEmpty() && staging.create()).ifPresent(staging ->
                out.error(file.document().locate("/staging/create"), "staging.create asks for a bucket, and 'staging:' names none",
                        "add 'bucket: NAME' under 'staging:', or remove 'create: true'"));
        file.remoteState().ifPresent(remote -> {
            if (remote.region().isEmpty() && file.provider("aws").isEmpty()) {
                out.error(file.document().locateKey("/state/s3"), "state.s3 needs a region, and the file has no providers.aws"
                        + " block to take it from", "add 'region: us-west-1' (the bucket's region) under state.s3");
            }
            if (file.staging().flatMap(Staging::bucketName).filter(remote.bucket()::equals).isPresent()
                    && remote.key().startsWith(file.staging().get().prefix())) {
                out.error(file.document().locate("/state/s3/key"), "the state key " + remote.key() + " is under the staging prefix "
                        + file.staging().get().prefix() + " of the same bucket, where cleanup deletes objects",
                        "keep the state outside staging.prefix, such as 'key: ferry/" + file.name() + "/state.json'");
            }
        });
        Map<String, Migration> byName = new HashMap<>();
        for (Migration migration : file.migrations()) {
            SourceLocation nameAt = file.document().locate(migration.pointer() + "/name");
            Migration earlier = byName.putIfAbsent(migration.name(), migration);
            if (earlier != null) {
                out.error(nameAt, "migration name '" + migration.name() + "' is used twice (first at line "
                                + file.document().locate(earlier.pointer() + "/name").line() + ")",
                        "each migration needs its own name: resource addresses are made from it");
            }
            SectionKind source = checkSection(migration, migration.source(), sources, "source", file, out);
            SectionKind target = checkSection(migration, migration.target(), targets, "target", file, out);
            if (source == null || target == null) {
                continue;
            }
            if (source.imageFormats().stream().noneMatch(target.imageFormats()::contains)) {
                out.error(migration.target().keyLocation(), "source." + source.name() + " cannot move to target."
                        + target.name() + ": the source gives " + String.join("/", sorted(source.imageFormats()))
                        + " disk images, the target takes " + String.join("/", sorted(target.imageFormats())));
            }
            migration.firewall().ifPresent(firewall -> {
                SourceLocation at = file.document().locateKey(migration.pointer() + "/firewall");
                if (!target.firewall()) {
                    out.error(at, "target." + target.name() + " has no firewall that ferry configures",
                            "remove 'firewall:'; set the target's own settings instead (for ec2: security_groups)");
                } else if (firewall.from() == FirewallSpec.From.SECURITY_GROUPS && !source.firewall()) {
                    out.error(at, "firewall.from is security-groups, but source." + source.name() + " has no security groups",
                            "write 'from: none' and list the rules you want under 'rules:'");
                } else if (firewall.from() == FirewallSpec.From.NONE && !firewall.acceptLosses().isEmpty()) {
                    out.warning(file.document().locateKey(migration.pointer() + "/firewall/accept_losses"), "firewall.accept_losses"
                            + " names security-group rules, but firewall.from is none, so no rule is translated and none is lost",
                            "remove accept_losses, or write 'from: security-groups'");
                }
            });
            migration.verify().ifPresent(verify -> checkVerify(file, migration, verify, out));
        }
    }

    /** What the schema cannot say about {@code verify:}: checks that repeat, a timeout too long to wait for. */
    private static void checkVerify(MigrationFile file, Migration migration, VerifySpec verify, Diagnostics out) {
        String pointer = migration.pointer() + "/verify";
        Set<String> urls = new HashSet<>();
        for (int i = 0; i < verify.http().size(); i++) {
            VerifySpec.HttpCheck check = verify.http().get(i);
            if (!urls.add(check.url())) {
                out.error(file.document().locate(pointer + "/http/" + i + "/url"), "the HTTP check " + check.url() + " is listed twice",
                        "remove one of them, or give them different paths");
            }
        }
        if (verify.tcp().isEmpty() && verify.http().isEmpty()) {
            out.error(file.document().locateKey(pointer), "verify has no checks",
                    "list TCP ports ('tcp: [22, 443]') or HTTP checks ('http: [{url: \"http://{address}/health\"}]')");
        }
        if (verify.timeoutDuration().compareTo(java.time.Duration.ofHours(6)) > 0) {
            out.error(file.document().locate(pointer + "/timeout"), "verify.timeout " + verify.timeout().orElseThrow()
                    + " is longer than ferry waits for a machine (6h)", "a machine that has not answered in minutes needs a look, not"
                    + " a longer wait: use 5m to 30m");
        }
    }

    private SectionKind checkSection(Migration migration, Section section, Map<String, SectionKind> kinds, String role,
                                     MigrationFile file, Diagnostics out) {
        SectionKind kind = kinds.get(section.kind());
        if (kind == null) {
            out.error(section.keyLocation(), "no provider in this build of ferry handles " + role + " '" + section.kind() + "'",
                    kinds.isEmpty() ? null : "known " + role + "s: " + String.join(", ", kinds.keySet()));
            return null;
        }
        if (file.provider(kind.provider()).isEmpty()) {
            out.error(section.keyLocation(), role + "." + kind.name() + " needs the " + kind.provider() + " provider",
                    "declare it under 'providers:', for example '" + kind.provider() + ": {}'");
        }
        if (kind.needsStaging() && file.staging().flatMap(Staging::bucketName).isEmpty()) {
            out.error(section.keyLocation(), role + "." + kind.name() + " moves disk images through an S3 bucket, and the file"
                    + (file.staging().isPresent() ? "'s 'staging:' names no bucket" : " has no 'staging:'"),
                    file.staging().isPresent() ? "add 'bucket: NAME' (and 'create: true' to have ferry make it) under 'staging:'"
                            : "add 'staging: { bucket: NAME, create: true }'");
        }
        kind.check().check(migration, section, file, out);
        return kind;
    }

    /** Every string that mentions {@code ${} must be one well-formed reference, and only where secrets go. */
    private static void checkSecretReferences(LocatedDocument document, Diagnostics out, boolean checkPlacement) {
        Set<String> secretFields = secretFieldNames(MigrationSchema.get().node());
        SecretReferences.walk(document.root(), "", (pointer, value) -> {
            String text = value.asText();
            if (!SecretReference.looksLikeReference(text)) {
                return;
            }
            SourceLocation at = document.locate(pointer);
            String field = JsonPointers.segments(pointer).isEmpty() ? "" : last(JsonPointers.segments(pointer));
            if (SecretReference.parse(text).isEmpty()) {
                out.error(at, JsonPointers.display(pointer) + ": malformed secret reference", SecretReference.problem(text));
            } else if (checkPlacement && !secretFields.contains(field)) {
                out.error(at, JsonPointers.display(pointer) + ": secret references are resolved only in "
                        + String.join(", ", sorted(secretFields)), "write the value itself here");
            }
        });
    }

    /** Property names whose schema is a secret reference, read from the schema so the two agree. */
    static Set<String> secretFieldNames(JsonNode schema) {
        Set<String> names = new HashSet<>();
        schema.path("$defs").forEach(definition -> definition.path("properties").fields().forEachRemaining(property -> {
            String ref = property.getValue().path("$ref").asText("");
            if (ref.equals("#/$defs/secretReference") || ref.equals("#/$defs/secretOrString")) {
                names.add(property.getKey());
            }
        }));
        return names;
    }

    private static String describe(JsonNode node) {
        if (node.isArray()) {
            return "a list";
        }
        if (node.isNull()) {
            return "an empty value";
        }
        return "a single value ('" + MigrationSchema.abbreviate(node.asText()) + "')";
    }

    private static List<String> sorted(Collection<String> items) {
        return items.stream().sorted().toList();
    }

    private static String last(List<String> items) {
        return items.get(items.size() - 1);
    }
}
