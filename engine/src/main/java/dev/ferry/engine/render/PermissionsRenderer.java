package dev.ferry.engine.render;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.engine.permission.PermissionDocument;
import java.util.List;

/**
 * The permissions a migration file needs ({@code ferry permissions}, and a section of the Markdown plan): per provider,
 * its document (an IAM policy, a token's scopes) as JSON to copy, how to use it, and what each permission is for.
 */
public final class PermissionsRenderer {

    /** The version of the {@code --json} form (schemas/permissions.schema.json). */
    public static final int FORMAT_VERSION = 1;

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private PermissionsRenderer() {
    }

    /** The human form: each provider's title, its document, how to use it, and what each entry is for. */
    public static String text(String file, List<PermissionDocument> documents) {
        if (documents.isEmpty()) {
            return "The migrations of " + file + " call no cloud API that needs a permission.\n";
        }
        StringBuilder out = new StringBuilder();
        for (PermissionDocument document : documents) {
            if (out.length() > 0) {
                out.append('\n');
            }
            out.append(document.title()).append(" for ").append(file).append(":\n\n");
            out.append(pretty(document.document())).append("\n\n");
            out.append(document.usage()).append("\n\nWhat each is for:\n");
            document.explanations().forEach(line -> out.append("  ").append(line).append('\n'));
        }
        return out.toString();
    }

    /** The Markdown plan's section: each provider's document folded in a code block, with what each entry is for. */
    public static String markdown(List<PermissionDocument> documents) {
        if (documents.isEmpty()) {
            return "";
        }
        StringBuilder out = new StringBuilder("\n**Permissions**\n\nWhat the account and token that apply this file need, and nothing"
                + " more (also `ferry permissions`):\n");
        for (PermissionDocument document : documents) {
            out.append("\n<details><summary>").append(document.title()).append("</summary>\n\n```json\n")
                    .append(pretty(document.document())).append("\n```\n\n");
            document.explanations().forEach(line -> out.append("- `").append(line.substring(0, line.indexOf(": "))).append("`: ")
                    .append(line.substring(line.indexOf(": ") + 2).replace("|", "\\|")).append('\n'));
            out.append("\n</details>\n");
        }
        return out.toString();
    }

    /** The {@code --json} form: {@code providers.NAME.document} is the document itself. */
    public static ObjectNode json(String file, List<PermissionDocument> documents) {
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        root.put("format_version", FORMAT_VERSION);
        root.put("file", file);
        ObjectNode providers = root.putObject("providers");
        for (PermissionDocument document : documents) {
            ObjectNode entry = providers.putObject(document.provider());
            entry.put("title", document.title());
            entry.set("document", document.document());
            entry.put("usage", document.usage());
            document.explanations().forEach(entry.putArray("explanations")::add);
        }
        return root;
    }

    /** JSON indented by two spaces, arrays one item a line. */
    public static String pretty(JsonNode json) {
        DefaultPrettyPrinter printer = new DefaultPrettyPrinter().withArrayIndenter(DefaultIndenter.SYSTEM_LINEFEED_INSTANCE)
                .withObjectIndenter(new DefaultIndenter("  ", "\n"));
        try {
            return MAPPER.writer(printer).writeValueAsString(json).replace(" : ", ": ");
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
