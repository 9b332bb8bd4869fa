package dev.ferry.engine.state;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Where a resource stands, as state records it. */
public enum ResourceStatus {
    /** The create was (or was about to be) sent; the id may not be known yet. */
    @JsonProperty("creating") CREATING,
    /** It exists as its arguments say. */
    @JsonProperty("created") CREATED,
    /** An update in place was sent and has not finished. */
    @JsonProperty("updating") UPDATING,
    /** A delete was sent and has not finished. */
    @JsonProperty("deleting") DELETING,
    /** A staging copy that was deleted once it had served (the clean-up policy); outputs kept for references. */
    @JsonProperty("consumed") CONSUMED,
    /** Creation failed part-way, or it broke: it will be replaced. */
    @JsonProperty("tainted") TAINTED,
    /** A data resource, read. */
    @JsonProperty("read") READ
}
