package dev.ferry.engine.spec;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The checks a migration's {@code verify:} asks for: TCP ports that must accept a connection, HTTP GETs that
 * must answer with a status, how long the target has to pass them, and which address of each machine to probe.
 */
public record VerifySpec(List<Integer> tcp, List<HttpCheck> http, Optional<String> timeout, Optional<Address> address) {

    /** What {@code timeout} is when the file leaves it out. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(5);

    public enum Address {
        @JsonProperty("public") PUBLIC,
        @JsonProperty("private") PRIVATE
    }

    /** {@code url} with {@code {address}} where the machine's address goes; {@code status} the one expected. */
    public record HttpCheck(String url, Integer status) {
        public HttpCheck {
            status = status == null ? 200 : status;
        }
    }

    public VerifySpec {
        tcp = tcp == null ? List.of() : List.copyOf(tcp);
        http = http == null ? List.of() : List.copyOf(http);
        timeout = timeout == null ? Optional.empty() : timeout;
        address = address == null ? Optional.empty() : address;
    }

    /** The timeout as a duration ({@code 90s}, {@code 5m}, {@code 1h}; the schema checked its form). */
    public Duration timeoutDuration() {
        return timeout.map(VerifySpec::parseDuration).orElse(DEFAULT_TIMEOUT);
    }

    public Address addressOrDefault() {
        return address.orElse(Address.PUBLIC);
    }

    static Duration parseDuration(String text) {
        long amount = Long.parseLong(text.substring(0, text.length() - 1));
        return switch (text.charAt(text.length() - 1)) {
            case 's' -> Duration.ofSeconds(amount);
            case 'm' -> Duration.ofMinutes(amount);
            case 'h' -> Duration.ofHours(amount);
            default -> throw new IllegalArgumentException("not a duration: " + text);
        };
    }
}
