package dev.ferry.engine.spec;

import java.io.IOException;
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
import java.util.Locale;
import java.util.Optional;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * Reads one YAML document into a {@link LocatedDocument}, defensively: the file is checked before
 * parsing (exists, regular, readable, size, UTF-8 text), the tree is built from SnakeYAML's event
 * stream so every key and value keeps its line and column, duplicate keys are reported rather
 * than silently overwritten, and nesting depth and alias expansion are bounded so a hostile
 * file (a "billion laughs") fails fast in bounded memory. The checks and SnakeYAML's own errors
 * are here; the tree is the {@link YamlTreeBuilder}'s.
 */
public final class YamlReader {

    /** Migration files are small; a fleet of a thousand machines fits in well under this. */
    public static final long MAX_FILE_BYTES = 4L * 1024 * 1024;

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
        YamlTreeBuilder builder = new YamlTreeBuilder(file, diagnostics);
        try {
            builder.run(text.get());
        } catch (YamlTreeBuilder.StopParsing stop) {
            return new Result(Optional.empty(), diagnostics);
        } catch (MarkedYAMLException e) {
            diagnostics.add(fromSnakeYaml(e, file));
            return new Result(Optional.empty(), diagnostics);
        } catch (YAMLException e) {
            diagnostics.error(SourceLocation.startOf(file), "not valid YAML: " + firstLine(e.getMessage()));
            return new Result(Optional.empty(), diagnostics);
        }
        if (builder.root() == null) {
            diagnostics.error(SourceLocation.startOf(file), "the file is empty (only comments or blank lines)",
                    "a migration file starts with 'apiVersion: ferry/v1' and 'kind: Migration'; see plans/examples/");
            return new Result(Optional.empty(), diagnostics);
        }
        if (diagnostics.hasErrors()) {
            return new Result(Optional.empty(), diagnostics);
        }
        return new Result(Optional.of(new LocatedDocument(file, builder.root(), builder.values(), builder.keys())), diagnostics);
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
}
