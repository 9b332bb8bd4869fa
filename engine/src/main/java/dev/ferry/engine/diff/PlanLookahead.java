package dev.ferry.engine.diff;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The lookahead of a plan: reads a data source the file fully describes (the source instance, the disk image
 * file) once, through the connected providers, with every other of its type the sources offered (one batched
 * read for a fleet), and answers from the state the plan starts from. A read that fails answers nothing here; the
 * plan's own read reports it where the file declares it.
 */
public final class PlanLookahead implements Lookahead {

    private final ResourceTypes types;
    private final State state;
    /** Data sources the file fully describes, in the order offered; read by type, all at once, when one is first asked for. */
    private final Map<ResourceAddress, Attributes> candidates = new LinkedHashMap<>();
    private final Map<ResourceAddress, Optional<ObjectNode>> read = new HashMap<>();

    public PlanLookahead(ResourceTypes types, State state) {
        this.types = requireNonNull(types, "types is null");
        this.state = requireNonNull(state, "state is null");
    }

    @Override
    public void consider(Collection<ResourceDeclaration> declarations) {
        for (ResourceDeclaration declaration : declarations) {
            arguments(declaration).ifPresent(known -> candidates.putIfAbsent(declaration.address(), known));
        }
    }

    @Override
    public Optional<JsonNode> value(Expression.Reference reference, Collection<ResourceDeclaration> declarations) {
        ResourceAddress address = reference.address();
        if (!address.isData()) {
            return Optional.empty();
        }
        if (!read.containsKey(address)) {
            Optional<Attributes> known = declarations.stream().filter(d -> d.address().equals(address)).findFirst()
                    .flatMap(PlanLookahead::arguments);
            if (known.isEmpty()) {
                return Optional.empty();
            }
            candidates.putIfAbsent(address, known.get());
            readAllOfType(address.type());
        }
        return read.get(address).map(outputs -> outputs.get(reference.output())).filter(value -> !value.isNull());
    }

    /** The declaration's arguments, when the file gives them all (nothing taken from another resource). */
    private static Optional<Attributes> arguments(ResourceDeclaration declaration) {
        if (!declaration.address().isData()) {
            return Optional.empty();
        }
        Attributes.Builder arguments = Attributes.builder();
        for (Map.Entry<String, Expression> argument : declaration.arguments().entrySet()) {
            if (!(argument.getValue() instanceof Expression.Literal literal)) {
                return Optional.empty();
            }
            arguments.known(argument.getKey(), literal.value());
        }
        return Optional.of(arguments.build());
    }

    /** One read of every candidate of {@code type} not read yet, as the plan batches its own. */
    private void readAllOfType(String type) {
        List<DataRequest> requests = new ArrayList<>();
        candidates.forEach((address, arguments) -> {
            if (address.type().equals(type) && !read.containsKey(address)) {
                requests.add(new DataRequest(address, arguments));
            }
        });
        Map<ResourceAddress, DataResult> results;
        try {
            results = types.data(requests.get(0).address()).read(requests);
        } catch (FerryException e) {
            results = Map.of();
        }
        for (DataRequest request : requests) {
            read.put(request.address(), results.get(request.address()) instanceof DataResult.Found found
                    ? Optional.of(found.outputs()) : Optional.empty());
        }
    }

    @Override
    public Optional<ResourceState> recorded(ResourceAddress address) {
        return state.get(address).filter(resource -> resource.status() != ResourceStatus.CONSUMED);
    }
}
