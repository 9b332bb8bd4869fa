package dev.ferry.engine.render;

/** Colours for terminal output, or none (not a terminal, or NO_COLOR). */
public final class Style {

    public static final Style PLAIN = new Style(false);
    public static final Style COLOUR = new Style(true);

    private final boolean colour;

    private Style(boolean colour) {
        this.colour = colour;
    }

    public static Style of(boolean colour) {
        return colour ? COLOUR : PLAIN;
    }

    public String green(String text) {
        return wrap("32", text);
    }

    public String yellow(String text) {
        return wrap("33", text);
    }

    public String red(String text) {
        return wrap("31", text);
    }

    public String cyan(String text) {
        return wrap("36", text);
    }

    public String bold(String text) {
        return wrap("1", text);
    }

    public String dim(String text) {
        return wrap("2", text);
    }

    private String wrap(String code, String text) {
        return colour ? "\u001b[" + code + "m" + text + "\u001b[0m" : text;
    }
}
