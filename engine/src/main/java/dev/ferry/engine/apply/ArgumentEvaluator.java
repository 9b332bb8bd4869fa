package dev.ferry.engine.apply;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.engine.FerryException;
import dev.ferry.engine.plan.Change;
import dev.ferry.engine.plan.Plan;
import dev.ferry.engine.provider.ManagedResourceType;
import dev.ferry.engine.provider.PlanRequest;
import dev.ferry.engine.provider.PlanResult;
import dev.ferry.engine.provider.PriorState;
import dev.ferry.engine.resource.Attributes;
import dev.ferry.engine.resource.Expression;
import dev.ferry.engine.resource.JsonValues;
import dev.ferry.engine.state.LiveState;
import java.util.Map;
import java.util.Optional;

/** Evaluates a step's arguments at apply time, when what the steps before it made is in state. */
final class ArgumentEvaluator {

    private final LiveState live;

    ArgumentEvaluator(LiveState live) {
        this.live = requireNonNull(live, "live is null");
    }

    /**
     * The arguments to apply: the planned values, with what was unknown at plan time evaluated now
     * and completed by the provider again; a value known at plan time must not have changed.
     */
    Attributes finalArguments(Plan plan, Change change, ManagedResourceType type, Optional<PriorState> prior) {
        if (change.after().fullyKnown()) {
            return change.after();
        }
        Attributes desired = evaluate(plan, change.expressions());
        PlanResult result = type.plan(new PlanRequest(change.address(), desired, prior));
        if (!result.errors().isEmpty()) {
            throw new FerryException(String.join("; ", result.errors()));
        }
        Attributes planned = result.planned();
        for (String name : change.after().names()) {
            if (change.after().isKnown(name) && !change.after().isSecret(name)
                    && !JsonValues.equal(change.after().find(name).orElse(null), planned.find(name).orElse(null))) {
                throw new FerryException("'" + name + "' was " + change.after().get(name) + " in the plan but is "
                        + planned.find(name).map(JsonNode::toString).orElse("absent") + " now; run plan again");
            }
        }
        if (!planned.fullyKnown()) {
            throw new IllegalStateException(change.address() + ": still unknown at apply time: " + planned.unknownNames());
        }
        return planned;
    }

    /** The declaration's expressions with every reference looked up in state (or in the plan's data reads). */
    Attributes evaluate(Plan plan, Map<String, Expression> expressions) {
        Attributes.Builder builder = Attributes.builder();
        for (Map.Entry<String, Expression> argument : expressions.entrySet()) {
            Expression expression = argument.getValue();
            if (expression instanceof Expression.Literal literal) {
                builder.known(argument.getKey(), literal.value());
            } else if (expression instanceof Expression.Secret secret) {
                builder.secret(argument.getKey(), secret.reference());
            } else if (expression instanceof Expression.Reference reference) {
                JsonNode value = live.get(reference.address()).map(entry -> entry.outputs().get(reference.output()))
                        .or(() -> plan.change(reference.address()).map(c -> c.knownOutputs().get(reference.output())))
                        .orElse(null);
                if (value == null) {
                    throw new FerryException("needs " + reference + ", which is not available (did " + reference.address() + " finish?)");
                }
                builder.known(argument.getKey(), value);
            }
        }
        return builder.build();
    }
}
