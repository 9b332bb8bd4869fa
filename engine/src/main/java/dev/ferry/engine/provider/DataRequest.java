package dev.ferry.engine.provider;

import static java.util.Objects.requireNonNull;

import dev.ferry.engine.resource.Attributes;
import dev.ferry.engine.resource.ResourceAddress;

public record DataRequest(ResourceAddress address, Attributes arguments) {
    public DataRequest {
        requireNonNull(address, "address is null");
        requireNonNull(arguments, "arguments is null");
    }
}
