package dev.ferry.engine.render;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/** JSON values written the way a plan shows them: strings quoted, short lists on one line, mappings indented. */
final class Values {

    private static final int INLINE = 72;

    private Values() {
    }

    /** One or more lines; the first is meant to follow "name = ", later ones are indented by {@code indent}. */
    static List<String> format(JsonNode value, String indent) {
        List<String> lines = new ArrayList<>();
        String inline = inline(value);
        if (inline.length() <= INLINE || value.isValueNode()) {
            lines.add(inline);
            return lines;
        }
        if (value.isArray()) {
            lines.add("[");
            for (JsonNode item : value) {
                List<String> nested = format(item, indent + "    ");
                lines.add(indent + "    " + nested.get(0));
                nested.stream().skip(1).forEach(lines::add);
                lines.set(lines.size() - 1, lines.get(lines.size() - 1) + ",");
            }
            lines.add(indent + "]");
            return lines;
        }
        lines.add("{");
        int width = 0;
        for (Iterator<String> names = value.fieldNames(); names.hasNext(); ) {
            width = Math.max(width, names.next().length());
        }
        for (Iterator<Map.Entry<String, JsonNode>> fields = value.fields(); fields.hasNext(); ) {
            Map.Entry<String, JsonNode> field = fields.next();
            List<String> nested = format(field.getValue(), indent + "    ");
            lines.add(indent + "    " + pad(field.getKey(), width) + " = " + nested.get(0));
            nested.stream().skip(1).forEach(lines::add);
        }
        lines.add(indent + "}");
        return lines;
    }

    static String inline(JsonNode value) {
        if (value == null || value.isNull()) {
            return "null";
        }
        if (value.isTextual()) {
            return quote(value.asText());
        }
        if (value.isValueNode()) {
            return value.toString();
        }
        if (value.isArray()) {
            List<String> items = new ArrayList<>();
            value.forEach(item -> items.add(inline(item)));
            return "[" + String.join(", ", items) + "]";
        }
        List<String> fields = new ArrayList<>();
        value.fields().forEachRemaining(field -> fields.add(field.getKey() + " = " + inline(field.getValue())));
        return "{ " + String.join(", ", fields) + " }";
    }

    static String quote(String text) {
        return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + "\"";
    }

    static String pad(String text, int width) {
        return text.length() >= width ? text : text + " ".repeat(width - text.length());
    }
}
