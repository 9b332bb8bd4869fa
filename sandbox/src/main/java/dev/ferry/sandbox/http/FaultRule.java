package dev.ferry.sandbox.http;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.Set;

import static java.util.Objects.requireNonNull;

/**
 * One clause of a {@link FaultSpec}: which requests it applies to and what goes wrong with them.
 *
 * @param services       service ids ({@code ec2}, {@code linode-upload}, ...); empty means every service
 * @param actions        action names as counted by the request log ({@code CreateImage},
 *                       {@code POST /images/upload}); empty means every action
 * @param errorRate      probability of answering with an error instead of serving the request
 * @param statuses       statuses to choose from for errors: 500, 503, or 429 (the service's own throttling)
 * @param cutRate        probability of cutting the connection mid-body
 * @param cutDirection   which body is cut
 * @param latency        added before every matching request is served
 * @param slowRate       probability of a slow body
 * @param slowBytesPerSecond pace of a slow body
 * @param retryAfter     the Retry-After sent with 429 answers
 * @param maxFaults      stop injecting after this many faults; 0 means no limit
 * @param seed           makes the choices repeatable for the same sequence of requests
 * @param cutAfterBytes  for {@code linode-ssh}: how many bytes of a command's stdin pass before its session is cut
 */
public record FaultRule(
        Set<String> services,
        Set<String> actions,
        double errorRate,
        List<Integer> statuses,
        double cutRate,
        CutDirection cutDirection,
        Duration latency,
        double slowRate,
        long slowBytesPerSecond,
        Duration retryAfter,
        long maxFaults,
        OptionalLong seed,
        long cutAfterBytes) {

    public static final List<Integer> DEFAULT_STATUSES = List.of(500, 503, 429);
    public static final long DEFAULT_SLOW_BYTES_PER_SECOND = 256 * 1024;

    /** Which body a cut connection interrupts. */
    public enum CutDirection {
        /** The server stops reading the request body part-way and closes the connection. */
        REQUEST,
        /** The request is served, then the response body is truncated. */
        RESPONSE,
        /** Either, chosen at random (a request without a body is always served then cut). */
        BOTH;

        String id() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public FaultRule {
        services = Set.copyOf(requireNonNull(services, "services is null"));
        actions = Set.copyOf(requireNonNull(actions, "actions is null"));
        statuses = List.copyOf(requireNonNull(statuses, "statuses is null"));
        requireNonNull(cutDirection, "cutDirection is null");
        requireNonNull(latency, "latency is null");
        requireNonNull(retryAfter, "retryAfter is null");
        requireNonNull(seed, "seed is null");
        checkRate("rate", errorRate);
        checkRate("cut", cutRate);
        checkRate("slow", slowRate);
        if (statuses.isEmpty()) {
            throw new IllegalArgumentException("faults: statuses must name at least one of 500, 503, 429");
        }
        for (int status : statuses) {
            if (status != 500 && status != 503 && status != 429) {
                throw new IllegalArgumentException("faults: status " + status + " is not supported (use 500, 503 or 429)");
            }
        }
        if (latency.isNegative()) {
            throw new IllegalArgumentException("faults: latency must not be negative");
        }
        if (slowBytesPerSecond <= 0) {
            throw new IllegalArgumentException("faults: slow-rate must be positive");
        }
        if (cutAfterBytes < 0) {
            throw new IllegalArgumentException("faults: cut-after must not be negative");
        }
        if (maxFaults < 0) {
            throw new IllegalArgumentException("faults: count must not be negative");
        }
        for (String service : services) {
            if (Service.fromId(service).isEmpty()) {
                throw new IllegalArgumentException("faults: unknown service '" + service
                        + "' (known: ec2, iam, sts, s3, ebs, pricing, linode, linode-upload, vcenter, linode-ssh)");
            }
        }
    }

    private static void checkRate(String name, double rate) {
        if (!(rate >= 0.0 && rate <= 1.0)) {
            throw new IllegalArgumentException("faults: " + name + " must be between 0 and 1, was " + rate);
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A rule for every service leaves SSH sessions alone: cutting them takes a rule that names linode-ssh. */
    boolean matches(Service service, String action) {
        if (services.isEmpty() ? service == Service.LINODE_SSH : !services.contains(service.id())) {
            return false;
        }
        if (actions.isEmpty()) {
            return true;
        }
        return actions.contains(action) || actions.contains(service.id() + ":" + action);
    }

    /** The rule in the syntax {@link FaultSpec#parse} reads. */
    @Override
    public String toString() {
        List<String> parts = new ArrayList<>();
        if (!services.isEmpty()) {
            parts.add("services=" + String.join(",", services));
        }
        if (!actions.isEmpty()) {
            parts.add("actions=" + String.join(",", actions));
        }
        if (errorRate > 0) {
            parts.add("rate=" + errorRate);
            parts.add("statuses=" + String.join(",", statuses.stream().map(String::valueOf).toList()));
        }
        if (cutRate > 0) {
            parts.add("cut=" + cutRate);
            parts.add("cut-direction=" + cutDirection.id());
        }
        if (cutAfterBytes > 0) {
            parts.add("cut-after=" + cutAfterBytes + "B");
        }
        if (!latency.isZero()) {
            parts.add("latency=" + latency.toMillis() + "ms");
        }
        if (slowRate > 0) {
            parts.add("slow=" + slowRate);
            parts.add("slow-rate=" + slowBytesPerSecond + "B/s");
        }
        if (!retryAfter.equals(Duration.ofSeconds(1))) {
            parts.add("retry-after=" + retryAfter.toSeconds() + "s");
        }
        if (maxFaults > 0) {
            parts.add("count=" + maxFaults);
        }
        seed.ifPresent(s -> parts.add("seed=" + s));
        return String.join(",", parts);
    }

    public static final class Builder {
        private final Set<String> services = new LinkedHashSet<>();
        private final Set<String> actions = new LinkedHashSet<>();
        private double errorRate;
        private List<Integer> statuses = DEFAULT_STATUSES;
        private double cutRate;
        private CutDirection cutDirection = CutDirection.BOTH;
        private Duration latency = Duration.ZERO;
        private double slowRate;
        private long slowBytesPerSecond = DEFAULT_SLOW_BYTES_PER_SECOND;
        private Duration retryAfter = Duration.ofSeconds(1);
        private long maxFaults;
        private OptionalLong seed = OptionalLong.empty();
        private long cutAfterBytes;

        private Builder() {
        }

        public Builder services(String... ids) {
            services.addAll(List.of(ids));
            return this;
        }

        public Builder actions(String... names) {
            actions.addAll(List.of(names));
            return this;
        }

        public Builder errorRate(double rate) {
            this.errorRate = rate;
            return this;
        }

        public Builder statuses(Integer... codes) {
            this.statuses = List.of(codes);
            return this;
        }

        public Builder cutRate(double rate) {
            this.cutRate = rate;
            return this;
        }

        public Builder cutDirection(CutDirection direction) {
            this.cutDirection = direction;
            return this;
        }

        public Builder latency(Duration latency) {
            this.latency = latency;
            return this;
        }

        public Builder slowRate(double rate) {
            this.slowRate = rate;
            return this;
        }

        public Builder slowBytesPerSecond(long bytesPerSecond) {
            this.slowBytesPerSecond = bytesPerSecond;
            return this;
        }

        public Builder retryAfter(Duration retryAfter) {
            this.retryAfter = retryAfter;
            return this;
        }

        public Builder maxFaults(long count) {
            this.maxFaults = count;
            return this;
        }

        public Builder seed(long seed) {
            this.seed = OptionalLong.of(seed);
            return this;
        }

        /** For {@code linode-ssh}: the bytes of stdin a cut session lets through first. */
        public Builder cutAfterBytes(long bytes) {
            this.cutAfterBytes = bytes;
            return this;
        }

        public FaultRule build() {
            return new FaultRule(services, actions, errorRate, statuses, cutRate, cutDirection, latency,
                    slowRate, slowBytesPerSecond, retryAfter, maxFaults, seed, cutAfterBytes);
        }
    }
}
