package dev.ferry.engine.event;

/** Receives the engine's events; called from several threads at once. */
@FunctionalInterface
public interface EventSink {

    EventSink NONE = event -> { };

    void accept(Event event);
}
