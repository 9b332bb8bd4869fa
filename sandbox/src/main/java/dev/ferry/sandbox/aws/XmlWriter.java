package dev.ferry.sandbox.aws;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.Deque;

/** Writes the small XML documents AWS answers with; values are escaped, null leaves are left out. */
final class XmlWriter {

    private final StringBuilder out = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    private final Deque<String> open = new ArrayDeque<>();

    XmlWriter start(String name) {
        out.append('<').append(name).append('>');
        open.push(name);
        return this;
    }

    XmlWriter start(String name, String namespace) {
        out.append('<').append(name).append(" xmlns=\"").append(namespace).append("\">");
        open.push(name);
        return this;
    }

    /** An element with attributes given as already-escaped text ({@code xmlns:xsi="..." xsi:type="..."}). */
    XmlWriter startWithAttributes(String name, String attributes) {
        out.append('<').append(name).append(' ').append(attributes).append('>');
        open.push(name);
        return this;
    }

    XmlWriter end() {
        out.append("</").append(open.pop()).append('>');
        return this;
    }

    /** {@code <name>value</name>}, or nothing when value is null. */
    XmlWriter leaf(String name, Object value) {
        if (value == null) {
            return this;
        }
        String text = value instanceof Instant instant ? timestamp(instant) : String.valueOf(value);
        out.append('<').append(name).append('>');
        escape(text);
        out.append("</").append(name).append('>');
        return this;
    }

    /** Text directly inside the current element. */
    XmlWriter leafText(String text) {
        escape(text);
        return this;
    }

    /** An element present but empty. */
    XmlWriter empty(String name) {
        out.append('<').append(name).append("/>");
        return this;
    }

    /** ISO-8601 with milliseconds, as EC2 and S3 write times. */
    static String timestamp(Instant instant) {
        return instant.truncatedTo(ChronoUnit.MILLIS).toString().replaceFirst("(\\d\\d:\\d\\d:\\d\\d)Z$", "$1.000Z");
    }

    private void escape(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '&' -> out.append("&amp;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&apos;");
                case '\r' -> out.append("&#13;");
                default -> out.append(c);
            }
        }
    }

    @Override
    public String toString() {
        if (!open.isEmpty()) {
            throw new IllegalStateException("unclosed elements " + open);
        }
        return out.toString();
    }
}
