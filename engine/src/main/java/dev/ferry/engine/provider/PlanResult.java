package dev.ferry.engine.provider;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.engine.resource.Attributes;
import java.util.List;

/**
 * A provider's completion of a plan: the final arguments, the outputs already known (so resources
 * downstream can be planned exactly), notes for the plan, and errors that stop the plan (each a
 * sentence saying what is wrong and what to do).
 */
public record PlanResult(Attributes planned, ObjectNode knownOutputs, List<Note> notes, List<String> errors) {

    public PlanResult {
        requireNonNull(planned, "planned is null");
        requireNonNull(knownOutputs, "knownOutputs is null");
        notes = List.copyOf(notes);
        errors = List.copyOf(errors);
    }

    /** The desired arguments as they are, nothing to add. */
    public static PlanResult unchanged(Attributes desired) {
        return new PlanResult(desired, JsonNodeFactory.instance.objectNode(), List.of(), List.of());
    }
}
