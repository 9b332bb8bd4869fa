package dev.ferry.engine.provider;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.engine.resource.Expression.Reference;
import dev.ferry.engine.resource.ResourceAddress;
import dev.ferry.engine.resource.ResourceDeclaration;
import dev.ferry.engine.state.ResourceState;
import java.util.Collection;
import java.util.Optional;

/**
 * What an expander may learn before the plan, for the few choices that decide which resources exist (a target's
 * road, chosen by the size of the source's disk): a value a data source can read now, and what the state already
 * records. Commands that connect to nothing ({@code validate}, {@code graph} without {@code --plan},
 * {@code permissions}) expand with {@link #NONE}, which knows nothing, so their expanders take their defaults.
 */
public interface Lookahead {

    /** Knows nothing: no value is read, the state holds nothing. */
    Lookahead NONE = new Lookahead() {
        @Override
        public Optional<JsonNode> value(Reference reference, Collection<ResourceDeclaration> declarations) {
            return Optional.empty();
        }

        @Override
        public Optional<ResourceState> recorded(ResourceAddress address) {
            return Optional.empty();
        }
    };

    /**
     * The declarations of every migration's source, offered before any target asks: data sources among them may be
     * read together when the first value is asked for (one batched read for a fleet rather than one per migration).
     */
    default void consider(Collection<ResourceDeclaration> declarations) {
    }

    /**
     * The output {@code reference} names, read now when it is the output of a data source among {@code declarations}
     * whose arguments are all written in the file; empty otherwise, when nothing is connected, or when the read fails
     * (the plan reads it again and reports why).
     */
    Optional<JsonNode> value(Reference reference, Collection<ResourceDeclaration> declarations);

    /** What the state records at {@code address}, made or being made: a road once taken is kept. */
    Optional<ResourceState> recorded(ResourceAddress address);
}
