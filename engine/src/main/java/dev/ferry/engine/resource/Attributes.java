package dev.ferry.engine.resource;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.engine.spec.SecretReference;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A resource's arguments once references are resolved as far as they can be: known values,
 * values that will only be known during apply ("known after apply"), and secrets, which are
 * carried as references and resolved only when a provider asks for them at apply time.
 */
public final class Attributes {

    private final Map<String, JsonNode> known;
    private final Set<String> unknown;
    private final Map<String, SecretReference> secrets;
    private final List<String> order;

    private Attributes(Map<String, JsonNode> known, Set<String> unknown, Map<String, SecretReference> secrets, List<String> order) {
        this.known = Collections.unmodifiableMap(new LinkedHashMap<>(known));
        this.unknown = Collections.unmodifiableSet(new LinkedHashSet<>(unknown));
        this.secrets = Collections.unmodifiableMap(new LinkedHashMap<>(secrets));
        this.order = List.copyOf(order);
    }

    public static Attributes empty() {
        return new Builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Attributes holding exactly the fields of {@code values}, all known. */
    public static Attributes of(ObjectNode values) {
        Builder builder = new Builder();
        values.fields().forEachRemaining(field -> builder.known(field.getKey(), field.getValue()));
        return builder.build();
    }

    public List<String> names() {
        return order;
    }

    public boolean has(String name) {
        return known.containsKey(name) || unknown.contains(name) || secrets.containsKey(name);
    }

    public boolean isKnown(String name) {
        return known.containsKey(name) || secrets.containsKey(name);
    }

    public boolean isUnknown(String name) {
        return unknown.contains(name);
    }

    public boolean isSecret(String name) {
        return secrets.containsKey(name);
    }

    public boolean fullyKnown() {
        return unknown.isEmpty();
    }

    public Set<String> unknownNames() {
        return unknown;
    }

    /** The known value of {@code name}, or empty when it is absent, unknown or a secret. */
    public Optional<JsonNode> find(String name) {
        return Optional.ofNullable(known.get(name));
    }

    /** The known value of {@code name}; a provider asking for an absent or unknown one is a bug. */
    public JsonNode get(String name) {
        JsonNode value = known.get(name);
        if (value == null) {
            throw new IllegalStateException("argument '" + name + "' is " + (unknown.contains(name) ? "not known yet" : "absent"));
        }
        return value;
    }

    public String text(String name) {
        return get(name).asText();
    }

    public Optional<String> optionalText(String name) {
        return find(name).filter(v -> !v.isNull()).map(JsonNode::asText);
    }

    public long number(String name) {
        return get(name).asLong();
    }

    public boolean bool(String name) {
        return get(name).asBoolean();
    }

    public Optional<SecretReference> secret(String name) {
        return Optional.ofNullable(secrets.get(name));
    }

    public Map<String, SecretReference> secrets() {
        return secrets;
    }

    /** The known values as one JSON object (secrets and unknowns left out). */
    public ObjectNode knownValues() {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        for (String name : order) {
            JsonNode value = known.get(name);
            if (value != null) {
                node.set(name, value);
            }
        }
        return node;
    }

    /** A copy with {@code name} set to a known value (a provider filling in what it computed). */
    public Attributes with(String name, JsonNode value) {
        Builder builder = toBuilder();
        builder.known(name, value);
        return builder.build();
    }

    /** A copy with {@code name} marked as known only after apply. */
    public Attributes withUnknown(String name) {
        Builder builder = toBuilder();
        builder.unknown(name);
        return builder.build();
    }

    /** A copy without {@code names}: inputs a plan consumed and replaced by what it computed, or that only shaped its notes. */
    public Attributes without(Set<String> names) {
        return copy(names).build();
    }

    public Builder toBuilder() {
        return copy(Set.of());
    }

    private Builder copy(Set<String> leftOut) {
        Builder builder = new Builder();
        for (String name : order) {
            if (leftOut.contains(name)) {
                continue;
            }
            if (known.containsKey(name)) {
                builder.known(name, known.get(name));
            } else if (secrets.containsKey(name)) {
                builder.secret(name, secrets.get(name));
            } else {
                builder.unknown(name);
            }
        }
        return builder;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Attributes that && known.equals(that.known) && unknown.equals(that.unknown)
                && secrets.equals(that.secrets);
    }

    @Override
    public int hashCode() {
        return known.hashCode() * 31 + unknown.hashCode() * 7 + secrets.hashCode();
    }

    @Override
    public String toString() {
        List<String> parts = new ArrayList<>();
        for (String name : order) {
            parts.add(name + "=" + (known.containsKey(name) ? known.get(name) : secrets.containsKey(name) ? "(sensitive)" : "(known after apply)"));
        }
        return "{" + String.join(", ", parts) + "}";
    }

    /** Collects attributes in the order they should be shown. */
    public static final class Builder {
        private final Map<String, JsonNode> known = new LinkedHashMap<>();
        private final Set<String> unknown = new LinkedHashSet<>();
        private final Map<String, SecretReference> secrets = new LinkedHashMap<>();
        private final List<String> order = new ArrayList<>();

        public Builder known(String name, JsonNode value) {
            requireNonNull(value, "value is null");
            place(name);
            known.put(name, value);
            return this;
        }

        public Builder unknown(String name) {
            place(name);
            unknown.add(name);
            return this;
        }

        public Builder secret(String name, SecretReference reference) {
            requireNonNull(reference, "reference is null");
            place(name);
            secrets.put(name, reference);
            return this;
        }

        private void place(String name) {
            requireNonNull(name, "name is null");
            known.remove(name);
            unknown.remove(name);
            secrets.remove(name);
            if (!order.contains(name)) {
                order.add(name);
            }
        }

        public Attributes build() {
            return new Attributes(known, unknown, secrets, order);
        }
    }
}
