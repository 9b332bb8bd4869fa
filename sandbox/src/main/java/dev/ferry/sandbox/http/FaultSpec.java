package dev.ferry.sandbox.http;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static java.util.Objects.requireNonNull;

/**
 * What goes wrong on purpose: a list of {@link FaultRule}s, the first rule matching a request decides.
 *
 * <p>The text form, for {@code ferry sandbox --faults}, is one or more rules separated by {@code ;},
 * each a comma-separated list of {@code key=value}; list values continue over the following commas:
 * <pre>
 *   rate=0.1,statuses=500,503,429,cut=0.05,latency=20ms,services=linode,s3,seed=7
 *   services=linode-upload,cut=1,cut-direction=request,count=1 ; services=ec2,rate=0.2,statuses=429
 * </pre>
 * Keys: {@code services} (ec2, iam, sts, s3, ebs, pricing, linode, linode-upload, vcenter, linode-ssh), {@code actions}
 * (names as in the request log: {@code CreateImage}, {@code POST /images/upload}; for linode-ssh the helper's
 * commands {@code W}, {@code R}, {@code B}, {@code S}),
 * {@code rate} (0–1, error answers), {@code statuses} (500, 503, 429; 429 is the service's own
 * throttling: Linode 429 with Retry-After, EC2 RequestLimitExceeded, IAM/STS Throttling, S3 SlowDown, EBS RequestThrottledException),
 * {@code cut} (0–1), {@code cut-direction} (request, response, both), {@code latency} (e.g. 20ms, 1s),
 * {@code slow} (0–1), {@code slow-rate} (e.g. 64KiB/s), {@code retry-after} (e.g. 2s),
 * {@code count} (stop after that many faults), {@code seed} (repeatable choices), {@code cut-after} (for
 * linode-ssh, e.g. 1MiB: the stdin a cut session lets through; its sessions are cut only by rules naming it:
 * {@code services=linode-ssh,actions=W,cut=1,cut-after=1MiB,count=1}).
 */
public record FaultSpec(List<FaultRule> rules) {

    private static final Set<String> LIST_KEYS = Set.of("services", "actions", "statuses");
    private static final List<String> KEYS = List.of("services", "actions", "rate", "statuses", "cut",
            "cut-direction", "latency", "slow", "slow-rate", "retry-after", "count", "seed", "cut-after");
    private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m)?");
    private static final Pattern BYTE_RATE = Pattern.compile("(\\d+)\\s*(B|KB|KiB|MB|MiB|GB|GiB)?(/s)?",
            Pattern.CASE_INSENSITIVE);

    public FaultSpec {
        rules = List.copyOf(requireNonNull(rules, "rules is null"));
    }

    public static FaultSpec none() {
        return new FaultSpec(List.of());
    }

    public static FaultSpec of(FaultRule... rules) {
        return new FaultSpec(List.of(rules));
    }

    public boolean isEmpty() {
        return rules.isEmpty();
    }

    /**
     * Reads the text form described on the class.
     *
     * @throws IllegalArgumentException naming the offending key or value and what is accepted
     */
    public static FaultSpec parse(String text) {
        requireNonNull(text, "text is null");
        if (text.isBlank() || text.trim().equalsIgnoreCase("none") || text.trim().equalsIgnoreCase("off")) {
            return none();
        }
        List<FaultRule> rules = new ArrayList<>();
        String[] clauses = text.split(";");
        for (int i = 0; i < clauses.length; i++) {
            String clause = clauses[i].trim();
            if (clause.isEmpty()) {
                continue;
            }
            try {
                rules.add(parseRule(clause));
            } catch (IllegalArgumentException e) {
                String where = clauses.length > 1 ? " (rule " + (i + 1) + ": '" + clause + "')" : "";
                throw new IllegalArgumentException(e.getMessage() + where, e);
            }
        }
        return new FaultSpec(rules);
    }

    private static FaultRule parseRule(String clause) {
        FaultRule.Builder builder = FaultRule.builder();
        List<Integer> statuses = new ArrayList<>();
        String listKey = null;
        for (String rawToken : clause.split(",")) {
            String token = rawToken.trim();
            if (token.isEmpty()) {
                continue;
            }
            int eq = token.indexOf('=');
            String key;
            String value;
            if (eq < 0) {
                if (listKey == null) {
                    throw new IllegalArgumentException("faults: '" + token + "' is not key=value"
                            + " (keys: " + String.join(", ", KEYS) + ")");
                }
                key = listKey;
                value = token;
            } else {
                key = token.substring(0, eq).trim().toLowerCase(Locale.ROOT);
                value = token.substring(eq + 1).trim();
                listKey = LIST_KEYS.contains(key) ? key : null;
            }
            if (value.isEmpty()) {
                throw new IllegalArgumentException("faults: " + key + " needs a value");
            }
            switch (key) {
                case "services" -> builder.services(value.toLowerCase(Locale.ROOT));
                case "actions" -> builder.actions(value);
                case "rate" -> builder.errorRate(rate(key, value));
                case "statuses", "status" -> statuses.add(status(value));
                case "cut" -> builder.cutRate(rate(key, value));
                case "cut-direction" -> builder.cutDirection(direction(value));
                case "latency" -> builder.latency(duration(key, value));
                case "slow" -> builder.slowRate(rate(key, value));
                case "slow-rate" -> builder.slowBytesPerSecond(byteRate(value));
                case "retry-after" -> builder.retryAfter(duration(key, value));
                case "count" -> builder.maxFaults(longValue(key, value));
                case "seed" -> builder.seed(longValue(key, value));
                case "cut-after" -> builder.cutAfterBytes(bytes(key, value));
                default -> throw new IllegalArgumentException("faults: unknown key '" + key
                        + "' (keys: " + String.join(", ", KEYS) + ")");
            }
        }
        if (!statuses.isEmpty()) {
            builder.statuses(statuses.toArray(Integer[]::new));
        }
        return builder.build();
    }

    private static double rate(String key, String value) {
        try {
            double rate = Double.parseDouble(value);
            if (rate < 0 || rate > 1) {
                throw new NumberFormatException();
            }
            return rate;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("faults: " + key + "=" + value
                    + " is not a probability between 0 and 1 (e.g. " + key + "=0.1)");
        }
    }

    private static int status(String value) {
        if (value.equalsIgnoreCase("throttle")) {
            return 429;
        }
        try {
            int status = Integer.parseInt(value);
            if (status == 500 || status == 503 || status == 429) {
                return status;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("faults: status '" + value + "' is not supported (use 500, 503 or 429)");
    }

    private static FaultRule.CutDirection direction(String value) {
        try {
            return FaultRule.CutDirection.valueOf(value.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("faults: cut-direction=" + value
                    + " is not one of request, response, both");
        }
    }

    static Duration duration(String key, String value) {
        Matcher m = DURATION.matcher(value.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException("faults: " + key + "=" + value
                    + " is not a duration (e.g. 20ms, 2s, 1m)");
        }
        long amount = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "ms" : m.group(2);
        return switch (unit) {
            case "s" -> Duration.ofSeconds(amount);
            case "m" -> Duration.ofMinutes(amount);
            default -> Duration.ofMillis(amount);
        };
    }

    private static long byteRate(String value) {
        long rate = bytes("slow-rate", value);
        if (rate <= 0) {
            throw new IllegalArgumentException("faults: slow-rate must be positive");
        }
        return rate;
    }

    private static long bytes(String key, String value) {
        Matcher m = BYTE_RATE.matcher(value.trim());
        if (!m.matches() || (key.equals("cut-after") && m.group(3) != null)) {
            throw new IllegalArgumentException("faults: " + key + "=" + value + (key.equals("cut-after")
                    ? " is not a byte count (e.g. 1MiB, 4096)" : " is not a byte rate (e.g. 64KiB/s, 1MB/s)"));
        }
        long amount = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "B" : m.group(2).toLowerCase(Locale.ROOT);
        long factor = switch (unit) {
            case "kb" -> 1000L;
            case "kib" -> 1024L;
            case "mb" -> 1000L * 1000;
            case "mib" -> 1024L * 1024;
            case "gb" -> 1000L * 1000 * 1000;
            case "gib" -> 1024L * 1024 * 1024;
            default -> 1L;
        };
        return amount * factor;
    }

    private static long longValue(String key, String value) {
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("faults: " + key + "=" + value + " is not a whole number");
        }
    }

    /** The spec in the text form {@link #parse} reads. */
    @Override
    public String toString() {
        if (rules.isEmpty()) {
            return "none";
        }
        return rules.stream().map(FaultRule::toString).collect(Collectors.joining(";"));
    }
}
