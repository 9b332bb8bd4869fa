package dev.ferry.sandbox.http;

import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;

import static java.util.Objects.requireNonNull;

/**
 * The sandbox's fault switch: off by default, set from tests ({@code sandbox.faults().set(...)})
 * or from {@code ferry sandbox --faults SPEC}. The first rule of the current spec that matches a
 * request decides what happens to it.
 */
public final class Faults {

    private final AtomicLong injected = new AtomicLong();
    private State state = new State(FaultSpec.none());

    public Faults(FaultSpec initial) {
        set(initial);
    }

    /** Replaces the current spec; counters of {@code count=} limits start again. */
    public synchronized void set(FaultSpec spec) {
        this.state = new State(requireNonNull(spec, "spec is null"));
    }

    /** Parses and sets a spec in the text form of {@link FaultSpec#parse}. */
    public void set(String spec) {
        set(FaultSpec.parse(spec));
    }

    public void clear() {
        set(FaultSpec.none());
    }

    public synchronized FaultSpec current() {
        return state.spec;
    }

    /** How many faults (errors, cuts, slow bodies) have been injected since the sandbox started. */
    public long injectedCount() {
        return injected.get();
    }

    /**
     * Whether the helper's SSH session running a command ({@code W}, {@code R}, {@code B} or {@code S}) is cut,
     * and after how many bytes of its stdin. Only rules naming {@code linode-ssh} cut sessions; only cuts apply.
     */
    public OptionalLong sshCut(String command) {
        FaultDecision decision = decide(Service.LINODE_SSH, command, true);
        return decision.cut() == FaultDecision.Cut.NONE ? OptionalLong.empty()
                : OptionalLong.of(decision.cutAfterBytes());
    }

    /** Cuts the next helper SSH session that writes a chunk (W) after {@code bytes} of its gzip stdin. */
    public void cutSshAfter(long bytes) {
        set(FaultSpec.of(FaultRule.builder().services(Service.LINODE_SSH.id()).actions("W").cutRate(1)
                .cutAfterBytes(bytes).maxFaults(1).build()));
    }

    FaultDecision decide(Service service, String action, boolean hasRequestBody) {
        State current;
        synchronized (this) {
            current = state;
        }
        return current.decide(service, action, hasRequestBody);
    }

    private final class State {
        private final FaultSpec spec;
        private final Map<FaultRule, SplittableRandom> randoms = new IdentityHashMap<>();
        private final Map<FaultRule, Long> counts = new IdentityHashMap<>();

        State(FaultSpec spec) {
            this.spec = spec;
            for (FaultRule rule : spec.rules()) {
                randoms.put(rule, rule.seed().isPresent()
                        ? new SplittableRandom(rule.seed().getAsLong())
                        : new SplittableRandom());
                counts.put(rule, 0L);
            }
        }

        synchronized FaultDecision decide(Service service, String action, boolean hasRequestBody) {
            List<FaultRule> rules = spec.rules();
            for (FaultRule rule : rules) {
                if (!rule.matches(service, action)) {
                    continue;
                }
                SplittableRandom random = randoms.get(rule);
                // Always draw the same numbers in the same order so a seed repeats the same story.
                double errorDraw = random.nextDouble();
                double cutDraw = random.nextDouble();
                double slowDraw = random.nextDouble();
                int statusPick = random.nextInt(rule.statuses().size());
                boolean directionPick = random.nextBoolean();

                boolean exhausted = rule.maxFaults() > 0 && counts.get(rule) >= rule.maxFaults();
                int errorStatus = 0;
                FaultDecision.Cut cut = FaultDecision.Cut.NONE;
                long slow = 0;
                if (!exhausted) {
                    if (errorDraw < rule.errorRate()) {
                        errorStatus = rule.statuses().get(statusPick);
                    } else if (cutDraw < rule.cutRate()) {
                        cut = switch (rule.cutDirection()) {
                            case REQUEST -> FaultDecision.Cut.REQUEST;
                            case RESPONSE -> FaultDecision.Cut.RESPONSE;
                            case BOTH -> directionPick && hasRequestBody
                                    ? FaultDecision.Cut.REQUEST : FaultDecision.Cut.RESPONSE;
                        };
                    } else if (slowDraw < rule.slowRate()) {
                        slow = rule.slowBytesPerSecond();
                    }
                }
                FaultDecision decision = new FaultDecision(rule.latency(), errorStatus, cut, slow, rule.retryAfter(),
                        rule.cutAfterBytes());
                if (decision.injectsFault()) {
                    counts.merge(rule, 1L, Long::sum);
                    injected.incrementAndGet();
                }
                return decision;
            }
            return FaultDecision.NONE;
        }
    }

}
