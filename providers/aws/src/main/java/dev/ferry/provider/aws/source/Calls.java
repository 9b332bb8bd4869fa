package dev.ferry.provider.aws.source;

import java.util.function.Supplier;

/**
 * The AWS provider's way of making a repeatable call: retried when the answer was lost (a cut connection,
 * a garbled body), its failures turned into messages that name {@code what} and say what to do.
 */
@FunctionalInterface
public interface Calls {
    <T> T call(String what, Supplier<T> call);
}
