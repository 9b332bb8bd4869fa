package dev.ferry.engine.diff;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.engine.FerryException;
import dev.ferry.engine.provider.DataRequest;
import dev.ferry.engine.provider.DataResult;
import dev.ferry.engine.provider.Lookahead;
import dev.ferry.engine.provider.ResourceTypes;
import dev.ferry.engine.resource.Attributes;
import dev.ferry.engine.resource.Expression;
import dev.ferry.engine.resource.ResourceAddress;
import dev.ferry.engine.resource.ResourceDeclaration;
import dev.ferry.engine.state.ResourceState;
import dev.ferry.engine.state.ResourceStatus;
import dev.ferry.engine.state.State;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The lookahead of a plan: reads a data source the file fully describes (the source instance, the disk image
 * file) once, through the connected providers, and answers from the state the plan starts from. A read that
 * fails answers nothing here; the plan's own read reports it where the file declares it.
 */
public final class PlanLookahead implements Lookahead {

    private final ResourceTypes types;
    private final State state;
    private final Map<ResourceAddress, Optional<JsonNode>> read = new HashMap<>();

    public PlanLookahead(ResourceTypes types, State state) {
        this.types = requireNonNull(types, "types is null");
        this.state = requireNonNull(state, "state is null");
    }

    @Override
    public Optional<JsonNode> value(Expression.Reference reference, Collection<ResourceDeclaration> declarations) {
        if (!reference.address().isData()) {
            return Optional.empty();
        }
        Optional<ResourceDeclaration> declaration = declarations.stream()
                .filter(d -> d.address().equals(reference.address())).findFirst();
        if (declaration.isEmpty()) {
            return Optional.empty();
        }
        return read.computeIfAbsent(reference.address(), address -> read(declaration.get()))
                .map(outputs -> outputs.get(reference.output()))
                .filter(value -> !value.isNull());
    }

    private Optional<JsonNode> read(ResourceDeclaration declaration) {
        Attributes.Builder arguments = Attributes.builder();
        for (Map.Entry<String, Expression> argument : declaration.arguments().entrySet()) {
            if (!(argument.getValue() instanceof Expression.Literal literal)) {
                return Optional.empty();
            }
            arguments.known(argument.getKey(), literal.value());
        }
        try {
            DataResult result = types.data(declaration.address())
                    .read(List.of(new DataRequest(declaration.address(), arguments.build())))
                    .get(declaration.address());
            return result instanceof DataResult.Found found ? Optional.of(found.outputs()) : Optional.empty();
        } catch (FerryException e) {
            return Optional.empty();
        }
    }

    @Override
    public Optional<ResourceState> recorded(ResourceAddress address) {
        return state.get(address).filter(resource -> resource.status() != ResourceStatus.CONSUMED);
    }
}
