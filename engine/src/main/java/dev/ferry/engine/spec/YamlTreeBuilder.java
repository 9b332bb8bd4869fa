package dev.ferry.engine.spec;

import static dev.ferry.engine.spec.YamlReader.MAX_FILE_BYTES;
import static dev.ferry.engine.spec.YamlReader.at;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.StringReader;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.events.AliasEvent;
import org.yaml.snakeyaml.events.CollectionStartEvent;
import org.yaml.snakeyaml.events.Event;
import org.yaml.snakeyaml.events.ScalarEvent;
import org.yaml.snakeyaml.nodes.NodeId;
import org.yaml.snakeyaml.nodes.Tag;
import org.yaml.snakeyaml.parser.Parser;
import org.yaml.snakeyaml.parser.ParserImpl;
import org.yaml.snakeyaml.reader.StreamReader;
import org.yaml.snakeyaml.resolver.Resolver;

/**
 * Builds the tree of one YAML document from SnakeYAML's parser events, one frame per open mapping
 * or sequence, so that every key and value keeps its line and column. Duplicate keys become
 * diagnostics; nesting depth and alias expansion are bounded, so a hostile file fails fast.
 */
final class YamlTreeBuilder {

    static final int MAX_DEPTH = 64;
    /** Nodes in the tree after aliases are expanded. */
    static final int MAX_NODES = 200_000;

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    /** Thrown inside the builder after a fatal diagnostic was recorded. */
    static final class StopParsing extends RuntimeException {
        StopParsing() {
            super(null, null, false, false);
        }
    }

    private final String file;
    private final Diagnostics diagnostics;
    private final Map<String, SourceLocation> values = new HashMap<>();
    private final Map<String, SourceLocation> keys = new HashMap<>();
    private final Map<String, Anchored> anchors = new HashMap<>();
    private final Resolver resolver = new Resolver();
    private final Deque<Frame> stack = new ArrayDeque<>();
    private JsonNode root;
    private int nodes;
    private int documents;

    YamlTreeBuilder(String file, Diagnostics diagnostics) {
        this.file = file;
        this.diagnostics = diagnostics;
    }

    /** The document's root, or null when the text held no value. */
    JsonNode root() {
        return root;
    }

    /** Where each value stands, by JSON pointer. */
    Map<String, SourceLocation> values() {
        return values;
    }

    /** Where each key stands, by the JSON pointer of its value. */
    Map<String, SourceLocation> keys() {
        return keys;
    }

    void run(String text) {
        LoaderOptions options = new LoaderOptions();
        options.setCodePointLimit((int) MAX_FILE_BYTES + 1);
        options.setProcessComments(false);
        Parser parser = new ParserImpl(new StreamReader(new StringReader(text)), options);
        while (parser.peekEvent() != null) {
            Event event = parser.getEvent();
            switch (event.getEventId()) {
                case StreamStart, StreamEnd, Comment -> { }
                case DocumentStart -> {
                    documents++;
                    if (documents > 1) {
                        diagnostics.error(at(file, event.getStartMark()),
                                "a second YAML document ('---'); a migration file holds exactly one",
                                "put each migration under 'migrations:' in one document");
                        throw new StopParsing();
                    }
                }
                case DocumentEnd -> { }
                case MappingStart -> open(event, NODES.objectNode());
                case SequenceStart -> open(event, NODES.arrayNode());
                case MappingEnd, SequenceEnd -> close();
                case Scalar -> scalar((ScalarEvent) event);
                case Alias -> alias((AliasEvent) event);
            }
        }
    }

    private void open(Event event, JsonNode container) {
        if (stack.size() >= MAX_DEPTH) {
            diagnostics.error(at(file, event.getStartMark()),
                    "nesting is deeper than " + MAX_DEPTH + " levels; a migration file never needs that");
            throw new StopParsing();
        }
        Frame parent = stack.peek();
        if (parent != null && parent.container.isObject() && parent.pendingKey == null) {
            diagnostics.error(at(file, event.getStartMark()), "a key must be plain text, not a mapping or a list");
            throw new StopParsing();
        }
        CollectionStartEvent start = (CollectionStartEvent) event;
        int before = nodes;
        String pointer = place(container, event.getStartMark());
        stack.push(new Frame(container, pointer, start.getAnchor(), before));
    }

    private void close() {
        Frame frame = stack.pop();
        if (frame.anchor != null) {
            anchors.put(frame.anchor, new Anchored(frame.container, nodes - frame.nodesBefore));
        }
    }

    private void scalar(ScalarEvent event) {
        Frame parent = stack.peek();
        if (parent != null && parent.container.isObject() && parent.pendingKey == null) {
            key(parent, event);
            return;
        }
        JsonNode value = resolve(event);
        place(value, event.getStartMark());
        if (event.getAnchor() != null) {
            anchors.put(event.getAnchor(), new Anchored(value, 1));
        }
    }

    private void key(Frame parent, ScalarEvent event) {
        SourceLocation where = at(file, event.getStartMark());
        String key = event.getValue();
        if (key.equals("<<") && event.isPlain()) {
            diagnostics.error(where, "merge keys ('<<') are not supported",
                    "write the keys out, or use an alias ('*name') for a whole value");
            throw new StopParsing();
        }
        if (key.isEmpty() && event.isPlain()) {
            diagnostics.error(where, "an empty key", "write 'name: value'");
            throw new StopParsing();
        }
        if (parent.container.has(key)) {
            SourceLocation first = keys.get(JsonPointers.child(parent.pointer, key));
            diagnostics.error(where, "duplicate key '" + key + "'"
                            + (first != null ? " (first defined at line " + first.line() + ")" : ""),
                    "each key may appear once in a mapping; remove or merge the duplicate");
            parent.pendingKey = key;
            parent.duplicate = true;
            return;
        }
        parent.pendingKey = key;
        parent.duplicate = false;
        keys.put(JsonPointers.child(parent.pointer, key), where);
    }

    private void alias(AliasEvent event) {
        Frame parent = stack.peek();
        SourceLocation where = at(file, event.getStartMark());
        if (parent != null && parent.container.isObject() && parent.pendingKey == null) {
            diagnostics.error(where, "an alias cannot be used as a key");
            throw new StopParsing();
        }
        Anchored anchored = anchors.get(event.getAnchor());
        if (anchored == null) {
            diagnostics.error(where, "unknown alias '*" + event.getAnchor() + "'",
                    "define the anchor '&" + event.getAnchor() + "' before using it");
            throw new StopParsing();
        }
        count(anchored.nodes, where);
        place(anchored.node.deepCopy(), event.getStartMark());
    }

    private void count(int added, SourceLocation where) {
        nodes += added;
        if (nodes > MAX_NODES) {
            diagnostics.error(where, "the document expands to more than " + MAX_NODES
                            + " values (aliases repeating aliases?); refusing to expand it",
                    "a migration file never needs this many values; remove the nested aliases");
            throw new StopParsing();
        }
    }

    /** Attaches {@code node} to the open container (or makes it the root); returns its pointer. */
    private String place(JsonNode node, Mark mark) {
        SourceLocation where = at(file, mark);
        count(1, where);
        Frame parent = stack.peek();
        String pointer;
        if (parent == null) {
            root = node;
            pointer = "";
        } else if (parent.container instanceof ArrayNode array) {
            pointer = JsonPointers.child(parent.pointer, array.size());
            array.add(node);
        } else {
            ObjectNode object = (ObjectNode) parent.container;
            String key = parent.pendingKey;
            parent.pendingKey = null;
            pointer = JsonPointers.child(parent.pointer, key);
            if (parent.duplicate) {
                return pointer + "/~duplicate";
            }
            object.set(key, node);
        }
        values.put(pointer, where);
        return pointer;
    }

    private JsonNode resolve(ScalarEvent event) {
        String value = event.getValue();
        String tag = event.getTag();
        Tag resolved;
        if (tag != null && !tag.equals("!")) {
            resolved = new Tag(tag);
        } else if (event.getImplicit().canOmitTagInPlainScalar()) {
            resolved = resolver.resolve(NodeId.scalar, value, true);
        } else {
            resolved = Tag.STR;
        }
        if (resolved.equals(Tag.NULL)) {
            return NODES.nullNode();
        }
        if (resolved.equals(Tag.BOOL)) {
            String lower = value.toLowerCase(Locale.ROOT);
            return NODES.booleanNode(lower.equals("true") || lower.equals("yes") || lower.equals("on") || lower.equals("y"));
        }
        if (resolved.equals(Tag.INT)) {
            Optional<Long> number = parseInteger(value);
            if (number.isPresent()) {
                return NODES.numberNode(number.get());
            }
        }
        if (resolved.equals(Tag.FLOAT)) {
            try {
                double number = Double.parseDouble(value.replace("_", ""));
                if (Double.isFinite(number)) {
                    return NODES.numberNode(number);
                }
            } catch (NumberFormatException e) {
                // falls through: kept as text, the schema reports it if a number was expected
            }
        }
        return NODES.textNode(value);
    }

    private static Optional<Long> parseInteger(String text) {
        String digits = text.replace("_", "");
        int sign = 1;
        if (digits.startsWith("-") || digits.startsWith("+")) {
            sign = digits.startsWith("-") ? -1 : 1;
            digits = digits.substring(1);
        }
        try {
            long magnitude;
            if (digits.startsWith("0x")) {
                magnitude = Long.parseLong(digits.substring(2), 16);
            } else if (digits.startsWith("0b")) {
                magnitude = Long.parseLong(digits.substring(2), 2);
            } else if (digits.startsWith("0o")) {
                magnitude = Long.parseLong(digits.substring(2), 8);
            } else if (digits.length() > 1 && digits.startsWith("0") && digits.chars().allMatch(Character::isDigit)) {
                magnitude = Long.parseLong(digits, 8);
            } else {
                magnitude = Long.parseLong(digits);
            }
            return Optional.of(sign * magnitude);
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static final class Frame {
        final JsonNode container;
        final String pointer;
        final String anchor;
        final int nodesBefore;
        String pendingKey;
        boolean duplicate;

        Frame(JsonNode container, String pointer, String anchor, int nodesBefore) {
            this.container = container;
            this.pointer = pointer;
            this.anchor = anchor;
            this.nodesBefore = nodesBefore;
        }
    }

    private record Anchored(JsonNode node, int nodes) {
    }
}
