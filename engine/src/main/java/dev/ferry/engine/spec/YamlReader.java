package dev.ferry.engine.spec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
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
 * Reads one YAML document into a {@link LocatedDocument}, defensively: the file is checked before
 * parsing (exists, regular, readable, size, UTF-8 text), the tree is built from SnakeYAML's event
 * stream so every key and value keeps its line and column, duplicate keys are reported rather
 * than silently overwritten, and nesting depth and alias expansion are bounded so a hostile
 * file (a "billion laughs") fails fast in bounded memory.
 */
public final class YamlReader {

    /** Migration files are small; a fleet of a thousand machines fits in well under this. */
    public static final long MAX_FILE_BYTES = 4L * 1024 * 1024;
    static final int MAX_DEPTH = 64;
    /** Nodes in the tree after aliases are expanded. */
    static final int MAX_NODES = 200_000;

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    /** The result of a read: the document, or the reason there is none (already in the diagnostics). */
    public record Result(Optional<LocatedDocument> document, Diagnostics diagnostics) {
    }

    /** A problem with the file as a whole: it could not be opened or read at all. */
    public static final class UnreadableFileException extends IOException {
        public UnreadableFileException(String message) {
            super(message);
        }
    }

    private YamlReader() {
    }

    /**
     * Reads {@code path}, shown to users as {@code displayName}.
     *
     * @throws UnreadableFileException when the file is missing, a directory or unreadable: there is
     *     no line to point at, so the caller prints one line
     */
    public static Result read(Path path, String displayName) throws UnreadableFileException {
        byte[] bytes = readBytes(path, displayName);
        return parse(bytes, displayName);
    }

    static byte[] readBytes(Path path, String displayName) throws UnreadableFileException {
        if (Files.isDirectory(path)) {
            throw new UnreadableFileException(displayName + ": is a directory, not a migration file"
                    + " (pass the YAML file inside it with -f)");
        }
        if (!Files.exists(path)) {
            throw new UnreadableFileException(displayName + ": no such file"
                    + " (run ferry where your migration.yaml is, or pass -f FILE)");
        }
        if (!Files.isRegularFile(path)) {
            throw new UnreadableFileException(displayName + ": is not a regular file");
        }
        try {
            long size = Files.size(path);
            if (size > MAX_FILE_BYTES) {
                throw new UnreadableFileException(String.format(Locale.ROOT,
                        "%s:1:1: the file is %s; ferry reads migration files of up to %s"
                                + " (split the migrations over several files)",
                        displayName, humanSize(size), humanSize(MAX_FILE_BYTES)));
            }
            return Files.readAllBytes(path);
        } catch (AccessDeniedException e) {
            throw new UnreadableFileException(displayName + ": cannot be read: permission denied");
        } catch (NoSuchFileException e) {
            throw new UnreadableFileException(displayName + ": no such file");
        } catch (UnreadableFileException e) {
            throw e;
        } catch (IOException e) {
            throw new UnreadableFileException(displayName + ": cannot be read: " + e.getMessage());
        }
    }

    /** Parses bytes already read; every problem becomes a diagnostic with a location. */
    public static Result parse(byte[] bytes, String file) {
        Diagnostics diagnostics = new Diagnostics();
        Optional<String> text = decode(bytes, file, diagnostics);
        if (text.isEmpty()) {
            return new Result(Optional.empty(), diagnostics);
        }
        Builder builder = new Builder(file, diagnostics);
        try {
            builder.run(text.get());
        } catch (StopParsing stop) {
            return new Result(Optional.empty(), diagnostics);
        } catch (MarkedYAMLException e) {
            diagnostics.add(fromSnakeYaml(e, file));
            return new Result(Optional.empty(), diagnostics);
        } catch (YAMLException e) {
            diagnostics.error(SourceLocation.startOf(file), "not valid YAML: " + firstLine(e.getMessage()));
            return new Result(Optional.empty(), diagnostics);
        }
        if (builder.root == null) {
            diagnostics.error(SourceLocation.startOf(file), "the file is empty (only comments or blank lines)",
                    "a migration file starts with 'apiVersion: ferry/v1' and 'kind: Migration'; see plans/examples/");
            return new Result(Optional.empty(), diagnostics);
        }
        if (diagnostics.hasErrors()) {
            return new Result(Optional.empty(), diagnostics);
        }
        return new Result(Optional.of(new LocatedDocument(file, builder.root, builder.values, builder.keys)), diagnostics);
    }

    private static Optional<String> decode(byte[] bytes, String file, Diagnostics diagnostics) {
        if (bytes.length >= 2 && ((bytes[0] == (byte) 0xFE && bytes[1] == (byte) 0xFF)
                || (bytes[0] == (byte) 0xFF && bytes[1] == (byte) 0xFE))) {
            diagnostics.error(SourceLocation.startOf(file), "the file is UTF-16 text; ferry reads UTF-8",
                    "save it as UTF-8 (for example: iconv -f UTF-16 -t UTF-8)");
            return Optional.empty();
        }
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == 0) {
                diagnostics.error(locationOfByte(bytes, i, file), "the file holds binary data (a NUL byte), not YAML text",
                        "pass the migration file (YAML), not a disk image or archive");
                return Optional.empty();
            }
        }
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length + 1);
        CoderResult result = decoder.decode(in, out, true);
        if (result.isError()) {
            diagnostics.error(locationOfByte(bytes, in.position(), file),
                    "the file is not valid UTF-8 text (byte 0x" + String.format("%02X", bytes[in.position()] & 0xFF) + ")",
                    "save the file as UTF-8");
            return Optional.empty();
        }
        decoder.flush(out);
        out.flip();
        String text = out.toString();
        if (!text.isEmpty() && text.charAt(0) == '\uFEFF') {
            text = text.substring(1);
        }
        return Optional.of(text);
    }

    private static SourceLocation locationOfByte(byte[] bytes, int offset, String file) {
        int line = 1;
        int column = 1;
        for (int i = 0; i < offset; i++) {
            if (bytes[i] == '\n') {
                line++;
                column = 1;
            } else if ((bytes[i] & 0xC0) != 0x80) {
                column++;
            }
        }
        return new SourceLocation(file, line, column);
    }

    private static Diagnostic fromSnakeYaml(MarkedYAMLException e, String file) {
        Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
        SourceLocation where = mark == null ? SourceLocation.startOf(file) : at(file, mark);
        String problem = e.getProblem() == null ? firstLine(e.getMessage()) : e.getProblem();
        if (problem.contains("'\\t'") || problem.contains("\\t(TAB)")) {
            return Diagnostic.error(where, "a tab character where YAML expects indentation or a value",
                    "YAML indents with spaces, never tabs: replace the tab with spaces");
        }
        String context = e.getContext();
        String message = "not valid YAML: " + problem;
        if (context != null && !context.isBlank()) {
            message += " (" + context.strip()
                    + (e.getContextMark() != null && mark != e.getContextMark()
                            ? " at line " + (e.getContextMark().getLine() + 1) : "")
                    + ")";
        }
        String hint = null;
        if (problem.contains("mapping values are not allowed")) {
            hint = "a value containing ': ' must be quoted, and keys of one mapping must line up";
        } else if (problem.contains("expected <block end>")) {
            hint = "check the indentation here: the keys of one mapping must start in the same column";
        } else if (problem.contains("could not find expected ':'")) {
            hint = "each key needs a ':' after it; check the indentation of this line";
        } else if (problem.contains("found character '@'") || problem.contains("found character '`'")) {
            hint = "values starting with '@' or '`' must be quoted";
        }
        return Diagnostic.error(where, message, hint);
    }

    static SourceLocation at(String file, Mark mark) {
        return new SourceLocation(file, mark.getLine() + 1, mark.getColumn() + 1);
    }

    private static String firstLine(String text) {
        if (text == null) {
            return "unknown problem";
        }
        int newline = text.indexOf('\n');
        return newline < 0 ? text : text.substring(0, newline);
    }

    private static String humanSize(long bytes) {
        if (bytes >= 1024 * 1024) {
            return String.format(Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
        }
        return String.format(Locale.ROOT, "%.1f KiB", bytes / 1024.0);
    }

    /** Thrown inside the builder after a fatal diagnostic was recorded. */
    private static final class StopParsing extends RuntimeException {
        StopParsing() {
            super(null, null, false, false);
        }
    }

    /** Builds the tree from parser events; one frame per open mapping or sequence. */
    private static final class Builder {
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

        Builder(String file, Diagnostics diagnostics) {
            this.file = file;
            this.diagnostics = diagnostics;
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
}
