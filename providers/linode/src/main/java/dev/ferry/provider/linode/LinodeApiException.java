package dev.ferry.provider.linode;

import static java.util.Objects.requireNonNull;

import dev.ferry.engine.FerryException;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * A Linode API call that did not succeed: the call ({@code POST /linode/instances}), the HTTP status (0 when
 * no answer came), and every {@code {field, reason}} the API gave. The message is one sentence for the user,
 * never holding the token.
 */
final class LinodeApiException extends FerryException {

    /** One entry of the API's {@code errors} list; {@code field} is absent for errors about the whole request. */
    record ApiError(Optional<String> field, String reason) {
        ApiError {
            field = field == null ? Optional.empty() : field;
            requireNonNull(reason, "reason is null");
        }

        @Override
        public String toString() {
            return field.map(f -> f + ": " + reason).orElse(reason);
        }
    }

    private final String call;
    private final int status;
    private final List<ApiError> errors;
    private final boolean maybeCarriedOut;

    LinodeApiException(String call, int status, List<ApiError> errors, String message, boolean maybeCarriedOut, Throwable cause) {
        super(message, cause);
        this.call = requireNonNull(call, "call is null");
        this.status = status;
        this.errors = List.copyOf(errors);
        this.maybeCarriedOut = maybeCarriedOut;
    }

    /** An error answer: {@code Linode API POST /linode/instances answered 400: label: Label must be unique}. */
    static LinodeApiException answered(String call, int status, List<ApiError> errors, String fallbackDetail) {
        String detail = errors.isEmpty()
                ? fallbackDetail
                : errors.stream().map(ApiError::toString).collect(Collectors.joining("; "));
        return new LinodeApiException(call, status, errors, "Linode API " + call + " answered " + status
                + (detail == null || detail.isBlank() ? "" : ": " + detail), false, null);
    }

    /** No answer at all: the connection failed or timed out. */
    static LinodeApiException unanswered(String call, String what, boolean maybeCarriedOut, Throwable cause) {
        return new LinodeApiException(call, 0, List.of(), "Linode API " + call + " got no answer: " + what
                + (maybeCarriedOut ? " (the request may have been carried out)" : ""), maybeCarriedOut, cause);
    }

    /** The same failure, with what to do added to the message. */
    LinodeApiException withHint(String hint) {
        return new LinodeApiException(call, status, errors, getMessage() + ": " + hint, maybeCarriedOut, getCause());
    }

    /** {@code GET /linode/types}. */
    String call() {
        return call;
    }

    int status() {
        return status;
    }

    List<ApiError> errors() {
        return errors;
    }

    boolean isNotFound() {
        return status == 404;
    }

    /** True when the request went out but no answer came back, so a non-idempotent call may or may not have happened. */
    boolean maybeCarriedOut() {
        return maybeCarriedOut;
    }

    /** Whether an error names {@code field} (or starts with it, for {@code rules.inbound[0].ports}). */
    boolean concerns(String field) {
        return errors.stream().anyMatch(e -> e.field().map(f -> f.equals(field) || f.startsWith(field + ".")
                || f.startsWith(field + "[")).orElse(false));
    }
}
