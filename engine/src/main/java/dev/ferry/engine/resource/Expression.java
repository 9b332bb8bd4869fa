package dev.ferry.engine.resource;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.ferry.engine.spec.SecretReference;

/**
 * The value of one argument as a declaration gives it: a literal, a reference to another
 * resource's output (an edge of the graph), or a secret reference resolved only at apply time.
 */
public sealed interface Expression {

    record Literal(JsonNode value) implements Expression {
        public Literal {
            requireNonNull(value, "value is null");
        }
    }

    /** {@code output} of the resource at {@code address}; known once that resource exists. */
    record Reference(ResourceAddress address, String output) implements Expression {
        public Reference {
            requireNonNull(address, "address is null");
            requireNonNull(output, "output is null");
        }

        @Override
        public String toString() {
            return address + "." + output;
        }
    }

    record Secret(SecretReference reference) implements Expression {
        public Secret {
            requireNonNull(reference, "reference is null");
        }
    }

    static Expression literal(JsonNode value) {
        return new Literal(value);
    }

    static Expression literal(String value) {
        return new Literal(JsonNodeFactory.instance.textNode(value));
    }

    static Expression literal(long value) {
        return new Literal(JsonNodeFactory.instance.numberNode(value));
    }

    static Expression literal(boolean value) {
        return new Literal(JsonNodeFactory.instance.booleanNode(value));
    }
}
