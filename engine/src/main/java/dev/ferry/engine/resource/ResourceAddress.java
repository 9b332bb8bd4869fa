package dev.ferry.engine.resource;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Comparator;
import java.util.regex.Pattern;

/**
 * Names one resource: {@code aws_ami.web-01}, or {@code data.aws_ec2_instance.web-01} for what
 * is only read. Addresses are stable across runs: state, saved plans and messages use them. (A class
 * rather than a record so that its hash and text, used as map keys everywhere, are computed once.)
 */
public final class ResourceAddress implements Comparable<ResourceAddress> {

    public enum Mode { MANAGED, DATA }

    private static final Pattern TYPE = Pattern.compile("[a-z][a-z0-9_]*");
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_-]*");
    private static final Comparator<ResourceAddress> ORDER = Comparator
            .comparing(ResourceAddress::type).thenComparing(ResourceAddress::name).thenComparing(ResourceAddress::mode);

    private final Mode mode;
    private final String type;
    private final String name;
    private final String text;
    private final int hash;

    public ResourceAddress(Mode mode, String type, String name) {
        this.mode = requireNonNull(mode, "mode is null");
        this.type = requireNonNull(type, "type is null");
        this.name = requireNonNull(name, "name is null");
        if (!TYPE.matcher(type).matches()) {
            throw new IllegalArgumentException("resource type '" + type + "' is not [a-z][a-z0-9_]*");
        }
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("resource name '" + name + "' is not [a-z0-9][a-z0-9_-]*");
        }
        this.text = (mode == Mode.DATA ? "data." : "") + type + "." + name;
        this.hash = text.hashCode();
    }

    public static ResourceAddress managed(String type, String name) {
        return new ResourceAddress(Mode.MANAGED, type, name);
    }

    public static ResourceAddress data(String type, String name) {
        return new ResourceAddress(Mode.DATA, type, name);
    }

    @JsonCreator
    public static ResourceAddress parse(String text) {
        boolean data = text.startsWith("data.");
        String rest = data ? text.substring(5) : text;
        int dot = rest.indexOf('.');
        if (dot <= 0 || dot == rest.length() - 1) {
            throw new IllegalArgumentException("'" + text + "' is not a resource address (TYPE.NAME, such as aws_ami.web-01)");
        }
        return new ResourceAddress(data ? Mode.DATA : Mode.MANAGED, rest.substring(0, dot), rest.substring(dot + 1));
    }

    public Mode mode() {
        return mode;
    }

    public String type() {
        return type;
    }

    public String name() {
        return name;
    }

    public boolean isData() {
        return mode == Mode.DATA;
    }

    @Override
    public int compareTo(ResourceAddress other) {
        return this == other ? 0 : ORDER.compare(this, other);
    }

    @Override
    public boolean equals(Object other) {
        return this == other || other instanceof ResourceAddress that && hash == that.hash && text.equals(that.text);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @JsonValue
    @Override
    public String toString() {
        return text;
    }
}
