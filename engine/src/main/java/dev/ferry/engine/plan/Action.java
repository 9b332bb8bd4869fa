package dev.ferry.engine.plan;

import com.fasterxml.jackson.annotation.JsonProperty;

/** What a plan does to one resource. */
public enum Action {
    @JsonProperty("create") CREATE("+", "will be created"),
    @JsonProperty("update") UPDATE("~", "will be updated in-place"),
    /** Delete then create: an argument that cannot change in place changed. */
    @JsonProperty("replace") REPLACE("-/+", "must be replaced"),
    @JsonProperty("delete") DELETE("-", "will be destroyed"),
    /** A data resource read during apply, because what it reads is only known then. */
    @JsonProperty("read") READ("<=", "will be read during apply"),
    @JsonProperty("no-op") NOOP(" ", "has no changes"),
    /** Kept in the cloud (the file said to keep it), removed from state. */
    @JsonProperty("forget") FORGET(".", "will be kept, and removed from state"),
    /** A staging copy whose job is done, deleted by the clean-up policy. */
    @JsonProperty("cleanup") CLEANUP("-", "is no longer needed and will be deleted (staging.cleanup: delete-after-import)");

    private final String symbol;
    private final String phrase;

    Action(String symbol, String phrase) {
        this.symbol = symbol;
        this.phrase = phrase;
    }

    /** {@code +}, {@code ~}, {@code -/+}, {@code -}, {@code <=}. */
    public String symbol() {
        return symbol;
    }

    /** "will be created", for "# aws_ami.web-01 will be created". */
    public String phrase() {
        return phrase;
    }

    public boolean isChange() {
        return this != NOOP;
    }
}
