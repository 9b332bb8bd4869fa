package dev.ferry.engine.provider;

import dev.ferry.engine.resource.ResourceAddress;
import java.util.List;
import java.util.Map;

/** A resource that ferry only reads, at plan time: the source instance, the caller's account. */
public non-sealed interface DataSourceType extends ResourceType {

    /**
     * Reads every request at once, so that a provider can batch (one describe call per page for
     * fifty instances, not fifty calls). Returns a result for every request.
     */
    Map<ResourceAddress, DataResult> read(List<DataRequest> requests);
}
