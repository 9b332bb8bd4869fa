package dev.ferry.engine.apply;

/** A step stopped at a safe point because the user asked to stop; its operation stays in state. */
final class StepCancelled extends RuntimeException {
    StepCancelled() {
        super(null, null, false, false);
    }
}
