package dev.ferry.engine.provider;

import static java.util.Objects.requireNonNull;

import dev.ferry.engine.resource.Attributes;
import dev.ferry.engine.resource.ResourceAddress;
import java.util.Optional;

/** The desired arguments of one resource (references resolved where known), and its recorded state. */
public record PlanRequest(ResourceAddress address, Attributes desired, Optional<PriorState> prior) {
    public PlanRequest {
        requireNonNull(address, "address is null");
        requireNonNull(desired, "desired is null");
        requireNonNull(prior, "prior is null");
    }
}
