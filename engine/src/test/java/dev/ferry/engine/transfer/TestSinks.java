package dev.ferry.engine.transfer;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.IntFunction;

/** A {@link ByteSinkFactory} whose sinks keep the body in memory and can fail on purpose. */
final class TestSinks implements ByteSinkFactory {

    /** What the sink of one attempt does. */
    sealed interface Behaviour {
        /** Reads the whole body and answers 200. */
        record Accept() implements Behaviour {
        }

        /** Reads {@code afterBytes} then throws, as a broken connection would. */
        record Break(long afterBytes) implements Behaviour {
        }

        /** Reads {@code afterBytes} then answers {@code status} without reading the rest. */
        record Answer(long afterBytes, int status) implements Behaviour {
        }
    }

    /** One attempt's sink and what it received. */
    static final class Attempt implements ByteSink {
        final int number;
        final Behaviour behaviour;
        final ByteArrayOutputStream received = new ByteArrayOutputStream();
        volatile boolean finished;

        Attempt(int number, Behaviour behaviour) {
            this.number = number;
            this.behaviour = behaviour;
        }

        @Override
        public SinkReceipt send(InputStream body) throws IOException {
            try (body) {
                long limit = behaviour instanceof Behaviour.Break b ? b.afterBytes()
                        : behaviour instanceof Behaviour.Answer a ? a.afterBytes() : Long.MAX_VALUE;
                byte[] buffer = new byte[8192];
                long total = 0;
                while (total < limit) {
                    int n = body.read(buffer, 0, (int) Math.min(buffer.length, limit - total));
                    if (n < 0) {
                        break;
                    }
                    received.write(buffer, 0, n);
                    total += n;
                }
                if (behaviour instanceof Behaviour.Break) {
                    throw new IOException("broken pipe (injected)");
                }
                if (behaviour instanceof Behaviour.Answer answer) {
                    return new SinkReceipt(answer.status(), "injected answer");
                }
                return new SinkReceipt(200, "stored " + total + " bytes");
            } finally {
                finished = true;
            }
        }

        byte[] bytes() {
            return received.toByteArray();
        }
    }

    private final long rawLimit;
    private final long compressedLimit;
    private final IntFunction<Behaviour> behaviours;
    final List<Attempt> attempts = new CopyOnWriteArrayList<>();

    TestSinks() {
        this(Long.MAX_VALUE, Long.MAX_VALUE, n -> new Behaviour.Accept());
    }

    TestSinks(long rawLimit, long compressedLimit, IntFunction<Behaviour> behaviours) {
        this.rawLimit = rawLimit;
        this.compressedLimit = compressedLimit;
        this.behaviours = behaviours;
    }

    static TestSinks failingFirst(int failures, Behaviour failure) {
        return new TestSinks(Long.MAX_VALUE, Long.MAX_VALUE,
                n -> n <= failures ? failure : new Behaviour.Accept());
    }

    @Override
    public ByteSink attempt(int number) {
        Attempt attempt = new Attempt(number, behaviours.apply(number));
        attempts.add(attempt);
        return attempt;
    }

    @Override
    public long rawLimit() {
        return rawLimit;
    }

    @Override
    public long compressedLimit() {
        return compressedLimit;
    }

    Attempt last() {
        return attempts.get(attempts.size() - 1);
    }
}
