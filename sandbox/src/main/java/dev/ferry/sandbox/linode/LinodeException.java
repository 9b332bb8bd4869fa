package dev.ferry.sandbox.linode;

import java.util.List;

/**
 * A Linode API error answer: {@code {"errors":[{"field":..., "reason":...}]}} with its status.
 */
final class LinodeException extends RuntimeException {

    record FieldError(String field, String reason) {
    }

    private final int status;
    private final List<FieldError> errors;

    LinodeException(int status, List<FieldError> errors) {
        super(errors.isEmpty() ? "error" : errors.get(0).reason());
        this.status = status;
        this.errors = List.copyOf(errors);
    }

    static LinodeException field(String field, String reason) {
        return new LinodeException(400, List.of(new FieldError(field, reason)));
    }

    static LinodeException notFound() {
        return new LinodeException(404, List.of(new FieldError(null, "Not found")));
    }

    static LinodeException badRequest(String reason) {
        return new LinodeException(400, List.of(new FieldError(null, reason)));
    }

    int status() {
        return status;
    }

    List<FieldError> errors() {
        return errors;
    }
}
