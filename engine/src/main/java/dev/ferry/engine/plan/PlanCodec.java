package dev.ferry.engine.plan;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.engine.FerryException;
import dev.ferry.engine.FerryVersion;
import dev.ferry.engine.provider.Note;
import dev.ferry.engine.resource.Attributes;
import dev.ferry.engine.resource.Expression;
import dev.ferry.engine.resource.Lifecycle;
import dev.ferry.engine.resource.ResourceAddress;
import dev.ferry.engine.spec.SecretReference;
import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The JSON form of a plan ({@code schemas/plan.schema.json}). Two flavours: the saved plan
 * ({@code ferry plan -out}), which keeps secret <em>references</em> so apply can resolve them, and the
 * report ({@code ferry plan --json}), which shows every sensitive value as {@code (sensitive)}. Neither
 * ever holds a secret value.
 */
public final class PlanCodec {

    public static final int FORMAT_VERSION = 1;
    public static final String SENSITIVE = "(sensitive)";

    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    public enum Flavour { SAVED, REPORT }

    /** A saved plan's digest of its own content: an edited plan is refused before anything is done. */
    private static final String DIGEST = "plan_digest";
    private static final ObjectMapper COMPACT = new ObjectMapper();

    private PlanCodec() {
    }

    public static byte[] encode(Plan plan, Flavour flavour) {
        try {
            ObjectNode json = toJson(plan, flavour);
            if (flavour == Flavour.SAVED) {
                json.put(DIGEST, digestOf(json));
            }
            return MAPPER.writeValueAsBytes(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public static ObjectNode toJson(Plan plan, Flavour flavour) {
        ObjectNode root = NODES.objectNode();
        root.put("format_version", FORMAT_VERSION);
        root.put("ferry_version", FerryVersion.get());
        root.put("kind", flavour == Flavour.SAVED ? "saved-plan" : "plan");
        root.put("file", plan.file());
        root.put("file_digest", plan.fileDigest());
        root.put("lineage", plan.lineage());
        root.put("serial", plan.serial());
        root.put("destroy", plan.destroy());
        root.put("created", plan.created().toString());
        Plan.Summary summary = plan.summary();
        root.putObject("summary").put("add", summary.add()).put("change", summary.change()).put("destroy", summary.destroy())
                .put("read", summary.read()).put("cleanup", summary.cleanup()).put("forget", summary.forget());
        ArrayNode changes = root.putArray("changes");
        for (Change change : plan.changes()) {
            if (flavour == Flavour.REPORT && change.action() == Action.NOOP) {
                continue;
            }
            changes.add(change(change, flavour));
        }
        ArrayNode drift = root.putArray("drift");
        for (Drift d : plan.drift()) {
            ObjectNode node = drift.addObject();
            node.put("address", d.address().toString());
            node.put("kind", d.kind().name().toLowerCase(Locale.ROOT));
            ObjectNode arguments = node.putObject("arguments");
            d.arguments().forEach((name, values) -> arguments.putObject(name)
                    .<ObjectNode>set("recorded", values.recorded()).set("observed", values.observed()));
            d.reason().ifPresent(reason -> node.put("reason", reason));
        }
        ArrayNode warnings = root.putArray("warnings");
        // A saved plan keeps the plan's own warnings (its changes keep their notes); the report lists every
        // warning the text plan shows.
        (flavour == Flavour.SAVED ? plan.warnings() : plan.allWarnings()).forEach(warnings::add);
        return root;
    }

    private static ObjectNode change(Change change, Flavour flavour) {
        ObjectNode node = NODES.objectNode();
        ResourceAddress address = change.address();
        node.put("address", address.toString());
        node.put("mode", address.isData() ? "data" : "managed");
        node.put("type", address.type());
        node.put("name", address.name());
        node.put("action", MAPPER.convertValue(change.action(), String.class));
        change.id().ifPresent(id -> node.put("id", id));
        change.reason().ifPresent(reason -> node.put("reason", reason));
        ArrayNode migrations = node.putArray("migrations");
        new TreeSet<>(change.migrations()).forEach(migrations::add);
        node.set("before", change.before());
        ObjectNode beforeSensitive = node.putObject("before_sensitive");
        change.beforeSecrets().forEach((name, reference) -> beforeSensitive.put(name, flavour == Flavour.SAVED ? reference.toString() : SENSITIVE));
        ObjectNode after = node.putObject("after");
        after.set("known", change.after().knownValues());
        ArrayNode unknown = after.putArray("unknown");
        change.after().unknownNames().forEach(unknown::add);
        ObjectNode sensitive = after.putObject("sensitive");
        change.after().secrets().forEach((name, reference) -> sensitive.put(name, flavour == Flavour.SAVED ? reference.toString() : SENSITIVE));
        ArrayNode order = after.putArray("order");
        change.after().names().forEach(order::add);
        if (flavour == Flavour.SAVED) {
            ObjectNode expressions = node.putObject("expressions");
            change.expressions().forEach((name, expression) -> expressions.set(name, expression(expression)));
        }
        node.set("known_outputs", change.knownOutputs());
        ArrayNode replace = node.putArray("replace_because");
        new TreeSet<>(change.replaceBecause()).forEach(replace::add);
        ArrayNode notes = node.putArray("notes");
        for (Note note : change.notes()) {
            notes.addObject().put("level", note.level().name().toLowerCase(Locale.ROOT)).put("text", note.text());
        }
        ObjectNode lifecycle = node.putObject("lifecycle");
        ArrayNode cleanupAfter = lifecycle.putArray("cleanup_after");
        new TreeSet<>(change.lifecycle().cleanupAfter()).forEach(a -> cleanupAfter.add(a.toString()));
        lifecycle.put("retain_on_destroy", change.lifecycle().retainOnDestroy());
        ArrayNode dependencies = node.putArray("dependencies");
        change.dependencies().forEach(d -> dependencies.add(d.toString()));
        node.put("generation", change.generation());
        return node;
    }

    private static JsonNode expression(Expression expression) {
        ObjectNode node = NODES.objectNode();
        if (expression instanceof Expression.Literal literal) {
            node.set("literal", literal.value());
        } else if (expression instanceof Expression.Reference reference) {
            node.put("reference", reference.address().toString()).put("output", reference.output());
        } else if (expression instanceof Expression.Secret secret) {
            node.put("secret", secret.reference().toString());
        }
        return node;
    }

    /**
     * Reads a saved plan.
     *
     * @throws FerryException when the file is not a saved plan of a format this ferry reads
     */
    public static Plan decode(byte[] bytes, String where) {
        JsonNode root;
        try {
            root = MAPPER.readTree(bytes);
        } catch (IOException e) {
            throw new FerryException(where + " is not a saved plan (not JSON)");
        }
        if (root == null || !"saved-plan".equals(root.path("kind").asText())) {
            throw new FerryException(where + " is not a saved plan (write one with: ferry plan -out " + where + ")");
        }
        if (root.path("format_version").asInt() > FORMAT_VERSION) {
            throw new FerryException(where + " was saved by a newer ferry (plan format " + root.path("format_version").asInt() + ")");
        }
        checkDigest((ObjectNode) root, where);
        try {
            List<Change> changes = new ArrayList<>();
            for (JsonNode node : root.path("changes")) {
                changes.add(change(node));
            }
            List<Drift> drift = new ArrayList<>();
            for (JsonNode node : root.path("drift")) {
                Map<String, Drift.Values> arguments = new LinkedHashMap<>();
                node.path("arguments").fields().forEachRemaining(field -> arguments.put(field.getKey(),
                        new Drift.Values(field.getValue().get("recorded"), field.getValue().get("observed"))));
                drift.add(new Drift(ResourceAddress.parse(node.get("address").asText()),
                        Drift.Kind.valueOf(node.get("kind").asText().toUpperCase(Locale.ROOT)), arguments,
                        Optional.ofNullable(node.get("reason")).map(JsonNode::asText)));
            }
            List<String> warnings = new ArrayList<>();
            root.path("warnings").forEach(w -> warnings.add(w.asText()));
            return new Plan(root.get("lineage").asText(), root.get("serial").asLong(), root.path("destroy").asBoolean(),
                    root.get("file").asText(), root.get("file_digest").asText(), changes, drift, warnings,
                    Instant.parse(root.get("created").asText()));
        } catch (RuntimeException e) {
            throw new FerryException(where + " is a damaged saved plan: " + e.getMessage() + "; run plan again");
        }
    }

    /** {@code sha256:HEX} of the plan's compact JSON, without the digest itself. */
    private static String digestOf(ObjectNode plan) {
        ObjectNode content = plan.deepCopy();
        content.remove(DIGEST);
        try {
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(COMPACT.writeValueAsBytes(content)));
        } catch (JsonProcessingException | NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void checkDigest(ObjectNode root, String where) {
        JsonNode recorded = root.get(DIGEST);
        if (recorded == null || !recorded.isTextual()) {
            throw new FerryException(where + " has no digest of its content, so ferry cannot tell whether it was changed after it was"
                    + " saved; nothing was done. Make a new plan: ferry plan -out " + where);
        }
        if (!recorded.asText().equals(digestOf(root))) {
            throw new FerryException(where + " was changed after ferry saved it (its content no longer matches its digest);"
                    + " nothing was done. Make a new plan: ferry plan -out " + where);
        }
    }

    private static Change change(JsonNode node) {
        Map<String, SecretReference> beforeSecrets = new LinkedHashMap<>();
        node.path("before_sensitive").fields().forEachRemaining(f -> beforeSecrets.put(f.getKey(), SecretReference.of(f.getValue().asText())));
        JsonNode after = node.path("after");
        Attributes.Builder attributes = Attributes.builder();
        Set<String> unknown = new TreeSet<>();
        after.path("unknown").forEach(n -> unknown.add(n.asText()));
        for (JsonNode name : after.path("order")) {
            String key = name.asText();
            if (unknown.contains(key)) {
                attributes.unknown(key);
            } else if (after.path("sensitive").has(key)) {
                attributes.secret(key, SecretReference.of(after.path("sensitive").get(key).asText()));
            } else {
                attributes.known(key, after.path("known").get(key));
            }
        }
        Map<String, Expression> expressions = new LinkedHashMap<>();
        node.path("expressions").fields().forEachRemaining(field -> {
            JsonNode value = field.getValue();
            Expression expression;
            if (value.has("literal")) {
                expression = new Expression.Literal(value.get("literal"));
            } else if (value.has("reference")) {
                expression = new Expression.Reference(ResourceAddress.parse(value.get("reference").asText()), value.get("output").asText());
            } else {
                expression = new Expression.Secret(SecretReference.of(value.get("secret").asText()));
            }
            expressions.put(field.getKey(), expression);
        });
        Set<String> replace = new TreeSet<>();
        node.path("replace_because").forEach(n -> replace.add(n.asText()));
        List<Note> notes = new ArrayList<>();
        node.path("notes").forEach(n -> notes.add(new Note(Note.Level.valueOf(n.get("level").asText().toUpperCase(Locale.ROOT)),
                n.get("text").asText())));
        Set<ResourceAddress> cleanupAfter = new TreeSet<>();
        node.path("lifecycle").path("cleanup_after").forEach(n -> cleanupAfter.add(ResourceAddress.parse(n.asText())));
        List<ResourceAddress> dependencies = new ArrayList<>();
        node.path("dependencies").forEach(n -> dependencies.add(ResourceAddress.parse(n.asText())));
        Set<String> migrations = new TreeSet<>();
        node.path("migrations").forEach(n -> migrations.add(n.asText()));
        return new Change(ResourceAddress.parse(node.get("address").asText()),
                MAPPER.convertValue(node.get("action").asText(), Action.class),
                Optional.ofNullable(node.get("id")).map(JsonNode::asText),
                (ObjectNode) node.get("before"), beforeSecrets, attributes.build(), expressions,
                (ObjectNode) node.get("known_outputs"), replace, notes,
                new Lifecycle(cleanupAfter, node.path("lifecycle").path("retain_on_destroy").asBoolean()),
                dependencies, migrations, Optional.ofNullable(node.get("reason")).map(JsonNode::asText),
                node.path("generation").asInt(1));
    }
}
